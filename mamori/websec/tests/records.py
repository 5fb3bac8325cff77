"""Records the scanning tests share: an endpoint on a loopback test server."""

from mamori.websec.models import TlsProfile, WebEndpoint


def endpoint(org, port, name="会員サイト", **fields) -> WebEndpoint:
    values = {"url": f"https://127.0.0.1:{port}/", "server_name": "localhost",
              "department": org.it, "profile": TlsProfile.objects.get(code="intermediate"),
              "handles_personal_info": True}
    values.update(fields)
    return WebEndpoint.objects.create(name=name, **values)

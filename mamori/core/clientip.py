"""The client's address, also behind reverse proxies the operator names.

Behind a proxy every request comes from the proxy's address, so a limit per address (allauth's
login rate limit) would be shared by the whole company. `MAMORI_TRUSTED_PROXIES` lists the
proxies (addresses or networks); only when the connection comes from one of them is the
forwarding header (`MAMORI_CLIENT_IP_HEADER`, default X-Forwarded-For) read, from the right:
each proxy appends the address it received the request from, so the right-most address that is
not a trusted proxy is the client as the company's own proxies saw it. Everything to its left
was written by the client and may be forged.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings


def parse_networks(value) -> tuple:
    """Networks from a comma-separated string or a list: addresses or CIDR networks."""
    items = value.split(",") if isinstance(value, str) else value
    return tuple(ipaddress.ip_network(item.strip(), strict=False)
                 for item in items if item and item.strip())


@lru_cache(maxsize=8)
def _networks(value: tuple) -> tuple:
    return parse_networks(list(value))


def trusted_proxies() -> tuple:
    value = getattr(settings, "MAMORI_TRUSTED_PROXIES", ())
    return _networks(tuple(value.split(",")) if isinstance(value, str) else tuple(value))


def parse_address(text: str):
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [IPv6]:port
        text = text[1:text.index("]")]
    elif text.count(":") == 1:  # IPv4:port
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket counts as its IPv4 address.
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def is_trusted(address, networks) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def header_meta_key(header: str) -> str:
    return "HTTP_" + header.upper().replace("-", "_")


def client_ip(request) -> str | None:
    """The address of the client: REMOTE_ADDR, unless that is a trusted proxy (see above)."""
    remote = parse_address(request.META.get("REMOTE_ADDR") or "")
    if remote is None:
        return None
    networks = trusted_proxies()
    if not networks or not is_trusted(remote, networks):
        return str(remote)
    header = getattr(settings, "MAMORI_CLIENT_IP_HEADER", "X-Forwarded-For")
    # Several headers of the same name arrive joined with commas.
    hops = request.META.get(header_meta_key(header), "").split(",")
    client = remote
    for hop in reversed(hops):
        address = parse_address(hop)
        if address is None:
            break  # garbage: stop at the last address a trusted proxy vouched for
        client = address
        if not is_trusted(address, networks):
            break
    return str(client)

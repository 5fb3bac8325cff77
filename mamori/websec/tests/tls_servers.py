"""Hermetic TLS test servers: an own CA and certificates (cryptography) and threaded Python `ssl`
servers on 127.0.0.1, port 0, with good and bad configurations. Loopback only.

A single-threaded server (openssl s_server) can stall a scan because the scanner opens several
connections at once; these servers handle every connection in its own thread.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import socket
import ssl
import tempfile
import threading
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

LOOPBACK = "127.0.0.1"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _key_pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Mamori test"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


@dataclass
class Issued:
    cert: x509.Certificate
    key: object
    cert_file: Path
    key_file: Path

    @property
    def pem(self) -> str:
        return _cert_pem(self.cert).decode()


@dataclass
class PKI:
    """A CA and the leaf certificates the tests need, written to `directory`."""

    directory: Path
    ca: Issued = field(init=False)
    leaves: dict[str, Issued] = field(default_factory=dict)
    rsa1024_reason: str | None = None

    def __post_init__(self) -> None:
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = _name("Mamori Test Root CA")
        ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
        ca_cert = (
            x509.CertificateBuilder()
            .subject_name(ca_name)
            .issuer_name(ca_name)
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(_now() - dt.timedelta(days=3650))
            .not_valid_after(_now() + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True, content_commitment=False, key_encipherment=False,
                    data_encipherment=False, key_agreement=False, key_cert_sign=True,
                    crl_sign=True, encipher_only=False, decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(ski, critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        self.ca = self._write("ca", ca_cert, ca_key)

    @property
    def ca_pem(self) -> str:
        return self.ca.pem

    def _write(self, label: str, cert, key) -> Issued:
        cert_file = self.directory / f"{label}.crt"
        key_file = self.directory / f"{label}.key"
        cert_file.write_bytes(_cert_pem(cert))
        key_file.write_bytes(_key_pem(key))
        return Issued(cert, key, cert_file, key_file)

    def leaf(
        self,
        label: str,
        *,
        key_type: str = "ecdsa",
        key_size: int = 256,
        dns: tuple[str, ...] = ("localhost",),
        ips: tuple[str, ...] = (LOOPBACK,),
        days_valid: int = 90,
        not_before_days_ago: int = 1,
        self_signed: bool = False,
        client: bool = False,
    ) -> Issued:
        if label in self.leaves:
            return self.leaves[label]
        if key_type == "rsa":
            key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
        else:
            key = ec.generate_private_key(ec.SECP384R1() if key_size == 384 else ec.SECP256R1())
        subject = _name(dns[0] if dns else label)
        not_before = _now() - dt.timedelta(days=not_before_days_ago)
        sans = [x509.DNSName(d) for d in dns] + [
            x509.IPAddress(ipaddress.ip_address(i)) for i in ips
        ]
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject if self_signed else self.ca.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_before + dt.timedelta(days=days_valid))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.ExtendedKeyUsage(
                    [ExtendedKeyUsageOID.CLIENT_AUTH if client else ExtendedKeyUsageOID.SERVER_AUTH]
                ),
                critical=False,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
            )
        )
        if sans:
            builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
        if self_signed:
            cert = builder.sign(key, hashes.SHA256())
        else:
            builder = builder.add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.ca.key.public_key()),
                critical=False,
            )
            cert = builder.sign(self.ca.key, hashes.SHA256())
        issued = self._write(label, cert, key)
        self.leaves[label] = issued
        return issued


def openssl_allows_rsa1024() -> tuple[bool, str]:
    """Can the local OpenSSL serve an RSA-1024 certificate (at @SECLEVEL=0)?"""
    with tempfile.TemporaryDirectory() as tmp:
        pki = PKI(Path(tmp))
        try:
            issued = pki.leaf("probe1024", key_type="rsa", key_size=1024)
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
            ctx.load_cert_chain(issued.cert_file, issued.key_file)
        except (ssl.SSLError, ValueError) as exc:
            return False, f"local OpenSSL refuses RSA-1024: {exc}"
    return True, ""


def openssl_allows_tls10() -> tuple[bool, str]:
    try:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx.minimum_version = ssl.TLSVersion.TLSv1
            ctx.maximum_version = ssl.TLSVersion.TLSv1
    except (ssl.SSLError, ValueError) as exc:
        return False, f"local OpenSSL cannot enable TLS 1.0: {exc}"
    if not ssl.HAS_TLSv1:
        return False, "local OpenSSL was built without TLS 1.0"
    return True, ""


_VERSIONS = {
    "1.0": ssl.TLSVersion.TLSv1,  # the deprecated members are the point of the bad cases
    "1.1": ssl.TLSVersion.TLSv1_1,
    "1.2": ssl.TLSVersion.TLSv1_2,
    "1.3": ssl.TLSVersion.TLSv1_3,
}


class TLSServer:
    """Threaded TLS server on 127.0.0.1:<free port> answering one tiny HTTP response.

    client_auth: "none" | "optional" (requested, not enforced) | "required".
    Use as a context manager; the server always shuts down.
    """

    def __init__(
        self,
        leaf: Issued,
        *,
        min_version: str = "1.2",
        max_version: str = "1.3",
        ciphers: str | None = "ECDHE+AESGCM:ECDHE+CHACHA20",
        curve: str | None = "prime256v1",
        hsts: str | None = None,
        client_auth: str = "none",
        client_ca_file: Path | None = None,
        seclevel0: bool = False,
    ) -> None:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        cipher_string = ciphers or "DEFAULT"
        if seclevel0:
            cipher_string += ":@SECLEVEL=0"
        ctx.set_ciphers(cipher_string)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # TLS 1.0/1.1 on purpose
            ctx.minimum_version = _VERSIONS[min_version]
            ctx.maximum_version = _VERSIONS[max_version]
        if curve:
            ctx.set_ecdh_curve(curve)
        ctx.load_cert_chain(leaf.cert_file, leaf.key_file)
        if client_auth != "none":
            ctx.verify_mode = ssl.CERT_REQUIRED if client_auth == "required" else ssl.CERT_OPTIONAL
            if client_ca_file:
                ctx.load_verify_locations(cafile=str(client_ca_file))
        # What clients sent: the server name of each handshake (None without SNI) and the
        # first bytes of each request, for tests of what the scanner puts on the wire.
        self.server_names: list[str | None] = []
        self.requests: list[bytes] = []
        ctx.sni_callback = self._note_server_name
        self.context = ctx
        self.hsts = hsts
        self._sock: socket.socket | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.port = 0
        self.connections = 0

    def _note_server_name(self, _ssl_object, name, _context) -> None:
        self.server_names.append(name)

    def __enter__(self) -> TLSServer:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((LOOPBACK, 0))
        sock.listen(128)
        sock.settimeout(0.2)
        self._sock = sock
        self.port = sock.getsockname()[1]
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _addr = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        try:
            with self.context.wrap_socket(conn, server_side=True) as tls:
                data = tls.recv(4096)
                if not data:
                    return
                self.requests.append(data)
                headers = [
                    "HTTP/1.1 200 OK",
                    "Content-Type: text/plain",
                    "Content-Length: 2",
                    "Connection: close",
                ]
                if self.hsts:
                    headers.append(f"Strict-Transport-Security: {self.hsts}")
                tls.sendall(("\r\n".join(headers) + "\r\n\r\nok").encode())
                with contextlib.suppress(OSError, ssl.SSLError):
                    tls.unwrap()
        except (OSError, ssl.SSLError, ValueError):
            pass
        finally:
            with contextlib.suppress(OSError):
                conn.close()


class LoopbackListener:
    """A TCP listener on 127.0.0.1 whose accepted connections go to `accepted`; the
    connections it keeps open are closed when the `with` block ends."""

    def __init__(self) -> None:
        self._sock: socket.socket | None = None
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.port = 0

    def __enter__(self):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind((LOOPBACK, 0))
        sock.listen(64)
        sock.settimeout(0.2)
        self._sock = sock
        self.port = sock.getsockname()[1]
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted(conn)

    def accepted(self, conn: socket.socket) -> None:
        raise NotImplementedError

    def hold(self, conn: socket.socket) -> None:
        self._held.append(conn)

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        for conn in self._held:
            with contextlib.suppress(OSError):
                conn.close()
        if self._sock is not None:
            self._sock.close()


class SilentServer(LoopbackListener):
    """Accepts TCP connections on 127.0.0.1 and never answers the TLS handshake."""

    def accepted(self, conn: socket.socket) -> None:
        self.hold(conn)


class PlainServer(LoopbackListener):
    """A TCP service on 127.0.0.1 that does not speak TLS (a database, an admin console):
    answers any first bytes with a line of plain text and closes."""

    def __init__(self) -> None:
        super().__init__()
        self.connections = 0

    def accepted(self, conn: socket.socket) -> None:
        self.connections += 1
        threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    @staticmethod
    def _answer(conn: socket.socket) -> None:
        with contextlib.suppress(OSError), conn:
            conn.settimeout(2)
            conn.recv(4096)
            conn.sendall(b"EFATAL unsupported frontend protocol\n")


def free_port() -> int:
    """A loopback port with nothing listening (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


# ============================================================ tlsverdict block (issue 14: 1, 2, 6)
# Company CAs built the way real companies build them (no keyUsage, a non-critical
# basicConstraints, leaves without an authority key identifier, an intermediate the server
# forgets to send), a server whose DHE parameters are 1024 bits, and a TLS server that does not
# speak HTTP. Loopback only, like everything above.

# RFC 2409 §6.2 (Oakley group 2): a well-known 1024-bit safe prime, generator 2.
OAKLEY_GROUP_2 = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22"
    "514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6"
    "F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381"
    "FFFFFFFFFFFFFFFF", 16)


def _ca_key_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True, content_commitment=False, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
        encipher_only=False, decipher_only=False,
    )


class CompanyPKI:
    """A company's own root CA and (optionally) an intermediate under it, built as real
    companies build them: `key_usage=False` leaves keyUsage out of the CA certificates,
    `bc_critical=False` marks their basicConstraints non-critical. Web-PKI rules refuse both;
    RFC 5280 (OpenSSL, browsers with the CA installed) accepts them.

    `leaf(...)` writes a certificate file holding the chain the server sends: the leaf, then
    the intermediate when `send_intermediate`, then the root when `send_root`."""

    def __init__(self, directory: Path, label: str, *, key_usage: bool = True,
                 bc_critical: bool = True, intermediate: bool = False) -> None:
        self.directory, self.label = directory, label
        self.key_usage, self.bc_critical = key_usage, bc_critical
        self.root_key = ec.generate_private_key(ec.SECP256R1())
        self.root = self._ca(f"{label} Root CA", self.root_key, None, None)
        self.root_file = directory / f"{label}-root.crt"
        self.root_file.write_bytes(_cert_pem(self.root))
        self.intermediate = self.intermediate_key = None
        if intermediate:
            self.intermediate_key = ec.generate_private_key(ec.SECP256R1())
            self.intermediate = self._ca(f"{label} Issuing CA", self.intermediate_key,
                                         self.root, self.root_key)

    @property
    def root_pem(self) -> str:
        return _cert_pem(self.root).decode()

    def _ca(self, cn: str, key, issuer, issuer_key) -> x509.Certificate:
        name = _name(cn)
        builder = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(issuer.subject if issuer is not None else name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(_now() - dt.timedelta(days=365))
            .not_valid_after(_now() + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None),
                           critical=self.bc_critical)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
        )
        if self.key_usage:
            builder = builder.add_extension(_ca_key_usage(), critical=True)
        if issuer is not None:
            builder = builder.add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                critical=False)
        return builder.sign(issuer_key or key, hashes.SHA256())

    def leaf(self, label: str, *, aki: bool = True, send_intermediate: bool = True,
             send_root: bool = False, key_type: str = "ecdsa",
             dns: tuple[str, ...] = ("localhost",), ips: tuple[str, ...] = (LOOPBACK,)) -> Issued:
        issuer, issuer_key = ((self.intermediate, self.intermediate_key)
                              if self.intermediate is not None else (self.root, self.root_key))
        if key_type == "rsa":
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        else:
            key = ec.generate_private_key(ec.SECP256R1())
        sans = [x509.DNSName(d) for d in dns] + [
            x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(dns[0] if dns else label))
            .issuer_name(issuer.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(_now() - dt.timedelta(days=1))
            .not_valid_after(_now() + dt.timedelta(days=89))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        )
        if aki:
            builder = builder.add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                critical=False)
        cert = builder.sign(issuer_key, hashes.SHA256())
        chain = [cert]
        if send_intermediate and self.intermediate is not None:
            chain.append(self.intermediate)
        if send_root:
            chain.append(self.root)
        cert_file = self.directory / f"{self.label}-{label}.crt"
        key_file = self.directory / f"{self.label}-{label}.key"
        cert_file.write_bytes(b"".join(_cert_pem(c) for c in chain))
        key_file.write_bytes(_key_pem(key))
        return Issued(cert, key, cert_file, key_file)


def write_dh_params(path: Path, prime: int = OAKLEY_GROUP_2, generator: int = 2) -> Path:
    from cryptography.hazmat.primitives.asymmetric import dh

    numbers = dh.DHParameterNumbers(prime, generator)
    path.write_bytes(numbers.parameters().parameter_bytes(
        serialization.Encoding.PEM, serialization.ParameterFormat.PKCS3))
    return path


class DHEServer(TLSServer):
    """A TLSServer whose TLS 1.2 suites are finite-field DHE with the given parameters (1024-bit
    Oakley group 2 unless `dh_file` says otherwise)."""

    def __init__(self, leaf: Issued, *, dh_file: Path, ciphers: str = "DHE-RSA-AES128-GCM-SHA256",
                 **kwargs) -> None:
        kwargs.setdefault("seclevel0", True)  # OpenSSL's default level refuses 1024-bit DH
        super().__init__(leaf, ciphers=ciphers, **kwargs)
        self.context.load_dh_params(str(dh_file))


class NotHttpServer(TLSServer):
    """Completes TLS handshakes and then answers like a mail server, not like a web server."""

    BANNER = b"220 mamori-test ESMTP ready\r\n"

    def _handle(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        try:
            with self.context.wrap_socket(conn, server_side=True) as tls:
                data = tls.recv(4096)
                if data:
                    self.requests.append(data)
                tls.sendall(self.BANNER)
        except (OSError, ssl.SSLError, ValueError):
            pass
        finally:
            with contextlib.suppress(OSError):
                conn.close()
# ======================================================== end of tlsverdict block (issue 14)


# ---------------------------------------------------------------------------------------------
# tlsevidence (issue 14, item 5): a healthy server that is slow to shake hands.
# ---------------------------------------------------------------------------------------------


class SlowHandshakeServer(TLSServer):
    """A good TLS server on 127.0.0.1 that waits `delay` seconds after accepting each
    connection before it answers the ClientHello: slow, but healthy."""

    def __init__(self, leaf: Issued, *, delay: float = 1.0, **kwargs) -> None:
        super().__init__(leaf, **kwargs)
        self.delay = delay

    def _handle(self, conn: socket.socket) -> None:
        if self._stop.wait(self.delay):
            with contextlib.suppress(OSError):
                conn.close()
            return
        super()._handle(conn)


# --------------------------------------------------------------------------- end tlsevidence

"""The local CA and server certificate that let Mamori serve HTTPS with nothing configured.

A private CA (rather than a bare self-signed server certificate) is used so the operator trusts
one certificate once: the server certificate can then be reissued, for new host names or before
it expires, without browsers complaining again.
"""

import fcntl
import ipaddress
import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DEFAULT_HOSTNAMES = ("localhost", "127.0.0.1", "::1")
CA_DAYS = 3650
# Mamori's own default TLS profile (Mozilla "intermediate") allows a server certificate at
# most 366 days; browsers reject more than 398. `mamori serve` must pass its own check.
SERVER_DAYS = 365
RENEW_BEFORE = timedelta(days=30)
# Tolerates a client clock that runs slightly behind ours.
BACKDATE = timedelta(minutes=5)


@dataclass(frozen=True)
class CertPaths:
    ca_cert: Path
    server_cert: Path
    server_key: Path


def ensure_certificates(data_dir: Path, hostnames: Iterable[str] = DEFAULT_HOSTNAMES) -> CertPaths:
    """Return the certificate files under `data_dir/tls`, creating or renewing them as needed.

    The CA is kept as long as it is usable, because replacing it means every browser has to
    trust the new one; the server certificate is reissued whenever it is close to expiry or
    does not cover `hostnames`.
    """
    tls = Path(data_dir) / "tls"
    tls.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(tls, 0o700)  # mkdir's mode is reduced by the umask and ignored if the dir exists
    paths = CertPaths(tls / "ca.pem", tls / "server.pem", tls / "server-key.pem")
    ca_key_path = tls / "ca-key.pem"
    names = _normalise(hostnames) or list(DEFAULT_HOSTNAMES)
    now = datetime.now(UTC)

    # Two commands starting at once must not both issue, leaving one's key beside the other's
    # certificate.
    with open(tls / ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        ca = _load_ca(paths.ca_cert, ca_key_path, now)
        if ca is None:
            ca = _create_ca(now)
            _write(ca_key_path, _key_pem(ca[1]), private=True)
            _write(paths.ca_cert, ca[0].public_bytes(serialization.Encoding.PEM))
        elif _server_is_current(paths, ca[0], names, now):
            return paths
        cert, key = _create_server(ca, names, now)
        _write(paths.server_key, _key_pem(key), private=True)
        chain = cert.public_bytes(serialization.Encoding.PEM) + ca[0].public_bytes(
            serialization.Encoding.PEM
        )
        _write(paths.server_cert, chain)
    return paths


def _normalise(hostnames: Iterable[str]) -> list[str]:
    names: list[str] = []
    for raw in hostnames:
        name = raw.strip().strip("[]").lower()
        if not name:
            continue
        try:
            name = str(ipaddress.ip_address(name))
        except ValueError:
            # Certificates carry internationalised names in their ASCII (punycode) form.
            name = name.encode("idna").decode("ascii")
        if name not in names:
            names.append(name)
    return names


def _general_name(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def _load_ca(cert_path: Path, key_path: Path, now: datetime):
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except (OSError, ValueError):
        return None
    if cert.public_key() != key.public_key() or cert.not_valid_after_utc - now < RENEW_BEFORE:
        return None
    return cert, key


def _server_is_current(paths: CertPaths, ca_cert, names: list[str], now: datetime) -> bool:
    try:
        cert = x509.load_pem_x509_certificates(paths.server_cert.read_bytes())[0]
        key = serialization.load_pem_private_key(paths.server_key.read_bytes(), password=None)
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        cert.verify_directly_issued_by(ca_cert)
    except (OSError, ValueError, TypeError, x509.ExtensionNotFound, InvalidSignature):
        return False
    # A crash between writing the key and the certificate would leave them mismatched.
    return (
        cert.public_key() == key.public_key()
        and cert.not_valid_after_utc - now > RENEW_BEFORE
        # One issued for longer than now allowed (397 days, before) is issued again.
        and cert.not_valid_after_utc - cert.not_valid_before_utc
        <= timedelta(days=SERVER_DAYS) + BACKDATE
        and all(_general_name(n) in sans for n in names)
    )


def _create_ca(now: datetime):
    key = ec.generate_private_key(ec.SECP256R1())
    # The machine name tells the operator which installation a CA in their trust store is
    # for; a common name may be at most 64 characters.
    common_name = f"Mamori local CA ({socket.gethostname()[:40]})"
    name = x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Mamori"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + timedelta(days=CA_DAYS))
        # pathlen 0: even a stolen CA key cannot mint further CAs.
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True,
                crl_sign=True, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert, key


def _create_server(ca, names: list[str], now: datetime):
    ca_cert, ca_key = ca
    key = ec.generate_private_key(ec.SECP256R1())
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0][:64])]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + timedelta(days=SERVER_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        # Clients match host names against the SAN only; the CN is informational.
        .add_extension(x509.SubjectAlternativeName([_general_name(n) for n in names]),
                       critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False,
                crl_sign=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return cert, key


def _key_pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _write(path: Path, data: bytes, private: bool = False) -> None:
    # Write beside the target and rename, so a reader never sees a half-written file; the
    # temporary file is created with its final mode, so a key is never readable by others,
    # not even for a moment.
    mode = 0o600 if private else 0o644
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.unlink(missing_ok=True)  # left by a crash; safe to remove while holding the lock
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)  # exact mode whatever the umask
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# --- key-exchange groups ------------------------------------------------------------------------

# Mamori's default TLS profile (Mozilla intermediate) allows these groups only. Python's ssl
# module cannot set a list of groups (set_ecdh_curve takes one curve), so `mamori serve` gives
# its process an OpenSSL configuration whose `system_default` section sets them: OpenSSL applies
# it to every TLS context the process creates. It must be in place before OpenSSL is first
# loaded, which is why `serve` starts itself again with OPENSSL_CONF set (serve.py).
PROFILE_GROUPS = ("X25519", "P-256", "P-384")
OPENSSL_CONFIG_NAME = "openssl.cnf"


def openssl_config_text() -> str:
    return "\n".join([
        "# Written by `mamori serve`: the key-exchange groups of Mamori's default TLS profile",
        "# (Mozilla intermediate) for Mamori's own HTTPS. Rewritten at every start.",
        "openssl_conf = mamori_init",
        "",
        "[mamori_init]",
        "ssl_conf = mamori_ssl",
        "",
        "[mamori_ssl]",
        "system_default = mamori_tls",
        "",
        "[mamori_tls]",
        f"Groups = {':'.join(PROFILE_GROUPS)}",
        "MinProtocol = TLSv1.2",
        "",
    ])


def write_openssl_config(data_dir: Path) -> Path:
    path = Path(data_dir) / "tls" / OPENSSL_CONFIG_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != openssl_config_text():
        # Two servers starting at once may both write it: each through its own temporary
        # file, renamed into place (the content is the same).
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(openssl_config_text())
        os.replace(tmp, path)
    return path

"""Where the system's trust anchors are: the scanner validates chains against them
(`_engine`) and the evidence names the file it used (`service`). A module of its own, light to
import, so naming the file does not load the scanner."""

import ssl
from pathlib import Path

DEBIAN_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"


def system_trust_files() -> list[Path]:
    """The certificate bundles that exist, in the order they are tried."""
    paths = ssl.get_default_verify_paths()
    return [Path(candidate) for candidate in (paths.cafile, paths.openssl_cafile, DEBIAN_BUNDLE)
            if candidate and Path(candidate).is_file()]

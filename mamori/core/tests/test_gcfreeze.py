"""The WSGI application freezes what the site loaded (core.gcfreeze), so full garbage
collections walk only what requests leave."""

import subprocess
import sys


def test_loading_the_wsgi_application_freezes_the_loaded_site(tmp_path):
    script = ("import gc; import mamori.wsgi; "
              "from django.urls import get_resolver; "
              "print(gc.get_freeze_count(), len(get_resolver().reverse_dict) > 0)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env={"MAMORI_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin",
                               "MAMORI_HTTPS": "0"},
                          check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    frozen, resolved = done.stdout.split()
    assert int(frozen) > 50_000  # Django and the apps: about 170,000 objects
    assert resolved == "True"

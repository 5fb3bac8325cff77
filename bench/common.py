"""What every benchmark script shares: Django set up on a temporary data directory (unless
MAMORI_DATA_DIR or DATABASE_URL say otherwise), and printing figures."""

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("MAMORI_DATA_DIR", tempfile.mkdtemp(prefix="mamori-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mamori.settings")
os.environ["MAMORI_HTTPS"] = "0"
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")

import django

django.setup()


def report(name: str, seconds: float, count: int = 1, unit: str = "op", queries=None):
    per = seconds / count if count else 0
    rate = count / seconds if seconds else float("inf")
    extra = f"  queries={queries}" if queries is not None else ""
    print(f"{name:<52} {seconds * 1000:9.1f} ms total  {per * 1000:8.2f} ms/{unit}"
          f"  {rate:9.1f} {unit}/s{extra}", flush=True)


def timed(fn, repeat=1):
    start = time.perf_counter()
    for _ in range(repeat):
        result = fn()
    return time.perf_counter() - start, result

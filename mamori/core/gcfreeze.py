"""Keep what the site loads at start-up out of Python's full garbage collections.

A full (oldest-generation) collection walks every tracked object. Django, the apps, their URL
patterns, forms and translations are about 170,000 objects that live as long as the process,
and walking them took about 100 ms, once every dozen requests or so: the slow requests of
the ten-times benchmark (p50 30 ms, p95 130-250 ms on pages doing nothing slow). `gc.freeze()`
moves the objects alive at that moment to a permanent generation no collection walks (Python's
documentation recommends it before forking, which `mamori serve` does: gunicorn's workers then
also share those pages of memory instead of copying them when a collection touches them).
"""

import gc

from django.urls import get_resolver


def freeze_loaded_site() -> int:
    """Load what the first request would (every app's URL patterns, hence their views),
    collect what loading left over, then freeze the rest. Returns how many are frozen."""
    get_resolver().url_patterns  # noqa: B018 (imports every URLconf and view module)
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()

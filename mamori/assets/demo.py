"""Demo data (filled in below)."""


def load_asset_demo(context=None, **kwargs):
    return None

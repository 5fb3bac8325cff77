"""Demo data (filled in below)."""


def load_control_demo(context=None, **kwargs):
    return None

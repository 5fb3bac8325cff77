"""Demo data (filled in below)."""


def load_risk_demo(context=None, **kwargs):
    return None

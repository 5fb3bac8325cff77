def load_websec_demo(seed):
    """Filled in by the demo step (endpoints on loopback)."""
    return 0

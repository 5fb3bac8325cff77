def load_incident_demo(seed):
    """Filled in below (the demo history of incidents)."""


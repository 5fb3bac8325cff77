"""Mamori (守り): an information security management system that makes a policy run."""

__version__ = "0.1.0"

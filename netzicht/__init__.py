"""netzicht: criminal-network analytics for human-trafficking investigations."""

__version__ = "0.1.0"

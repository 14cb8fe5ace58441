"""houseboat: a self-hosted campaign desk for human-rights advocates."""

__version__ = "0.1.0"

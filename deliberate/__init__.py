"""Deliberate (议事厅): community self-governance for Chinese urban communities."""

__version__ = "0.1.0"

"""Offline checks of the warehouse project (no database account needed)."""

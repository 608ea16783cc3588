"""Source-data generator and landing-lake tools for the insurance warehouse.

The lake layout and record formats follow the source contract described in docs/contract.md
("Source contract").
"""

__version__ = "0.1.0"

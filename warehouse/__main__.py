"""``python -m warehouse``: the same as the ``warehouse`` command."""

import sys

from warehouse.cli import main

sys.exit(main())

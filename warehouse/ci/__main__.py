import sys

from warehouse_ci.cli import main

sys.exit(main())

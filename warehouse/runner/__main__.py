import sys

from warehouse.runner.cli import main

sys.exit(main())

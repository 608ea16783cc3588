import sys

from warehouse.ci.cli import main

sys.exit(main())

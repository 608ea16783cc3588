import sys

from warehouse.checks.snowflake_sql.cli import main

sys.exit(main())

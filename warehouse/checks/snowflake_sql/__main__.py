import sys

from warehouse_checks.snowflake_sql.cli import main

sys.exit(main())

"""Plan, build, diff and promote changes to the dbt warehouse: SQLMesh-style CI for dbt."""

"""A dbt-duckdb plugin (profiles.yml, `dev`): DuckDB's spill folder, set once per database.

dbt-duckdb applies the profile's `settings:` again on every cursor it opens; DuckDB refuses
to move its temporary directory once something has spilled there, even to the same
folder, so `temp_directory` cannot be one of them. Nor can it be a connection option
(`config_options`): DuckDB then refuses every other connection of the same process that
opens the file without the same options (the pipeline and the tests read the warehouse
while dbt holds it). This plugin sets it once, when dbt opens the database, and only when
it differs from what the database already uses.
"""

from __future__ import annotations

import os
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection, NotImplementedException


class Plugin(BasePlugin):
    def initialize(self, plugin_config: dict[str, Any]) -> None:
        self.temp_directory = str(plugin_config.get("temp_directory") or "")

    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        if not self.temp_directory:
            return
        # on a cursor of its own, closed at once: nothing stays open on dbt's connection
        # (an open transaction there makes every later CHECKPOINT of the file fail)
        cursor = conn.cursor()
        try:
            row = cursor.execute("select current_setting('temp_directory')").fetchall()
            wanted = os.path.abspath(self.temp_directory)
            if row and row[0][0] and os.path.abspath(str(row[0][0])) == wanted:
                return
            cursor.execute("set temp_directory = '" + wanted.replace("'", "''") + "'")
        except NotImplementedException:
            # the database was opened and has spilled before, in this process: it keeps
            # the folder it has
            return
        finally:
            cursor.close()

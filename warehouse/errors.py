"""The warehouse's domain errors.

Library code raises these; only the command line (``warehouse``, :mod:`warehouse.cli`) turns
one into its ``exit_code`` and a one-line message (:func:`describe`). Anything else that
escapes is a bug and keeps its traceback.

Exit codes: 1 a dbt invocation or a build failed; 2 the plan has errors; 3 promotion refused;
4 the configuration or a required input is wrong or missing.
"""

from __future__ import annotations


class WarehouseError(Exception):
    """Base of every error the warehouse's commands report without a traceback."""

    exit_code: int = 1

    @property
    def message(self) -> str:
        return str(self)


class ConfigurationError(WarehouseError):
    """The settings or the project's configuration are wrong, or a required input is missing."""

    exit_code = 4


class MissingInputError(ConfigurationError):
    """A file an earlier step writes (a manifest, a plan, a build record) is not there."""


class EnvironmentNotFoundError(MissingInputError):
    """The environment named has no plan or no build record: `plan` / `env` never ran."""


class HubPackagesUnavailable(ConfigurationError):
    """Full mode was asked for, and the hub packages are neither installed nor installable."""


class MetricsUnavailable(MissingInputError):
    """The published warehouse or its semantic manifest is missing (the dashboard)."""


class DbtInvocationError(WarehouseError):
    """A dbt command failed (its log's tail is in the message)."""

    exit_code = 1

    def __init__(self, command: str, log: object, tail: str) -> None:
        super().__init__(f"dbt {command} failed (log: {log}):\n{tail}")
        self.command = command
        self.log = log
        self.tail = tail


class PlanError(WarehouseError):
    """The plan has errors, so nothing is built from it."""

    exit_code = 2


class PromotionRefusedError(WarehouseError):
    """Promotion (or rollback) refused: tests failed, the plan had errors, nothing to undo."""

    exit_code = 3


class CheckError(WarehouseError):
    """An offline check could not run to the end (not: it ran and found problems)."""


def describe(prog: str, error: WarehouseError) -> str:
    """The one message a command prints for ``error``."""
    return f"{prog}: error: {error.message}"

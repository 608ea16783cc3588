"""The dashboard's filters (line group, line, period, country), as MetricFlow where
constraints and as SQL conditions over the marts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


def _quoted(values: tuple[str, ...]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


@dataclass(frozen=True)
class Filters:
    line_groups: tuple[str, ...] = ()
    lines: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    period: tuple[dt.date, dt.date] | None = None  # first and last month, inclusive
    _dimensions: dict[str, str] = field(
        default_factory=lambda: {
            "line_groups": "policy__line_group",
            "lines": "policy__line",
            "countries": "policy__country",
        },
        repr=False,
        compare=False,
    )

    def where(self) -> list[str]:
        """MetricFlow where constraints (on every metric, through the policy entity)."""
        constraints = [
            f"{{{{ Dimension('{name}') }}}} in ({_quoted(getattr(self, attribute))})"
            for attribute, name in self._dimensions.items()
            if getattr(self, attribute)
        ]
        if self.period:
            first, last = self.period
            month = "{{ TimeDimension('metric_time', 'month') }}"
            constraints.append(f"{month} >= '{first.isoformat()}'")
            constraints.append(f"{month} <= '{last.isoformat()}'")
        return constraints

    def sql(self, month_column: str | None, policies: str = "policies") -> str:
        """SQL conditions (``and ...``) on a mart joined to dim_policies_current as
        ``policies``; ``month_column`` is the mart's month (None: no period filter)."""
        columns = {
            "line_groups": "line_group",
            "lines": "line_code",
            "countries": "insured_country_code",
        }
        parts = [
            f"{policies}.{column} in ({_quoted(getattr(self, attribute))})"
            for attribute, column in columns.items()
            if getattr(self, attribute)
        ]
        if self.period and month_column:
            first, last = self.period
            parts.append(f"{month_column} between '{first.isoformat()}' and '{last.isoformat()}'")
        return "".join(f" and {part}" for part in parts)

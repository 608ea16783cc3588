"""The categories of a change, one enum for the classifier, the plan, the build and the report.

Each member is its string (``ChangeCategory.BREAKING == "breaking"``), and that string is what
plan.json, ``plan --json`` and the pull-request comment show, as before the enum.
"""

from __future__ import annotations

from enum import Enum


class ChangeCategory(str, Enum):
    # a directly modified node, from its compiled SQL and its configuration
    UNCHANGED = "unchanged"  # formatting, comments or documentation only
    NON_BREAKING = "non-breaking"  # columns added, nothing else
    BREAKING = "breaking"  # anything else
    # a node that appears or disappears
    ADDED = "added"
    REMOVED = "removed"
    # downstream of a direct change
    INDIRECT_BREAKING = "indirect-breaking"
    INDIRECT_NON_BREAKING = "indirect-non-breaking"

    def __str__(self) -> str:
        return self.value

    @property
    def identifier(self) -> str:
        """The category as a name in Mermaid (a class name): no hyphen."""
        return self.value.replace("-", "_")

    @property
    def indirect(self) -> ChangeCategory:
        """What a direct change of this category makes of the nodes it forces downstream."""
        if self is ChangeCategory.BREAKING:
            return ChangeCategory.INDIRECT_BREAKING
        return ChangeCategory.INDIRECT_NON_BREAKING

"""Located problems in content, kept apart from internal errors.

A `Problem` names a file and a path inside its YAML document (keys and list indexes);
the line and column are looked up only when the problem is reported, so loading and
validating stay fast when content is clean.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

Path_ = tuple  # a path inside one YAML document: keys (str) and list indexes (int)


@dataclass(frozen=True, order=True)
class Problem:
    file: str  # path relative to the repository root, as printed
    line: int  # 1-based
    column: int  # 1-based
    message: str
    severity: str = "error"  # or "warning"

    def format(self, style: str = "text") -> str:
        if style == "github":
            kind = "error" if self.severity == "error" else "warning"
            msg = self.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            return f"::{kind} file={self.file},line={self.line},col={self.column}::{msg}"
        return f"{self.file}:{self.line}:{self.column}: {self.severity}: {self.message}"


@dataclass(frozen=True)
class Pending:
    """A problem whose position is still a path in the document; see load.Locator."""

    file: Path
    path: Path_
    message: str
    at_key: bool = False  # point at the key rather than its value
    severity: str = "error"
    lookup: tuple = ()  # (field title, value): a record's name written for its id, suggested once all are read


@dataclass
class ContentError(Exception):
    """Content cannot be published; carries every problem found."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(p.format() for p in self.problems)

"""Field checks for course files that collect every problem with its file, line and field."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from app.courses.yamlnodes import Path
from app.text import nfc

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")


@dataclass(frozen=True)
class ContentError:
    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


@dataclass
class Checker:
    """Reads values out of one parsed file, recording a ContentError for each bad one."""

    file: str
    lines: dict[Path, int] = field(default_factory=dict)
    errors: list[ContentError] = field(default_factory=list)

    def error(self, path: Path, message: str) -> None:
        line = None
        for cut in range(len(path), -1, -1):
            line = self.lines.get(path[:cut])
            if line is not None:
                break
        name = ".".join(str(p) if isinstance(p, str) else f"[{p + 1}]" for p in path)
        self.errors.append(ContentError(self.file, line, name.replace(".[", "[") or None, message))

    def mapping(self, value: Any, path: Path) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.error(path, "must be a set of 'key: value' lines")
            return None
        return value

    def get(self, data: dict[str, Any], path: Path, key: str, *, required: bool = True) -> Any:
        if key not in data or data[key] is None:
            if required:
                self.error(path, f"'{key}' is missing")
            return None
        return data[key]

    def text(
        self, data: dict[str, Any], path: Path, key: str, *, required: bool = True, max_len: int = 300
    ) -> str | None:
        value = self.get(data, path, key, required=required)
        if value is None:
            return None
        return self.text_value(value, (*path, key), max_len=max_len)

    def text_value(self, value: Any, path: Path, *, max_len: int = 300) -> str | None:
        """One piece of text found at `path`, such as an item of a list."""
        if isinstance(value, bool) or not isinstance(value, str | int | float | None):
            self.error(path, "must be text")
            return None
        result = "" if value is None else nfc(str(value)).strip()
        if not result:
            self.error(path, "must not be empty")
            return None
        if len(result) > max_len:
            self.error(path, f"is longer than {max_len} characters")
            return None
        return result

    def slug(self, data: dict[str, Any], path: Path, key: str = "id") -> str | None:
        value = self.get(data, path, key)
        if value is None:
            return None
        if not isinstance(value, str) or not SLUG.match(value):
            self.error(
                (*path, key),
                f"'{value}' is not a valid id: use a-z, 0-9 and '-', at most 80 characters, no accents",
            )
            return None
        return value

    def integer(
        self, data: dict[str, Any], path: Path, key: str, *, required: bool = True, low: int, high: int
    ) -> int | None:
        value = self.get(data, path, key, required=required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.error((*path, key), f"must be a whole number from {low} to {high}")
            return None
        return value

    def boolean(self, data: dict[str, Any], path: Path, key: str, *, default: bool) -> bool:
        value = data.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error((*path, key), "must be true or false")
            return default
        return value

    def choice(
        self, data: dict[str, Any], path: Path, key: str, options: tuple[str, ...], *, default: str
    ) -> str:
        value = data.get(key)
        if value is None:
            return default
        if value not in options:
            self.error((*path, key), f"must be one of: {', '.join(options)}")
            return default
        return str(value)

    def items(
        self,
        data: dict[str, Any],
        path: Path,
        key: str,
        *,
        minimum: int = 1,
        maximum: int | None = None,
        required: bool = True,
    ) -> list[Any]:
        value = self.get(data, path, key, required=required)
        if value is None:
            return []
        if not isinstance(value, list):
            self.error((*path, key), "must be a list (lines starting with '- ')")
            return []
        if len(value) < minimum:
            self.error((*path, key), f"needs at least {minimum} item(s)")
        if maximum is not None and len(value) > maximum:
            self.error((*path, key), f"has {len(value)} items; at most {maximum} are allowed")
        return value

    def unique(self, seen: dict[str, Path], value: str | None, path: Path, what: str) -> None:
        if value is None:
            return
        if value in seen:
            self.error(path, f"the {what} id '{value}' is used twice")
        else:
            seen[value] = path

"""The shape every report hands to its exports: named, typed columns and a stream of rows.

A report's service function checks the actor's rights and resolves its scope with the request's
session, then returns a Table whose `rows` callable captures only that resolved scope (unit
paths, ids, dates), never the session. Exports call `rows` with a session of their own that
stays open while the rows stream, so an export holds one row at a time whether it is written to
an HTTP response after the handler returned or by a background job in another process."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

# How a value is written: text as is; int and number as numbers; percent as a number from 0 to
# 100; hours as a number of hours; date as a calendar date; datetime as an aware UTC datetime,
# shown in the site's time zone.
ColumnKind = Literal["text", "int", "number", "percent", "hours", "date", "datetime"]


@dataclass(frozen=True)
class Column:
    key: str
    # A gettext msgid (marked with N_), translated by the writer into the reader's language.
    label: str
    kind: ColumnKind = "text"
    # Width in characters for spreadsheets.
    width: int = 16


@dataclass(frozen=True)
class Table:
    # ASCII file name stem, without extension.
    name: str
    # A gettext msgid: the sheet name and the title above an exported table.
    title: str
    columns: tuple[Column, ...]
    # Streams the rows, each a sequence in column order; called with an open session.
    rows: Callable[[Session], Iterator[Sequence[object]]]

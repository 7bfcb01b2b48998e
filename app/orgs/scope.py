"""The one rule for "rows within the units this actor may see": a SQL condition on a unit path
column that every scoped list, search, report and export uses.

A grant on a unit covers that unit's whole subtree, and unit paths are materialised
(`/1/7/42/`), so a subtree is one indexed prefix match. The command line (SYSTEM) sees every
row; an actor without a grant carrying the permission sees none (the condition is false, never
an empty OR, which SQL engines read differently)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, false, or_, true
from sqlalchemy.orm import InstrumentedAttribute

from app.orgs.permissions import Actor

PathColumn = ColumnElement[str] | InstrumentedAttribute[str]


def outermost(paths: Iterable[str]) -> tuple[str, ...]:
    """The paths that lie inside no other one: a grant on a unit and another on its sub-unit
    cover the sub-unit once."""
    unique = sorted(set(paths))
    return tuple(p for p in unique if not any(p != q and p.startswith(q) for q in unique))


def under(roots: Iterable[str], path: PathColumn) -> ColumnElement[bool]:
    """Rows whose unit path lies in one of these subtrees; none when there are no roots."""
    found = outermost(roots)
    if not found:
        return false()
    return or_(*(path.startswith(root, autoescape=True) for root in found))


def within(actor: Actor, permission: str | None, path: PathColumn) -> ColumnElement[bool]:
    """Rows whose unit path lies in a subtree where the actor holds the permission, or any of
    their grants when the permission is None (what they may see at all)."""
    if actor.system:
        return true()
    roots = actor.paths_with(permission) if permission else [grant.unit_path for grant in actor.grants]
    return under(roots, path)

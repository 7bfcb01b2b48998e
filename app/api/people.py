"""JSON endpoints for integrations and scripts: the caller, units and officers, scoped exactly as
the pages are. Authenticate with an API token (Authorization: Bearer hs_…) or a login session."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.accounts import service as officers
from app.accounts.schemas import MeRead, OfficerRead, UnitRef, officer_read
from app.api.deps import ApiActor
from app.api.errors import API_ERRORS
from app.http.routing import UnitOfWorkRoute
from app.http.session import SessionDep
from app.orgs import service as orgs

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api/v1", tags=["people"], responses=API_ERRORS)


@router.get("/me", response_model=MeRead)
def get_me(actor: ApiActor) -> MeRead:
    return MeRead.of(actor)


@router.get("/units", response_model=list[UnitRef])
def list_units(session: SessionDep, actor: ApiActor) -> list[UnitRef]:
    return [UnitRef(id=u.id, code=u.code, name=u.name) for u in orgs.visible_units(session, actor)]


@router.get("/officers", response_model=list[OfficerRead])
def list_officers(
    session: SessionDep,
    actor: ApiActor,
    q: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[int, Query(ge=1)] = 1,
) -> list[OfficerRead]:
    return [officer_read(row) for row in officers.officer_rows(session, actor, query=q, page=page)]


@router.get("/officers/{user_id}", response_model=OfficerRead)
def get_officer(session: SessionDep, actor: ApiActor, user_id: int) -> OfficerRead:
    return OfficerRead.of(officers.get_officer(session, actor, user_id))

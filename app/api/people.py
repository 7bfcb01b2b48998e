"""JSON endpoints for integrations and scripts: the caller, units and officers, scoped exactly as
the pages are. Authenticate with an API token (Authorization: Bearer hs_…) or a login session."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from app.accounts import service as officers
from app.accounts.schemas import MeRead, OfficerRead, UnitRef
from app.api.errors import API_ERRORS
from app.errors import PermissionDenied
from app.http.auth import client_ip, load_actor
from app.http.session import SessionDep
from app.orgs import service as orgs
from app.orgs.permissions import ANONYMOUS, Actor
from app.orgs.tokens import actor_for_token

router = APIRouter(prefix="/api/v1", tags=["people"], responses=API_ERRORS)


def api_actor(request: Request, session: SessionDep) -> Actor:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        actor = actor_for_token(session, header[7:].strip(), ip=client_ip(request))
        if actor is None:
            raise PermissionDenied("The API token is not valid.")
        request.state.actor = actor
        return actor
    actor = load_actor(request, session)
    if not actor.authenticated:
        raise PermissionDenied("Please log in first.")
    return actor


ApiActor = Annotated[Actor, Depends(api_actor)]


def optional_api_actor(request: Request, session: SessionDep) -> Actor:
    """For public endpoints: the caller when a valid credential came along, else anonymous (a
    stale cookie or token must not turn a public read into a 401)."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return actor_for_token(session, header[7:].strip(), ip=client_ip(request)) or ANONYMOUS
    return load_actor(request, session)


MaybeActor = Annotated[Actor, Depends(optional_api_actor)]


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
    return [OfficerRead.of(row) for row in officers.search_officers(session, actor, query=q, page=page)]


@router.get("/officers/{user_id}", response_model=OfficerRead)
def get_officer(session: SessionDep, actor: ApiActor, user_id: int) -> OfficerRead:
    return OfficerRead.of(officers.get_officer(session, actor, user_id))

"""HTTP dependencies shared by the JSON and HTML adapters."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from sqlalchemy.orm import Session

from app.db import request_session

# scope="function": the commit runs before the response is sent, so a failed commit becomes an
# error response instead of a success the database never kept.
SessionDep = Annotated[Session, Depends(request_session, scope="function")]

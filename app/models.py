"""Imports every domain's models so that Alembic and the tests see the whole schema."""

from app.courses import models as courses_models
from app.db import Base

__all__ = ["Base", "courses_models"]

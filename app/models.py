"""Imports every domain's models so that Alembic and the tests see the whole schema."""

from app.accounts import models as accounts_models
from app.audit import models as audit_models
from app.certificates import models as certificates_models
from app.classrooms import models as classrooms_models
from app.courses import models as courses_models
from app.db import Base
from app.jobs import models as jobs_models
from app.notifications import models as notifications_models
from app.orgs import models as orgs_models
from app.progress import models as progress_models
from app.quizzes import models as quizzes_models
from app.reports import models as reports_models
from app.rounds import models as rounds_models

__all__ = [
    "Base",
    "accounts_models",
    "audit_models",
    "certificates_models",
    "classrooms_models",
    "courses_models",
    "jobs_models",
    "notifications_models",
    "orgs_models",
    "progress_models",
    "quizzes_models",
    "reports_models",
    "rounds_models",
]

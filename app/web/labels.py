"""Words stored as codes (roles, categories, unit statuses, history kinds) and shown translated;
listed here so the catalog extractor sees them."""

from app.i18n import N_

LABELS = (
    N_("admin"),
    N_("hr"),
    N_("coordinator"),
    N_("officer"),
    N_("can_bo"),
    N_("cong_chuc"),
    N_("vien_chuc"),
    N_("other"),
    N_("active"),
    N_("closed"),
    N_("merged"),
    N_("created"),
    N_("renamed"),
    N_("moved"),
    N_("open"),
    N_("people"),
    N_("list"),
    N_("completed"),
    N_("overdue"),
    N_("in_progress"),
    N_("not_started"),
    N_("single_choice"),
    N_("multiple_choice"),
    N_("true_false"),
    N_("short_answer"),
    N_("matching"),
    N_("immediately"),
    N_("after_passing"),
    N_("after_close"),
    N_("never"),
)

from tests.reports.data import enrolled, opened_sessions, unit_of_work

__all__ = ["enrolled", "opened_sessions", "unit_of_work"]

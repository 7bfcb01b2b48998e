"""Application settings, read from HOCSO_* environment variables and an optional .env file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET = "dev-secret-change-me"  # noqa: S105 - refused outside development
# OWASP's argon2id settings trade memory against passes (m=47104 t=1 … m=7168 t=5); the weakest of
# them is the floor in production: at least 7 MiB, and memory × passes at least 7 MiB × 5.
OWASP_MIN_MEMORY_KIB = 7168
OWASP_MIN_WORK = 7168 * 5


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOCSO_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = f"sqlite:///{ROOT / 'var' / 'hocso.db'}"
    secret_key: str = DEV_SECRET
    default_language: Literal["vi", "en"] = "vi"
    timezone: str = "Asia/Ho_Chi_Minh"
    courses_dir: Path = ROOT / "courses"
    # Under an exam-day surge, writers queue for SQLite's one write lock; a request that waits
    # its turn is better than one refused (bench/exam_day.py: 5 s refused 0.3% of requests).
    sqlite_busy_timeout_ms: int = 20000
    # Course images live in the database so app servers stay stateless; cap each one.
    max_asset_bytes: int = 2 * 1024 * 1024
    # Published lessons are cached per process for this long; an import shows up on every app
    # server within this time. 0 turns the cache off.
    content_cache_seconds: float = 30.0
    # Login sessions: end after this long without a request, and at the latest after the
    # absolute lifetime, whatever the activity.
    session_idle_minutes: int = 60
    session_absolute_hours: int = 12
    # Send cookies only over HTTPS (set when the site is served behind TLS).
    cookie_secure: bool = False
    activation_code_days: int = 14
    # argon2id cost of each password hash: memory in KiB, passes, lanes. The default is the
    # setting OWASP's password storage cheat sheet recommends (19 MiB, 2 passes, 1 lane): one
    # lane because a log-in wave already keeps every core busy with other people's hashes, and
    # lanes would only contend for them (SECURITY.md has the figures). Hashes made at another
    # cost are upgraded at the next successful log-in. Tests lower it to run fast; production
    # refuses anything cheaper than OWASP's weakest recommended setting.
    password_hash_memory_kib: int = Field(default=19456, ge=8)
    password_hash_time_cost: int = Field(default=2, ge=1)
    password_hash_parallelism: int = Field(default=1, ge=1)
    password_min_length: int = 10
    # Failed logins counted over a window, per account and per address, across all app servers.
    login_window_minutes: int = 15
    login_max_failures_per_account: int = 5
    login_max_failures_per_ip: int = 30
    max_upload_bytes: int = 20 * 1024 * 1024
    # Behind a reverse proxy every request comes from the proxy's address, which would put all
    # users under one per-address login limit. Addresses listed here (comma-separated, or "*")
    # are trusted to name the real client in X-Forwarded-For and X-Forwarded-Proto.
    forwarded_allow_ips: str = ""
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    # Where links in e-mails point.
    public_url: str = "http://127.0.0.1:8000"
    # E-mail: with no SMTP host, messages are written as .eml files to mail_folder instead.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_security: Literal["starttls", "ssl", "none"] = "starttls"
    smtp_timeout_seconds: float = 20.0
    mail_from: str = "Học Số <hocso@localhost>"
    mail_folder: Path = ROOT / "var" / "mail"
    # Reminders: due-soon this many days before the due date; overdue again every K days.
    reminder_due_soon_days: int = 3
    reminder_overdue_every_days: int = 7
    # Delivery retries back off from the base delay, doubling, up to the attempt limit.
    mail_max_attempts: int = 6
    mail_retry_base_minutes: int = 5
    # Background exports: a worker thread in each app process (turn off when `hocso jobs run`
    # runs elsewhere), how often it looks for work, how long a silent job keeps its claim, and
    # how long finished files are kept.
    jobs_in_process: bool = True
    jobs_poll_seconds: float = 3.0
    jobs_lease_seconds: int = 120
    jobs_keep_hours: int = 24

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Settings:
        if self.environment == "production" and self.secret_key == DEV_SECRET:
            raise ValueError(
                "HOCSO_SECRET_KEY must be set to a long random value when HOCSO_ENVIRONMENT=production"
            )
        if self.environment == "production" and len(self.secret_key) < 32:
            raise ValueError("HOCSO_SECRET_KEY must be at least 32 characters in production")
        if self.password_hash_memory_kib < 8 * self.password_hash_parallelism:
            raise ValueError("HOCSO_PASSWORD_HASH_MEMORY_KIB must be at least 8 KiB per lane of parallelism")
        if self.environment == "production" and (
            self.password_hash_memory_kib < OWASP_MIN_MEMORY_KIB
            or self.password_hash_memory_kib * self.password_hash_time_cost < OWASP_MIN_WORK
        ):
            raise ValueError(
                "The password hash cost is below OWASP's weakest recommended argon2id setting "
                "(7 MiB with 5 passes, 19 MiB with 2, or an equivalent) and is refused in production"
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()

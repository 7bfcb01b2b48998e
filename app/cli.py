"""The `hocso` command: thin wrappers that run services, one transaction per unit of work."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from app import flows
from app.accounts.activation import issue_codes
from app.accounts.bootstrap import has_people, install_site
from app.accounts.roster_import import import_roster
from app.accounts.service import officer_ids
from app.backup import BackupError, Summary, backup, restore
from app.certificates.issuing import issue_missing
from app.config import get_settings
from app.courses.content import ContentInvalid, find_course_dirs, parse_course_dir
from app.courses.glossary import Glossary, find_glossary, load_glossary
from app.courses.review import CourseReview, review_course
from app.courses.service import import_course_dir
from app.db import transaction, utcnow
from app.demo import install_demo
from app.errors import DomainError
from app.i18n import today
from app.jobs import worker as jobs_worker
from app.notifications.delivery import deliver
from app.notifications.mail import mailer_for
from app.notifications.reminders import queue_reminders
from app.orgs.permissions import SYSTEM

app = typer.Typer(help="Học Số: digital-skills training for public officers.", no_args_is_help=True)
courses_app = typer.Typer(help="Course files: check and import.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
officers_app = typer.Typer(help="Officer records.", no_args_is_help=True)
notify_app = typer.Typer(help="Reminders and e-mail.", no_args_is_help=True)
quizzes_app = typer.Typer(help="Quiz attempts.", no_args_is_help=True)
certificates_app = typer.Typer(help="Certificates of completion.", no_args_is_help=True)
jobs_app = typer.Typer(help="Background exports.", no_args_is_help=True)
app.add_typer(courses_app, name="courses")
app.add_typer(db_app, name="db")
app.add_typer(officers_app, name="officers")
app.add_typer(notify_app, name="notify")
app.add_typer(quizzes_app, name="quizzes")
app.add_typer(certificates_app, name="certificates")
app.add_typer(jobs_app, name="jobs")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def _course_dirs(path: Path | None) -> list[Path]:
    root = path or get_settings().courses_dir
    dirs = find_course_dirs(root)
    if not dirs:
        err.print(f"[red]No course.yaml found in {root} or in its sub-folders.[/red]")
        raise typer.Exit(2)
    return dirs


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err, transient=True
    )


def _each_course(dirs: list[Path], verb: str, work: Callable[[Path], str]) -> None:
    """Run `work` on every course folder with a progress bar; report each failure in full and
    exit non-zero if any course failed. One course's failure never stops the others."""
    failed = 0
    with _progress() as progress:
        task = progress.add_task(verb, total=len(dirs))
        for course_dir in dirs:
            progress.update(task, description=f"{verb} {course_dir.name}")
            try:
                out.print(work(course_dir))
            except ContentInvalid as exc:
                failed += 1
                err.print(f"[red]✗ {course_dir.name}[/red]: {exc.message}")
                for problem in exc.errors:
                    err.print(f"    {course_dir.name}/{problem}", highlight=False, markup=False)
            except DomainError as exc:
                failed += 1
                err.print(f"[red]✗ {course_dir.name}[/red]: {exc.message}")
            progress.advance(task)
    if failed:
        raise typer.Exit(1)


@courses_app.command("check")
def courses_check(
    path: Annotated[Path, typer.Argument(help="A course folder, or a folder of courses.")],
    strict: Annotated[bool, typer.Option("--strict", help="Fail (exit 1) on warnings too.")] = False,
) -> None:
    """Validate course files without writing anything; then warn about quiz quality, terms and
    hours (courses/README.md, "Cảnh báo chất lượng") and sum each course up in one line."""
    glossary = _glossary(path)
    reviews: list[CourseReview] = []

    def check(course_dir: Path) -> str:
        spec = parse_course_dir(course_dir, max_asset_bytes=get_settings().max_asset_bytes)
        reviews.append(review_course(course_dir, spec, glossary))
        # What the course holds is in its summary line below; this says the files are valid.
        return f"[green]✓ {spec.id}[/green]: không có lỗi"

    failed = False
    try:
        _each_course(_course_dirs(path), "Checking", check)
    except typer.Exit:
        failed = True
    for review in reviews:
        if review.warnings:
            out.print(f"[yellow]! {review.slug}[/yellow]: {len(review.warnings)} cảnh báo")
        for warning in review.warnings:
            out.print(f"    {review.slug}/{warning}", highlight=False, markup=False)
    for review in reviews:
        out.print(review.summary, highlight=False, markup=False)
    if failed or (strict and any(r.warnings for r in reviews)):
        raise typer.Exit(1)


def _glossary(path: Path | None, *, required: bool = True) -> Glossary:
    """The shared glossary beside the courses. Its own problems stop a check; an import, which
    warnings never stop, goes on without it."""
    try:
        return load_glossary(find_glossary(path or get_settings().courses_dir, get_settings().courses_dir))
    except ContentInvalid as exc:
        for problem in exc.errors:
            err.print(f"[red]✗[/red] {problem}", highlight=False, markup=False)
        if required:
            raise typer.Exit(1) from exc
        return Glossary()


@courses_app.command("import")
def courses_import(
    path: Annotated[
        Path | None,
        typer.Argument(help="A course folder or a folder of courses (default: the courses folder)."),
    ] = None,
) -> None:
    """Create or update courses from files; each course is written whole or not at all."""

    def load(course_dir: Path) -> str:
        with transaction() as session:
            result = import_course_dir(
                session, course_dir, max_asset_bytes=get_settings().max_asset_bytes, glossary=glossary
            )
        advice = f"; {result.warnings} cảnh báo: hocso courses check {course_dir}" if result.warnings else ""
        return f"{result.slug}: {result.status} (version {result.version}){advice}"

    glossary = _glossary(path, required=False)
    _each_course(_course_dirs(path), "Importing", load)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the database schema up to date (creates the SQLite file if needed)."""
    from app.migrate import upgrade_to_head

    upgrade_to_head()
    out.print("Database schema is up to date.")


@officers_app.command("import")
def officers_import(
    file: Annotated[Path, typer.Argument(help="A .csv (UTF-8, comma or semicolon) or .xlsx roster.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check and report; write nothing.")] = False,
    deactivate_missing: Annotated[
        bool, typer.Option("--deactivate-missing", help="Mark officers who are not in the file as inactive.")
    ] = False,
) -> None:
    """Create and update officers from a roster, all or nothing."""
    if not file.is_file():
        err.print(f"[red]{file} does not exist.[/red]")
        raise typer.Exit(2)
    with err.status("Reading and checking the roster…"), transaction() as session:
        plan = import_roster(
            session,
            SYSTEM,
            filename=file.name,
            data=file.read_bytes(),
            on=today(),
            dry_run=dry_run,
            deactivate_missing=deactivate_missing,
        )
    verb = "would be" if dry_run or not plan.ok else "were"
    out.print(
        f"{plan.rows} rows: {len(plan.new)} new, {len(plan.updates)} updated, {len(plan.moves)} moved, "
        f"{plan.unchanged} unchanged, {len(plan.reactivate)} reactivated, {len(plan.deactivate)} deactivated "
        f"({verb} written)."
    )
    for _id, code, name in plan.deactivate[:50]:
        out.print(f"  inactive: {code} {name}")
    if not plan.ok:
        err.print(f"[red]{len(plan.errors)} problem(s); nothing was imported:[/red]")
        for problem in plan.errors:
            err.print(f"  {file.name}: {problem}", markup=False, highlight=False)
        raise typer.Exit(1)


@officers_app.command("codes")
def officers_codes(
    codes: Annotated[list[str], typer.Argument(help="Officer codes that need a new activation code.")],
) -> None:
    """Issue activation codes (a lost password, or the first login) and print them once."""
    with transaction() as session:
        ids = officer_ids(session, codes)
        missing = [c for c in codes if c not in ids]
        if missing:
            err.print(f"[red]Unknown officer code(s): {', '.join(missing)}[/red]")
            raise typer.Exit(1)
        issued = issue_codes(session, SYSTEM, user_ids=[ids[c] for c in codes])
    for item in issued:
        # Plain tab-separated lines (not rich output), so the codes can be piped into a mail merge.
        typer.echo(
            f"{item.user.officer_code}\t{item.code}\t{item.expires_at:%d/%m/%Y}\t{item.user.full_name}"
        )


@notify_app.command("run")
def notify_run(
    deliver_only: Annotated[
        bool, typer.Option("--deliver-only", help="Send what is queued; queue no new reminders.")
    ] = False,
) -> None:
    """Queue due-soon and overdue reminders and coordinator digests, then send the outbox.
    Safe to run as often as cron likes: nothing is queued or sent twice."""
    settings = get_settings()
    if not deliver_only:
        with transaction() as session:
            queued = queue_reminders(session, settings, today=today(settings.timezone))
        out.print(
            f"Queued {queued.notices} reminders ({queued.emails} by e-mail, {queued.without_email} "
            f"in the app only) and {queued.digests} digests; {queued.already} were already queued."
        )
    report = deliver(transaction, settings, mailer_for(settings))
    where = settings.smtp_host or str(settings.mail_folder)
    out.print(
        f"Sent {report.sent} e-mails through {where}; "
        f"{report.retrying} will be retried, {report.failed} failed."
    )
    if report.failed:
        raise typer.Exit(1)


@quizzes_app.command("sweep")
def quizzes_sweep() -> None:
    """Submit timed attempts whose time ran out while nobody came back (for cron, every minute
    or two; an officer who returns gets theirs submitted on the spot anyway)."""
    total = 0
    while True:
        with transaction() as session:
            done = flows.sweep(session, SYSTEM, now=utcnow())
        total += done
        if done == 0:
            break
    out.print(f"Submitted {total} attempts whose time was up.")


@certificates_app.command("issue-missing")
def certificates_issue_missing() -> None:
    """Issue certificates for completed courses that have none (completions from before
    certificates existed). Safe to run again: a completion that has a certificate is skipped."""
    total = 0
    while True:
        with transaction() as session:
            done = issue_missing(session, SYSTEM, now=utcnow())
        total += done
        if done == 0:
            break
    out.print(f"Issued {total} certificates for completed courses that had none.")


@jobs_app.command("run")
def jobs_run(
    once: Annotated[bool, typer.Option("--once", help="Run what is waiting, then stop (for cron).")] = False,
) -> None:
    """Run background exports: claim each waiting job, write its file into the database, and
    delete expired ones. Without --once it keeps polling (a dedicated worker); any number of
    workers may run at once, each job runs once."""
    settings = get_settings()
    while True:
        with transaction() as session:
            removed = jobs_worker.sweep(session, settings, now=utcnow())
        ran = jobs_worker.work(transaction, settings)
        if once:
            out.print(f"Ran {ran} jobs; deleted {removed} expired ones.")
            return
        time.sleep(settings.jobs_poll_seconds)


@app.command("init")
def init(
    demo: Annotated[
        bool, typer.Option("--demo", help="Load a sample city with officers and demo accounts.")
    ] = False,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Do nothing when officers already exist.")
    ] = False,
    org_code: Annotated[str, typer.Option(help="Code of the top unit (real sites).")] = "",
    org_name: Annotated[str, typer.Option(help="Name of the top unit (real sites).")] = "",
    admin_code: Annotated[str, typer.Option(help="Officer code of the first admin.")] = "",
    admin_name: Annotated[str, typer.Option(help="Full name of the first admin.")] = "",
) -> None:
    """Set up a new site: the demo city, or the top unit and its first admin."""
    with transaction() as session:
        if if_empty and has_people(session):
            out.print("The database already has officers; nothing to do.")
            return
        if demo:
            logins = install_demo(session)
            out.print("Demo city loaded. These passwords are shown only now:")
            for login in logins:
                out.print(f"  {login.role:<12} {login.officer_code:<10} {login.password}")
            return
        if not (org_code and org_name and admin_code and admin_name):
            err.print("Give --demo, or all of --org-code, --org-name, --admin-code and --admin-name.")
            raise typer.Exit(2)
        issued = install_site(
            session, org_code=org_code, org_name=org_name, admin_code=admin_code, admin_name=admin_name
        )
        out.print(
            f"Site ready. The admin activates at /activate with officer code {admin_code} and "
            f"activation code {issued.code} (valid until {issued.expires_at:%d/%m/%Y})."
        )


@app.command("backup")
def backup_cmd(path: Annotated[Path, typer.Argument(help="File to write the backup to.")]) -> None:
    """Write a consistent backup of the database to PATH while the app keeps running."""
    try:
        summary = backup(get_settings().database_url, path)
    except BackupError as exc:
        err.print(str(exc))
        raise typer.Exit(1) from exc
    out.print(f"Backup written to {path}: {_describe(summary)}.")


@app.command("restore")
def restore_cmd(
    path: Annotated[Path, typer.Argument(help="Backup file written by `hocso backup`.")],
    yes: Annotated[bool, typer.Option("--yes", help="Confirm replacing the database's contents.")] = False,
) -> None:
    """Replace the database's contents with a backup written by `hocso backup`."""
    if not yes:
        err.print("This replaces everything in the database with the backup. Run again with --yes to do it.")
        raise typer.Exit(2)
    try:
        summary, older = restore(get_settings().database_url, path)
    except BackupError as exc:
        err.print(str(exc))
        raise typer.Exit(1) from exc
    out.print(f"Restored {path}: {_describe(summary)}.")
    if older:
        out.print("The backup is from an older version: run `hocso db upgrade` before starting the app.")


def _describe(summary: Summary) -> str:
    rows = "" if summary.rows is None else f", {summary.rows} rows"
    return f"{summary.tables} tables{rows}, {summary.size} bytes, migration revision {summary.revision}"


@app.command("serve")
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(0, help="Worker processes (0: one per CPU core, at most 8)."),
) -> None:
    """Run the web server."""
    from app.serving import default_workers
    from app.serving import serve as serve_app

    settings = get_settings()
    out.print(f"Học Số is running at http://{host}:{port}/  (Ctrl+C to stop)")
    serve_app(
        "app.main:create_app",
        host=host,
        port=port,
        workers=workers or default_workers(),
        log_level=settings.log_level,
        forwarded_allow_ips=settings.forwarded_allow_ips,
    )


def main() -> None:
    app()

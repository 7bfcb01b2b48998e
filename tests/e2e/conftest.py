"""A real server (uvicorn on 127.0.0.1, its own database with the real courses imported) and
Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.databases import free_port, wait_for_port
from tests.e2e.walk import Site, seed, stage

SITE: dict[str, str] = {}
RUN_ENV: dict[str, str] = {}


def hocso(*args: str, stdin_file: Path | None = None) -> str:
    """Run the command line against the live server's database."""
    done = subprocess.run([BIN / "hocso", *args], env=RUN_ENV, check=True, capture_output=True, text=True)
    return done.stdout


def import_officer(folder: Path, officer: str, name: str) -> str:
    """Import one officer into the city's own unit and return their activation code."""
    roster = folder / "hv.csv"
    roster.write_text(f"Mã cán bộ;Họ và tên;Đơn vị\n{officer};{name};TP\n", encoding="utf-8-sig")
    hocso("officers", "import", str(roster))
    return str(re.findall(rf"^{officer}\t(\S+)\t", hocso("officers", "codes", officer), re.M)[0])


CHROMIUM = Path(os.environ.get("HOCSO_CHROMIUM", "/usr/bin/chromium"))
BIN = Path(sys.executable).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.path):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def live_server(
    new_database: Callable[[], AbstractContextManager[str]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    with new_database() as url:
        env = {
            **os.environ,
            "HOCSO_DATABASE_URL": url,
            "HOCSO_ENVIRONMENT": "test",
            "HOCSO_JOBS_IN_PROCESS": "true",
            "HOCSO_JOBS_POLL_SECONDS": "0.5",
        }
        subprocess.run([BIN / "hocso", "db", "upgrade"], env=env, check=True, capture_output=True)
        subprocess.run([BIN / "hocso", "courses", "import"], env=env, check=True, capture_output=True)
        init = subprocess.run(
            [
                BIN / "hocso",
                "init",
                "--org-code",
                "TP",
                "--org-name",
                "Thành phố Mẫu",
                "--admin-code",
                "QT01",
                "--admin-name",
                "Nguyễn Thị Quản Trị",
            ],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        found = re.search(r"activation code ([A-Z0-9-]{14})", init.stdout.replace("\n", " "))
        assert found, init.stdout
        SITE["admin_code"] = found.group(1)
        RUN_ENV.update(env)
        with serving(env, tmp_path_factory.mktemp("server")) as url:
            RUN_ENV["HOCSO_PUBLIC_URL"] = url
            yield url


@contextmanager
def serving(env: dict[str, str], folder: Path) -> Iterator[str]:
    """uvicorn on a free port of 127.0.0.1 over env's database, logging into folder."""
    port = free_port()
    # Certificates print links to the public address: here, the live server itself.
    env = {**env, "HOCSO_PUBLIC_URL": f"http://127.0.0.1:{port}"}
    with (folder / "uvicorn.log").open("w") as log:
        server = subprocess.Popen(
            [BIN / "uvicorn", "app.main:create_app", "--factory", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(port)
            yield env["HOCSO_PUBLIC_URL"]
        finally:
            server.terminate()
            server.wait(timeout=10)


@pytest.fixture(scope="session")
def walk_site(
    new_database: Callable[[], AbstractContextManager[str]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    """tests/e2e/walk.py's seeded site, served; the walkers only read, so they share it."""
    with new_database() as url:
        env = {**os.environ, "HOCSO_DATABASE_URL": url, "HOCSO_ENVIRONMENT": "test"}
        for command in (["db", "upgrade"], ["courses", "import"]):
            subprocess.run([BIN / "hocso", *command], env=env, check=True, capture_output=True)
        params = seed(url)
        # The export the seed queued, written before anyone looks for it.
        subprocess.run([BIN / "hocso", "jobs", "run", "--once"], env=env, check=True, capture_output=True)
        with serving(env, tmp_path_factory.mktemp("walk")) as address:
            site = Site(address, params)
            stage(site)
            yield site


# Closed when the last browser test is done: Playwright's sync API runs an event loop in the main
# thread while it is open, and tests that run one of their own (asyncio.run) cannot start then.
@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        if os.environ.get("HOCSO_REQUIRE_BROWSER") == "1":
            pytest.fail(f"the browser tests are required but {CHROMIUM} is missing", pytrace=False)
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, live_server: str) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server, locale="vi-VN")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def browser_no_js(browser: Browser, live_server: str) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    yield page
    context.close()

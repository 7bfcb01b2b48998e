"""The PostgreSQL pass of `make test`: pytest against the server in HOCSO_TEST_POSTGRES_URL, or
else against a throwaway cluster started here, once for all the test workers. Without either it
says why and exits 0, unless HOCSO_REQUIRE_POSTGRES=1 (CI), where that is a failure."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.databases import PostgresUnavailable, throwaway_cluster


def _pytest(env: dict[str, str], args: list[str]) -> int:
    return subprocess.call([sys.executable, "-m", "pytest", *args], env=env)


def main(args: list[str]) -> int:
    env = {**os.environ, "HOCSO_TEST_BACKEND": "postgresql"}
    if env.get("HOCSO_TEST_POSTGRES_URL"):
        return _pytest(env, args)
    try:
        with throwaway_cluster() as url:
            return _pytest({**env, "HOCSO_TEST_POSTGRES_URL": url}, args)
    except PostgresUnavailable as exc:
        if env.get("HOCSO_REQUIRE_POSTGRES") == "1":
            print(f"PostgreSQL is required but unavailable: {exc}", file=sys.stderr)
            return 1
        print(f"PostgreSQL pass skipped: {exc} (apt-get install postgresql, or set HOCSO_TEST_POSTGRES_URL)")
        return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

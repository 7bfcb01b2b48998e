"""The JSON API's published schema does not change by accident: `/openapi.json` is compared
with the copy in tests/api_schema.json. After an intended change, write the new copy with
`.venv/bin/python -m tests.test_api_schema` and say in the commit why the schema changed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SNAPSHOT = Path(__file__).with_name("api_schema.json")


def current_schema() -> dict[str, Any]:
    from app.main import create_app

    schema: dict[str, Any] = create_app().openapi()
    return schema


def test_the_api_schema_is_the_published_one() -> None:
    published = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert current_schema() == published, (
        "the API schema changed; if intended, run `.venv/bin/python -m tests.test_api_schema`"
    )


if __name__ == "__main__":
    SNAPSHOT.write_text(
        json.dumps(current_schema(), ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )

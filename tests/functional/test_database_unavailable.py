"""A database that cannot be reached gives a clear 503, not a server error.

The tests in tests/cluster/ restart a real PostgreSQL under publishing staff;
this one needs no server: nothing listens on the port the app is given.
"""

from __future__ import annotations

from pathlib import Path

from kiosk_server import create_app
from tests.conftest import make_config
from tests.live_server import free_port


def test_an_unreachable_database_answers_503_database_unavailable(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nowhere"
    client = create_app(make_config(url, tmp_path)).test_client()

    reply = client.get("/api/feed?community_id=1")

    assert reply.status_code == 503
    assert reply.headers["Retry-After"] == "5"
    assert reply.get_json() == {
        "error": {"code": "database_unavailable", "message": "数据库暂时不可用，请稍后再试"}
    }

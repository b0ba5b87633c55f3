"""The names the TV and the kiosk show for kinds and job categories come from the
server's tables, in the home answer, so no screen keeps a copy of its own."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kiosk_server.listings import models
from kiosk_server.listings.feed_cache import feed_cache
from kiosk_server.listings.schemas import CATEGORY_GROUPS
from tests.factories import World


def _home(client: FlaskClient, world: World) -> tuple[dict, str]:
    response = client.get(f"/api/home?community_id={world.jiuquhe.id}")
    assert response.status_code == 200, response.json
    return response.json, response.headers["ETag"]


def test_the_home_answer_names_kinds_and_categories_as_the_server_does(
    client: FlaskClient, world: World
) -> None:
    answer, _ = _home(client, world)

    names = answer["names"]
    assert names["kinds"] == models.KIND_NAMES
    assert names["job_categories"] == models.JOB_CATEGORY_NAMES
    # A filter that takes in several categories is named after them.
    assert set(names["category_groups"]) == set(CATEGORY_GROUPS)
    assert names["category_groups"]["full_or_part_time"] == "全职/兼职"


def test_a_renamed_category_reaches_a_screen_holding_the_old_answer(
    app: Flask, client: FlaskClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, older = _home(client, world)
    monkeypatch.setitem(models.JOB_CATEGORY_NAMES, "gig", "灵活零工")
    feed_cache(app).clear()  # what a restarted process holds: nothing

    renamed = client.get(
        f"/api/home?community_id={world.jiuquhe.id}", headers={"If-None-Match": older}
    )

    assert renamed.status_code == 200
    assert renamed.headers["ETag"] != older
    assert renamed.json["names"]["job_categories"]["gig"] == "灵活零工"

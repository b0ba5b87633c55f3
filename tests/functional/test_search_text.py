"""A search word is looked for as it is typed: no character in it is a pattern."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.factories import World, listing_input
from tests.helpers import StaffClient


def test_percent_signs_and_underscores_in_a_search_match_only_themselves(
    client: FlaskClient, world: World, admin: StaffClient
) -> None:
    place = world.jiuquhe.id
    block = {"employer": "社区微工厂", "category": "part_time"}
    for title in ("成品率100%计件", "成品率1000件计件", "编号A_1分拣", "编号AB1分拣"):
        admin.publish(listing_input("job", target_id=place, title=title, job=block, summary=""))

    def found(q: str) -> set[str]:
        response = client.get("/api/feed", query_string={"community_id": place, "q": q})
        assert response.status_code == 200, response.json
        return {item["title"] for item in response.json["items"]}

    assert found("100%计件") == {"成品率100%计件"}
    assert found("a_1分拣") == {"编号A_1分拣"}
    assert found("率%") == set()

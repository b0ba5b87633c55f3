"""The OpenAPI 3.1 document for the public and staff JSON APIs.

Request schemas come from the pydantic models the views parse with, so the
document cannot drift from what the server accepts; a test checks that every
JSON route is described.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any

from pydantic import BaseModel, Field, TypeAdapter

from kiosk_server.audit.schemas import AuditQuery
from kiosk_server.listings.schemas import (
    AnnouncementIn,
    AnnouncementsQuery,
    FeedQuery,
    HomeQuery,
    ListingEdit,
    ListingIn,
    PublishIn,
)
from kiosk_server.registrations.schemas import (
    CallbackIn,
    FollowUpIn,
    MatchesQuery,
    RegistrationFilters,
    RegistrationIn,
    RegistrationsQuery,
)
from kiosk_server.screens.schemas import (
    DeliveryQuery,
    KioskEnrolmentIn,
    ScreensQuery,
    TvRegistrationIn,
)
from kiosk_server.staff.schemas import LoginIn, PasswordIn, StaffCreateIn, StaffIn, StaffQuery

REF = "#/components/schemas/{model}"
HEALTH = {
    "type": "object",
    "properties": {
        "status": {"enum": ["ok", "error"]},
        "database": {"enum": ["ok", "error"]},
        # embedded: one process, no queue; unchecked: a queue other than Redis.
        "queue": {"enum": ["ok", "error", "embedded", "unchecked"]},
    },
    "required": ["status", "database", "queue"],
}

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string", "description": "给人看的中文说明"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "string"},
                    "description": "出错的字段（点分路径）及其中文说明",
                },
            },
        }
    },
}


def _obj(required: dict[str, Any], **optional: Any) -> dict[str, Any]:
    """An object with these fields always present (others may follow)."""
    return {
        "type": "object",
        "required": list(required),
        "properties": {**required, **optional},
    }


INT = {"type": "integer"}
TEXT = {"type": "string"}
FLAG = {"type": "boolean"}
MOMENT = {"type": "string", "format": "date-time"}
MOMENT_OR_NULL = {"type": ["string", "null"], "format": "date-time"}
PLACE = _obj(
    {"id": INT, "name": TEXT, "level": {"enum": ["city", "district", "street", "community"]}}
)
SITE = _obj(
    {
        "id": INT,
        "name": TEXT,
        "kind": TEXT,
        "kind_name": TEXT,
        "community_id": INT,
        "address": TEXT,
        "latitude": {"type": ["number", "null"]},
        "longitude": {"type": ["number", "null"]},
        "opening_hours": {"type": ["string", "null"]},
        "phone": {"type": ["string", "null"]},
    }
)
ANNOUNCEMENT = _obj(
    {
        "id": INT,
        "text": TEXT,
        "target": PLACE,
        "valid_until": MOMENT,
        "status": {"enum": ["active", "withdrawn", "expired"]},
        "seq": INT,
    }
)
# {"<place id>": the latest change's number in that scope}
CURSORS = {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}}
IMAGE = _obj(
    {
        "id": INT,
        "alt": TEXT,
        "width": INT,
        "height": INT,
        "urls": {"type": "object", "additionalProperties": TEXT},
    }
)

LISTING = {
    "type": "object",
    "description": "一条公开信息；kind 决定附带 job / training / subsidy / event 中的哪一块",
    "required": [
        "id",
        "kind",
        "kind_name",
        "status",
        "title",
        "summary",
        "body",
        "contact",
        "site",
        "target",
        "valid_from",
        "valid_until",
        "published_at",
        "updated_at",
        "seq",
        "images",
        "url",
        "facts",
    ],
    "properties": {
        "id": INT,
        "kind": {"enum": ["job", "training", "subsidy", "event"]},
        "kind_name": TEXT,
        "status": {"enum": ["published", "withdrawn", "expired"]},
        "title": TEXT,
        "summary": TEXT,
        "body": TEXT,
        "contact": _obj({"name": TEXT, "phone": TEXT}),
        "valid_from": MOMENT_OR_NULL,
        "valid_until": MOMENT_OR_NULL,
        "published_at": MOMENT_OR_NULL,
        "updated_at": MOMENT_OR_NULL,
        "images": {"type": "array", "items": IMAGE},
        "seq": {"type": "integer", "description": "最后一次变更的序号"},
        "url": {"type": "string", "description": "手机页地址"},
        "facts": {
            "type": "array",
            "description": "详情页标题下按顺序列出的各项（报酬、时间、地点、人数、要求、"
            "有效期等），措辞由服务器写好（listings/display.py），电视、一体机和手机页照列；"
            "没有的项不出现",
            "items": _obj(
                {
                    "key": {
                        "type": "string",
                        "description": "这一行是什么（如 pay、place、valid_until），"
                        "供屏幕补充：电视在 place 后加距离",
                    },
                    "label": {"type": "string", "description": "如“工资”"},
                    "value": {"type": "string", "description": "如“每朵花0.3元”"},
                }
            ),
        },
        "target": PLACE,
        "site": {"anyOf": [SITE, {"type": "null"}]},
        "job": {"type": "object", "description": "pay.text 是按口语写好的报酬，如“每件0.3元”"},
        "training": {"type": "object"},
        "subsidy": {"type": "object"},
        "event": {"type": "object"},
    },
}

# What staff see of a listing: the public fields of one in any state, drafts and
# listings waiting for their publishing time included, and who wrote it.
STAFF_LISTING = {
    **LISTING,
    "description": "一条信息（任何状态），含公开的全部字段和版本、创建、修改信息",
    "required": [*LISTING["required"], "version"],
    "properties": {
        **LISTING["properties"],
        "status": {
            "enum": ["draft", "scheduled", "published", "withdrawn", "expired"],
            "description": "draft 草稿，scheduled 已定时发布、等待上架时间",
        },
        "version": {"type": "integer", "description": "修改时原样带回，过期的回 409"},
        "created_at": {"type": ["string", "null"], "format": "date-time"},
        "created_by_id": {"type": ["integer", "null"]},
        "updated_by_id": {"type": ["integer", "null"]},
    },
}

_LISTING_REF = {"$ref": REF.format(model="Listing")}
FEED = _obj(
    {
        "items": {"type": "array", "items": _LISTING_REF},
        "total": {"type": "integer", "minimum": 0},
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1},
        "more": FLAG,
        "cursors": CURSORS,
        "announcements": {"type": "array", "items": ANNOUNCEMENT},
    },
    scope={"type": "array", "items": INT},
    sort=TEXT,
    after={"type": ["integer", "null"], "description": "所问的 after，原样带回"},
)
HOME = _obj(
    {
        "kinds": _obj(
            {
                kind: _obj(
                    {
                        "total": {"type": "integer", "minimum": 0},
                        "newest": {"type": "array", "items": _LISTING_REF},
                    }
                )
                for kind in ("job", "training", "subsidy", "event")
            }
        ),
        "cursors": CURSORS,
        "announcements": {"type": "array", "items": ANNOUNCEMENT},
        "privacy": _obj(
            {
                "keep_months": {"type": "integer", "minimum": 1},
                "link_days": {"type": "integer", "minimum": 0},
            }
        ),
        "names": _obj(
            {
                table: {"type": "object", "additionalProperties": TEXT, "description": about}
                for table, about in (
                    ("kinds", "信息类别的名称：job → 岗位……"),
                    ("job_categories", "岗位类别的名称：full_time → 全职……"),
                    ("category_groups", "合在一起筛选的岗位类别：full_or_part_time → 全职/兼职"),
                )
            }
        ),
    },
    scope={"type": "array", "items": INT},
)
SESSION = _obj(
    {
        "staff": {
            "anyOf": [
                _obj(
                    {
                        "id": INT,
                        "username": TEXT,
                        "display_name": TEXT,
                        "role": {"enum": ["city_admin", "district", "street", "station"]},
                        "scope": PLACE,
                    }
                ),
                {"type": "null"},
            ],
            "description": "没有登录时为 null",
        },
        "csrf_token": {"type": "string", "description": "改动类请求放在 X-CSRFToken 请求头"},
    }
)
SCREEN = _obj({"id": INT, "kind": {"enum": ["tv", "kiosk"]}, "community_id": INT})
REGISTERED = _obj(
    {
        "reference": TEXT,
        "kind": TEXT,
        "kind_name": TEXT,
        "waitlisted": FLAG,
        "created": FLAG,
        "message": TEXT,
        "manage_url": {"type": "string", "description": "查看或取消这条登记的手机链接"},
    }
)
_ITEM = _obj({"id": INT})
NAMED = _obj({"id": INT, "name": TEXT})
ACCOUNT = _obj(
    {
        "id": INT,
        "username": TEXT,
        "display_name": TEXT,
        "role": {"enum": ["city_admin", "district", "street", "station"]},
        "role_name": TEXT,
        "scope": PLACE,
        "active": FLAG,
    },
    created_at=MOMENT_OR_NULL,
    last_login_at=MOMENT_OR_NULL,
)
STAFF_SCREEN = _obj(
    {
        "id": INT,
        "kind": {"enum": ["tv", "kiosk"]},
        "label": TEXT,
        "community": NAMED,
        "site": {"anyOf": [NAMED, {"type": "null"}]},
        "online": FLAG,
        "revoked": FLAG,
        "stale": FLAG,
        "last_seq": INT,
        "latest_seq": INT,
        "last_seen_at": MOMENT_OR_NULL,
    }
)
REGISTRATION_STATUS = {"enum": ["new", "contacted", "referred", "hired", "closed"]}
REGISTRATION_LINE = _obj(
    {
        "id": INT,
        "reference": TEXT,
        "kind": TEXT,
        "kind_name": TEXT,
        "status": REGISTRATION_STATUS,
        "status_name": TEXT,
        "name": TEXT,
        "mobile": {"type": "string", "description": "打码的，如 138****0000"},
        "community": NAMED,
        "channel": TEXT,
        "created_at": MOMENT,
    }
)
REGISTRATION = {
    **REGISTRATION_LINE,
    "required": [*REGISTRATION_LINE["required"], "details", "notes", "next_statuses"],
    "properties": {
        **REGISTRATION_LINE["properties"],
        "details": {
            "type": "array",
            "items": _obj({"key": TEXT, "label": TEXT, "text": TEXT}),
        },
        "notes": {"type": "array"},
        "next_statuses": {
            "type": "array",
            "items": _obj({"status": REGISTRATION_STATUS, "name": TEXT}),
        },
    },
}
STAFF_ANNOUNCEMENT = {
    **ANNOUNCEMENT,
    "description": "created_at、created_by 只在列表里有",
}
MATCHES = _obj({"considered": INT, "items": {"type": "array", "items": {"type": "object"}}})

DELIVERY = {
    "type": "object",
    "required": ["seq", "op", "target", "totals", "screens", "page", "per_page"],
    "properties": {
        "seq": {"type": ["integer", "null"], "description": "最新变更的序号；从未推送过为 null"},
        "op": {"enum": ["upsert", "remove", None]},
        "target": {"type": "object", "description": "{id, name}"},
        "totals": {
            "type": "object",
            "description": "screens、online、applied、online_applied：全部计数，不受分页影响",
        },
        "screens": {
            "type": "array",
            "description": "每项 id、kind、label、community、site、online、applied、last_seen_at、"
            "last_seq（该屏幕在这个范围已应用到的序号）；这一页，在线未应用的在前",
            "items": {"type": "object"},
        },
        "page": {"type": "integer"},
        "per_page": {"type": "integer"},
    },
}
DELIVERY_DESCRIPTION = (
    "能到达的是所在社区在目标之内、未停用的屏幕。屏幕用 ack 报告各范围已应用到的序号，"
    "不小于 seq 即为已应用（applied）。发布前 seq 为 null，列表就是发布后会到达的屏幕。"
    "screens 是一页（page、per_page，默认每页50块，最多200），未应用且在线的在前，"
    "其次未应用的，同类按编号；totals 总是全部屏幕的计数。"
)


def _json(schema: dict[str, Any], description: str = "成功") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int) -> dict[str, Any]:
    ref = {"$ref": REF.format(model="Error")}
    return {str(status): _json(ref, "错误") for status in statuses}


# Every write to a listing is checked against its version when it is saved.
EDIT_DESCRIPTION = (
    "整条信息重新提交，必须带 version：打开编辑时拿到的版本号（GET 返回的 version）。"
    "不带 version 回 422（fields.version）。version 不是当前版本回 409 stale_version："
    "别人在这期间已经保存过，包括两人同时保存、对方先写入的情况；这次的修改一点也没有保存，"
    "请重新打开这条信息再改。每次保存成功 version 加一。"
)


def _edit_conflict(others: str) -> dict[str, Any]:
    """The 409 of a write to a listing: a version check lost to another writer, or its state."""
    return {
        "409": _json(
            {"$ref": REF.format(model="Error")},
            "冲突，什么也没有保存。stale_version：这条信息在这期间被别人修改了"
            f"（同时保存时对方先写入），请刷新后再操作；{others}",
        )
    }


def _too_often(what: str) -> dict[str, Any]:
    """The 429 of a rate limit (kiosk_server/throttle.py), which says how long to wait."""
    refusal = _json(
        {"$ref": REF.format(model="Error")},
        f"太频繁（{what}）：code rate_limited，中文 message；Retry-After 头给出要等的秒数。"
        "限额见 docs/deploy.md，环境变量 RATE_LIMIT_<名字> 可改",
    )
    retry_after = {"schema": {"type": "integer", "minimum": 1}, "description": "要等的秒数"}
    return {"429": {**refusal, "headers": {"Retry-After": retry_after}}}


def _page(item: dict[str, Any]) -> dict[str, Any]:
    """A staff list's answer (kiosk_server/paging.py): one page and the count of all."""
    return {
        "type": "object",
        "required": ["items", "total", "page", "per_page"],
        "properties": {
            "items": {"type": "array", "items": item},
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1},
        },
    }


def _out_of_scope(*fields: str) -> dict[str, Any]:
    """The 403 for an id outside the staff member's scope (kiosk_server/admin/access.py),
    which names the field that carried it."""
    names = "、".join(fields)
    return {
        "403": _json(
            {"$ref": REF.format(model="Error")},
            f"不在本人管辖范围内；是 {names} 带来的 id 超出范围时，"
            f"fields 在该字段名下写“超出管辖范围”",
        )
    }


def _path_id(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    }


def _sent(prop: dict[str, Any]) -> dict[str, Any]:
    """A query parameter as it is sent: an optional one is left out, never null."""
    options = [item for item in prop.get("anyOf", []) if item != {"type": "null"}]
    if len(options) == 1:
        prop = {**{k: v for k, v in prop.items() if k != "anyOf"}, **options[0]}
    if prop.get("default", 0) is None:
        prop = {k: v for k, v in prop.items() if k != "default"}
    return prop


class _Collector:
    """Gathers pydantic schemas into components while operations refer to them."""

    def __init__(self) -> None:
        self.schemas: dict[str, Any] = {
            "Error": ERROR,
            "Listing": LISTING,
            "StaffListing": STAFF_LISTING,
        }

    def body(self, model: type[BaseModel] | TypeAdapter[Any], name: str) -> dict[str, Any]:
        adapter = model if isinstance(model, TypeAdapter) else TypeAdapter(model)
        schema = adapter.json_schema(ref_template=REF)
        self.schemas.update(schema.pop("$defs", {}))
        self.schemas[name] = schema
        ref = {"$ref": REF.format(model=name)}
        return {"required": True, "content": {"application/json": {"schema": ref}}}

    def query(self, model: type[BaseModel]) -> list[dict[str, Any]]:
        schema = model.model_json_schema(ref_template=REF)
        required = set(schema.get("required", []))
        return [
            {"name": name, "in": "query", "required": name in required, "schema": _sent(prop)}
            for name, prop in schema["properties"].items()
        ]


@cache
def _kiosk_receipt(summary: str) -> dict[str, Any]:
    """A PNG only the kiosk that took a registration may fetch, right after."""
    return {
        "get": {
            "tags": ["screens"],
            "summary": summary,
            "parameters": [
                {"name": "reference", "in": "path", "required": True, "schema": {"type": "string"}},
                {
                    "name": "X-Screen-Token",
                    "in": "header",
                    "required": True,
                    "schema": {"type": "string"},
                },
            ],
            "responses": {
                "200": {"description": "PNG", "content": {"image/png": {}}},
                **_errors(401, 404, 503),
            },
        }
    }


def _refusals_of_a_json_body(paths: dict[str, Any]) -> None:
    """Every operation that reads a JSON body can be sent broken JSON (400
    malformed_json), something else (415) or more than the 64 KB every JSON body is
    limited to (413, kiosk_server/limits.py): each lists all three."""
    for operations in paths.values():
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                refusals = _errors(400, 413, 415)
                operation["responses"] = {**refusals, **operation["responses"]}


def openapi_document() -> dict[str, Any]:
    # The views define these; imported here, as they import this module.
    from kiosk_server.admin.views import ListingsQuery
    from kiosk_server.api.views import AnnouncementsQuery as PublicAnnouncementsQuery
    from kiosk_server.api.views import SitesQuery

    c = _Collector()
    listing_in = c.body(TypeAdapter(Annotated[ListingIn, Field(discriminator="kind")]), "ListingIn")
    listing_edit = c.body(
        TypeAdapter(Annotated[ListingEdit, Field(discriminator="kind")]), "ListingEdit"
    )
    listing_ok = _json({"$ref": REF.format(model="Listing")})
    staff_listing_ok = _json({"$ref": REF.format(model="StaffListing")})
    paths: dict[str, Any] = {
        "/api/health": {
            "get": {
                "tags": ["public"],
                "summary": "本进程能否连上数据库和消息队列（给负载均衡和运维）",
                "responses": {
                    "200": _json(HEALTH, "都正常"),
                    "503": _json(HEALTH, "有一部分连不上"),
                },
            }
        },
        "/api/places": {
            "get": {
                "tags": ["public"],
                "summary": "地点树：市 → 区 → 街道 → 社区",
                "responses": {
                    "200": _json(_obj({"places": {"type": "array", "items": _obj({"id": INT})}}))
                },
            }
        },
        "/api/sites": {
            "get": {
                "tags": ["public"],
                "summary": "站点（就享家服务站、随享亭、微工厂、培训场所、创贷驿站）",
                "parameters": c.query(SitesQuery),
                "responses": {
                    "200": _json(_obj({"sites": {"type": "array", "items": SITE}})),
                    **_errors(404, 422),
                },
            }
        },
        "/api/sites/{site_id}": {
            "get": {
                "tags": ["public"],
                "summary": "一个站点",
                "parameters": [_path_id("site_id")],
                "responses": {"200": _json(SITE), **_errors(404)},
            }
        },
        "/api/feed": {
            "get": {
                "tags": ["public"],
                "summary": "某社区或站点此刻可见的信息，可筛选、分页；带 ETag",
                "description": (
                    "回应中的 cursors 是各范围最新变更序号，屏幕用它在 Socket.IO 上追赶变更。"
                    "q 按词查找：汉字、拼音首字母（保洁 → bj）或遥控器数字键（bj → 25），"
                    "以空格分开的每个词都要找到，标题里找到的排在前面。"
                    "sort：nearest 由近及远（岗位默认），"
                    "newest 最新发布在前（其他默认），closing 即将截止在前。"
                    "翻页：第一页只给 per_page；之后每页给 after=上一页最后一条信息的 id"
                    "（即使它已下架或过期），回应按同样的顺序给出排在它后面的信息"
                    "（并列时按发布时间、再按 id），所以翻页时有信息下架或新发布，既不漏也不重。"
                    "回应中的 after 是所问的值，more 表示后面是否还有；"
                    "total 始终是全部符合条件的条数。after 不能和 page 同时给（422）；"
                    "after 指向公众从未见过的信息（草稿、不存在的 id）时 items 为空。"
                    "page 按偏移翻页，仍可使用。"
                ),
                "parameters": [
                    *c.query(FeedQuery),
                    {"name": "If-None-Match", "in": "header", "schema": {"type": "string"}},
                ],
                "responses": {
                    "200": _json(FEED),
                    "304": {"description": "与 If-None-Match 相同，没有变化"},
                    **_errors(404, 422),
                },
            }
        },
        "/api/home": {
            "get": {
                "tags": ["public"],
                "summary": "屏幕首页：每类信息的真实条数和最新几条；带 ETag",
                "description": (
                    "kinds 按类（job、training、subsidy、event）给出 total 和 newest；"
                    "cursors 与 /api/feed 的相同。"
                    "privacy：隐私说明写的期限（登记保存月数 keep_months，查看或取消链接有效天数 "
                    "link_days），来自服务器设置；ETag 随之变化。"
                    "names：屏幕上信息类别和岗位类别的名称（kinds、job_categories、"
                    "category_groups），与管理端 /admin/api/choices 同出一表；名称改了，ETag 也变。"
                ),
                "parameters": [
                    *c.query(HomeQuery),
                    {"name": "If-None-Match", "in": "header", "schema": {"type": "string"}},
                ],
                "responses": {
                    "200": _json(HOME),
                    "304": {"description": "与 If-None-Match 相同，没有变化"},
                    **_errors(404, 422),
                },
            }
        },
        "/api/listings/{listing_id}": {
            "get": {
                "tags": ["public"],
                "summary": "一条信息（已下架的也可查看，草稿不可）",
                "parameters": [_path_id("listing_id")],
                "responses": {
                    "200": listing_ok,
                    "304": {"description": "没有变化"},
                    **_errors(404),
                },
            }
        },
        "/api/listings/{listing_id}/qr.png": {
            "get": {
                "tags": ["public"],
                "summary": "指向手机页的二维码",
                "description": "草稿只给管辖范围内已登录的工作人员（预览用），"
                "Cache-Control: private, no-store",
                "parameters": [_path_id("listing_id")],
                "responses": {
                    "200": {"description": "PNG", "content": {"image/png": {}}},
                    **_errors(404),
                },
            }
        },
        "/api/announcements": {
            "get": {
                "tags": ["public"],
                "summary": "某社区此刻有效的紧急通知",
                "parameters": c.query(PublicAnnouncementsQuery),
                "responses": {
                    "200": _json(_obj({"announcements": {"type": "array", "items": ANNOUNCEMENT}})),
                    **_errors(404, 422),
                },
            }
        },
        "/api/listings/{listing_id}/callback": {
            "post": {
                "tags": ["screens"],
                "summary": "电视上“请工作人员联系我”：登记手机号，同一号码同一信息只记一次",
                "description": "需要请求头 X-Screen-Token（屏幕登记时得到的令牌）。"
                "首次和再次请求的回答完全一样（201，只有 message，不带登记号），"
                "谁也不能借此查出某个号码问过没有；再次请求不重复记录，也不再通知工作人员。",
                "parameters": [
                    _path_id("listing_id"),
                    {
                        "name": "X-Screen-Token",
                        "in": "header",
                        "required": True,
                        "schema": {"type": "string"},
                    },
                ],
                "requestBody": c.body(CallbackIn, "CallbackIn"),
                "responses": {
                    "201": _json(
                        {
                            "type": "object",
                            "properties": {"message": {"type": "string"}},
                            "required": ["message"],
                            "additionalProperties": False,
                        }
                    ),
                    **_errors(400, 401, 404, 410, 413, 415, 422),
                    **_too_often("每个电视令牌 callback_per_screen，每个地址 callback_per_address"),
                },
            }
        },
        "/api/registrations": {
            "post": {
                "tags": ["screens"],
                "summary": "现场登记：求职、零工、培训报名、政策咨询预约、我要应聘",
                "description": "自助终端带 X-Screen-Token；手机不带。idempotency_key 相同的重复提交"
                "只记一次（回 200）。培训报满回 409 session_full，可带 waitlist=true 排候补。"
                "同一手机号再登记已经登记过的（同一条信息，或未关闭的求职、零工登记），"
                "回答和首次一模一样（201，新的登记号和查看或取消链接，只显示这次填的内容），"
                "但不重复记录：工作人员只看到第一次的登记；这个链接取消的只是这次重复登记。"
                "同一地址用同一手机号一天内登记10次后回 429 rate_limited（不带 Retry-After）；"
                "按地址计数，别处用过这个号码不影响这里的回答。",
                "parameters": [
                    {"name": "X-Screen-Token", "in": "header", "schema": {"type": "string"}}
                ],
                "requestBody": c.body(
                    TypeAdapter(Annotated[RegistrationIn, Field(discriminator="kind")]),
                    "RegistrationIn",
                ),
                "responses": {
                    "201": _json(REGISTERED),
                    "200": _json(REGISTERED, "同一次提交，已经记过"),
                    **_errors(400, 401, 404, 409, 410, 413, 415, 422),
                    **_too_often(
                        "终端每个令牌 registration_per_screen、每个地址 registration_per_address；"
                        "不带令牌的每个地址 phone_signup，与手机登记表单合计"
                    ),
                },
            }
        },
        "/api/registrations/{reference}/ticket.png": _kiosk_receipt(
            "58毫米热敏打印机用的登记回执（只给登记它的终端，15分钟内）"
        ),
        "/api/registrations/{reference}/qr.png": _kiosk_receipt(
            "查看或取消这条登记的手机链接二维码（只给登记它的终端，15分钟内）"
        ),
        "/api/screens/enrol": {
            "post": {
                "tags": ["screens"],
                "summary": "自助终端用工作人员给的一次性登记码绑定站点，得到连接令牌",
                "requestBody": c.body(KioskEnrolmentIn, "KioskEnrolmentIn"),
                "responses": {
                    "201": _json(
                        _obj(
                            {
                                "screen": SCREEN,
                                "token": TEXT,
                                "site": {"anyOf": [SITE, {"type": "null"}]},
                            }
                        )
                    ),
                    **_errors(400, 413, 415, 422),
                    **_too_often("每个地址 kiosk_enrolment"),
                },
            }
        },
        "/api/screens": {
            "post": {
                "tags": ["screens"],
                "summary": "家里的电视首次选择社区后登记为屏幕，得到连接令牌",
                "requestBody": c.body(TvRegistrationIn, "TvRegistrationIn"),
                "responses": {
                    "201": _json(_obj({"screen": SCREEN, "token": TEXT})),
                    **_errors(400, 413, 415, 422),
                    **_too_often("每个地址 screen_signup"),
                },
            }
        },
        "/api/images/{image_id}/{name}.jpg": {
            "get": {
                "tags": ["public"],
                "summary": "信息图片的某个尺寸：thumb（320×180内）、tv（640×360内）、"
                "kiosk（1080×720内）、original",
                "description": "草稿的图片只给管辖范围内已登录的工作人员（预览用），"
                "Cache-Control: private, no-store",
                "parameters": [
                    _path_id("image_id"),
                    {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}},
                ],
                "responses": {
                    "200": {"description": "JPEG", "content": {"image/jpeg": {}}},
                    **_errors(404),
                },
            }
        },
        "/api/openapi.json": {
            "get": {
                "tags": ["public"],
                "summary": "本文档",
                "responses": {"200": _json({"type": "object"})},
            }
        },
        "/admin/api/session": {
            "get": {
                "tags": ["staff"],
                "summary": "当前登录的工作人员和 CSRF 令牌",
                "responses": {"200": _json(SESSION)},
            },
            "post": {
                "tags": ["staff"],
                "summary": "登录（连续失败会被暂时锁定）",
                "description": "同一地址对同一用户名连续5次密码错误后，这个地址15分钟内不能再试"
                "这个用户名（429 locked，带 Retry-After）；别的地址照常登录，锁的是猜的人，"
                "不是账号。没有的用户名和密码错误回答完全一样（401 bad_credentials，"
                "同样要算一次密码散列），锁定也一样。同一地址的登录尝试也有次数限制"
                "（默认每分钟10次、每小时50次，不分账号，密码对也算一次）；"
                "超过时回 429 rate_limited，Retry-After 头给出要等的秒数。",
                "requestBody": c.body(LoginIn, "LoginIn"),
                "responses": {
                    "200": _json(SESSION),
                    **_errors(400, 401, 422),
                    "403": _json(
                        {"$ref": REF.format(model="Error")}, "账号已停用：code account_inactive"
                    ),
                    **_too_often(
                        "每个地址 LOGIN_RATE_LIMIT；每个地址加用户名的错误密码 login_lock"
                    ),
                },
            },
            "delete": {
                "tags": ["staff"],
                "summary": "退出登录",
                "description": "与其他改动一样须带 X-CSRFToken 请求头，否则回 400 csrf_failed"
                "（别的网站不能替人退出登录）；没有登录时也回 200。",
                "responses": {
                    "200": _json(SESSION),
                    **_errors(400),
                    **_too_often("每个地址 logout"),
                },
            },
        },
        "/admin/api/listings": {
            "get": {
                "tags": ["staff"],
                "summary": "本人管辖范围内的信息",
                "description": "q 查标题（最多40字）；target_id 只列目标正是这个地点的"
                "（须在管辖范围内，否则 403，没有这个地点 404）。",
                "parameters": c.query(ListingsQuery),
                "responses": {
                    "200": _json(_page({"$ref": REF.format(model="StaffListing")})),
                    **_errors(401, 404, 422),
                    **_out_of_scope("target_id"),
                },
            },
            "post": {
                "tags": ["staff"],
                "summary": "新建草稿",
                "requestBody": listing_in,
                "responses": {
                    "201": staff_listing_ok,
                    **_errors(400, 401, 413, 415, 422),
                    **_out_of_scope("target_id", "site_id"),
                },
            },
        },
        "/admin/api/listings/{listing_id}": {
            "get": {
                "tags": ["staff"],
                "summary": "一条信息（含草稿）",
                "parameters": [_path_id("listing_id")],
                "responses": {"200": staff_listing_ok, **_errors(401, 403, 404)},
            },
            "put": {
                "tags": ["staff"],
                "summary": "修改；已发布的修改会立即推送到屏幕",
                "description": EDIT_DESCRIPTION,
                "parameters": [_path_id("listing_id")],
                "requestBody": listing_edit,
                "responses": {
                    "200": staff_listing_ok,
                    **_errors(400, 401, 404, 415, 422),
                    **_edit_conflict("not_editable 已下架；session_has_signups 删了有人报名的场次"),
                    **_out_of_scope("target_id", "site_id"),
                },
            },
        },
        "/admin/api/listings/{listing_id}/publish": {
            "post": {
                "tags": ["staff"],
                "summary": "立即发布，或在 at 指定的时间自动发布",
                "parameters": [_path_id("listing_id")],
                "requestBody": c.body(PublishIn, "PublishIn"),
                "responses": {
                    "200": staff_listing_ok,
                    **_errors(400, 401, 403, 404, 422),
                    **_edit_conflict("not_publishable 不是草稿或待发布"),
                },
            }
        },
        "/admin/api/listings/{listing_id}/withdraw": {
            "post": {
                "tags": ["staff"],
                "summary": "下架；屏幕上立即消失",
                "parameters": [_path_id("listing_id")],
                "responses": {
                    "200": staff_listing_ok,
                    **_errors(400, 401, 403, 404),
                    **_edit_conflict("already_withdrawn 已经下架"),
                },
            }
        },
        "/admin/api/listings/{listing_id}/duplicate": {
            "post": {
                "tags": ["staff"],
                "summary": "复制成新草稿（任何状态都可以，含已下架、已过期的）",
                "description": "复制标题、摘要、正文、联系人、站点、目标和各类别的内容；"
                "培训只复制尚未开始的场次，名额全部空出。不复制发布、下架时间和图片。"
                "新草稿的创建人是本人，操作记录里记为“复制…为新草稿”。",
                "parameters": [_path_id("listing_id")],
                "responses": {"201": staff_listing_ok, **_errors(400, 401, 403, 404)},
            }
        },
        "/admin/api/listings/{listing_id}/delivery": {
            "get": {
                "tags": ["staff"],
                "summary": "送达情况：这条信息能到达哪些屏幕，哪些已应用它最新的变更",
                "description": DELIVERY_DESCRIPTION,
                "parameters": [_path_id("listing_id"), *c.query(DeliveryQuery)],
                "responses": {"200": _json(DELIVERY), **_errors(401, 403, 404, 422)},
            }
        },
        "/admin/api/listings/{listing_id}/images": {
            "post": {
                "tags": ["staff"],
                "summary": "上传图片（multipart/form-data：image，alt）；只收真实的 JPEG/PNG/WebP，"
                "不超过10MB，去掉 EXIF 和定位信息，生成各屏幕用的尺寸",
                "parameters": [_path_id("listing_id")],
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "required": ["image"],
                                "properties": {
                                    "image": {"type": "string", "format": "binary"},
                                    "alt": {"type": "string", "maxLength": 120},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "201": _json({"type": "object"}),
                    **_errors(400, 401, 403, 404, 413, 422),
                    **_edit_conflict("not_editable 已下架"),
                },
            }
        },
        "/admin/api/screens": {
            "get": {
                "tags": ["staff"],
                "summary": "本人管辖范围内的电视和自助终端：最近在线、已应用的变更、是否停用",
                "description": "每个屏幕带 online（在线）、last_seq（已应用到的变更序号）、"
                "latest_seq（它所收听的各范围——所在社区及其上各级——最新变更的序号）和 stale"
                "（某个范围里有一条两分钟前的变更它还没有应用，即在线却没跟上；已停用的屏幕不算）。"
                "status=online|offline|stale 只列出这一种，可与 kind 同用。"
                "按编号分页（page、per_page，每页最多100块），total 是符合条件的屏幕总数；"
                "online 是此刻在线的屏幕数（只按 kind 筛选，不看 status 和页码）。",
                "parameters": c.query(ScreensQuery),
                "responses": {"200": _json(_page(STAFF_SCREEN)), **_errors(401, 422)},
            }
        },
        "/admin/api/dashboard": {
            "get": {
                "tags": ["staff"],
                "summary": "首页数字：本人管辖范围内的在线信息、本周登记、近14天每天登记、"
                "近30天登记的跟进结果、屏幕在线情况；每次请求都从数据库现算",
                "description": "listings_by_kind：已发布、发布对象在管辖范围内的信息，"
                "四类都列出（含0）。"
                "registrations_week：since 是本周一（北京时间）；by_station 按数量从多到少，"
                "自助终端的登记记在它所在的站点（site_id），"
                "电视和手机的分别记为“电视”“手机”（site_id 为 null）。"
                "registrations_daily：最近14个北京时间日，含今天，旧的在前，含0。"
                "outcomes：近30天（含今天）登记的每种状态的数量，含0。"
                "screens：未停用的电视和自助终端，在线数和总数。"
                "登记按所在社区计入管辖范围，与登记列表相同。不接受查询参数。",
                "responses": {"200": _json({"type": "object"}), **_errors(401, 422)},
            }
        },
        "/admin/api/sites/{site_id}/enrolment-codes": {
            "post": {
                "tags": ["staff"],
                "summary": "为站点的新自助终端生成一次性登记码（24小时内有效，只能用一次）",
                "parameters": [_path_id("site_id")],
                "responses": {
                    "201": _json(_obj({"code": TEXT, "expires_at": MOMENT, "site": NAMED})),
                    **_errors(400, 401, 403, 404),
                },
            }
        },
        "/admin/api/screens/{screen_id}/revoke": {
            "post": {
                "tags": ["staff"],
                "summary": "停用一个屏幕：令牌作废，在线的屏幕立即收到通知",
                "parameters": [_path_id("screen_id")],
                "responses": {
                    "200": _json(STAFF_SCREEN),
                    **_errors(400, 401, 403, 404, 409),
                },
            }
        },
        "/admin/api/registrations": {
            "get": {
                "tags": ["staff"],
                "summary": "本人管辖范围内的登记（手机号打码），新的在前",
                "description": "可按类型、状态、信息（listing_id）、地点（community_id，"
                "社区或其上的街道、区，须在管辖范围内）、日期（from、to 是北京时间的日期，"
                "含当天）筛选；q 查姓名或登记号。新登记和状态变化也会实时推送到 Socket.IO "
                "的 /staff 命名空间（registration 消息）。",
                "parameters": c.query(RegistrationsQuery),
                "responses": {
                    "200": _json(_page(REGISTRATION_LINE)),
                    **_errors(401, 404, 422),
                    **_out_of_scope("community_id", "listing_id"),
                },
            }
        },
        "/admin/api/registrations.csv": {
            "get": {
                "tags": ["staff"],
                "summary": "按同样的筛选导出 CSV（UTF-8 带 BOM，Excel 可直接打开；手机号打码）",
                "description": "列：登记号、类型、状态、姓名、手机、社区、信息、登记时间、渠道、"
                "备注。以 = + - @ 开头的单元格前加 '，打开时不会当作公式。一次最多20000条，"
                "超过时回 422 too_many_rows。",
                "parameters": c.query(RegistrationFilters),
                "responses": {
                    "200": {"description": "CSV", "content": {"text/csv": {}}},
                    **_errors(401, 404, 422),
                    **_out_of_scope("community_id", "listing_id"),
                },
            }
        },
        "/admin/api/registrations/{registration_id}": {
            "get": {
                "tags": ["staff"],
                "summary": "一条登记：各项回答（中文）、相关信息、跟进备注、可改成的状态",
                "parameters": [_path_id("registration_id")],
                "responses": {"200": _json(REGISTRATION), **_errors(401, 403, 404)},
            }
        },
        "/admin/api/registrations/{registration_id}/status": {
            "post": {
                "tags": ["staff"],
                "summary": "跟进：新登记 → 已联系 → 已推荐 → 已上岗，未结束的都可关闭",
                "description": "一次只能前进一步；已上岗、已关闭的不能再改状态（409 "
                "status_not_allowed）。状态不变并填写 note 即只加一条备注。备注记下时间和"
                "工作人员。关闭尚未开课的培训报名会让出名额。",
                "parameters": [_path_id("registration_id")],
                "requestBody": c.body(FollowUpIn, "FollowUpIn"),
                "responses": {
                    "200": _json(REGISTRATION),
                    **_errors(400, 401, 403, 404, 409, 415, 422),
                },
            }
        },
        "/admin/api/registrations/{registration_id}/reveal": {
            "post": {
                "tags": ["staff"],
                "summary": "查看完整手机号（列表里是打码的）；每次查看都记入操作记录",
                "parameters": [_path_id("registration_id")],
                "responses": {
                    "200": _json(_obj({"mobile": TEXT})),
                    **_errors(400, 401, 403, 404),
                },
            }
        },
        "/admin/api/registrations/{registration_id}/matches": {
            "get": {
                "tags": ["staff"],
                "summary": "为求职或零工登记找合适的已发布岗位，按匹配度排序并说明理由",
                "parameters": [_path_id("registration_id"), *c.query(MatchesQuery)],
                "responses": {"200": _json(MATCHES), **_errors(401, 403, 404, 422)},
            }
        },
        "/admin/api/listings/{listing_id}/matches": {
            "get": {
                "tags": ["staff"],
                "summary": "为岗位找合适的求职和零工登记（本人管辖范围内、岗位覆盖的社区），"
                "按想找的工作、技能、时间、距离排序并说明理由",
                "parameters": [_path_id("listing_id"), *c.query(MatchesQuery)],
                "responses": {"200": _json(MATCHES), **_errors(401, 403, 404, 422)},
            }
        },
        "/admin/api/audit": {
            "get": {
                "tags": ["staff"],
                "summary": "操作记录：本人管辖范围内信息、屏幕、工作人员和登记的每次改动，只能查看",
                "description": "谁、何时、做了什么，改动的字段改前改后的值（手机号打码），"
                "新的在前。"
                "q 查摘要和操作人；from、to 是北京时间的日期（含当天）；place_id 缩小到管辖范围内的"
                "某一地点。没有修改或删除记录的接口。entity_id 须与 entity_type 同用，"
                "只给 entity_id 回 422（fields 指向 entity_type）；to 早于 from 也回 422。",
                "parameters": c.query(AuditQuery),
                "responses": {
                    "200": _json(_page(_ITEM)),
                    **_errors(401, 404, 422),
                    **_out_of_scope("place_id", "staff_id"),
                },
            }
        },
        "/admin/api/staff": {
            "get": {
                "tags": ["staff"],
                "summary": "工作人员账号（仅市级管理员）：角色、管辖范围、是否停用，不含密码",
                "parameters": c.query(StaffQuery),
                "responses": {"200": _json(_page(ACCOUNT)), **_errors(401, 403, 422)},
            },
            "post": {
                "tags": ["staff"],
                "summary": "新建工作人员账号（仅市级管理员）",
                "description": "username 3到40位字母、数字或 . _ -，不能重复（409）；"
                "scope_id 的层级须与角色相符：市级管理员—市，区级—区，街道—街道，站点—社区"
                "（不符时 422，提示在 scope_id 旁）；初始密码至少8位。",
                "requestBody": c.body(StaffCreateIn, "StaffCreateIn"),
                "responses": {
                    "201": _json(ACCOUNT),
                    **_errors(400, 401, 404, 409, 415, 422),
                    **_out_of_scope("scope_id"),
                },
            },
        },
        "/admin/api/staff/{staff_id}": {
            "put": {
                "tags": ["staff"],
                "summary": "修改姓名、角色、管辖范围；改角色或范围会结束该账号的全部会话",
                "description": "不能修改自己的角色或范围，也不能让最后一个在用的市级管理员"
                "变成其他角色（409）。",
                "parameters": [_path_id("staff_id")],
                "requestBody": c.body(StaffIn, "StaffIn"),
                "responses": {
                    "200": _json(ACCOUNT),
                    **_errors(400, 401, 404, 409, 415, 422),
                    **_out_of_scope("scope_id"),
                },
            }
        },
        "/admin/api/staff/{staff_id}/password": {
            "post": {
                "tags": ["staff"],
                "summary": "为账号设新密码（至少8位），并结束它的全部会话",
                "parameters": [_path_id("staff_id")],
                "requestBody": c.body(PasswordIn, "PasswordIn"),
                "responses": {
                    "200": _json(ACCOUNT),
                    **_errors(400, 401, 403, 404, 415, 422),
                },
            }
        },
        "/admin/api/staff/{staff_id}/deactivate": {
            "post": {
                "tags": ["staff"],
                "summary": "停用账号：不能再登录，已有会话立即失效",
                "description": "不能停用自己，也不能停用最后一个在用的市级管理员（409）。",
                "parameters": [_path_id("staff_id")],
                "responses": {
                    "200": _json(ACCOUNT),
                    **_errors(400, 401, 403, 404, 409),
                },
            }
        },
        "/admin/api/staff/{staff_id}/activate": {
            "post": {
                "tags": ["staff"],
                "summary": "重新启用停用的账号（以前的会话不会恢复，须重新登录）",
                "parameters": [_path_id("staff_id")],
                "responses": {"200": _json(ACCOUNT), **_errors(400, 401, 403, 404)},
            }
        },
        "/admin/api/announcements": {
            "get": {
                "tags": ["staff"],
                "summary": "本人管辖范围内的紧急通知，新的在前",
                "description": "status=active|withdrawn|expired 筛选；每条带 created_at 和"
                " created_by（{id, display_name}，控制台命令行发布的为 null）。",
                "parameters": c.query(AnnouncementsQuery),
                "responses": {"200": _json(_page(STAFF_ANNOUNCEMENT)), **_errors(401, 422)},
            },
            "post": {
                "tags": ["staff"],
                "summary": "发布紧急通知横幅",
                "requestBody": c.body(AnnouncementIn, "AnnouncementIn"),
                "responses": {
                    "201": _json(STAFF_ANNOUNCEMENT),
                    **_errors(400, 401, 422),
                    **_out_of_scope("target_id"),
                },
            },
        },
        "/admin/api/announcements/{announcement_id}/delivery": {
            "get": {
                "tags": ["staff"],
                "summary": "送达情况：这条紧急通知能到达哪些屏幕，哪些已应用它最新的变更",
                "description": DELIVERY_DESCRIPTION,
                "parameters": [_path_id("announcement_id"), *c.query(DeliveryQuery)],
                "responses": {"200": _json(DELIVERY), **_errors(401, 403, 404, 422)},
            }
        },
        "/admin/api/places": {
            "get": {
                "tags": ["staff"],
                "summary": "本人管辖范围的地点树（含范围本身）和其中的站点，供选择发布目标",
                "description": "items 每项：id、name、level、level_name、parent_id，以及 screens："
                "该地点及以下各社区未停用的电视（tv）、自助终端（kiosk）数和其中在线的数（online）。"
                "父级在子级之前。sites 每项：id、name、community_id、kind、kind_name。",
                "responses": {
                    "200": _json(
                        _obj(
                            {
                                "items": {
                                    "type": "array",
                                    "items": _obj(
                                        {
                                            "id": INT,
                                            "name": TEXT,
                                            "level": PLACE["properties"]["level"],
                                            "parent_id": {"type": ["integer", "null"]},
                                            "screens": {"type": "object"},
                                        }
                                    ),
                                },
                                "sites": {
                                    "type": "array",
                                    "items": _obj(
                                        {"id": INT, "name": TEXT, "community_id": INT, "kind": TEXT}
                                    ),
                                },
                            }
                        )
                    ),
                    **_errors(401, 422),
                },
            }
        },
        "/admin/api/choices": {
            "get": {
                "tags": ["staff"],
                "summary": "表单要用的各种代码及其中文名称",
                "description": "每一类是 [{value, name}] 列表，顺序固定：listing_kinds、"
                "listing_statuses、job_categories、pay_units、event_types、"
                "announcement_statuses、registration_kinds、registration_statuses、"
                "registration_channels、staff_roles、place_levels、site_kinds、screen_kinds、"
                "audit_entities、audit_actions。",
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "additionalProperties": {
                                "type": "array",
                                "items": _obj({"value": TEXT, "name": TEXT}),
                            },
                        }
                    ),
                    **_errors(401, 422),
                },
            }
        },
        "/admin/api/announcements/{announcement_id}/withdraw": {
            "post": {
                "tags": ["staff"],
                "summary": "撤下紧急通知",
                "parameters": [_path_id("announcement_id")],
                "responses": {"200": _json(STAFF_ANNOUNCEMENT), **_errors(400, 401, 403, 404, 409)},
            }
        },
    }
    _refusals_of_a_json_body(paths)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "就享家 屏幕服务接口",
            "version": "1",
            "description": "公开接口供电视、自助终端和手机使用；/admin/api 供工作人员使用，"
            "需要登录，改动类请求须带 X-CSRFToken 请求头。实时推送见 docs/protocol.md。"
            "数据库暂时连不上时，任何接口都答 503（code database_unavailable，带 Retry-After），"
            "不会只写进一半。",
        },
        "paths": paths,
        "components": {"schemas": c.schemas},
    }

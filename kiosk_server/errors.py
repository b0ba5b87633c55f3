"""One error shape for every JSON endpoint and socket event, and one page for people.

{"error": {"code": "...", "message": "中文说明", "fields": {"title": "必填"}}}

/api/ and /admin/api/ (and any JSON request) get that; every other address is a
page someone opened (the phone pages, /tv/, /kiosk/, /admin/), and gets a Chinese
page in the phone pages' style. Both keep the status and the headers the error
carries: Allow on 405, Retry-After on 429 and 503, WWW-Authenticate on 401.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: ("bad_request", "请求格式不对"),
    401: ("login_required", "请先登录"),
    403: ("forbidden", "没有权限进行此操作"),
    404: ("not_found", "没有找到"),
    405: ("method_not_allowed", "不支持此请求方法"),
    409: ("conflict", "与当前状态冲突"),
    410: ("gone", "已下架"),
    413: ("too_large", "提交的内容太大"),
    415: ("unsupported_media_type", "请以 application/json 提交"),
    422: ("validation_failed", "提交的内容有误"),
    429: ("too_many_requests", "操作太频繁，请稍后再试"),
    500: ("server_error", "服务器出错了，请稍后再试"),
    503: ("unavailable", "服务暂时不可用，请稍后再试"),
}
# What a page says for each status: a heading, and what to do about it.
PAGES = {
    400: ("请求有误", "这次提交的内容不完整或格式不对，请回到上一页重新填写。"),
    401: ("需要登录", "请先登录，再打开这一页。"),
    403: ("没有权限", "这一页不对外开放。如需办理，请找服务站工作人员。"),
    404: ("没有找到这个页面", "地址可能输错了，或者这一页已经不在了。"),
    405: ("不能这样打开这一页", "请从页面上的按钮或链接进入。"),
    410: ("已下架", "这条信息已经结束。"),
    413: ("提交的内容太多", "填写的内容超过了能接收的长度，没有保存。请写得简短一些，再提交一次。"),
    429: ("操作太频繁", "请稍等一会儿再试。"),
    500: ("服务器出错了", "请稍后再试。"),
    503: ("服务暂时不可用", "请稍后再试。"),
}
PAGE_FALLBACK = ("没能完成", "请稍后再试。")
# The apps' pages lead back to the app's own start, not to the phone's forms.
APP_HOMES = {
    "/tv/": {"url": "/tv/", "label": "回到电视首页"},
    "/kiosk/": {"url": "/kiosk/", "label": "回到首页"},
    "/admin/": {"url": "/admin/", "label": "回到工作台"},
}
DATABASE_UNAVAILABLE = "数据库暂时不可用，请稍后再试"
SERVER_BUSY = "服务器忙，请稍后再试"
# An edit based on an old version of a row: sent stale, or beaten to the UPDATE.
STALE_VERSION = "这条信息已被别人修改，请刷新后再改"


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        message: str | None = None,
        *,
        code: str | None = None,
        fields: dict[str, str] | None = None,
    ) -> None:
        default_code, default_message = MESSAGES.get(status, ("error", "出错了"))
        super().__init__(message or default_message)
        self.status = status
        self.code = code or default_code
        self.message = message or default_message
        self.fields = fields or {}

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        return {"error": body}


def error_response(error: ApiError) -> tuple[Response, int]:
    return jsonify(error.to_dict()), error.status


def _wants_json() -> bool:
    return request.path.startswith(("/api/", "/admin/api/")) or request.is_json


def _again(error: Exception | None = None) -> str | None:
    """The address to open afresh after a refused form: the same one, if it has a page."""
    if request.method in ("GET", "HEAD"):
        return None
    rule = request.url_rule
    methods = rule.methods if rule is not None else getattr(error, "valid_methods", None)
    return request.path if methods and "GET" in methods else None


def _home() -> dict[str, str] | None:
    path = request.path if request.path.endswith("/") else request.path + "/"
    return next((home for prefix, home in APP_HOMES.items() if path.startswith(prefix)), None)


def error_page(status: int, message: str | None = None, again: str | None = None) -> Response:
    """A Chinese page in the site's style for an error on a page someone opened."""
    title, advice = PAGES.get(status, PAGE_FALLBACK)
    text = message or advice
    try:
        html = render_template(
            "pages/error.html", title=title, message=text, again=again, home=_home()
        )
    except Exception:  # the page must not fail while telling of a failure
        current_app.logger.exception("the error page could not be drawn")
        html = (
            f'<!doctype html><html lang="zh-CN"><meta charset="utf-8">'
            f"<title>{escape(title)}</title><h1>{escape(title)}</h1><p>{escape(text)}</p>"
        )
    return make_response(html, status)


def _carried_headers(error: HTTPException) -> list[tuple[str, str]]:
    """The headers an HTTP error brings besides its body's type (Allow, Retry-After, …)."""
    return [
        (name, value)
        for name, value in error.get_headers(request.environ)
        if name.lower() != "content-type"
    ]


def init_app(app: Flask) -> None:
    # Where Flask-SQLAlchemy removes the session too: at the app context's end,
    # so objects live as long as they did. Registered after db.init_app, this
    # runs first (Flask tears down latest first: tests/unit/
    # test_library_contracts.py), and leaves that one nothing to close.
    app.teardown_appcontext(end_database_session)

    @app.errorhandler(ApiError)
    def handle_api_error(error: ApiError) -> Any:
        if not _wants_json():
            return error_page(error.status, error.message)
        return error_response(error)

    @app.errorhandler(CSRFError)
    def handle_csrf(error: CSRFError) -> Any:
        if not _wants_json():  # a form on a phone page
            # A form's own address shows it afresh; what was typed is lost either way.
            return render_template("pages/expired.html", again=_again()), 400
        return error_response(ApiError(400, "安全校验失败，请刷新页面后重试", code="csrf_failed"))

    @app.errorhandler(HTTPException)
    def handle_http(error: HTTPException) -> Any:
        if error.response is not None:  # a view's own answer, as it wrote it
            return error.response
        status = error.code or 500
        if _wants_json():
            response, _status = error_response(ApiError(status))
        else:
            response = error_page(status, again=_again(error))
        response.headers.extend(_carried_headers(error))
        return response, status

    @app.errorhandler(DBAPIError)
    def handle_database(error: DBAPIError) -> Any:
        """The database went away (restart, failover, network): nothing was committed,
        so say so and let the client try again; the pool reconnects on its own."""
        if not _database_unreachable(error):
            return handle_unexpected(error)
        app.logger.warning("database unavailable on %s: %s", _route(), error.orig)
        _roll_back()
        return _retry_later(ApiError(503, DATABASE_UNAVAILABLE, code="database_unavailable"))

    @app.errorhandler(PoolTimeout)
    def handle_busy(_error: PoolTimeout) -> Any:
        """Every database connection of this process stayed busy for the pool's
        timeout (a crowd of screens reconnecting): nothing was done; try again."""
        app.logger.warning("no database connection free for %s", _route())
        return _retry_later(ApiError(503, SERVER_BUSY, code="server_busy"))

    @app.errorhandler(StaleDataError)
    def handle_stale(_error: StaleDataError) -> Any:
        """Another writer changed a versioned row (version_id_col) between this
        request's read and its UPDATE: the UPDATE matched no row, so nothing of
        this request is kept. The same 409 as a version sent already stale."""
        _roll_back()
        app.logger.info("stale write refused on %s", _route())
        return handle_api_error(ApiError(409, STALE_VERSION, code="stale_version"))

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception) -> Any:
        app.logger.exception("unhandled error on %s", _route())
        if not _wants_json():
            return error_page(500)
        return error_response(ApiError(500))


def end_database_session(_error: BaseException | None) -> None:
    """Close the app context's database session without letting a failure out.

    By now a request's answer is decided, and may say a change was saved: a
    connection that died after the commit (a database restart) makes the closing
    rollback fail, and raised from here that failure replaced the answer with a
    bare 500, whose retry then met a 409. What the commit kept stays kept, so the
    failure is only logged (by class: SQLAlchemy's message carries the statement
    and its parameters), and the session is dropped without a round trip; the
    pool replaces the dead connection."""
    from kiosk_server.extensions import db

    try:
        db.session.remove()
    except Exception as error:
        current_app.logger.warning(
            "database session not closed cleanly after the answer: %s (%s)",
            type(error).__name__,
            type(getattr(error, "orig", None) or error).__name__,
        )
        db.session().invalidate()  # closes without a ROLLBACK on the dead connection
        db.session.remove()


def _route() -> str:
    """The route's pattern for the log, not the address: addresses hold
    registration references. Without a route (a screen's event, an unknown
    address), only the address's first part."""
    rule = request.url_rule
    if rule is not None:
        return rule.rule
    return "/" + request.path.lstrip("/").split("/", 1)[0]


def _roll_back() -> None:
    """Roll back while answering an error; the connection may be the one that failed."""
    from kiosk_server.extensions import db

    try:
        db.session.rollback()
    except Exception:
        current_app.logger.debug("rollback while answering an error failed", exc_info=True)


def _retry_later(error: ApiError) -> Any:
    if _wants_json():
        response, status = error_response(error)
    else:
        response, status = error_page(error.status, error.message), error.status
    response.headers["Retry-After"] = "5"
    return response, status


def _database_unreachable(error: DBAPIError) -> bool:
    return isinstance(error, OperationalError | InterfaceError) or error.connection_invalidated

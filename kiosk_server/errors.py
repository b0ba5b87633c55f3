"""One error shape for every JSON endpoint and socket event.

{"error": {"code": "...", "message": "中文说明", "fields": {"title": "必填"}}}
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
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
DATABASE_UNAVAILABLE = "数据库暂时不可用，请稍后再试"
SERVER_BUSY = "服务器忙，请稍后再试"


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


def init_app(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def handle_api_error(error: ApiError) -> tuple[Response, int]:
        return error_response(error)

    @app.errorhandler(CSRFError)
    def handle_csrf(error: CSRFError) -> Any:
        if not _wants_json():  # a form on a phone page
            # A form's own address shows it afresh; what was typed is lost either way.
            rule = request.url_rule
            again = request.path if rule is not None and "GET" in (rule.methods or ()) else None
            return render_template("pages/expired.html", again=again), 400
        return error_response(ApiError(400, "安全校验失败，请刷新页面后重试", code="csrf_failed"))

    @app.errorhandler(HTTPException)
    def handle_http(error: HTTPException) -> Any:
        if not _wants_json():
            return error
        status = error.code or 500
        return error_response(ApiError(status))

    @app.errorhandler(DBAPIError)
    def handle_database(error: DBAPIError) -> Any:
        """The database went away (restart, failover, network): nothing was committed,
        so say so and let the client try again; the pool reconnects on its own."""
        if not _database_unreachable(error):
            return handle_unexpected(error)
        app.logger.warning("database unavailable on %s: %s", request.path, error.orig)
        from kiosk_server.extensions import db

        try:
            db.session.rollback()
        except Exception:
            app.logger.debug("rollback after a lost connection failed", exc_info=True)
        return _retry_later(ApiError(503, DATABASE_UNAVAILABLE, code="database_unavailable"))

    @app.errorhandler(PoolTimeout)
    def handle_busy(_error: PoolTimeout) -> Any:
        """Every database connection of this process stayed busy for the pool's
        timeout (a crowd of screens reconnecting): nothing was done; try again."""
        app.logger.warning("no database connection free for %s", request.path)
        return _retry_later(ApiError(503, SERVER_BUSY, code="server_busy"))

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception) -> Any:
        app.logger.exception("unhandled error on %s", request.path)
        if not _wants_json():
            return "服务器出错了，请稍后再试", 500
        return error_response(ApiError(500))


def _retry_later(error: ApiError) -> Any:
    if not _wants_json():
        return error.message, 503, {"Retry-After": "5"}
    response, status = error_response(error)
    response.headers["Retry-After"] = "5"
    return response, status


def _database_unreachable(error: DBAPIError) -> bool:
    return isinstance(error, OperationalError | InterfaceError) or error.connection_invalidated

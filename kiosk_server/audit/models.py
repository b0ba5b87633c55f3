"""Audit entries: one row per change to listings, screens, staff and registrations.

Rows are only ever added. On PostgreSQL a trigger (migration 0005) refuses
UPDATE, DELETE and TRUNCATE; on every backend the ORM refuses to flush a change
to a stored entry, and no endpoint offers one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kiosk_server.extensions import db
from kiosk_server.places.models import Place
from kiosk_server.timeutil import UTCDateTime, utcnow

# Who acted, when no staff member did.
CONSOLE = "控制台"  # the server's command line: flask create-admin, demo load, screens revoke
SYSTEM = "系统"  # the sweeper: scheduled publishing and expiry
RESIDENT_KIOSK = "居民（自助机）"
RESIDENT_TV = "居民（电视）"
RESIDENT_PHONE = "居民（手机）"
KIOSK_BY_CODE = "自助机（凭登记码）"  # whoever typed the code staff handed out
# A registration's channel, as the actor of what a resident did themselves.
RESIDENT_BY_CHANNEL = {"kiosk": RESIDENT_KIOSK, "tv": RESIDENT_TV, "phone": RESIDENT_PHONE}

ENTITY_NAMES = {
    "listing": "信息",
    "announcement": "紧急通知",
    "screen": "屏幕",
    "enrolment_code": "自助机登记码",
    "staff": "工作人员",
    "registration": "登记",
}

# Chinese names for the console; an action missing here is shown by its code.
ACTION_NAMES = {
    "listing.create": "新建信息",
    "listing.update": "修改信息",
    "listing.publish": "发布信息",
    "listing.schedule": "定时发布信息",
    "listing.start": "定时发布生效",
    "listing.withdraw": "下架信息",
    "listing.expire": "信息到期下架",
    "listing.image_add": "上传图片",
    "announcement.create": "发布紧急通知",
    "announcement.withdraw": "撤下紧急通知",
    "announcement.expire": "紧急通知到期",
    "screen.register_tv": "电视登记",
    "screen.enrol_kiosk": "自助机绑定",
    "screen.revoke": "停用屏幕",
    "enrolment_code.create": "生成自助机登记码",
    "staff.create": "新建工作人员账号",
    "staff.update": "修改工作人员账号",
    "staff.deactivate": "停用工作人员账号",
    "staff.activate": "启用工作人员账号",
    "staff.set_password": "重设密码",
    "staff.end_sessions": "结束全部会话",
    "staff.lock": "某地址登录失败过多，暂停该地址试这个账号",
    "registration.create": "新登记",
    "registration.cancel": "居民取消登记",
    "registration.follow_up": "跟进登记",
    "registration.reveal_mobile": "查看完整手机号",
    "registration.erase": "保存期满删除登记",
}


class AuditEntry(db.Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # None for the console, the sweeper, and residents acting for themselves.
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    # The name as it was then: staff may be renamed later, the entry must not change.
    actor: Mapped[str] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(40), index=True)
    entity_type: Mapped[str] = mapped_column(String(24))
    entity_id: Mapped[int] = mapped_column(Integer)
    # The place whose part of the tree the entity belongs to; staff see the entries
    # under their own scope by one prefix match on the path, as with listings.
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id"))
    place_path: Mapped[str] = mapped_column(String(255), index=True)
    summary: Mapped[str] = mapped_column(String(300))
    # Only the fields that changed; mobiles masked, no secrets.
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    place: Mapped[Place] = relationship(lazy="joined")

    __table_args__ = (Index("ix_audit_log_entity", "entity_type", "entity_id"),)


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse_edit(*_: Any) -> None:
    # SQLite has no trigger guarding the table, so the ORM is the last line there.
    raise PermissionError("the audit log is append-only")

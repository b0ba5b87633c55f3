"""The only code that writes listings and announcements: commit, then push."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import or_, select, update

from kiosk_server.errors import ApiError
from kiosk_server.extensions import db
from kiosk_server.listings.display import public_announcement, public_listing
from kiosk_server.listings.images import store_image
from kiosk_server.listings.models import (
    LISTING_CLASSES,
    Announcement,
    AnnouncementStatus,
    Listing,
    ListingImage,
    ListingStatus,
    TrainingSession,
)
from kiosk_server.listings.schemas import (
    AnnouncementIn,
    EventIn,
    JobIn,
    ListingIn,
    SubsidyIn,
    TrainingIn,
)
from kiosk_server.live.changes import record_change
from kiosk_server.live.models import Change
from kiosk_server.live.push import push
from kiosk_server.places.models import Place, Site
from kiosk_server.staff.models import Staff
from kiosk_server.timeutil import utcnow


def _check_places(data: ListingIn | AnnouncementIn, staff: Staff | None) -> Place:
    target = db.session.get(Place, data.target_id)
    if target is None:
        raise ApiError(422, fields={"target_id": "没有这个地点"})
    if staff is not None and not staff.can_manage(target):
        raise ApiError(403, "目标范围超出了您的管辖范围", fields={"target_id": "超出管辖范围"})
    site_id = getattr(data, "site_id", None)
    if site_id is not None:
        site = db.session.get(Site, site_id)
        if site is None:
            raise ApiError(422, fields={"site_id": "没有这个站点"})
    return target


def _apply_job(listing: Listing, job: JobIn) -> None:
    listing.employer = job.employer
    listing.job_category = job.category
    pay = job.pay
    listing.pay_min = pay.min if pay else None
    listing.pay_max = pay.max if pay else None
    listing.pay_unit = pay.unit if pay else None
    listing.pay_piece = pay.piece if pay else None
    listing.pay_approximate = pay.approximate if pay else None
    listing.work_hours = job.work_hours
    listing.flexible = job.flexible
    listing.openings = job.openings
    listing.requirements = job.requirements
    listing.age_min = job.age_min
    listing.age_max = job.age_max


def _apply_training(listing: Listing, training: TrainingIn) -> None:
    listing.provider = training.provider
    listing.fee = training.fee
    listing.fee_note = training.fee_note
    listing.certificate = training.certificate
    listing.schedule = training.schedule
    kept = {session.id: session for session in listing.sessions}
    sessions: list[TrainingSession] = []
    for index, given in enumerate(training.sessions):
        session = kept.pop(given.id, None) if given.id else TrainingSession(seats_taken=0)
        if session is None:
            raise ApiError(422, fields={f"training.sessions.{index}.id": "没有这个场次"})
        if given.seats < (session.seats_taken or 0):
            raise ApiError(
                422,
                fields={f"training.sessions.{index}.seats": f"已有{session.seats_taken}人报名"},
            )
        session.starts_at = given.starts_at
        session.ends_at = given.ends_at
        session.seats = given.seats
        session.venue = given.venue
        sessions.append(session)
    if any(session.seats_taken for session in kept.values()):
        raise ApiError(409, "已有人报名的场次不能删除", code="session_has_signups")
    listing.sessions = sessions


def _apply_subsidy(listing: Listing, subsidy: SubsidyIn) -> None:
    listing.eligibility = subsidy.eligibility
    listing.amount = subsidy.amount
    listing.document_number = subsidy.document_number
    listing.how_to_apply = subsidy.how_to_apply
    listing.documents_needed = subsidy.documents_needed
    listing.apply_deadline = subsidy.apply_deadline


def _apply_event(listing: Listing, event: EventIn) -> None:
    listing.event_type = event.event_type
    listing.starts_at = event.starts_at
    listing.ends_at = event.ends_at
    listing.employers_count = event.employers_count
    listing.posts_count = event.posts_count


def _apply(listing: Listing, data: ListingIn) -> None:
    listing.title = data.title
    listing.summary = data.summary
    listing.body = data.body
    listing.contact_name = data.contact.name
    listing.contact_phone = data.contact.phone
    listing.site_id = data.site_id
    listing.target_id = data.target_id
    listing.valid_from = data.valid_from
    listing.valid_until = data.valid_until
    match data.kind:
        case "job":
            _apply_job(listing, data.job)
        case "training":
            _apply_training(listing, data.training)
        case "subsidy":
            _apply_subsidy(listing, data.subsidy)
        case "event":
            _apply_event(listing, data.event)


def _record_listing(listing: Listing, op: str, reason: str, scope_id: int | None = None) -> Change:
    db.session.flush()
    change = record_change(
        scope_id=scope_id or listing.target_id,
        entity="listing",
        entity_id=listing.id,
        op=op,
        reason=reason,
    )
    listing.change_seq = change.seq
    db.session.flush()
    db.session.refresh(listing)
    if op == "upsert":
        change.payload = public_listing(listing)
    return change


def record_listing_update(listing: Listing) -> Change:
    """For writers elsewhere (a seat taken changes seats_left): the caller commits, then pushes."""
    return _record_listing(listing, "upsert", "updated")


def _commit_and_push(changes: list[Change]) -> None:
    db.session.commit()
    push(changes)


def do_create_listing(data: ListingIn, staff: Staff | None) -> Listing:
    _check_places(data, staff)
    listing = LISTING_CLASSES[data.kind](status=ListingStatus.DRAFT)
    listing.created_by_id = listing.updated_by_id = staff.id if staff else None
    _apply(listing, data)
    db.session.add(listing)
    db.session.commit()
    return listing


def do_update_listing(listing: Listing, data: ListingIn, staff: Staff) -> Listing:
    if data.kind != listing.kind:
        raise ApiError(422, fields={"kind": "不能修改信息类别"})
    if data.version is not None and data.version != listing.version:
        raise ApiError(409, "这条信息已被别人修改，请刷新后再改", code="stale_version")
    if listing.status in (ListingStatus.WITHDRAWN, ListingStatus.EXPIRED):
        raise ApiError(409, "已下架的信息不能修改，可以复制成新草稿", code="not_editable")
    _check_places(data, staff)
    starts = listing.valid_from
    scheduled = listing.status == ListingStatus.SCHEDULED and starts is not None
    if scheduled and data.valid_until and data.valid_until <= starts:
        # Ending before it starts, it would expire without ever being shown.
        raise ApiError(422, fields={"valid_until": "下架时间必须晚于发布时间"})
    old_target = listing.target_id
    _apply(listing, data)
    if listing.status != ListingStatus.DRAFT:
        # Publishing owns valid_from from then on (the scheduled start, or when it
        # went live): a form sent back without it must not unschedule the listing.
        listing.valid_from = starts
    listing.updated_by_id = staff.id
    changes: list[Change] = []
    if listing.status == ListingStatus.PUBLISHED:
        if listing.valid_until and listing.valid_until <= utcnow():
            raise ApiError(422, fields={"valid_until": "下架时间已过"})
        if old_target != listing.target_id:
            changes.append(_record_listing(listing, "remove", "moved", scope_id=old_target))
        changes.append(_record_listing(listing, "upsert", "updated"))
    _commit_and_push(changes)
    return listing


def do_publish_listing(
    listing: Listing, staff: Staff | None, at: datetime | None = None
) -> Listing:
    now = utcnow()
    if listing.status not in (ListingStatus.DRAFT, ListingStatus.SCHEDULED):
        raise ApiError(409, "只有草稿或待发布的信息可以发布", code="not_publishable")
    if listing.valid_until and listing.valid_until <= max(now, at or now):
        raise ApiError(422, fields={"valid_until": "下架时间必须晚于发布时间"})
    listing.updated_by_id = staff.id if staff else None
    if at is not None and at > now:
        listing.status = ListingStatus.SCHEDULED
        listing.valid_from = at
        db.session.commit()
        return listing
    listing.status = ListingStatus.PUBLISHED
    listing.published_at = now
    listing.valid_from = now
    _commit_and_push([_record_listing(listing, "upsert", "published")])
    return listing


def do_add_listing_image(listing: Listing, data: bytes, alt: str, staff: Staff) -> ListingImage:
    """Check and store an uploaded picture; screens showing the listing get it at once."""
    if listing.status in (ListingStatus.WITHDRAWN, ListingStatus.EXPIRED):
        raise ApiError(409, "已下架的信息不能再加图片", code="not_editable")
    if len(listing.images) >= 6:
        raise ApiError(422, fields={"image": "每条信息最多6张图片"})
    stored = store_image(data, current_app.config["MEDIA_ROOT"])
    image = ListingImage(
        listing_id=listing.id,
        position=len(listing.images),
        file_key=stored.file_key,
        width=stored.width,
        height=stored.height,
        alt=alt,
    )
    listing.images.append(image)
    listing.updated_by_id = staff.id
    live = listing.status == ListingStatus.PUBLISHED
    _commit_and_push([_record_listing(listing, "upsert", "updated")] if live else [])
    return image


def do_withdraw_listing(listing: Listing, staff: Staff) -> Listing:
    if listing.status in (ListingStatus.WITHDRAWN, ListingStatus.EXPIRED):
        raise ApiError(409, "这条信息已经下架了", code="already_withdrawn")
    was_live = listing.status == ListingStatus.PUBLISHED
    listing.status = ListingStatus.WITHDRAWN
    listing.updated_by_id = staff.id
    _commit_and_push([_record_listing(listing, "remove", "withdrawn")] if was_live else [])
    return listing


def _transition(listing_id: int, old: str, new: str, now: datetime) -> Listing | None:
    """Move one listing between statuses unless another process already did."""
    values: dict[str, object] = {"status": new, "version": Listing.version + 1}
    if new == ListingStatus.PUBLISHED:
        values["published_at"] = now
    moved = db.session.execute(
        update(Listing)
        .where(Listing.id == listing_id, Listing.status == old)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not moved:
        db.session.rollback()
        return None
    listing = db.session.get(Listing, listing_id, populate_existing=True)
    return listing


def start_due_listings(now: datetime) -> int:
    """Scheduled listings whose time has come go live, each exactly once."""
    due = db.session.scalars(
        select(Listing.id).where(
            Listing.status == ListingStatus.SCHEDULED,
            Listing.valid_from <= now,
            # One whose whole window passed while no sweep ran just expires:
            # screens would otherwise get it and lose it again in one sweep.
            or_(Listing.valid_until.is_(None), Listing.valid_until > now),
        )
    ).all()
    db.session.rollback()
    started = 0
    for listing_id in due:
        listing = _transition(listing_id, ListingStatus.SCHEDULED, ListingStatus.PUBLISHED, now)
        if listing is not None:
            _commit_and_push([_record_listing(listing, "upsert", "published")])
            started += 1
    return started


def expire_due_listings(now: datetime) -> int:
    """Listings past valid_until leave every screen, each exactly once."""
    due = db.session.scalars(
        select(Listing.id).where(
            Listing.status.in_((ListingStatus.PUBLISHED, ListingStatus.SCHEDULED)),
            Listing.valid_until <= now,
        )
    ).all()
    db.session.rollback()
    expired = 0
    for listing_id in due:
        for old in (ListingStatus.PUBLISHED, ListingStatus.SCHEDULED):
            listing = _transition(listing_id, old, ListingStatus.EXPIRED, now)
            if listing is None:
                continue
            live = old == ListingStatus.PUBLISHED
            _commit_and_push([_record_listing(listing, "remove", "expired")] if live else [])
            expired += 1
            break
    return expired


def _record_announcement(announcement: Announcement, op: str, reason: str) -> Change:
    db.session.flush()
    change = record_change(
        scope_id=announcement.target_id,
        entity="announcement",
        entity_id=announcement.id,
        op=op,
        reason=reason,
    )
    announcement.change_seq = change.seq
    db.session.flush()
    db.session.refresh(announcement)
    if op == "upsert":
        change.payload = public_announcement(announcement)
    return change


def do_create_announcement(data: AnnouncementIn, staff: Staff | None) -> Announcement:
    _check_places(data, staff)
    if data.valid_until <= utcnow():
        raise ApiError(422, fields={"valid_until": "结束时间必须在将来"})
    announcement = Announcement(
        text=data.text,
        target_id=data.target_id,
        valid_until=data.valid_until,
        created_by_id=staff.id if staff else None,
    )
    db.session.add(announcement)
    _commit_and_push([_record_announcement(announcement, "upsert", "published")])
    return announcement


def do_withdraw_announcement(announcement: Announcement, staff: Staff) -> Announcement:
    if announcement.status != AnnouncementStatus.ACTIVE:
        raise ApiError(409, "这条通知已经结束了", code="already_withdrawn")
    announcement.status = AnnouncementStatus.WITHDRAWN
    _commit_and_push([_record_announcement(announcement, "remove", "withdrawn")])
    return announcement


def expire_due_announcements(now: datetime) -> int:
    due = db.session.scalars(
        select(Announcement.id).where(
            Announcement.status == AnnouncementStatus.ACTIVE, Announcement.valid_until <= now
        )
    ).all()
    db.session.rollback()
    expired = 0
    for announcement_id in due:
        moved = db.session.execute(
            update(Announcement)
            .where(
                Announcement.id == announcement_id,
                Announcement.status == AnnouncementStatus.ACTIVE,
            )
            .values(status=AnnouncementStatus.EXPIRED)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not moved:
            db.session.rollback()
            continue
        announcement = db.session.get(Announcement, announcement_id, populate_existing=True)
        assert announcement is not None
        _commit_and_push([_record_announcement(announcement, "remove", "expired")])
        expired += 1
    return expired

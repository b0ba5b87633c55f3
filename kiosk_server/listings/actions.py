"""The only code that writes listings and announcements: commit, then push.

As in Zulip, `check_*` refuses what cannot be done (a bad place, a stale
version, a state that does not allow it) and then calls `do_*`, which trusts
its input and only writes. The views call `check_*`; trusted callers (the demo
loader, the sweeper, tests building data) may call `do_*` directly.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import inspect, or_, select, update

from kiosk_server.audit.actions import do_record
from kiosk_server.audit.models import CONSOLE, SYSTEM
from kiosk_server.errors import STALE_VERSION, ApiError
from kiosk_server.extensions import db
from kiosk_server.listings.display import public_announcement, public_listing
from kiosk_server.listings.images import store_image
from kiosk_server.listings.models import (
    KIND_NAMES,
    LISTING_CLASSES,
    Announcement,
    AnnouncementStatus,
    Listing,
    ListingImage,
    ListingKind,
    ListingStatus,
    TrainingSession,
)
from kiosk_server.listings.schemas import (
    AnnouncementIn,
    EventIn,
    JobIn,
    ListingEdit,
    ListingIn,
    SubsidyIn,
    TrainingIn,
)
from kiosk_server.live.changes import next_seq, record_change
from kiosk_server.live.models import Change
from kiosk_server.live.push import commit_and_push
from kiosk_server.places.models import Place, Site
from kiosk_server.staff.models import Staff
from kiosk_server.timeutil import day_label, to_local, utcnow

# Bookkeeping the audit log leaves out: it records what staff wrote and decided.
NOT_AUDITED = frozenset(
    {
        "id",
        "kind",
        "created_at",
        "updated_at",
        "created_by_id",
        "updated_by_id",
        "change_seq",
        "version",
        # Derived from the fields that are audited.
        "search_words",
        "search_letters",
        "search_keys",
        "title_search",
    }
)


def _check_places(
    data: ListingIn | AnnouncementIn, staff: Staff | None, kept_site_id: int | None = None
) -> Place:
    """The target and the site must both be the staff member's: a site names the station,
    address and phone a listing shows. A site an edit keeps was set by someone who could."""
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
        if staff is not None and site_id != kept_site_id and not staff.can_manage(site.community):
            raise ApiError(403, "站点超出了您的管辖范围", fields={"site_id": "超出管辖范围"})
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
    for given in training.sessions:
        session = kept.pop(given.id) if given.id else TrainingSession(seats_taken=0)
        session.starts_at = given.starts_at
        session.ends_at = given.ends_at
        session.seats = given.seats
        session.venue = given.venue
        sessions.append(session)
    listing.sessions = sessions


def _check_sessions(existing: list[TrainingSession], training: TrainingIn) -> None:
    """Sessions kept are among the listing's `existing` ones (a new listing has
    none), keep their signed-up seats, and none with signups is dropped."""
    kept = {session.id: session for session in existing}
    for index, given in enumerate(training.sessions):
        if not given.id:
            continue
        session = kept.pop(given.id, None)
        if session is None:
            raise ApiError(422, fields={f"training.sessions.{index}.id": "没有这个场次"})
        if given.seats < (session.seats_taken or 0):
            raise ApiError(
                422,
                fields={f"training.sessions.{index}.seats": f"已有{session.seats_taken}人报名"},
            )
    if any(session.seats_taken for session in kept.values()):
        raise ApiError(409, "已有人报名的场次不能删除", code="session_has_signups")


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


def _record_listing(
    listing: Listing, op: str, reason: str, scope_id: int | None = None, *, reload: bool = True
) -> Change:
    """Number the change and store it with what screens are sent.

    `reload=False` is for a change of status alone: the listing's place,
    sessions and pictures as loaded are still current, and are rendered as they
    are instead of being read again."""
    return _record(
        listing,
        entity="listing",
        scope_id=scope_id or listing.target_id,
        op=op,
        reason=reason,
        render=public_listing if op == "upsert" else _gone,
        reload=reload,
    )


def _gone(listing: Listing) -> dict[str, Any]:
    """What a remove tells: the kind, so a screen that does not hold the listing
    can still take it off its counts."""
    return {"kind": listing.kind}


def _record(
    row: Listing | Announcement,
    *,
    entity: str,
    scope_id: int,
    op: str,
    reason: str,
    render: Callable[[Any], dict[str, Any] | None],
    reload: bool,
) -> Change:
    """Number the change and store it with what `render` makes of the row for screens."""
    # The row is written (and locked) before the counter is taken: every writer
    # keeps that order, so two of them cannot each hold what the other waits for.
    db.session.flush()
    seq = next_seq()
    row.change_seq = seq
    db.session.flush()
    if op == "upsert" and reload:
        db.session.refresh(row)
    payload = render(row)
    return record_change(
        scope_id=scope_id,
        entity=entity,
        entity_id=row.id,
        op=op,
        reason=reason,
        payload=payload,
        seq=seq,
    )


def record_listing_update(listing: Listing) -> Change:
    """For writers elsewhere (a seat taken changes seats_left): the caller commits, then pushes."""
    return _record_listing(listing, "upsert", "updated")


def _audited(listing: Listing) -> dict[str, Any]:
    """The listing's fields as the audit log compares them before and after a change."""
    values = {
        column.key: getattr(listing, column.key)
        for column in inspect(Listing).column_attrs
        if column.key not in NOT_AUDITED
    }
    if listing.kind == ListingKind.TRAINING:
        values["sessions"] = [
            {
                "id": session.id,
                "starts_at": session.starts_at,
                "ends_at": session.ends_at,
                "seats": session.seats,
                "venue": session.venue,
            }
            for session in listing.sessions
        ]
    return values


def _audit_listing(
    listing: Listing,
    action: str,
    verb: str,
    staff: Staff | None,
    before: dict[str, Any] | None,
    *,
    actor: str = CONSOLE,
    after: dict[str, Any] | None = None,
) -> None:
    """Add the audit entry for a change to a listing; the caller's commit keeps it."""
    if after is None:
        after = _audited(listing)
        if before is None:  # a new listing: what was filled in is what changed
            after = {key: value for key, value in after.items() if value not in (None, "", [])}
    do_record(
        action=action,
        entity_type="listing",
        entity_id=listing.id,
        # By id: after an edit the `target` relationship may still be the old place.
        place=db.session.get_one(Place, listing.target_id),
        summary=f"{verb}{KIND_NAMES[listing.kind]}「{listing.title}」",
        staff=staff,
        actor=actor,
        before=before,
        after=after,
    )


def check_create_listing(data: ListingIn, staff: Staff) -> Listing:
    _check_places(data, staff)
    if data.kind == "training":
        _check_sessions([], data.training)
    return do_create_listing(data, staff)


def do_create_listing(data: ListingIn, staff: Staff | None) -> Listing:
    listing = LISTING_CLASSES[data.kind](status=ListingStatus.DRAFT)
    listing.created_by_id = listing.updated_by_id = staff.id if staff else None
    _apply(listing, data)
    db.session.add(listing)
    db.session.flush()
    _audit_listing(listing, "listing.create", "新建", staff, None)
    db.session.commit()
    return listing


# What a copy leaves behind: bookkeeping, and the old run's dates and status,
# which the copy gets afresh when it is published.
NOT_COPIED = NOT_AUDITED | {"status", "valid_from", "valid_until", "published_at"}


def _future_sessions(listing: Listing) -> list[TrainingSession]:
    """The sessions still to come, with every seat free: nobody signed up for the copy."""
    now = utcnow()
    return [
        TrainingSession(
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            seats=session.seats,
            seats_taken=0,
            venue=session.venue,
        )
        for session in listing.sessions
        if session.starts_at > now
    ]


def _copy(listing: Listing) -> Listing:
    """A new draft with what staff wrote in `listing`, and its sessions still to come."""
    copy = LISTING_CLASSES[listing.kind](status=ListingStatus.DRAFT)
    for column in inspect(Listing).column_attrs:
        if column.key not in NOT_COPIED:
            setattr(copy, column.key, getattr(listing, column.key))
    copy.sessions = _future_sessions(listing)
    return copy


def do_duplicate_listing(listing: Listing, staff: Staff) -> Listing:
    """A new draft of what staff wrote in `listing`, whatever its status: last
    month's withdrawn or expired listing is how the next run starts."""
    copy = _copy(listing)
    # Images are not copied: each stored file belongs to one listing (its key is
    # unique), and a new run is the moment to choose pictures that still fit.
    copy.created_by_id = copy.updated_by_id = staff.id
    db.session.add(copy)
    db.session.flush()
    filled = {key: value for key, value in _audited(copy).items() if value not in (None, "", [])}
    do_record(
        action="listing.create",
        entity_type="listing",
        entity_id=copy.id,
        place=db.session.get_one(Place, copy.target_id),
        summary=f"复制{KIND_NAMES[copy.kind]}「{listing.title}」为新草稿",
        staff=staff,
        after={"copied_from_id": listing.id, **filled},
    )
    db.session.commit()
    return copy


def publish_copy(
    template: Listing,
    *,
    title: str,
    target_id: int,
    site_id: int | None,
    published_at: datetime,
    valid_until: datetime,
) -> Change:
    """Publish a copy of `template` elsewhere, as `flask demo grow` fills a city
    with listings: no audit line (nobody wrote it), and the caller commits a batch
    of them, then pushes the changes."""
    copy = _copy(template)
    copy.title = title
    # As objects, from the session's identity map after the first of a batch, so
    # the copy renders as loaded instead of being read back.
    copy.target = db.session.get_one(Place, target_id)
    copy.site = db.session.get(Site, site_id) if site_id is not None else None
    copy.status = ListingStatus.PUBLISHED
    copy.published_at = copy.valid_from = published_at
    copy.valid_until = valid_until
    copy.images = []
    db.session.add(copy)
    return _record_listing(copy, "upsert", "published", reload=False)


def check_update_listing(listing: Listing, data: ListingEdit, staff: Staff) -> Listing:
    if data.kind != listing.kind:
        raise ApiError(422, fields={"kind": "不能修改信息类别"})
    if data.version != listing.version:
        raise ApiError(409, STALE_VERSION, code="stale_version")
    if listing.status in (ListingStatus.WITHDRAWN, ListingStatus.EXPIRED):
        raise ApiError(409, "已下架的信息不能修改，可以复制成新草稿", code="not_editable")
    _check_places(data, staff, kept_site_id=listing.site_id)
    starts = listing.valid_from
    scheduled = listing.status == ListingStatus.SCHEDULED and starts is not None
    if scheduled and data.valid_until and data.valid_until <= starts:
        # Ending before it starts, it would expire without ever being shown.
        raise ApiError(422, fields={"valid_until": "下架时间必须晚于发布时间"})
    if data.kind == "training":
        _check_sessions(listing.sessions, data.training)
    live = listing.status == ListingStatus.PUBLISHED
    if live and data.valid_until and data.valid_until <= utcnow():
        raise ApiError(422, fields={"valid_until": "下架时间已过"})
    return do_update_listing(listing, data, staff)


def do_update_listing(listing: Listing, data: ListingIn, staff: Staff) -> Listing:
    """Write an edit checked by check_update_listing. Two editors who passed the
    check with the same version race at the UPDATE: the ORM's version check
    refuses the second (StaleDataError, answered 409 in errors.py)."""
    starts = listing.valid_from
    old_target = listing.target_id
    before = _audited(listing)
    _apply(listing, data)
    if listing.status != ListingStatus.DRAFT:
        # Publishing owns valid_from from then on (the scheduled start, or when it
        # went live): a form sent back without it must not unschedule the listing.
        listing.valid_from = starts
    listing.updated_by_id = staff.id
    # Always write the row, so every save bumps the version: an edit of training
    # sessions alone would otherwise leave it, and a stale form could undo it.
    listing.updated_at = utcnow()
    changes: list[Change] = []
    if listing.status == ListingStatus.PUBLISHED:
        moved = old_target != listing.target_id
        if moved:
            changes.append(_record_listing(listing, "remove", "moved", scope_id=old_target))
        # "moved" on both: to screens only in the new scope it is a new listing.
        changes.append(_record_listing(listing, "upsert", "moved" if moved else "updated"))
    db.session.flush()  # new training sessions get their ids
    after = _audited(listing)
    if after != before:  # a form sent back unchanged changed nothing worth a line
        _audit_listing(listing, "listing.update", "修改", staff, before, after=after)
    commit_and_push(changes)
    return listing


def check_publish_listing(listing: Listing, staff: Staff, at: datetime | None = None) -> Listing:
    now = utcnow()
    if listing.status not in (ListingStatus.DRAFT, ListingStatus.SCHEDULED):
        raise ApiError(409, "只有草稿或待发布的信息可以发布", code="not_publishable")
    if listing.valid_until and listing.valid_until <= max(now, at or now):
        raise ApiError(422, fields={"valid_until": "下架时间必须晚于发布时间"})
    return do_publish_listing(listing, staff, at)


def do_publish_listing(
    listing: Listing, staff: Staff | None, at: datetime | None = None
) -> Listing:
    now = utcnow()
    listing.updated_by_id = staff.id if staff else None
    before = _audited(listing)
    if at is not None and at > now:
        listing.status = ListingStatus.SCHEDULED
        listing.valid_from = at
        moment = to_local(at)
        verb = f"定时于{day_label(moment.date())}{moment:%H:%M}发布"
        _audit_listing(listing, "listing.publish", verb, staff, before)
        db.session.commit()
        return listing
    listing.status = ListingStatus.PUBLISHED
    listing.published_at = now
    listing.valid_from = now
    changes = [_record_listing(listing, "upsert", "published", reload=False)]
    _audit_listing(listing, "listing.publish", "发布了", staff, before)
    commit_and_push(changes)
    return listing


def check_add_listing_image(listing: Listing, data: bytes, alt: str, staff: Staff) -> ListingImage:
    if listing.status in (ListingStatus.WITHDRAWN, ListingStatus.EXPIRED):
        raise ApiError(409, "已下架的信息不能再加图片", code="not_editable")
    if len(listing.images) >= 6:
        raise ApiError(422, fields={"image": "每条信息最多6张图片"})
    return do_add_listing_image(listing, data, alt, staff)


def do_add_listing_image(listing: Listing, data: bytes, alt: str, staff: Staff) -> ListingImage:
    """Store an uploaded picture (store_image refuses what is not one); screens
    showing the listing get it at once."""
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
    changes = [_record_listing(listing, "upsert", "updated")] if live else []
    db.session.flush()
    added = {"image_id": image.id, "alt": image.alt, "width": image.width, "height": image.height}
    _audit_listing(listing, "listing.image_add", "上传图片到", staff, None, after=added)
    commit_and_push(changes)
    return image


def check_withdraw_listing(listing: Listing, staff: Staff) -> Listing:
    if listing.status in (ListingStatus.WITHDRAWN, ListingStatus.EXPIRED):
        raise ApiError(409, "这条信息已经下架了", code="already_withdrawn")
    return do_withdraw_listing(listing, staff)


def do_withdraw_listing(listing: Listing, staff: Staff) -> Listing:
    was_live = listing.status == ListingStatus.PUBLISHED
    before = {"status": listing.status}
    listing.status = ListingStatus.WITHDRAWN
    listing.updated_by_id = staff.id
    changes = [_record_listing(listing, "remove", "withdrawn")] if was_live else []
    after = {"status": listing.status}
    _audit_listing(listing, "listing.withdraw", "下架了", staff, before, after=after)
    commit_and_push(changes)
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


def _audit_sweep(listing: Listing, action: str, verb: str, old_status: str) -> None:
    before, after = {"status": old_status}, {"status": listing.status}
    _audit_listing(listing, action, verb, None, before, actor=SYSTEM, after=after)


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
            changes = [_record_listing(listing, "upsert", "published", reload=False)]
            _audit_sweep(listing, "listing.start", "按时发布了", ListingStatus.SCHEDULED)
            commit_and_push(changes)
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
            changes = [_record_listing(listing, "remove", "expired")] if live else []
            _audit_sweep(listing, "listing.expire", "到期下架了", old)
            commit_and_push(changes)
            expired += 1
            break
    return expired


def _record_announcement(announcement: Announcement, op: str, reason: str) -> Change:
    return _record(
        announcement,
        entity="announcement",
        scope_id=announcement.target_id,
        op=op,
        reason=reason,
        # A removed banner goes by its id alone.
        render=public_announcement if op == "upsert" else lambda _announcement: None,
        reload=True,
    )


def _audit_announcement(
    announcement: Announcement,
    action: str,
    summary: str,
    staff: Staff | None,
    before: dict[str, Any] | None,
    after: dict[str, Any],
    *,
    actor: str = CONSOLE,
) -> None:
    do_record(
        action=action,
        entity_type="announcement",
        entity_id=announcement.id,
        place=db.session.get_one(Place, announcement.target_id),
        summary=f"{summary}「{announcement.text}」",
        staff=staff,
        actor=actor,
        before=before,
        after=after,
    )


def check_create_announcement(data: AnnouncementIn, staff: Staff) -> Announcement:
    _check_places(data, staff)
    if data.valid_until <= utcnow():
        raise ApiError(422, fields={"valid_until": "结束时间必须在将来"})
    return do_create_announcement(data, staff)


def do_create_announcement(data: AnnouncementIn, staff: Staff | None) -> Announcement:
    announcement = Announcement(
        text=data.text,
        target_id=data.target_id,
        valid_until=data.valid_until,
        created_by_id=staff.id if staff else None,
    )
    db.session.add(announcement)
    changes = [_record_announcement(announcement, "upsert", "published")]
    after = {
        "text": announcement.text,
        "target_id": announcement.target_id,
        "valid_until": announcement.valid_until,
    }
    _audit_announcement(announcement, "announcement.create", "发布紧急通知", staff, None, after)
    commit_and_push(changes)
    return announcement


def check_withdraw_announcement(announcement: Announcement, staff: Staff) -> Announcement:
    if announcement.status != AnnouncementStatus.ACTIVE:
        raise ApiError(409, "这条通知已经结束了", code="already_withdrawn")
    return do_withdraw_announcement(announcement, staff)


def do_withdraw_announcement(announcement: Announcement, staff: Staff) -> Announcement:
    announcement.status = AnnouncementStatus.WITHDRAWN
    changes = [_record_announcement(announcement, "remove", "withdrawn")]
    _audit_announcement(
        announcement,
        "announcement.withdraw",
        "撤下紧急通知",
        staff,
        {"status": AnnouncementStatus.ACTIVE},
        {"status": announcement.status},
    )
    commit_and_push(changes)
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
        changes = [_record_announcement(announcement, "remove", "expired")]
        _audit_announcement(
            announcement,
            "announcement.expire",
            "到期结束紧急通知",
            None,
            {"status": AnnouncementStatus.ACTIVE},
            {"status": announcement.status},
            actor=SYSTEM,
        )
        commit_and_push(changes)
        expired += 1
    return expired

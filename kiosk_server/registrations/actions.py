"""The only code that writes registrations."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, delete, select, update
from sqlalchemy.exc import IntegrityError

from kiosk_server.audit.actions import do_record
from kiosk_server.audit.models import RESIDENT_BY_CHANNEL, SYSTEM
from kiosk_server.errors import ApiError
from kiosk_server.extensions import db
from kiosk_server.listings.actions import record_listing_update
from kiosk_server.listings.models import Listing, ListingStatus, TrainingSession
from kiosk_server.live.inbox import push_registration
from kiosk_server.live.models import Change
from kiosk_server.live.push import commit_and_push
from kiosk_server.places.models import Place, PlaceLevel
from kiosk_server.registrations.models import (
    KIND_NAMES,
    STATUS_NAMES,
    Registration,
    RegistrationKind,
    RegistrationRepeat,
    RegistrationStatus,
    allowed_moves,
)
from kiosk_server.registrations.retention import kept_since
from kiosk_server.registrations.schemas import CallbackIn, RegistrationIn, TrainingSignupIn
from kiosk_server.screens.models import Screen
from kiosk_server.staff.models import Staff
from kiosk_server.throttle import spend_mobile_use
from kiosk_server.timeutil import to_local, utcnow

# No 0/O or 1/I: references are read out over the phone.
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


def listing_gone() -> ApiError:
    """The refusal for a listing that was withdrawn or has ended, wherever someone registers."""
    return ApiError(410, "这条信息已下架，不能再登记", code="listing_gone")


def _existing(listing_id: int, kind: str, mobile: str) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(
            Registration.listing_id == listing_id,
            Registration.kind == kind,
            Registration.mobile == mobile,
        )
    )


def do_request_callback(screen: Screen, listing: Listing, data: CallbackIn) -> None:
    """Record "请工作人员联系我"; asking again records nothing more. The caller answers
    both alike: whether a number asked before is nobody's business but staff's."""
    if listing.status != ListingStatus.PUBLISHED:
        raise listing_gone()
    if _existing(listing.id, RegistrationKind.CALLBACK, data.mobile) is not None:
        return
    registration = Registration(
        kind=RegistrationKind.CALLBACK,
        reference=new_reference(),
        channel=screen.kind,
        mobile=data.mobile,
        community_id=screen.community_id,
        listing_id=listing.id,
        screen_id=screen.id,
        consented_at=utcnow(),
        idempotency_key=data.idempotency_key,
        details={},
    )
    db.session.add(registration)
    # False: two requests raced past the check and the unique index let one in.
    if _insert(registration):
        push_registration(registration)


RATE_PER_MOBILE = (10, timedelta(days=1))
LISTING_KINDS = {"training_signup": "training", "consultation": "subsidy", "application": "job"}
KIND_DETAILS = {
    "job_seeker": {"wanted", "skills", "availability"},
    "gig_worker": {"trades", "service_area", "availability"},
    "training_signup": set(),
    "consultation": {"preferred_day", "half_day"},
    "application": set(),
}


def _check_rate(mobile: str, client: str | None) -> None:
    """Slow down one number being used from one address to flood staff, or someone
    through staff's calls. Every attempt counts, repeats as first registrations do, so
    the count tells nothing about which were repeats; and it is the address's own
    count, so it tells nothing about the number's use elsewhere (throttle.py, where
    screens and addresses are limited too). Staff's and the tests' own writes come
    from no address and are not counted."""
    if client is None:
        return
    limit, window = RATE_PER_MOBILE
    if not spend_mobile_use(mobile, limit, int(window.total_seconds()), client):
        raise ApiError(
            429, "这个手机号今天登记太多次了，请明天再试或找工作人员", code="rate_limited"
        )


def _listing_for(data: RegistrationIn) -> Listing | None:
    listing_id = getattr(data, "listing_id", None)
    if listing_id is None:
        return None
    listing = db.session.get(Listing, listing_id)
    if listing is None:
        raise ApiError(404, "没有找到这条信息", fields={"listing_id": "没有找到这条信息"})
    if listing.kind != LISTING_KINDS[data.kind]:
        raise ApiError(422, fields={"listing_id": "这条信息不能这样登记"})
    if listing.status != ListingStatus.PUBLISHED:
        raise listing_gone()
    return listing


def _registered_before(data: RegistrationIn, listing: Listing | None) -> Registration | None:
    """What this mobile already registered of this kind: for this listing, or an
    open 求职/零工登记 when the kind is tied to no listing."""
    if listing is not None:
        return _existing(listing.id, data.kind, data.mobile)
    return db.session.scalar(
        select(Registration)
        .where(
            Registration.kind == data.kind,
            Registration.listing_id.is_(None),
            Registration.mobile == data.mobile,
            Registration.status != RegistrationStatus.CLOSED,
        )
        .limit(1)
    )


def _session_for(data: TrainingSignupIn, listing: Listing) -> TrainingSession:
    session = db.session.get(TrainingSession, data.session_id)
    if session is None or session.listing_id != listing.id:
        raise ApiError(422, fields={"session_id": "没有这一期培训"})
    return session


def _full(data: TrainingSignupIn) -> ApiError | None:
    """The refusal for a full session, unless the person asked to queue."""
    if data.waitlist:
        return None
    return ApiError(409, "这一期已经报满了，可以排队候补", code="session_full")


def _take_seat(data: TrainingSignupIn, listing: Listing) -> tuple[TrainingSession, bool]:
    """Take one seat, or put the person on the waiting list if they asked to queue.

    The conditional update is the whole guard: of two kiosks after the last
    seat, the database lets exactly one through.
    """
    session = _session_for(data, listing)
    taken = db.session.execute(
        update(TrainingSession)
        .where(
            TrainingSession.id == session.id, TrainingSession.seats_taken < TrainingSession.seats
        )
        .values(seats_taken=TrainingSession.seats_taken + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken:
        return session, False
    if (refusal := _full(data)) is not None:
        db.session.rollback()
        raise refusal
    return session, True


def _seat_as_if(
    data: RegistrationIn, listing: Listing | None
) -> tuple[TrainingSession | None, bool]:
    """A repeat takes no seat, but is answered as a first sign-up would be now."""
    if not isinstance(data, TrainingSignupIn) or listing is None:
        return None, False
    session = _session_for(data, listing)
    if session.seats_taken < session.seats:
        return session, False
    if (refusal := _full(data)) is not None:
        raise refusal
    return session, True


Answer = Registration | RegistrationRepeat


def _by_key(key: str) -> Answer | None:
    """The registration, or repeat, that a submission with this key already made."""
    for model in (Registration, RegistrationRepeat):
        found = db.session.scalar(select(model).where(model.idempotency_key == key))
        if found is not None:
            return found
    return None


def do_register(
    data: RegistrationIn, screen: Screen | None, *, client: str | None
) -> tuple[Answer, bool]:
    """Record a registration from a kiosk or a phone (`client`: the address it came
    from, for the per-number limit); a retried submission returns the first.
    Registering again what this mobile already has records a repeat (see
    RegistrationRepeat), answered exactly as a first registration is."""
    found = _by_key(data.idempotency_key)
    if found is not None:
        return found, False
    _check_rate(data.mobile, client)
    community = db.session.get(Place, data.community_id)
    if community is None or community.level != PlaceLevel.COMMUNITY:
        raise ApiError(422, fields={"community_id": "请选择您住的社区"})
    listing = _listing_for(data)
    earlier = _registered_before(data, listing)
    if earlier is not None:
        return _repeat(earlier, data, screen), True
    session, waitlisted = (None, False)
    if isinstance(data, TrainingSignupIn) and listing is not None:
        session, waitlisted = _take_seat(data, listing)
    registration = Registration(
        kind=data.kind,
        reference=new_reference(),
        channel=screen.kind if screen is not None else "phone",
        name=data.name,
        mobile=data.mobile,
        community_id=community.id,
        listing_id=listing.id if listing else None,
        session_id=session.id if session else None,
        screen_id=screen.id if screen else None,
        waitlisted=waitlisted,
        details=_details(data),
        consented_at=utcnow(),
        share_with_employer=bool(getattr(data, "share_with_employer", False)),
        idempotency_key=data.idempotency_key,
    )
    db.session.add(registration)
    changes = []
    if session is not None and not waitlisted and listing is not None:
        db.session.refresh(listing)
        changes.append(record_listing_update(listing))
    if not _insert(registration, changes):
        # A double tap or a second kiosk raced past the checks; the unique indexes
        # kept one record (and gave back the seat with the rollback).
        again = _by_key(data.idempotency_key)
        if again is not None:
            return again, False
        earlier = _registered_before(data, listing)
        if earlier is None:
            raise ApiError(409, "这个请求已经收到过了，请稍后再试", code="conflict")
        return _repeat(earlier, data, screen), True
    push_registration(registration)
    return registration, True


def _details(data: RegistrationIn) -> dict[str, Any]:
    return {
        "age_band": data.age_band,
        **data.model_dump(mode="json", include=KIND_DETAILS[data.kind]),
    }


def _repeat(
    earlier: Registration, data: RegistrationIn, screen: Screen | None
) -> RegistrationRepeat:
    """Keep what was sent again under a reference of its own; the first registration,
    and staff's view of it, stay as they were. No one is told live: nothing new to do."""
    session, waitlisted = _seat_as_if(data, earlier.listing)
    repeat = RegistrationRepeat(
        registration_id=earlier.id,
        reference=new_reference(),
        name=data.name,
        mobile=data.mobile,
        community_id=data.community_id,
        session_id=session.id if session else None,
        screen_id=screen.id if screen else None,
        waitlisted=waitlisted,
        details=_details(data),
        share_with_employer=bool(getattr(data, "share_with_employer", False)),
        idempotency_key=data.idempotency_key,
    )
    db.session.add(repeat)
    try:
        db.session.commit()
    except IntegrityError:
        # The same submission twice at once: the other one is stored, answer with it.
        db.session.rollback()
        again = _by_key(data.idempotency_key)
        if again is None:
            raise
        return again  # type: ignore[return-value]
    return repeat


def _note_line(author: str, text: str) -> str:
    """One line of a registration's notes: when, who, what (notes are a log, newest last)."""
    return f"{to_local(utcnow()):%Y-%m-%d %H:%M} {author}：{text}"


def _append_note(line: str) -> Any:
    """The new notes, appended in the database so two notes at once both stay."""
    return case(
        (Registration.notes == "", line),
        else_=Registration.notes + "\n" + line,
    )


def _release_seat(registration: Registration) -> list[Change]:
    """Give back the seat a training sign-up held, so the next person can take it."""
    session = registration.session
    if session is None or registration.waitlisted:
        return []
    db.session.execute(
        update(TrainingSession)
        .where(TrainingSession.id == session.id, TrainingSession.seats_taken > 0)
        .values(seats_taken=TrainingSession.seats_taken - 1)
        .execution_options(synchronize_session=False)
    )
    listing = registration.listing
    if listing is None or listing.status != ListingStatus.PUBLISHED:
        return []
    db.session.refresh(listing)
    db.session.refresh(session)
    return [record_listing_update(listing)]


def _insert(registration: Registration, changes: Iterable[Change] = ()) -> bool:
    """Store a new registration with its audit entry, then push the changes it
    made; False, rolled back, when a unique index refused it because another
    request got there first."""
    try:
        db.session.flush()
        _audit_new(registration)
        commit_and_push(changes)
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def _audit_new(registration: Registration) -> None:
    """A resident's own registration, recorded under the channel it came by."""
    do_record(
        action="registration.create",
        entity_type="registration",
        entity_id=registration.id,
        place=registration.community,
        staff=None,
        actor=RESIDENT_BY_CHANNEL[registration.channel],
        summary=f"{KIND_NAMES[registration.kind]} {registration.reference}",
        after={"kind": registration.kind, "listing_id": registration.listing_id},
    )


def do_cancel_registration(registration: Answer) -> None:
    """The person cancels on their phone: staff need not call, and a seat comes free."""
    if isinstance(registration, RegistrationRepeat):
        _cancel_repeat(registration)
        return
    if registration.status == RegistrationStatus.CLOSED:
        return
    do_record(
        action="registration.cancel",
        entity_type="registration",
        entity_id=registration.id,
        place=registration.community,
        staff=None,
        actor=RESIDENT_BY_CHANNEL["phone"],
        summary=f"本人取消{KIND_NAMES[registration.kind]} {registration.reference}",
        before={"status": registration.status},
        after={"status": RegistrationStatus.CLOSED.value},
    )
    registration.status = RegistrationStatus.CLOSED
    registration.notes = (
        registration.notes + "\n" if registration.notes else ""
    ) + "本人在手机上取消"
    changes = _release_seat(registration)
    commit_and_push(changes)
    push_registration(registration)


def _cancel_repeat(repeat: RegistrationRepeat) -> None:
    """A repeat's link cancels only the repeat: whoever holds it may not be the person
    who registered first. Staff find a note on the registration, to ask when they call."""
    if repeat.status == RegistrationStatus.CLOSED:
        return
    repeat.status = RegistrationStatus.CLOSED
    note = _note_line(
        "系统", f"有人用同一手机号重复登记（{repeat.reference}）后，在手机上取消了那次重复登记"
    )
    db.session.execute(
        update(Registration)
        .where(Registration.id == repeat.registration_id)
        .values(notes=_append_note(note))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _audit_follow_up(
    registration: Registration, staff: Staff, before: dict[str, Any], after: dict[str, Any]
) -> None:
    """Added before the commit that keeps the follow-up, so both stand or neither."""
    old, new = STATUS_NAMES[before["status"]], STATUS_NAMES[after["status"]]
    move = f"{old} → {new}" if old != new else "添加备注"
    do_record(
        action="registration.follow_up",
        entity_type="registration",
        entity_id=registration.id,
        place=registration.community,
        staff=staff,
        summary=f"跟进{KIND_NAMES[registration.kind]} {registration.reference}：" + move,
        before=before,
        after=after,
    )


def do_follow_up(registration: Registration, staff: Staff, status: str, note: str) -> Registration:
    """Move a registration on (new → contacted → referred → hired, or closed) and log a note.

    The same status with a note adds the note alone. A closed training sign-up
    gives its seat back while the session is still ahead. The move is made only
    if the status is still the one checked, so of two staff acting at once the
    second is told, not silently overruled.
    """
    old = registration.status
    if status == old:
        if not note:
            raise ApiError(
                422, fields={"status": f"已经是“{STATUS_NAMES[old]}”了；只加备注请填写备注"}
            )
    elif status not in allowed_moves(old):
        moves = "、".join(STATUS_NAMES[move] for move in allowed_moves(old))
        message = (
            f"“{STATUS_NAMES[old]}”的登记不能再改状态"
            if not moves
            else f"“{STATUS_NAMES[old]}”的登记只能改为：{moves}"
        )
        raise ApiError(409, message, code="status_not_allowed", fields={"status": message})
    step = note if status == old else f"{STATUS_NAMES[old]} → {STATUS_NAMES[status]}"
    if status != old and note:
        step += f"，{note}"
    moved = db.session.execute(
        update(Registration)
        .where(Registration.id == registration.id, Registration.status == old)
        .values(
            status=status,
            notes=_append_note(_note_line(staff.display_name, step)),
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if not moved:
        db.session.rollback()
        raise ApiError(409, "这条登记刚被别人更新了，请刷新后再试", code="stale_status")
    changes: list[Change] = []
    session = registration.session
    if status == RegistrationStatus.CLOSED and session is not None and session.starts_at > utcnow():
        changes = _release_seat(registration)
    _audit_follow_up(
        registration, staff, before={"status": old}, after={"status": status, "note": note}
    )
    commit_and_push(changes)
    push_registration(registration)
    return registration


def do_reveal_mobile(registration: Registration, staff: Staff) -> str:
    """The full number, for staff about to call; every reveal is on the audit log (UX.md)."""
    do_record(
        action="registration.reveal_mobile",
        entity_type="registration",
        entity_id=registration.id,
        place=registration.community,
        staff=staff,
        summary=f"查看{KIND_NAMES[registration.kind]} {registration.reference} 的完整手机号",
    )
    db.session.commit()
    return registration.mobile


# Rows erased per transaction: a city's year of registrations is erased in short
# transactions, so no kiosk's registration waits behind one long lock.
ERASE_BATCH = 500


@dataclass
class Erased:
    registrations: int = 0
    repeats: int = 0


def _ids_before(model: type[Registration] | type[RegistrationRepeat], since: datetime) -> list[int]:
    statement = select(model.id).where(model.created_at < since).order_by(model.id)
    return list(db.session.scalars(statement.limit(ERASE_BATCH)))


def _erase_repeats(where: Any) -> int:
    statement = delete(RegistrationRepeat).where(where)
    return db.session.execute(statement.execution_options(synchronize_session=False)).rowcount


def _erase_batch(since: datetime, erased: Erased) -> bool:
    """Erase up to ERASE_BATCH repeats, or else registrations with the repeats sent for
    them (the ON DELETE CASCADE is not enforced on SQLite), made before `since`.
    Committed at once, so the locks go; False when nothing was left."""
    repeats = _ids_before(RegistrationRepeat, since)
    if repeats:
        erased.repeats += _erase_repeats(RegistrationRepeat.id.in_(repeats))
    elif registrations := _ids_before(Registration, since):
        erased.repeats += _erase_repeats(RegistrationRepeat.registration_id.in_(registrations))
        statement = delete(Registration).where(Registration.id.in_(registrations))
        erased.registrations += db.session.execute(
            statement.execution_options(synchronize_session=False)
        ).rowcount
    else:
        return False
    db.session.commit()
    return True


def do_erase_expired_registrations(now: datetime) -> Erased:
    """Erase what residents registered, and the repeats they sent, once older than
    REGISTRATION_KEEP_MONTHS, as every privacy notice promises. The audit entry
    says how many and up to when: no name, number, reference or note, which would
    keep in the log what was erased. Staff's counts for the last weeks are untouched
    (the period is months); a registration gone is gone from lists and exports."""
    since = kept_since(now)
    erased = Erased()
    while _erase_batch(since, erased):
        pass
    if erased.registrations or erased.repeats:
        _audit_erased(erased, since)
        db.session.commit()
    return erased


def _audit_erased(erased: Erased, since: datetime) -> None:
    """One entry for the whole city: the erased rows' places are not kept either."""
    city = db.session.scalar(select(Place).where(Place.level == PlaceLevel.CITY))
    if city is None:  # registrations always belong to a community under the city
        raise RuntimeError("no city to record the erasure under")
    do_record(
        action="registration.erase",
        entity_type="registration",
        entity_id=0,
        place=city,
        staff=None,
        actor=SYSTEM,
        summary=(
            f"保存期满删除登记 {erased.registrations} 条、重复登记 {erased.repeats} 条"
            f"（{to_local(since):%Y-%m-%d %H:%M} 以前登记的）"
        ),
        after={"registrations": erased.registrations, "repeats": erased.repeats},
    )

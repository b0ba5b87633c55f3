"""Registering on a phone: the kiosk's five flows as plain HTML forms.

Each form posts back to its own address. The registration schemas check the
answers and do_register() records them, as for a kiosk, so a phone meets the
same refusals (already registered, 已下架, 已报满, too often) in the same words.
Nothing needs JavaScript: the phone's own keyboard and input method do the typing.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, cast

from flask import Response, make_response, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from kiosk_server.errors import ApiError
from kiosk_server.listings.display import public_listing
from kiosk_server.listings.models import JOB_CATEGORY_NAMES, Listing, ListingKind, ListingStatus
from kiosk_server.listings.queries import public_listing_by_id
from kiosk_server.pages import bp
from kiosk_server.places.queries import communities_by_street
from kiosk_server.registrations.actions import LISTING_KINDS, do_register, listing_gone
from kiosk_server.registrations.links import manage_token
from kiosk_server.registrations.models import (
    AGE_BAND_NAMES,
    AVAILABILITY_NAMES,
    HALF_DAY_NAMES,
    KIND_NAMES,
)
from kiosk_server.registrations.schemas import (
    CONSULTATION_DAYS,
    ApplicationIn,
    ConsultationIn,
    GigWorkerIn,
    JobSeekerIn,
    PersonIn,
    RegistrationIn,
    TrainingSignupIn,
)
from kiosk_server.throttle import limit_phone_signup, requester_address
from kiosk_server.timeutil import day_label, local_today
from kiosk_server.validation import MAX_ID, parse

Form = MultiDict[str, str]
COLLECTOR = "就享家 就业服务站"
HOTLINE = "12333"
NO_SESSIONS = "这个培训还没有排好上课时间，暂时不能报名，可以打电话问问"
_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
# People list trades as "保洁、家电维修" or "保洁，搬家 开锁": each part is one trade.
_TRADE_SEPARATORS = re.compile(r"[,，、;；/／\s]+")
# Said instead of "必填" when a choice was left empty: what to do, not what went wrong.
PERSON_PROMPTS = {"community_id": "请选择您住的社区", "age_band": "请选择您的年龄段"}


def _choice(form: Form, name: str) -> str | None:
    """The option picked, or None so the schema reports the field as missing."""
    return form.get(name, "").strip() or None


def _id(form: Form, name: str) -> int | str | None:
    value = _choice(form, name)
    # Options carry ids; anything else goes on as text, for the schema to refuse.
    if value and value.isascii() and value.isdigit() and len(value) <= 10:
        return int(value)
    return value


def _ticked(form: Form, name: str) -> bool:
    return form.get(name) == "yes"


def consultation_days() -> list[date]:
    today = local_today()
    return [today + timedelta(days=n) for n in range(1, CONSULTATION_DAYS + 1)]


def _job_seeker(form: Form) -> dict[str, Any]:
    return {
        "wanted": form.getlist("wanted"),
        "skills": form.get("skills", "").strip(),
        "availability": form.getlist("availability"),
    }


def _gig_worker(form: Form) -> dict[str, Any]:
    return {
        "trades": [trade for trade in _TRADE_SEPARATORS.split(form.get("trades", "")) if trade],
        "service_area": form.get("service_area", "").strip(),
        "availability": form.getlist("availability"),
    }


def _training(form: Form) -> dict[str, Any]:
    return {"session_id": _id(form, "session_id"), "waitlist": _ticked(form, "waitlist")}


def _consultation(form: Form) -> dict[str, Any]:
    return {"preferred_day": _choice(form, "preferred_day"), "half_day": _choice(form, "half_day")}


def _application(form: Form) -> dict[str, Any]:
    return {"share_with_employer": _ticked(form, "share_with_employer")}


@dataclass(frozen=True)
class Flow:
    """One kind of registration as a phone form (its template: pages/signup/<kind>.html)."""

    kind: str
    model: type[PersonIn]
    read: Callable[[Form], dict[str, Any]]  # the kind's own answers, in the schema's shape
    prompts: dict[str, str] = field(default_factory=dict)

    @property
    def fields(self) -> set[str]:
        """What the person fills in; the page itself fills in the rest."""
        return set(self.model.model_fields) - {"kind", "listing_id", "idempotency_key"}


FLOWS = {
    flow.kind: flow
    for flow in (
        Flow(
            "job_seeker",
            JobSeekerIn,
            _job_seeker,
            {"wanted": "请至少选一种想做的工作", "availability": "请至少选一个方便的时间"},
        ),
        Flow(
            "gig_worker",
            GigWorkerIn,
            _gig_worker,
            {
                "trades": "请写上您会做的活，如“保洁、家电维修”",
                "service_area": "请写上您能去的地方，如“黄岛街道”",
                "availability": "请至少选一个方便的时间",
            },
        ),
        Flow("training_signup", TrainingSignupIn, _training, {"session_id": "请选择要报的一期"}),
        Flow(
            "consultation",
            ConsultationIn,
            _consultation,
            {"preferred_day": "请选择想来的日子", "half_day": "请选择上午或下午"},
        ),
        Flow("application", ApplicationIn, _application),
    )
}
# The form each kind of listing leads to, by registration kind.
LISTING_ENDPOINTS = {
    "application": "pages.signup_application",
    "training_signup": "pages.signup_training",
    "consultation": "pages.signup_consultation",
}


def signup_link(listing: Listing) -> tuple[str, str] | None:
    """Where the button on a listing's phone page goes, and what it says; events have none."""
    for kind, endpoint in LISTING_ENDPOINTS.items():
        if LISTING_KINDS[kind] == listing.kind:
            return url_for(endpoint, listing_id=listing.id), KIND_NAMES[kind]
    return None


def _answers(flow: Flow, form: Form, listing: Listing | None) -> RegistrationIn:
    data = {
        "kind": flow.kind,
        "idempotency_key": form.get("idempotency_key", ""),
        "consent": _ticked(form, "consent"),
        "name": form.get("name", ""),
        "mobile": form.get("mobile", ""),
        "community_id": _id(form, "community_id"),
        "age_band": _choice(form, "age_band"),
        **flow.read(form),
    }
    if listing is not None:
        data["listing_id"] = listing.id
    data = {key: value for key, value in data.items() if value is not None}
    try:
        answers = parse(flow.model, data)
    except ApiError as error:
        raise ApiError(422, fields=_beside_fields(flow, data, error.fields)) from None
    return cast(RegistrationIn, answers)


def _beside_fields(flow: Flow, data: dict[str, Any], fields: dict[str, str]) -> dict[str, str]:
    """The schema's messages keyed by the form field they belong beside."""
    prompts = {**PERSON_PROMPTS, **flow.prompts}
    shown: dict[str, str] = {}
    for key, message in fields.items():
        name = key.split(".")[0]  # "wanted.0" is one box of the "wanted" group
        if name in prompts and data.get(name) in (None, "", []):
            message = prompts[name]
        shown.setdefault(name, message)
    return shown


def _key(form: Form) -> str:
    """The form's idempotency key: the one it was sent with, so a resubmission is one record."""
    sent = form.get("idempotency_key", "")
    return sent if _KEY.match(sent) else secrets.token_urlsafe(16)


def _page(
    flow: Flow, listing: Listing | None, form: Form, error: ApiError | None = None
) -> Response:
    fields = error.fields if error is not None else {}
    own = flow.fields
    site = listing.site if listing is not None else None
    message = error.message if error is not None and not fields else ""
    closed = listing is not None and listing.status != ListingStatus.PUBLISHED
    if listing is not None and listing.kind == ListingKind.TRAINING and not listing.sessions:
        closed, message = True, message or NO_SESSIONS
    html = render_template(
        f"pages/signup/{flow.kind}.html",
        kind_name=KIND_NAMES[flow.kind],
        listing=public_listing(listing) if listing is not None else None,
        open=not closed,
        values=form,
        errors={key: text for key, text in fields.items() if key in own},
        # Problems with what the page filled in itself, which no one can correct by hand.
        stray=[text for key, text in fields.items() if key not in own],
        message=message,
        error_code=error.code if error is not None else "",
        key=_key(form),
        collector=site.name if site is not None else COLLECTOR,
        contact_phone=(site.phone if site is not None else "") or HOTLINE,
        communities=communities_by_street(),
        age_bands=AGE_BAND_NAMES,
        availability=AVAILABILITY_NAMES,
        job_categories=JOB_CATEGORY_NAMES,
        half_days=HALF_DAY_NAMES,
        days=[(day.isoformat(), day_label(day)) for day in consultation_days()],
    )
    response = make_response(html, error.status if error is not None else 200)
    # What was typed may be on the page; and going back should fetch a new key.
    response.headers["Cache-Control"] = "no-store"
    return response


def _respond(flow: Flow, listing: Listing | None = None) -> Response:
    if listing is not None and listing.status != ListingStatus.PUBLISHED:
        return _page(flow, listing, MultiDict(), listing_gone())
    if request.method == "GET":
        return _page(flow, listing, MultiDict())
    try:
        answers = _answers(flow, request.form, listing)
        registration, _created = do_register(answers, None, client=requester_address())
    except ApiError as error:
        return _page(flow, listing, request.form, error)
    # Post-redirect-get: refreshing the confirmation reloads it and submits nothing.
    done = url_for(
        "pages.registration_done",
        reference=registration.reference,
        t=manage_token(registration.reference),
    )
    return redirect(done, code=303)  # type: ignore[return-value]


def _for_listing(kind: str, listing_id: int) -> Response:
    flow = FLOWS[kind]
    listing = public_listing_by_id(listing_id) if listing_id <= MAX_ID else None
    if listing is None or listing.kind != LISTING_KINDS[kind]:
        return make_response(render_template("pages/not_found.html"), 404)
    return _respond(flow, listing)


@bp.get("/register/")
def signup_index() -> str:
    return render_template("pages/signup/index.html")


@bp.route("/register/job-seeker", methods=["GET", "POST"])
@limit_phone_signup
def signup_job_seeker() -> Response:
    return _respond(FLOWS["job_seeker"])


@bp.route("/register/gig-worker", methods=["GET", "POST"])
@limit_phone_signup
def signup_gig_worker() -> Response:
    return _respond(FLOWS["gig_worker"])


@bp.route("/l/<int:listing_id>/apply", methods=["GET", "POST"])
@limit_phone_signup
def signup_application(listing_id: int) -> Response:
    return _for_listing("application", listing_id)


@bp.route("/l/<int:listing_id>/signup", methods=["GET", "POST"])
@limit_phone_signup
def signup_training(listing_id: int) -> Response:
    return _for_listing("training_signup", listing_id)


@bp.route("/l/<int:listing_id>/consult", methods=["GET", "POST"])
@limit_phone_signup
def signup_consultation(listing_id: int) -> Response:
    return _for_listing("consultation", listing_id)

"""The server's URLs. Each area adds its routes when the app factory registers it,
never as a side effect of importing its package, and the map is exactly the one below:
a route that appears, goes or changes its methods or endpoint shows here first."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from kiosk_server import create_app
from tests.conftest import make_config

ROOT = Path(__file__).resolve().parents[2]

# Methods (each rule also answers OPTIONS, and HEAD where it answers GET), rule, endpoint.
URL_MAP = """
GET      /admin pages.admin_redirect
GET      /admin/ pages.admin_index
GET      /admin/<any(src, styles):folder_name>/<path:filename> pages.admin_asset
POST     /admin/api/announcements admin.announcement_create
GET      /admin/api/announcements admin.announcement_index
GET      /admin/api/announcements/<int:announcement_id>/delivery admin.announcement_delivery
POST     /admin/api/announcements/<int:announcement_id>/withdraw admin.announcement_withdraw
GET      /admin/api/audit admin.audit_index
GET      /admin/api/choices admin.choices
GET      /admin/api/dashboard admin.dashboard
POST     /admin/api/listings admin.listing_create
GET      /admin/api/listings admin.listing_index
GET      /admin/api/listings/<int:listing_id> admin.listing_show
PUT      /admin/api/listings/<int:listing_id> admin.listing_update
GET      /admin/api/listings/<int:listing_id>/delivery admin.listing_delivery
POST     /admin/api/listings/<int:listing_id>/duplicate admin.listing_duplicate
POST     /admin/api/listings/<int:listing_id>/images admin.listing_image_upload
GET      /admin/api/listings/<int:listing_id>/matches admin.listing_matches
POST     /admin/api/listings/<int:listing_id>/publish admin.listing_publish
POST     /admin/api/listings/<int:listing_id>/withdraw admin.listing_withdraw
GET      /admin/api/places admin.place_index
GET      /admin/api/registrations admin.registration_index
GET      /admin/api/registrations.csv admin.registration_export
GET      /admin/api/registrations/<int:registration_id> admin.registration_show
GET      /admin/api/registrations/<int:registration_id>/matches admin.registration_matches
POST     /admin/api/registrations/<int:registration_id>/reveal admin.registration_reveal
POST     /admin/api/registrations/<int:registration_id>/status admin.registration_follow_up
GET      /admin/api/screens admin.screen_index
POST     /admin/api/screens/<int:screen_id>/revoke admin.screen_revoke
POST     /admin/api/session admin.log_in
DELETE   /admin/api/session admin.log_out
GET      /admin/api/session admin.session_info
POST     /admin/api/sites/<int:site_id>/enrolment-codes admin.enrolment_code_create
POST     /admin/api/staff admin.staff_create
GET      /admin/api/staff admin.staff_index
PUT      /admin/api/staff/<int:staff_id> admin.staff_update
POST     /admin/api/staff/<int:staff_id>/activate admin.staff_activate
POST     /admin/api/staff/<int:staff_id>/deactivate admin.staff_deactivate
POST     /admin/api/staff/<int:staff_id>/password admin.staff_password
GET      /api/announcements api.announcements
GET      /api/feed api.listing_feed
GET      /api/health health.health
GET      /api/home api.home_screen
GET      /api/images/<int:image_id>/<name>.jpg api.listing_image
GET      /api/listings/<int:listing_id> api.listing_detail
POST     /api/listings/<int:listing_id>/callback api.request_callback
GET      /api/listings/<int:listing_id>/qr.png api.listing_qr
GET      /api/openapi.json api.openapi
GET      /api/places api.places
POST     /api/registrations api.register
GET      /api/registrations/<reference>/qr.png api.registration_qr
GET      /api/registrations/<reference>/ticket.png api.registration_ticket
POST     /api/screens api.register_screen
POST     /api/screens/enrol api.enrol_kiosk
GET      /api/sites api.site_list
GET      /api/sites/<int:site_id> api.site_detail
GET      /assets/<digest>/<path:url_path> pages.hashed_asset
GET      /kiosk pages.kiosk_redirect
GET      /kiosk/ pages.kiosk_index
GET      /kiosk/<any(src, styles):folder_name>/<path:filename> pages.kiosk_asset
GET      /kiosk/<any(sw.js):filename> pages.kiosk_file
GET      /l/<int:listing_id> pages.phone_listing
GET,POST /l/<int:listing_id>/apply pages.signup_application
GET,POST /l/<int:listing_id>/consult pages.signup_consultation
GET,POST /l/<int:listing_id>/signup pages.signup_training
GET      /r/<reference> pages.registration_page
POST     /r/<reference>/cancel pages.registration_cancel
GET      /r/<reference>/done pages.registration_done
GET      /register/ pages.signup_index
GET,POST /register/gig-worker pages.signup_gig_worker
GET,POST /register/job-seeker pages.signup_job_seeker
GET      /shared/<path:filename> pages.shared_asset
GET      /static/<path:filename> static
GET      /tv pages.tv_redirect
GET      /tv/ pages.tv_index
GET      /tv/<any(src, styles):folder_name>/<path:filename> pages.tv_asset
GET      /vendor/<name> pages.vendor_asset
"""


def _expected() -> list[tuple[str, str, str]]:
    rows = []
    for line in URL_MAP.strip().splitlines():
        methods, rest = line.split(None, 1)
        rule, endpoint = rest.rsplit(None, 1)
        rows.append((rule, endpoint, methods))
    return sorted(rows)


def test_the_url_map_is_the_published_one(tmp_path: Path) -> None:
    app = create_app(make_config(f"sqlite:///{tmp_path / 'urls.sqlite3'}", tmp_path))
    found = []
    for rule in app.url_map.iter_rules():
        methods = set(rule.methods or ())
        automatic = {"OPTIONS", "HEAD"} if "GET" in methods else {"OPTIONS"}
        assert automatic <= methods, rule
        declared = ",".join(sorted(methods - {"HEAD", "OPTIONS"}))
        found.append((rule.rule, rule.endpoint, declared))
    assert sorted(found) == _expected()


def test_importing_an_area_adds_no_routes() -> None:
    """A fresh interpreter: the packages' blueprints are empty until the factory runs."""
    probe = (
        "import kiosk_server.admin, kiosk_server.api, kiosk_server.pages\n"
        "for area in (kiosk_server.admin, kiosk_server.api, kiosk_server.pages):\n"
        "    print(area.__name__, len(area.bp.deferred_functions))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines() == [
        "kiosk_server.admin 0",
        "kiosk_server.api 0",
        "kiosk_server.pages 0",
    ]

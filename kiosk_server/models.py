"""Every model, imported in one place for Alembic and create_all."""

from kiosk_server.audit.models import AuditEntry  # noqa: F401
from kiosk_server.listings.models import (  # noqa: F401
    Announcement,
    Event,
    Job,
    Listing,
    ListingImage,
    Subsidy,
    Training,
    TrainingSession,
)
from kiosk_server.live.models import Change, ChangeCounter  # noqa: F401
from kiosk_server.places.models import Place, Site  # noqa: F401
from kiosk_server.registrations.models import Registration  # noqa: F401
from kiosk_server.screens.models import EnrolmentCode, Screen  # noqa: F401
from kiosk_server.staff.models import Staff  # noqa: F401

"""The place tree (city → district → street → community) and the sites in communities."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kiosk_server.extensions import db


class PlaceLevel(StrEnum):
    CITY = "city"
    DISTRICT = "district"
    STREET = "street"
    COMMUNITY = "community"


LEVEL_ORDER = [PlaceLevel.CITY, PlaceLevel.DISTRICT, PlaceLevel.STREET, PlaceLevel.COMMUNITY]
LEVEL_NAMES = {"city": "市", "district": "区（市）", "street": "街道（镇）", "community": "社区"}


def path_ids(path: str) -> list[int]:
    """The places a materialised path names, city first: "/1/4/12/" → [1, 4, 12]."""
    return [int(part) for part in path.strip("/").split("/") if part]


class Place(db.Model):
    __tablename__ = "places"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"), index=True)
    level: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(64))
    # Materialised path such as "/1/4/12/": ancestors without recursion,
    # descendants with one prefix match.
    path: Mapped[str] = mapped_column(String(255), index=True, default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)

    parent: Mapped[Place | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Place]] = relationship(back_populates="parent", order_by="Place.id")
    sites: Mapped[list[Site]] = relationship(back_populates="community", order_by="Site.id")

    @property
    def ancestor_ids(self) -> list[int]:
        """This place and everything above it, city first."""
        return path_ids(self.path)

    def contains(self, other: Place) -> bool:
        return other.path.startswith(self.path)


class SiteKind(StrEnum):
    STATION = "station"
    KIOSK = "kiosk"
    MICRO_FACTORY = "micro_factory"
    TRAINING_VENUE = "training_venue"
    STARTUP_STATION = "startup_station"


SITE_KIND_NAMES = {
    "station": "就享家乐业服务站",
    "kiosk": "随享亭",
    "micro_factory": "社区微工厂",
    "training_venue": "培训场所",
    "startup_station": "创贷驿站",
}


class Site(db.Model):
    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("places.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    name: Mapped[str] = mapped_column(String(80))
    address: Mapped[str] = mapped_column(String(160))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    opening_hours: Mapped[str] = mapped_column(String(80), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")

    community: Mapped[Place] = relationship(back_populates="sites")

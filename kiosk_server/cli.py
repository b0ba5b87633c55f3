"""Console commands: `flask --app kiosk_server <command>`."""

from __future__ import annotations

import secrets
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from kiosk_server.demo.city import CannotGrowError, CitySize, grow_city
from kiosk_server.extensions import db
from kiosk_server.places.models import Place, PlaceLevel
from kiosk_server.staff.models import Staff, StaffRole
from kiosk_server.timeutil import to_local

INITIAL_ADMIN_FILE = "initial-admin.txt"
# How many of something to add: none is a valid answer.
COUNT = click.IntRange(min=0)


def _initial_admin_file() -> Path:
    return Path(current_app.instance_path) / INITIAL_ADMIN_FILE


def ensure_city_admin(username: str = "admin") -> str | None:
    """Create the first administrator with a random password; return it, or None if present."""
    from kiosk_server.staff.actions import do_create_staff

    if db.session.scalar(select(Staff).where(Staff.username == username)):
        return None
    city = db.session.scalar(select(Place).where(Place.level == PlaceLevel.CITY))
    if city is None:
        raise click.ClickException("还没有城市数据：先运行 flask demo load")
    password = secrets.token_urlsafe(9)
    do_create_staff(
        username=username,
        display_name="市级管理员",
        password=password,
        role=StaffRole.CITY_ADMIN,
        scope=city,
        by=None,
    )
    path = _initial_admin_file()
    path.write_text(f"{username}\n{password}\n")
    path.chmod(0o600)
    return password


def login_hint() -> str:
    path = _initial_admin_file()
    if path.exists():
        username, password = path.read_text().split()[:2]
        staff = db.session.scalar(select(Staff).where(Staff.username == username))
        if staff is not None and staff.check_password(password):
            return f"管理员登录：用户名 {username}  密码 {password}"
    return "管理员登录：用 `flask --app kiosk_server create-admin` 设置账号和密码"


@click.command("create-admin")
@click.option("--username", default="admin", show_default=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def create_admin(username: str, password: str) -> None:
    """Create a city administrator, or reset that account's password."""
    from kiosk_server.staff.actions import do_create_staff, do_set_password

    if len(password) < 8:
        raise click.ClickException("密码至少8位")
    staff = db.session.scalar(select(Staff).where(Staff.username == username))
    if staff is not None:
        do_set_password(staff, password, by=None)
        click.echo(f"已重设 {username} 的密码")
        return
    city = db.session.scalar(select(Place).where(Place.level == PlaceLevel.CITY))
    if city is None:
        raise click.ClickException("还没有城市数据：先运行 flask demo load")
    do_create_staff(
        username=username,
        display_name="市级管理员",
        password=password,
        role=StaffRole.CITY_ADMIN,
        scope=city,
        by=None,
    )
    click.echo(f"已创建市级管理员 {username}")


@click.group("demo")
def demo() -> None:
    """Demo data drawn from the news reports behind the programme."""


@demo.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when places already exist.")
@with_appcontext
def demo_load(if_empty: bool) -> None:
    from kiosk_server.demo.loader import load_demo

    if db.session.scalar(select(Place.id).limit(1)) is not None:
        if if_empty:
            click.echo("数据库已有数据，跳过示例数据")
            return
        raise click.ClickException("数据库已有数据；示例数据只装入空数据库")
    counts = load_demo()
    ensure_city_admin()
    click.echo("已装入示例数据：" + "，".join(f"{name} {count}" for name, count in counts.items()))


@demo.command("grow")
@click.option("--listings", default=CitySize.listings, show_default=True, type=COUNT)
@click.option(
    "--communities",
    default=CitySize.communities,
    show_default=True,
    type=COUNT,
    help="How many communities the city has at least (each with a station).",
)
@click.option("--registrations", default=CitySize.registrations, show_default=True, type=COUNT)
@click.option("--screens", default=CitySize.screens, show_default=True, type=COUNT)
@click.option("--seed", default=CitySize.seed, show_default=True)
@click.option(
    "--in-scope-of",
    type=int,
    metavar="COMMUNITY_ID",
    help="Aim every listing at this community or a place above it.",
)
@with_appcontext
def demo_grow(
    listings: int,
    communities: int,
    registrations: int,
    screens: int,
    seed: int,
    in_scope_of: int | None,
) -> None:
    """Add listings, registrations and screens to the loaded demo, and communities up
    to the number given: a city for benchmarks and tests, in a minute or two."""
    size = CitySize(listings, communities, registrations, screens, seed, in_scope_of)
    try:
        added = grow_city(size)
    except CannotGrowError as error:
        raise click.ClickException(str(error)) from error
    click.echo("已添加：" + "，".join(f"{name} {count}" for name, count in added.items()))


@click.command("sweep")
@with_appcontext
def sweep_now() -> None:
    """Run the sweep once now, pruning and erasing too (the server sweeps every few
    seconds, and prunes and erases hourly)."""
    from kiosk_server.live.sweeper import sweep

    result = sweep(prune=True)
    click.echo(
        f"上线 {result.started} 条，过期 {result.expired} 条，"
        f"通知过期 {result.announcements_expired} 条，清理旧变更 {result.pruned} 条，"
        f"保存期满删除登记 {result.registrations_erased} 条、"
        f"重复登记 {result.repeats_erased} 条"
    )


@click.group("screens")
def screens_group() -> None:
    """Home TVs and station kiosks."""


@screens_group.command("list")
@with_appcontext
def screens_list() -> None:
    from kiosk_server.screens.models import Screen

    for screen in db.session.scalars(select(Screen).order_by(Screen.id)):
        state = "已停用" if screen.revoked_at else "使用中"
        seen = screen.last_seen_at.isoformat(timespec="seconds") if screen.last_seen_at else "从未"
        click.echo(f"{screen.id}\t{screen.kind}\t{screen.community.name}\t{state}\t最近在线 {seen}")


@screens_group.command("revoke")
@click.argument("screen_id", type=int)
@with_appcontext
def screens_revoke(screen_id: int) -> None:
    """Stop a screen: its token is refused from now on."""
    from kiosk_server.screens.actions import do_revoke_screen
    from kiosk_server.screens.models import Screen

    screen = db.session.get(Screen, screen_id)
    if screen is None:
        raise click.ClickException(f"没有编号为 {screen_id} 的屏幕")
    do_revoke_screen(screen, None)
    click.echo(f"屏幕 {screen_id} 已停用")


@screens_group.command("enrolment-code")
@click.argument("site_id", type=int, required=False)
@with_appcontext
def screens_enrolment_code(site_id: int | None) -> None:
    """A one-time code to enrol a kiosk at a site; without SITE_ID, the sites that have kiosks."""
    from kiosk_server.places.models import SITE_KIND_NAMES, Site, SiteKind
    from kiosk_server.screens.actions import do_create_enrolment_code

    if site_id is None:
        kinds = (SiteKind.STATION, SiteKind.KIOSK)
        for site in db.session.scalars(select(Site).where(Site.kind.in_(kinds)).order_by(Site.id)):
            click.echo(f"{site.id}\t{SITE_KIND_NAMES[site.kind]}\t{site.name}")
        click.echo(
            "给其中一个站点生成绑定码：flask --app kiosk_server screens enrolment-code <编号>"
        )
        return
    site = db.session.get(Site, site_id)
    if site is None:
        raise click.ClickException(f"没有编号为 {site_id} 的站点")
    record, code = do_create_enrolment_code(site, None)
    expires = to_local(record.expires_at).strftime("%m月%d日 %H:%M")
    click.echo(f"{site.name} 的绑定码：{code[:4]} {code[4:]}（只能用一次，{expires}前有效）")


def init_app(app: Flask) -> None:
    for command in (create_admin, demo, sweep_now, screens_group):
        app.cli.add_command(command)

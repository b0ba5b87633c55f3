"""The printed ticket a kiosk with a 58 mm receipt printer hands out after registering."""

from __future__ import annotations

import io
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont

from kiosk_server.errors import ApiError
from kiosk_server.registrations.models import KIND_NAMES, Registration, mask_mobile
from kiosk_server.timeutil import to_local

# 58 mm paper at 203 dpi prints 384 dots across.
WIDTH = 384
MARGIN = 12
FONT_FILES = [
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
]


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    path = FONT_FILES[1] if bold and FONT_FILES[1].exists() else FONT_FILES[0]
    if not path.exists():
        raise ApiError(
            503, "打印用的中文字体没有安装（apt-get install fonts-noto-cjk）", code="no_font"
        )
    # Index 2 of the Noto CJK collection is Simplified Chinese.
    return ImageFont.truetype(str(path), size, index=2)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont) -> list[str]:
    lines, line = [], ""
    for char in text:
        if draw.textlength(line + char, font=font) > WIDTH - 2 * MARGIN:
            lines.append(line)
            line = char
        else:
            line += char
    return [*lines, line] if line else lines


def render_ticket(registration: Registration, site_name: str, listing_url: str | None) -> bytes:
    """A black-and-white PNG, 384 dots wide, ready for a thermal printer."""
    heading, body, small = _font(30, bold=True), _font(24), _font(20)
    rows: list[tuple[str, ImageFont.FreeTypeFont]] = [
        ("就享家 · 登记回执", heading),
        (KIND_NAMES[registration.kind], body),
    ]
    if registration.listing is not None:
        rows.append((registration.listing.title, body))
    if registration.waitlisted:
        rows.append(("（候补）", body))
    created = to_local(registration.created_at)
    rows += [
        (f"登记号：{registration.reference}", heading),
        (f"{registration.name}  {mask_mobile(registration.mobile)}", body),
        (f"{created:%Y-%m-%d %H:%M}", small),
        (site_name, small),
        ("工作人员会尽快与您联系。请保管好本回执。", small),
    ]
    scratch = ImageDraw.Draw(Image.new("1", (WIDTH, 10)))
    lines = [(line, font) for text, font in rows for line in _wrap(scratch, text, font)]
    qr = None
    if listing_url:
        png = io.BytesIO()
        segno.make(listing_url, error="m").save(png, kind="png", scale=5, border=2)
        qr = Image.open(io.BytesIO(png.getvalue())).convert("1")
    height = MARGIN * 2 + sum(font.size + 10 for _, font in lines) + (qr.height + 30 if qr else 0)
    image = Image.new("1", (WIDTH, height), 1)
    draw = ImageDraw.Draw(image)
    y = MARGIN
    for line, font in lines:
        draw.text((MARGIN, y), line, font=font, fill=0)
        y += font.size + 10
    if qr is not None:
        image.paste(qr, ((WIDTH - qr.width) // 2, y + 4))
        draw.text((MARGIN, y + qr.height + 4), "扫码在手机上看这条信息", font=small, fill=0)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()

"""Draw the TV apps' icons: `python deploy/tv/make_icons.py` (Pillow, already a dependency).

webOS: icon.png 80×80 and largeIcon.png 130×130 (the launcher bar), splash 1920×1080.
Tizen: icon.png 512×423 (Samsung's Smart Hub size for TV apps).
A teal tile with 就享 in white when the Noto CJK font is installed, else a plain mark.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
TEAL = (0, 122, 112)
FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc")
SIZES = {
    HERE / "webos" / "icon.png": (80, 80),
    HERE / "webos" / "largeIcon.png": (130, 130),
    HERE / "webos" / "splash.png": (1920, 1080),
    HERE / "tizen" / "icon.png": (512, 423),
}


def draw(size: tuple[int, int]) -> Image.Image:
    width, height = size
    image = Image.new("RGB", size, TEAL)
    pen = ImageDraw.Draw(image)
    side = min(width, height)
    if FONT.exists():
        font = ImageFont.truetype(str(FONT), int(side * 0.36), index=2)  # index 2: SC
        pen.text((width / 2, height / 2), "就享", fill="white", font=font, anchor="mm")
    else:
        inset = side * 0.25
        box = (width / 2 - inset, height / 2 - inset, width / 2 + inset, height / 2 + inset)
        pen.rounded_rectangle(box, radius=side * 0.08, outline="white", width=max(2, side // 20))
    return image


def main() -> None:
    for path, size in SIZES.items():
        draw(size).save(path, optimize=True)
        print(f"{path.relative_to(HERE)}: {size[0]}×{size[1]}")


if __name__ == "__main__":
    main()

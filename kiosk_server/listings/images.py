"""Listing images: checked on upload, stored without metadata, served in the
sizes screens show (a TV never downloads a multi-megabyte original)."""

from __future__ import annotations

import io
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from kiosk_server.errors import ApiError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# A real photo is well under this; more pixels than that is a decompression bomb.
MAX_PIXELS = 40_000_000
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
ORIGINAL_LONG_SIDE = 2560
# Boxes each rendition fits inside, keeping the picture's shape.
RENDITIONS = {"thumb": (320, 180), "tv": (640, 360), "kiosk": (1080, 720)}


@dataclass
class StoredImage:
    file_key: str
    width: int
    height: int


def _refuse(message: str) -> ApiError:
    return ApiError(422, fields={"image": message})


def _decode(data: bytes) -> Image.Image:
    """Open and fully decode an upload, refusing anything but a real, sane image."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ApiError(413, "图片不能超过10MB", fields={"image": "图片不能超过10MB"})
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            if image.format not in ACCEPTED_FORMATS:
                raise _refuse("只接受 JPEG、PNG、WebP 图片")
            if image.width * image.height > MAX_PIXELS:
                raise _refuse("图片像素太多，不能上传")
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _refuse("图片像素太多，不能上传") from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise _refuse("不是有效的图片文件，只接受 JPEG、PNG、WebP") from None
    # Turn phone photos upright, then drop everything but the pixels (EXIF, GPS).
    upright = ImageOps.exif_transpose(image)
    return upright.convert("RGB")


def _save(image: Image.Image, path: Path, quality: int) -> None:
    image.save(path, "JPEG", quality=quality, optimize=True, progressive=True)


def store_image(data: bytes, media_root: Path) -> StoredImage:
    image = _decode(data)
    key = secrets.token_hex(16)
    folder = media_root / key
    folder.mkdir(parents=True)
    original = image.copy()
    original.thumbnail((ORIGINAL_LONG_SIDE, ORIGINAL_LONG_SIDE))
    _save(original, folder / "original.jpg", 88)
    for name, box in RENDITIONS.items():
        rendition = image.copy()
        rendition.thumbnail(box)
        _save(rendition, folder / f"{name}.jpg", 80)
    return StoredImage(key, original.width, original.height)


def rendition_path(media_root: Path, file_key: str, name: str) -> Path | None:
    if name not in RENDITIONS and name != "original":
        return None
    path = media_root / file_key / f"{name}.jpg"
    return path if path.exists() else None

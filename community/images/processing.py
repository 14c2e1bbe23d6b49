"""Uploaded pictures made safe to keep and show.

An upload is judged by its content, never by its name or declared type: Pillow must
recognise it as JPEG, PNG, WebP or GIF (the first frame), verify it and decode all of it.
What is kept is drawn again from its pixels, upright (EXIF orientation applied), in sRGB
(converted from the upload's ICC profile: a phone's Display P3 or a CMYK photo would look
dull or wrong with its profile dropped), cropped to each size and encoded as WebP: EXIF (GPS
included), ICC profiles, comments and any other metadata of the upload do not survive.
"""

import hashlib
import warnings
from dataclasses import dataclass
from io import BytesIO
from typing import IO

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from community.images.models import Variant

MAX_BYTES = 5 * 1024 * 1024
# A 50-megapixel photo decodes to 150 MB of pixels; a picture declaring more is refused
# before it is decoded (a small file can declare a huge canvas: a decompression bomb).
MAX_PIXELS = 50_000_000
FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
CONTENT_TYPE = "image/webp"

NOT_A_PICTURE = "This file is not a JPEG, PNG, WebP or GIF picture."
DAMAGED = "This picture is damaged or incomplete: it can't be read to the end."
TOO_MANY_PIXELS = f"This picture is too large: at most {MAX_PIXELS // 1_000_000} megapixels."
TOO_MANY_BYTES = f"This file is larger than {MAX_BYTES // (1024 * 1024)} MB."
EMPTY = "This file is empty."


class ImageRefused(Exception):
    """An upload that is no picture we keep; the message says why, for the form."""


@dataclass(frozen=True)
class Encoded:
    variant: Variant
    data: bytes
    width: int
    height: int
    content_type: str
    content_hash: str


@dataclass(frozen=True)
class Picture:
    """Every size of one upload, and the key its URLs carry (it changes with the picture)."""

    key: str
    variants: list[Encoded]


@dataclass(frozen=True)
class Size:
    variant: Variant
    width: int
    height: int


AVATAR_SIZES = (Size(Variant.LARGE, 256, 256), Size(Variant.SMALL, 64, 64))
CLUB_SIZES = (Size(Variant.BANNER, 1200, 400), Size(Variant.SMALL, 128, 128))
# Faces sit above the middle of most portraits: a square crop keeps more of the top.
AVATAR_CENTERING = (0.5, 0.4)


def read_upload(stream: IO[bytes]) -> bytes:
    """The uploaded bytes, reading no more than one byte past the limit."""
    data = stream.read(MAX_BYTES + 1)
    if not data:
        raise ImageRefused(EMPTY)
    if len(data) > MAX_BYTES:
        raise ImageRefused(TOO_MANY_BYTES)
    return data


def avatar(data: bytes) -> Picture:
    """A runner's avatar: square crops, 256 and 64 pixels wide."""
    return _picture(data, AVATAR_SIZES, AVATAR_CENTERING)


def club_image(data: bytes) -> Picture:
    """A club's image: a 1200 x 400 banner and a 128-pixel square, both cropped to cover."""
    return _picture(data, CLUB_SIZES, (0.5, 0.5))


def _picture(data: bytes, sizes: tuple[Size, ...], centering: tuple[float, float]) -> Picture:
    longest = max(max(size.width, size.height) for size in sizes)
    image = _decode(data, longest)
    variants = [_encode(size.variant, _fit(image, size, centering)) for size in sizes]
    key = hashlib.sha256("".join(v.content_hash for v in variants).encode()).hexdigest()
    return Picture(key[:16], variants)


def _check_pixels(size: tuple[int, int]) -> None:
    width, height = size
    if width < 1 or height < 1:
        raise ImageRefused(DAMAGED)
    if width * height > MAX_PIXELS:
        raise ImageRefused(TOO_MANY_PIXELS)


def _decode(data: bytes, longest: int) -> Image.Image:
    """The upload's first frame, decoded whole, upright, in RGB (or RGBA if it has
    transparency)."""
    try:
        with warnings.catch_warnings():
            # Pillow only warns below twice its own limit: refuse those too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data), formats=FORMATS) as probe:
                _check_pixels(probe.size)
                probe.verify()
            # verify() leaves the file unusable: decode a fresh one.
            with Image.open(BytesIO(data), formats=FORMATS) as image:
                if image.format == "JPEG":
                    # Decode a big JPEG at 1/2, 1/4 or 1/8 scale when that still covers
                    # every size asked for: far less memory and time.
                    image.draft("RGB", (longest, longest))
                image.load()
                upright = ImageOps.exif_transpose(image)
                mode = "RGBA" if upright.has_transparency_data else "RGB"
                return _in_srgb(upright, image.info.get("icc_profile"), mode)
    except ImageRefused:
        raise
    except UnidentifiedImageError as error:
        raise ImageRefused(NOT_A_PICTURE) from error
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageRefused(TOO_MANY_PIXELS) from error
    # A hostile or broken file can make a decoder raise nearly anything (OSError for a
    # truncated file, SyntaxError, ValueError, struct.error, ...): each is a refusal.
    except Exception as error:
        raise ImageRefused(DAMAGED) from error


SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _in_srgb(image: Image.Image, icc: bytes | None, mode: str) -> Image.Image:
    """`image` in `mode`, its colours converted from its ICC profile (if any) to sRGB."""
    if icc:
        try:
            profile = ImageCms.ImageCmsProfile(BytesIO(icc))
            return ImageCms.profileToProfile(image, profile, SRGB, outputMode=mode)
        # A profile that does not parse, or does not fit the pixels (a palette image, an
        # RGB profile on CMYK pixels): the colours as they are.
        except (OSError, ValueError, ImageCms.PyCMSError):
            pass
    return image.convert(mode)


def _fit(image: Image.Image, size: Size, centering: tuple[float, float]) -> Image.Image:
    fitted = ImageOps.fit(
        image, (size.width, size.height), Image.Resampling.LANCZOS, centering=centering
    )
    # A new image holding only the pixels: nothing of the upload's `info` comes along.
    clean = Image.new(fitted.mode, fitted.size)
    clean.paste(fitted)
    return clean


def _encode(variant: Variant, image: Image.Image) -> Encoded:
    buffer = BytesIO()
    image.save(buffer, "WEBP", quality=82, method=4)
    data = buffer.getvalue()
    width, height = image.size
    return Encoded(variant, data, width, height, CONTENT_TYPE, hashlib.sha256(data).hexdigest())

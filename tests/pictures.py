"""Pictures for the specs, made with Pillow: real ones, and files that only pretend."""

import struct
import zlib
from io import BytesIO

from PIL import ExifTags, Image, ImageCms, ImageDraw

RED, BLUE, GREEN = (220, 30, 30), (30, 60, 220), (30, 170, 60)


def picture(width: int = 640, height: int = 480, colour=GREEN, fmt: str = "PNG", **save) -> bytes:
    image = Image.new("RGB", (width, height), colour)
    ImageDraw.Draw(image).ellipse((width // 4, height // 4, width * 3 // 4, height * 3 // 4), RED)
    buffer = BytesIO()
    image.save(buffer, fmt, **save)
    return buffer.getvalue()


def jpeg_with_gps() -> bytes:
    """A phone's photo: where it was taken, the camera, a comment."""
    image = Image.new("RGB", (800, 600), GREEN)
    exif = image.getexif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Pocket 12"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 28.0, 40.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (0.0, 9.0, 5.0)
    buffer = BytesIO()
    image.save(buffer, "JPEG", exif=exif, comment=b"home sweet home")
    return buffer.getvalue()


def sideways_jpeg() -> bytes:
    """Red above blue as stored, with EXIF orientation 6: shown turned a quarter clockwise,
    the red is on the right."""
    image = Image.new("RGB", (400, 200), BLUE)
    ImageDraw.Draw(image).rectangle((0, 0, 399, 99), RED)
    exif = image.getexif()
    exif[ExifTags.Base.Orientation] = 6
    buffer = BytesIO()
    image.save(buffer, "JPEG", exif=exif, quality=95)
    return buffer.getvalue()


def animated_gif() -> bytes:
    """Two frames: blue first, then red."""
    frames = [Image.new("RGB", (120, 120), colour) for colour in (BLUE, RED)]
    buffer = BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_declaring(width: int, height: int) -> bytes:
    """A tiny file whose header declares a huge canvas (a decompression bomb)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", idat)
        + _chunk(b"IEND", b"")
    )


SVG = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><script>alert(1)</script>
<circle cx="50" cy="50" r="40" fill="red"/></svg>"""


def opened(data: bytes) -> Image.Image:
    image = Image.open(BytesIO(data))
    image.load()
    return image


def swapped_primaries_profile() -> bytes:
    """An RGB ICC profile whose red is sRGB's blue and whose blue is sRGB's red: sRGB's own
    profile (from littleCMS) with the red and blue primaries' tags exchanged."""
    data = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    (count,) = struct.unpack(">I", data[128:132])
    tags = {}
    for n in range(count):
        at = 132 + 12 * n
        tags[bytes(data[at : at + 4])] = (at, data[at + 4 : at + 12])
    (red_at, red), (blue_at, blue) = tags[b"rXYZ"], tags[b"bXYZ"]
    data[red_at + 4 : red_at + 12], data[blue_at + 4 : blue_at + 12] = blue, red
    data[84:100] = bytes(16)  # the profile's checksum, no longer right: "not computed"
    return bytes(data)


def red_with_swapped_profile(fmt: str = "JPEG") -> bytes:
    """Pixels stored as pure red, under a profile that says they are blue."""
    buffer = BytesIO()
    image = Image.new("RGB", (300, 300), (255, 0, 0))
    image.save(buffer, fmt, icc_profile=swapped_primaries_profile())
    return buffer.getvalue()

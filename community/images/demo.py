"""Pictures for the demo data, drawn with Pillow: a face for each runner, a banner for each
club. They are uploaded through the same checks as anyone's (PNG bytes in)."""

import math
from io import BytesIO

from PIL import Image, ImageDraw

Colour = tuple[int, int, int]

# (background, shape, accent): one per demo runner, in the order of cli.DEMO_RUNNERS.
AVATAR_PALETTES: list[tuple[Colour, Colour, Colour]] = [
    ((251, 191, 36), (180, 83, 9), (255, 247, 237)),
    ((56, 189, 248), (30, 64, 175), (240, 249, 255)),
    ((244, 114, 182), (157, 23, 77), (253, 242, 248)),
    ((74, 222, 128), (21, 128, 61), (240, 253, 244)),
    ((167, 139, 250), (91, 33, 182), (245, 243, 255)),
]


def _png(image: Image.Image) -> bytes:
    buffer = BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _polygon(centre: tuple[float, float], radius: float, sides: int, turn: float) -> list:
    cx, cy = centre
    return [
        (
            cx + radius * math.cos(turn + 2 * math.pi * k / sides),
            cy + radius * math.sin(turn + 2 * math.pi * k / sides),
        )
        for k in range(sides)
    ]


def avatar_art(number: int, size: int = 512) -> bytes:
    """A square face: a coloured ground, a shape with 3 to 7 sides, a small sun."""
    background, shape, accent = AVATAR_PALETTES[number % len(AVATAR_PALETTES)]
    image = Image.new("RGB", (size, size), background)
    draw = ImageDraw.Draw(image)
    sides = 3 + number % 5
    draw.polygon(_polygon((size * 0.5, size * 0.58), size * 0.34, sides, -math.pi / 2), shape)
    x, y, r = size * 0.68, size * 0.24, size * 0.11
    draw.ellipse((x - r, y - r, x + r, y + r), accent)
    return _png(image)


def banner_art(sky: Colour, horizon: Colour, hills: list[Colour], water: Colour) -> bytes:
    """A 3:1 landscape: a sky fading to the horizon, a low sun, rolling hills, a river."""
    width, height = 1500, 500
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / height
        shade = tuple(round(a + (b - a) * t) for a, b in zip(sky, horizon, strict=True))
        draw.line([(0, y), (width, y)], shade)
    draw.ellipse((1040, 150, 1200, 310), (255, 244, 214))
    for layer, colour in enumerate(hills):
        base = 300 + layer * 55
        points = [(0, height)]
        for x in range(0, width + 50, 50):
            wave = math.sin(x / (180 + layer * 60) + layer * 1.7) * (40 - layer * 8)
            points.append((x, base + wave))
        points.append((width, height))
        draw.polygon(points, colour)
    river = [(0, 470), (400, 440), (800, 455), (1200, 430), (1500, 445)]
    draw.line(river, water, width=26, joint="curve")
    return _png(image)


# (sky, horizon, hills from far to near, water) for each demo club.
BANNER_PALETTES: dict[str, tuple[Colour, Colour, list[Colour], Colour]] = {
    "riverside-runners": (
        (125, 190, 235),
        (214, 236, 248),
        [(96, 165, 110), (60, 130, 80), (34, 94, 56)],
        (59, 130, 246),
    ),
    "dawn-patrol": (
        (49, 46, 129),
        (251, 146, 60),
        [(124, 58, 237), (91, 33, 182), (55, 20, 110)],
        (253, 186, 116),
    ),
}


def club_banner(slug: str) -> bytes | None:
    palette = BANNER_PALETTES.get(slug)
    return banner_art(*palette) if palette else None

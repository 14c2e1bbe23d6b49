"""Turn uploaded run files (GPX, TCX, FIT, plain or gzipped) into tracks, and pack tracks.

`parse_track` reads a file and refuses anything it cannot trust with a `TrackError` whose
message a runner can read. `encode_points` and `decode_points` pack a track's points into one
blob for the database. Zip archives of many files are read by `community.activities.archives`.

XML (GPX and TCX) is parsed with defusedxml, which refuses entity declarations (the
"billion laughs") and external entities (XXE).
"""

import gc
import gzip
import io
import math
import re
import struct
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate, pairwise
from typing import Any, NamedTuple
from xml.etree import ElementTree
from xml.etree.ElementTree import Element, ParseError

import fitdecode
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from fitdecode import FitError

MAX_FILE_BYTES = 25 * 1024 * 1024  # one uncompressed track file
MAX_DISTANCE_M = 1_000_000.0
MAX_ELAPSED = timedelta(days=7)
FUTURE_TOLERANCE = timedelta(days=1)
MOVING_SPEED_MPS = 0.5
PAUSE_GAP_S = 30.0
CLIMB_THRESHOLD_M = 2.0
# The fastest anyone has run: Usain Bolt, at about 12.4 m/s (44.7 km/h) in his 9.58 s 100 m
# (Berlin, 2009). A move between two points faster than this is no running but a GPS jump or
# a clock gone wrong, and counting it would make a record of it.
MAX_RUNNING_SPEED_MPS = 12.5
# Past this share of points going back in time or jumping, what is left would be guesswork.
MAX_IMPOSSIBLE_SHARE = 0.2
# Mean Earth radius (IUGG); the equatorial radius would make distances 0.1% too long.
EARTH_RADIUS_M = 6_371_008.8
# Elevations outside this range are sensor garbage, kept as unknown rather than refused;
# heart rates and cadences too (a strap losing contact reads 0 or 255).
_ELEVATION_RANGE_M = (-1_000.0, 10_000.0)
_HEART_RATE_RANGE = (25.0, 250.0)
_CADENCE_RANGE_SPM = (0.0, 400.0)


@dataclass(frozen=True, slots=True)
class TrackPoint:
    """One sample: `distance` is cumulative metres from the start, `heart_rate` in beats
    and `cadence` in steps (both feet) per minute, when the file has them."""

    time: datetime
    lat: float | None
    lon: float | None
    elevation: float | None
    distance: float
    heart_rate: float | None = None
    cadence: float | None = None


@dataclass(frozen=True)
class ParsedTrack:
    """A track read from a file, with the summary figures a run needs."""

    points: list[TrackPoint]
    start_time: datetime
    distance_m: float
    elapsed_s: float
    moving_s: float
    elevation_gain_m: float
    sport: str | None
    source_format: str
    # What was left out as impossible, in sentences for the runner.
    notes: tuple[str, ...] = ()


class TrackError(ValueError):
    """A file refused, with a reason a runner can read (str(error))."""


class _Sample(NamedTuple):  # a point with a time as the file gives it, the time in UTC
    time: datetime
    lat: float | None
    lon: float | None
    elevation: float | None
    distance: float | None
    heart_rate: float | None = None
    cadence: float | None = None


# What the readers raise on damaged content. LookupError: an unknown XML encoding;
# AssertionError: fitdecode checks some chunk sizes with assert.
_DAMAGED = (ValueError, TypeError, LookupError, ArithmeticError, AssertionError, struct.error)

_ENTITIES_REFUSED = "This file declares XML entities, which are refused for safety."
_FORMAT_NAMES = {"gpx": "GPX", "tcx": "TCX", "fit": "FIT"}
_XML_ROOT = re.compile(rb"<(?:[\w.-]+:)?(gpx|TrainingCenterDatabase)[\s/>]")
# TCX says Biking; Strava's GPX exports give the activity type as a number (9 run, 1 ride).
_SPORT_ALIASES = {"run": "running", "biking": "cycling", "9": "running", "1": "cycling"}


def parse_track(filename: str, data: bytes, *, now: datetime | None = None) -> ParsedTrack:
    """Read a GPX, TCX or FIT file (optionally gzipped) into a checked track.

    The format comes from the content; the extension only decides which format a damaged
    file was meant to be. Points without a time are skipped and points repeating the previous
    time are dropped. Impossible points are left out, and said so in `notes`: a point whose
    time goes back (before a point kept already), and a move faster than anyone can run
    (`MAX_RUNNING_SPEED_MPS`): a point off on its own is dropped, and a jump the track goes
    on from adds no distance. Refused with a `TrackError`: empty, over `MAX_FILE_BYTES` (also
    once unzipped), not GPX/TCX/FIT, damaged, XML with entities, no timed points or only one,
    more than a fifth of the points going back in time or jumping, times more than a day
    after `now` (default: the current time), positions off the globe, over 1,000 km or
    lasting more than 7 days.

    Distances come from the file's own distance stream when it has one (FIT, TCX), else from
    the positions by the haversine formula. `moving_s` counts each gap between two points
    whose average speed is at least 0.5 m/s, so a pause (a gap over 30 s with little
    movement) or standing still counts as stopped; a file with no distance at all only
    counts gaps of 30 s or less. `elevation_gain_m` uses a 2 m hysteresis: the reference
    level moves only when the elevation leaves a band of 2 m around it, and each move up adds
    to the gain, so GPS noise under 2 m never climbs.
    """
    if not data:
        raise TrackError("The file is empty.")
    if len(data) > MAX_FILE_BYTES:
        raise TrackError(f"The file is larger than {MAX_FILE_BYTES // 2**20} MB.")
    name = filename.lower().removesuffix(".gz")
    if data.startswith(b"\x1f\x8b"):
        data = _gunzip(data)
    kind = _detect_format(name, data)
    label = _FORMAT_NAMES[kind]
    try:
        with _collection_paused():
            samples, sport = _READERS[kind](data)
            return _build_track(samples, sport, kind, _utc(now) if now else datetime.now(UTC))
    except TrackError:
        raise
    except (*_DAMAGED, ParseError, FitError) as error:
        raise TrackError(f"This {label} file is damaged and cannot be read.") from error


MAX_ROUTE_POINTS = 2000


def parse_route(filename: str, data: bytes) -> list[tuple[float, float]]:
    """A planned route's positions from a GPX file (track or route points; no times needed),
    thinned to at most MAX_ROUTE_POINTS. Refused with a `TrackError` like `parse_track`."""
    if not data:
        raise TrackError("The file is empty.")
    if len(data) > MAX_FILE_BYTES:
        raise TrackError(f"The file is larger than {MAX_FILE_BYTES // 2**20} MB.")
    if data.startswith(b"\x1f\x8b"):
        data = _gunzip(data)
    if _detect_format(filename.lower().removesuffix(".gz"), data) != "gpx":
        raise TrackError("A route must be a GPX file.")
    try:
        root = _safe_xml(data)
    except (*_DAMAGED, ParseError) as error:
        raise TrackError("This GPX file is damaged and cannot be read.") from error
    ns = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    elements = list(root.iter(f"{ns}trkpt")) or list(root.iter(f"{ns}rtept"))
    positions = []
    for element in elements:
        lat, lon = _number(element.get("lat")), _number(element.get("lon"))
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise TrackError("This GPX file has a point off the globe.")
        positions.append((lat, lon))
    if len(positions) < 2:
        raise TrackError("This GPX file has no route in it.")
    step = -(-len(positions) // MAX_ROUTE_POINTS)
    return positions[::step] if step > 1 else positions


@contextmanager
def _collection_paused() -> Iterator[None]:
    # Reading a track allocates some 100,000 objects that all stay alive, and the garbage
    # collector scanned them again and again: 200 ms of a 3-hour GPX's 270 ms went to it.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _gunzip(data: bytes) -> bytes:
    # Reading at most one byte past the cap bounds the memory a gzip bomb can take.
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            content = stream.read(MAX_FILE_BYTES + 1)
    except (OSError, EOFError, zlib.error) as error:
        raise TrackError("This .gz file is damaged and cannot be unpacked.") from error
    if len(content) > MAX_FILE_BYTES:
        raise TrackError(f"Unpacked, the file is larger than {MAX_FILE_BYTES // 2**20} MB.")
    if not content:
        raise TrackError("The file is empty.")
    return content


def _detect_format(name: str, data: bytes) -> str:
    if len(data) >= 12 and data[0] in (12, 14) and data[8:12] == b".FIT":
        return "fit"
    root = _XML_ROOT.search(data, 0, 64 * 1024)
    if root:
        return "gpx" if root.group(1) == b"gpx" else "tcx"
    extension = name.rpartition(".")[2]
    if extension in _FORMAT_NAMES:
        return extension
    raise TrackError("This is not a GPX, TCX or FIT file.")


def _safe_xml(data: bytes) -> Element:
    # Entities can only be declared in the DTD, before the root element, so defusedxml
    # checks the document up to the root's start tag; the C parser then reads it all,
    # several times faster than defusedxml's pure-Python tree builder.
    try:
        next(iterparse(io.BytesIO(data), events=("start",)), None)
    except DefusedXmlException as error:
        raise TrackError(_ENTITIES_REFUSED) from error
    return ElementTree.fromstring(data)  # noqa: S314 (checked just above)


# GPX is read with ElementTree as well: gpxpy, measured on an 11,000-point
# file, took 450-700 ms against a 300 ms budget for parsing and analysing a 3-hour run;
# walking the few elements a track needs takes a fraction of that.
def _read_gpx(data: bytes) -> tuple[list[_Sample], str | None]:
    root = _safe_xml(data)
    ns = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    samples = []
    for point in root.iter(f"{ns}trkpt"):
        time = (point.findtext(f"{ns}time") or "").strip()
        if time:
            extensions = point.find(f"{ns}extensions")
            sensors = _gpx_sensors(extensions) if extensions is not None else {}
            samples.append(
                _Sample(
                    _utc(datetime.fromisoformat(time)),
                    _number(point.get("lat")),
                    _number(point.get("lon")),
                    _number(point.findtext(f"{ns}ele")),
                    None,
                    _number(sensors.get("hr")),
                    _steps(_number(sensors.get("cad"))),
                )
            )
    kind = root.findtext(f"{ns}trk/{ns}type")
    return samples, _sport_name(kind.strip()) if kind else None


def _gpx_sensors(extensions: Element) -> dict[str, str | None]:
    # Garmin's TrackPointExtension (v1 or v2, under whatever prefix): <hr> and <cad> in
    # it; matched by local name, as writers differ in namespaces.
    return {_local(child.tag): child.text for child in extensions.iter()}


# TCX is read here rather than with a TCX library: python-tcxparser (lxml, unhardened)
# returns one list per field, misaligned as soon as a point lacks a position (treadmills),
# and tcxreader parses with plain ElementTree and fills gaps with invented averages.
def _read_tcx(data: bytes) -> tuple[list[_Sample], str | None]:
    sport, samples = None, []
    for element in _safe_xml(data).iter():
        tag = _local(element.tag)
        if tag == "Activity" and sport is None:
            sport = _sport_name(element.get("Sport"))
        elif tag == "Trackpoint":
            # Flattened: LatitudeDegrees and LongitudeDegrees sit inside Position.
            fields = {_local(child.tag): child.text for child in element.iter()}
            time = (fields.get("Time") or "").strip()
            if not time:
                continue
            samples.append(
                _Sample(
                    _utc(datetime.fromisoformat(time)),
                    _number(fields.get("LatitudeDegrees")),
                    _number(fields.get("LongitudeDegrees")),
                    _number(fields.get("AltitudeMeters")),
                    _number(fields.get("DistanceMeters")),
                    # HeartRateBpm holds a Value; running cadence is in Garmin's
                    # ActivityExtension (RunCadence), or in Cadence from some writers.
                    _number(fields.get("Value")),
                    _steps(_number(fields.get("RunCadence") or fields.get("Cadence"))),
                )
            )
    return samples, sport


def _read_fit(data: bytes) -> tuple[list[_Sample], str | None]:
    samples, sport = [], None
    # IGNORE lets fitdecode recover, without warnings, from quirks real devices write
    # (odd field sizes, undeclared developer data); a bad CRC still refuses the file.
    with fitdecode.FitReader(
        io.BytesIO(data),
        check_crc=fitdecode.CrcCheck.RAISE,
        error_handling=fitdecode.ErrorHandling.IGNORE,
    ) as reader:
        for frame in reader:
            if not isinstance(frame, fitdecode.FitDataMessage):
                continue
            if frame.name == "record":
                time = frame.get_value("timestamp", fallback=None)
                if not isinstance(time, datetime):
                    continue
                elevation = _fit_number(frame, "enhanced_altitude")
                cadence = _fit_number(frame, "cadence")
                if cadence is not None:
                    cadence += _fit_number(frame, "fractional_cadence") or 0.0
                samples.append(
                    _Sample(
                        _utc(time),
                        _semicircles(_fit_number(frame, "position_lat")),
                        _semicircles(_fit_number(frame, "position_long")),
                        elevation if elevation is not None else _fit_number(frame, "altitude"),
                        _fit_number(frame, "distance"),
                        _fit_number(frame, "heart_rate"),
                        _steps(cadence),
                    )
                )
            elif frame.name in ("session", "sport") and sport is None:
                sport = _sport_name(frame.get_value("sport", fallback=None))
    return samples, sport


_READERS: dict[str, Callable[[bytes], tuple[list[_Sample], str | None]]] = {
    "gpx": _read_gpx,
    "tcx": _read_tcx,
    "fit": _read_fit,
}


def _local(tag: Any) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _number(text: str | None) -> float | None:
    return float(text) if text is not None and text.strip() else None


def _fit_number(frame: fitdecode.FitDataMessage, name: str) -> float | None:
    value = frame.get_value(name, fallback=None)
    # A damaged definition can turn a number into a tuple or bytes: treat it as missing.
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _steps(strides: float | None) -> float | None:
    # GPX, TCX and FIT count a runner's cadence in strides (one foot) per minute; people
    # read steps per minute (both feet), as watches show it.
    return strides * 2 if strides is not None else None


def _semicircles(value: float | None) -> float | None:
    return value * 180.0 / 2**31 if value is not None else None


def _sport_name(value: object) -> str | None:
    text = str(value).strip().lower().replace(" ", "_") if value is not None else ""
    if text in _SPORT_ALIASES:
        return _SPORT_ALIASES[text]
    return text if text and not text.isdigit() and len(text) <= 40 else None


def _utc(moment: datetime) -> datetime:
    """The moment in UTC; a time without a zone is taken as UTC, as GPX and TCX intend."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _checked(sample: _Sample) -> _Sample:
    lat, lon = sample.lat, sample.lon
    if lat is None or lon is None:
        lat = lon = None
    elif not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise TrackError("The file has a position outside the valid latitudes and longitudes.")
    elevation = sample.elevation
    low, high = _ELEVATION_RANGE_M
    if elevation is not None and not low <= elevation <= high:
        elevation = None
    distance = sample.distance
    if distance is not None and not (math.isfinite(distance) and distance >= 0):
        distance = None
    return _Sample(
        sample.time,
        lat,
        lon,
        elevation,
        distance,
        _in_range(sample.heart_rate, _HEART_RATE_RANGE),
        _in_range(sample.cadence, _CADENCE_RANGE_SPM),
    )


def _in_range(value: float | None, bounds: tuple[float, float]) -> float | None:
    return value if value is not None and bounds[0] <= value <= bounds[1] else None


def _in_time_order(samples: list[_Sample]) -> tuple[list[_Sample], int]:
    """The samples whose time moves on, checked, and how many went back in time.

    A sample repeating the time before it adds nothing: dropped without a word (devices
    write them at lap marks). One going back is dropped and counted: a device's clock that
    jumps back (a GPS time fix) replays seconds already run, which would otherwise turn the
    distance run meanwhile into a move made in no time.
    """
    points: list[_Sample] = []
    went_back = 0
    for sample in samples:
        if points and sample.time <= points[-1].time:
            went_back += sample.time < points[-1].time
            continue
        points.append(_checked(sample))
    return points, went_back


def _plausible(points: list[_Sample]) -> tuple[list[_Sample], list[float], int]:
    """The points kept, their cumulative distances, and how many moves were impossible.

    A move is impossible when it is faster than `MAX_RUNNING_SPEED_MPS`. When the next point
    is within reach of the last one kept, the point in between was off on its own (a GPS
    jump) and is dropped; otherwise the track goes on from the new place (the GPS came back
    elsewhere, a clock jumped): the point is kept and the jump adds no distance. Either way
    no best effort can run through the impossible move.

    Distances come from the file's own distance stream when it has one (FIT, TCX): the
    device's odometer (footpod, filtered GPS) beats our haversine over the positions. Its
    missing values repeat the last one and it never goes down: in the points kept,
    `distance` is that odometer, and a leap of it is a jump like any other.
    """
    stream = any(p.distance is not None for p in points)
    move = _odometer_move if stream else _haversine
    first = points[0]
    if stream:
        first = first._replace(distance=max(0.0, first.distance or 0.0))
    kept, totals, impossible = [first], [first.distance or 0.0], 0
    for index, point in enumerate(points[1:], start=1):
        last = kept[-1]
        step = move(last, point)
        if not _possible(step, last, point):
            impossible += 1
            following = points[index + 1] if index + 1 < len(points) else None
            if following is not None and _possible(move(last, following), last, following):
                continue
            step = 0.0
        if stream:
            point = point._replace(distance=(last.distance or 0.0) + move(last, point))
        kept.append(point)
        totals.append(totals[-1] + step)
    return kept, totals, impossible


def _odometer_move(last: _Sample, point: _Sample) -> float:
    return max(0.0, (point.distance or 0.0) - (last.distance or 0.0))


def _possible(metres: float, start: _Sample, end: _Sample) -> bool:
    return metres <= MAX_RUNNING_SPEED_MPS * (end.time - start.time).total_seconds()


def _left_out(went_back: int, impossible: int) -> tuple[str, ...]:
    notes = []
    if went_back:
        notes.append(f"Left out {_count(went_back, 'point')} whose time went back.")
    if impossible:
        notes.append(
            f"Left out {_count(impossible, 'jump')} faster than anyone can run "
            f"(over {MAX_RUNNING_SPEED_MPS:g} m/s)."
        )
    return tuple(notes)


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def _build_track(
    samples: list[_Sample], sport: str | None, kind: str, now: datetime
) -> ParsedTrack:
    points, went_back = _in_time_order(samples)
    if not points:
        raise TrackError("The file has no track points with a time.")
    if len(points) < 2:
        raise TrackError("The file has only one point with a time; a track needs two or more.")
    points, distances, impossible = _plausible(points)
    if went_back + impossible > MAX_IMPOSSIBLE_SHARE * len(samples):
        raise TrackError(
            f"{went_back + impossible:,} of the file's {len(samples):,} points go back in time "
            f"or jump faster than anyone can run (over {MAX_RUNNING_SPEED_MPS:g} m/s), too "
            "many to leave out. Check the clock and GPS of the device that recorded it."
        )
    start, end = points[0].time, points[-1].time
    if end > now + FUTURE_TOLERANCE:
        raise TrackError(f"The file has times in the future ({end:%Y-%m-%d %H:%M} UTC).")
    if end - start > MAX_ELAPSED:
        raise TrackError("The track lasts more than 7 days, too long for one activity.")
    if distances[-1] > MAX_DISTANCE_M:
        raise TrackError("The track is over 1,000 km long, too long for one activity.")
    track = [
        TrackPoint(p.time, p.lat, p.lon, p.elevation, d, p.heart_rate, p.cadence)
        for p, d in zip(points, distances, strict=True)
    ]
    return ParsedTrack(
        points=track,
        start_time=start,
        distance_m=distances[-1],
        elapsed_s=(end - start).total_seconds(),
        moving_s=_moving_seconds(track),
        elevation_gain_m=_elevation_gain(p.elevation for p in track),
        sport=sport,
        source_format=kind,
        notes=_left_out(went_back, impossible),
    )


def _haversine(a: _Sample, b: _Sample) -> float:
    if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
        return 0.0
    return surface_distance_m(a.lat, a.lon, b.lat, b.lon)


def surface_distance_m(lat_a: float, lon_a: float, lat_b: float, lon_b: float) -> float:
    """Metres between two positions along the Earth's surface (haversine)."""
    lat1, lat2 = math.radians(lat_a), math.radians(lat_b)
    half_dlat = (lat2 - lat1) / 2
    half_dlon = math.radians(lon_b - lon_a) / 2
    h = math.sin(half_dlat) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(half_dlon) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def _moving_seconds(points: list[TrackPoint]) -> float:
    has_distance = points[-1].distance > 0
    moving = timedelta()  # summed exactly, so it never exceeds the elapsed time
    for a, b in pairwise(points):
        gap = b.time - a.time
        if has_distance:
            if b.distance - a.distance >= MOVING_SPEED_MPS * gap.total_seconds():
                moving += gap
        elif gap.total_seconds() <= PAUSE_GAP_S:
            moving += gap
    return moving.total_seconds()


def _elevation_gain(elevations: Iterable[float | None]) -> float:
    gain, level = 0.0, None
    for elevation in elevations:
        if elevation is None:
            continue
        if level is None or elevation <= level - CLIMB_THRESHOLD_M:
            level = elevation
        elif elevation >= level + CLIMB_THRESHOLD_M:
            gain += elevation - level
            level = elevation
    return gain


# Storage: a version byte, then zlib over a point count and columns of little-endian int64
# (time in ms since 1970, lat and lon in 1e-7 degrees, elevation and distance in
# decimetres; since version 2 also heart rate and cadence, whole), each value stored as
# its difference from the previous one, which zlib packs to a few bits. Version 1 blobs
# (five columns, stored before heart rate and cadence were kept) are still read.
_CODEC_VERSION = 2
_COLUMNS_OF_VERSION = {1: 5, 2: 7}
_MISSING = -(2**31)  # a None in the lat, lon, elevation, heart rate and cadence columns
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def encode_points(points: Sequence[TrackPoint]) -> bytes:
    """Pack points into a compact blob for storage; `decode_points` reads it back.

    Precision: times to the millisecond, latitude and longitude to 1e-7 degrees (about
    1 cm), elevation and distance to 0.1 m, heart rate and cadence to a whole beat or
    step. None positions, elevations, heart rates and cadences are kept.
    """
    columns = (
        [round((p.time - _EPOCH) / timedelta(milliseconds=1)) for p in points],
        [_scaled(p.lat, 1e7) for p in points],
        [_scaled(p.lon, 1e7) for p in points],
        [_scaled(p.elevation, 10) for p in points],
        [round(p.distance * 10) for p in points],
        [_scaled(p.heart_rate, 1) for p in points],
        [_scaled(p.cadence, 1) for p in points],
    )
    deltas = [b - a for column in columns for a, b in pairwise([0, *column])]
    body = struct.pack(f"<I{len(deltas)}q", len(points), *deltas)
    return bytes([_CODEC_VERSION]) + zlib.compress(body)


def decode_points(blob: bytes) -> list[TrackPoint]:
    """Unpack a blob made by `encode_points`; a blob that is not one raises ValueError."""
    columns = _COLUMNS_OF_VERSION.get(blob[0]) if blob else None
    if columns is None:
        raise ValueError("Not a track blob of a known version.")
    try:
        body = zlib.decompress(blob[1:])
        (count,) = struct.unpack_from("<I", body)
        deltas = struct.unpack(f"<{columns * count}q", body[4:])
    except (zlib.error, struct.error) as error:
        raise ValueError("The track blob is damaged.") from error
    unpacked = [list(accumulate(deltas[k * count : (k + 1) * count])) for k in range(columns)]
    times, lats, lons, elevations, distances = unpacked[:5]
    absent = [_MISSING] * count
    heart_rates, cadences = unpacked[5:] or (absent, absent)
    return [
        TrackPoint(
            time=_EPOCH + timedelta(milliseconds=ms),
            lat=_unscaled(lat, 1e7),
            lon=_unscaled(lon, 1e7),
            elevation=_unscaled(elevation, 10),
            distance=distance / 10,
            heart_rate=_unscaled(heart_rate, 1),
            cadence=_unscaled(cadence, 1),
        )
        for ms, lat, lon, elevation, distance, heart_rate, cadence in zip(
            times, lats, lons, elevations, distances, heart_rates, cadences, strict=True
        )
    ]


def _scaled(value: float | None, scale: float) -> int:
    return _MISSING if value is None else round(value * scale)


def _unscaled(value: int, scale: float) -> float | None:
    return None if value == _MISSING else value / scale

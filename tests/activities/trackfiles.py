"""Builders of run files for the track tests: GPX, TCX, FIT, gzip and zip, and bombs.

GPX is written by gpxpy, TCX as XML text by ElementTree, FIT by Garmin's own FIT SDK
(garmin-fit-sdk), so the parsers meet files made by real writers.
"""

import functools
import gzip
import io
import math
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import gpxpy.gpx
from garmin_fit_sdk import Encoder, Profile

from community.activities.tracks import TrackPoint

T0 = datetime(2024, 5, 1, 7, 0, tzinfo=UTC)
NOW = datetime(2024, 6, 1, tzinfo=UTC)
TCX_NAMESPACE = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
TPX_NAMESPACE = "http://www.garmin.com/xmlschemas/TrackPointExtension/v1"
TCX_EXTENSION_NAMESPACE = "http://www.garmin.com/xmlschemas/ActivityExtension/v2"
EARTH_RADIUS_M = 6_371_008.8
_MESG = Profile["mesg_num"]


def surface_distance(a: TrackPoint, b: TrackPoint) -> float:
    """Great-circle metres between two positions, from the chord between them.

    Deliberately not the haversine formula the module uses, so the two check each other.
    """
    assert a.lat is not None and a.lon is not None and b.lat is not None and b.lon is not None

    def unit(lat: float, lon: float) -> tuple[float, float, float]:
        phi, lam = math.radians(lat), math.radians(lon)
        return math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi)

    chord = math.dist(unit(a.lat, a.lon), unit(b.lat, b.lon))
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, chord / 2))


def make_points(
    count: int = 10,
    *,
    start: datetime = T0,
    step_s: float = 5.0,
    step_m: float = 15.0,
    lat: float = 51.5,
    lon: float = -0.12,
    elevations: Sequence[float | None] | None = None,
    positions: bool = True,
) -> list[TrackPoint]:
    """A run due north at constant pace; without positions, a treadmill run of that pace."""
    step_deg = math.degrees(step_m / EARTH_RADIUS_M)
    return [
        TrackPoint(
            time=start + timedelta(seconds=k * step_s),
            lat=lat + k * step_deg if positions else None,
            lon=lon if positions else None,
            elevation=elevations[k] if elevations is not None else 20.0,
            distance=k * step_m,
        )
        for k in range(count)
    ]


def clock_stepped_back(
    points: Sequence[TrackPoint], *, after: int, seconds: float
) -> list[TrackPoint]:
    """The points as a device writes them when its clock jumps back `seconds` after point
    `after` (a GPS time fix mid-run): later points carry times already used."""
    shift = timedelta(seconds=seconds)
    return [
        replace(point, time=point.time - shift) if k > after else point
        for k, point in enumerate(points)
    ]


def teleported(points: Sequence[TrackPoint], index: int, *, east_m: float) -> list[TrackPoint]:
    """The points with one position thrown `east_m` metres east, a GPS jump off the route."""
    point = points[index]
    assert point.lat is not None and point.lon is not None
    step_deg = math.degrees(east_m / (EARTH_RADIUS_M * math.cos(math.radians(point.lat))))
    return [*points[:index], replace(point, lon=point.lon + step_deg), *points[index + 1 :]]


def with_distances(points: Sequence[TrackPoint]) -> list[TrackPoint]:
    """The points with cumulative distances measured along their positions."""
    total, result = 0.0, []
    for k, point in enumerate(points):
        if k:
            total += surface_distance(points[k - 1], point)
        result.append(TrackPoint(point.time, point.lat, point.lon, point.elevation, distance=total))
    return result


def gpx_bytes(
    points: Sequence[TrackPoint], *, sport: str | None = None, timed: bool = True
) -> bytes:
    """A GPX track; heart rate and cadence (in strides, one foot, as Garmin writes it) go
    into Garmin's TrackPointExtension when the points have them."""
    segment = gpxpy.gpx.GPXTrackSegment()
    for point in points:
        written = gpxpy.gpx.GPXTrackPoint(
            latitude=point.lat,
            longitude=point.lon,
            elevation=point.elevation,
            time=point.time if timed else None,
        )
        if point.heart_rate is not None or point.cadence is not None:
            extension = ElementTree.Element(f"{{{TPX_NAMESPACE}}}TrackPointExtension")
            if point.heart_rate is not None:
                hr = ElementTree.SubElement(extension, f"{{{TPX_NAMESPACE}}}hr")
                hr.text = str(round(point.heart_rate))
            if point.cadence is not None:
                cad = ElementTree.SubElement(extension, f"{{{TPX_NAMESPACE}}}cad")
                cad.text = str(round(point.cadence / 2))
            written.extensions.append(extension)
        segment.points.append(written)
    track = gpxpy.gpx.GPXTrack()
    track.type = sport
    track.segments.append(segment)
    gpx = gpxpy.gpx.GPX()
    gpx.nsmap["gpxtpx"] = TPX_NAMESPACE
    gpx.tracks.append(track)
    return gpx.to_xml().encode()


def tcx_bytes(
    points: Sequence[TrackPoint], *, sport: str = "Running", distances: bool = True
) -> bytes:
    def add(parent: ElementTree.Element, tag: str, text: object = None) -> ElementTree.Element:
        child = ElementTree.SubElement(parent, tag)
        child.text = None if text is None else str(text)
        return child

    root = ElementTree.Element("TrainingCenterDatabase", xmlns=TCX_NAMESPACE)
    activity = ElementTree.SubElement(add(root, "Activities"), "Activity", Sport=sport)
    add(activity, "Id", _iso(points[0].time))
    lap = ElementTree.SubElement(activity, "Lap", StartTime=_iso(points[0].time))
    add(lap, "TotalTimeSeconds", (points[-1].time - points[0].time).total_seconds())
    track = add(lap, "Track")
    for point in points:
        trackpoint = add(track, "Trackpoint")
        add(trackpoint, "Time", _iso(point.time))
        if point.lat is not None:
            position = add(trackpoint, "Position")
            add(position, "LatitudeDegrees", repr(point.lat))
            add(position, "LongitudeDegrees", repr(point.lon))
        if point.elevation is not None:
            add(trackpoint, "AltitudeMeters", repr(point.elevation))
        if distances:
            add(trackpoint, "DistanceMeters", repr(point.distance))
        if point.heart_rate is not None:
            add(add(trackpoint, "HeartRateBpm"), "Value", round(point.heart_rate))
        if point.cadence is not None:
            extensions = add(trackpoint, "Extensions")
            tpx = ElementTree.SubElement(extensions, "TPX", xmlns=TCX_EXTENSION_NAMESPACE)
            add(tpx, "RunCadence", round(point.cadence / 2))
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def fit_bytes(points: Sequence[TrackPoint], *, sport: str = "running") -> bytes:
    """A FIT activity; FIT keeps whole seconds and 1/5 m of altitude, 1 cm of distance."""
    encoder = Encoder()
    start, end = points[0].time, points[-1].time
    encoder.write_mesg(
        {
            "mesg_num": _MESG["FILE_ID"],
            "type": "activity",
            "manufacturer": "development",
            "product": 0,
            "serial_number": 1,
            "time_created": start,
        }
    )
    for point in points:
        record: dict[str, object] = {
            "mesg_num": _MESG["RECORD"],
            "timestamp": point.time,
            "distance": point.distance,
        }
        if point.lat is not None and point.lon is not None:
            record["position_lat"] = round(point.lat / 180 * 2**31)
            record["position_long"] = round(point.lon / 180 * 2**31)
        if point.elevation is not None:
            record["enhanced_altitude"] = point.elevation
        if point.heart_rate is not None:
            record["heart_rate"] = round(point.heart_rate)
        if point.cadence is not None:
            # FIT counts strides (one foot) per minute, halves in fractional_cadence.
            strides = point.cadence / 2
            record["cadence"] = int(strides)
            record["fractional_cadence"] = strides - int(strides)
        encoder.write_mesg(record)
    encoder.write_mesg(
        {
            "mesg_num": _MESG["SESSION"],
            "timestamp": end,
            "start_time": start,
            "sport": sport,
            "total_elapsed_time": (end - start).total_seconds(),
            "total_distance": points[-1].distance,
        }
    )
    return encoder.close()


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def billion_laughs_gpx() -> bytes:
    """A GPX whose one entity expands to 10^9 "lol"s (3 GB) when a parser resolves it."""
    levels = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{k} "{f"&lol{k - 1};" * 10}">' for k in range(1, 10)
    ]
    doctype = "<!DOCTYPE gpx [" + "".join(levels) + "]>"
    body = '<gpx version="1.1" creator="x"><trk><name>&lol9;</name></trk></gpx>'
    return f'<?xml version="1.0"?>{doctype}{body}'.encode()


def external_entity_gpx(path: str) -> bytes:
    """A GPX that asks the parser to read a local file into an element (XXE)."""
    return (
        f'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY x SYSTEM "file://{path}">]>'
        '<gpx version="1.1" creator="x"><trk><name>&x;</name></trk></gpx>'
    ).encode()


def external_entity_tcx(path: str) -> bytes:
    """A TCX that asks the parser to read a local file into an element (XXE)."""
    return (
        f'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY x SYSTEM "file://{path}">]>'
        f'<TrainingCenterDatabase xmlns="{TCX_NAMESPACE}"><Author>&x;</Author>'
        "</TrainingCenterDatabase>"
    ).encode()


@functools.cache
def deflated_zeros(size: int) -> tuple[bytes, int]:
    """A raw deflate stream of `size` zero bytes (a multiple of 1 MiB), and its CRC-32.

    Built in about a second without compressing `size` bytes: after a full flush the
    compressor forgets its history, so every further MiB of zeros compresses to the same
    block, which is repeated.
    """
    chunk = bytes(2**20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(size // len(chunk)):
        crc = zlib.crc32(chunk, crc)
    return block * (size // len(chunk)) + b"\x03\x00", crc  # 03 00: an empty final block


def gzip_bomb(size: int) -> bytes:
    """A valid gzip file of `size` zero bytes."""
    stream, crc = deflated_zeros(size)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    return header + stream + crc.to_bytes(4, "little") + (size % 2**32).to_bytes(4, "little")


def zip_with_forged_member(
    name: str,
    stored: bytes,
    *,
    file_size: int | None = None,
    crc: int | None = None,
    deflated: bool = False,
    encrypted: bool = False,
) -> bytes:
    """A zip whose central directory says what the arguments say about one member.

    zipfile trusts the central directory, so a member stored as `stored` can claim another
    size, CRC, compression or encryption.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr(name, stored)
        member = archive.getinfo(name)
        if file_size is not None:
            member.file_size = file_size
        if crc is not None:
            member.CRC = crc
        if deflated:
            member.compress_type = zipfile.ZIP_DEFLATED
        if encrypted:
            member.flag_bits |= 0x1
    return buffer.getvalue()


def zip_bomb(size: int) -> bytes:
    """A zip with one honest member, `activities/bomb.gpx`, of `size` zero bytes."""
    stream, crc = deflated_zeros(size)
    return zip_with_forged_member(
        "activities/bomb.gpx", stream, file_size=size, crc=crc, deflated=True
    )


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")

"""Runs from files: GPX, TCX, FIT (also gzipped) and zip archives of them.

Each file is its own unit: a refused file stores nothing, and a good file next to it in an
archive is still imported. The same file uploaded twice is recognised by its content hash.
"""

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from community.accounts.models import User
from community.activities import analysis, records
from community.activities.archives import ArchiveError, iter_archive
from community.activities.events import RunChange, RunSnapshot, announce
from community.activities.models import BestEffort, Run, RunTrack
from community.activities.services import default_title, lock_runner
from community.activities.tracks import ParsedTrack, TrackError, encode_points, parse_track
from community.extensions import db

Status = Literal["imported", "duplicate", "refused"]


@dataclass(frozen=True)
class ImportResult:
    filename: str
    status: Status
    message: str
    run_id: int | None = None


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _duplicate_of(user: User, digest: str) -> int | None:
    return db.session.scalar(select(Run.id).where(Run.user_id == user.id, Run.file_hash == digest))


def import_file(user: User, filename: str, data: bytes, *, now: datetime) -> ImportResult:
    """Parse one track file and store it as a run with its track and best efforts."""
    digest = content_hash(data)
    if (existing := _duplicate_of(user, digest)) is not None:
        return ImportResult(filename, "duplicate", "Already imported.", existing)
    try:
        track = parse_track(filename, data, now=now)
    except TrackError as error:
        return ImportResult(filename, "refused", str(error))
    lock_runner(user.id)
    try:
        with db.session.begin_nested():
            run = _store(user, track, digest, now)
    except IntegrityError:
        # The same file, uploaded at the same moment by another request of this runner.
        return ImportResult(filename, "duplicate", "Already imported.", _duplicate_of(user, digest))
    announce(RunChange("created", None, RunSnapshot.of(run), at=now))
    flagged = [records.suspect_notice(run.suspect_reason)] if run.suspect_reason else []
    message = " ".join(("Imported.", *track.notes, *flagged))
    return ImportResult(filename, "imported", message, run.id)


def _store(user: User, track: ParsedTrack, digest: str, now: datetime) -> Run:
    efforts = analysis.best_efforts(*track_series(track))
    run = Run(
        user_id=user.id,
        created_at=now,
        title=default_title(track.start_time, user),
        run_type="easy",
        visibility=user.default_visibility,
        start_time=track.start_time,
        distance_m=track.distance_m,
        duration_s=track.elapsed_s,
        moving_s=track.moving_s or None,
        elevation_gain_m=track.elevation_gain_m,
        source=track.source_format,
        file_hash=digest,
        suspect_reason=records.efforts_reason(efforts),
    )
    db.session.add(run)
    db.session.flush()
    start = next((p for p in track.points if p.lat is not None and p.lon is not None), None)
    db.session.add(
        RunTrack(
            run_id=run.id,
            point_count=len(track.points),
            points=encode_points(track.points),
            start_lat=start.lat if start else None,
            start_lon=start.lon if start else None,
        )
    )
    for label, seconds in efforts.items():
        db.session.add(
            BestEffort(
                run_id=run.id,
                user_id=user.id,
                label=label,
                distance_m=analysis.BEST_EFFORT_DISTANCES[label],
                duration_s=seconds,
                achieved_at=run.start_time,
            )
        )
    db.session.flush()
    return run


def track_series(track: ParsedTrack) -> tuple[list[float], list[float]]:
    """Cumulative metres and seconds since the start, the input of the analysis."""
    start = track.points[0].time
    return (
        [point.distance for point in track.points],
        [(point.time - start).total_seconds() for point in track.points],
    )


def is_archive(filename: str, data: bytes) -> bool:
    return filename.lower().endswith(".zip") or data[:4] == b"PK\x03\x04"


def import_upload(
    user: User, filename: str, data: bytes, *, now: datetime
) -> Iterator[ImportResult]:
    """Import one uploaded file or every track in a zip archive, yielding a result per file.

    The caller commits after each result, so a long archive keeps what it has imported.
    """
    if not is_archive(filename, data):
        yield import_file(user, filename, data, now=now)
        return
    try:
        for member, payload in iter_archive(filename, data):
            if isinstance(payload, TrackError):
                yield ImportResult(member, "refused", str(payload))
            else:
                yield import_file(user, member, payload, now=now)
    except ArchiveError as error:
        yield ImportResult(filename, "refused", str(error))

"""Run files out of a zip archive, such as the export from Strava's "download your data".

Everything happens in memory: nothing is extracted to disk, so member names can never
escape a folder. Members are read through the standard library's zipfile, which stops at
each member's declared size and checks its CRC.
"""

import io
import struct
import zipfile
import zlib
from collections.abc import Iterator

from community.activities.tracks import MAX_FILE_BYTES, TrackError

MAX_ARCHIVE_BYTES = 200 * 1024 * 1024
MAX_MEMBERS = 2_000
MAX_TOTAL_BYTES = 1024 * 1024 * 1024  # uncompressed, all track files together
MAX_RATIO = 100
# Small members may compress very well without being a bomb.
_RATIO_CHECKED_FROM_BYTES = 1024 * 1024
_TRACK_SUFFIXES = (".gpx", ".tcx", ".fit")
_CENTRAL_DIRECTORY_ENTRY = b"PK\x01\x02"
# What zipfile raises, besides BadZipFile, on headers pointing at impossible places.
_DAMAGED = (OSError, EOFError, ValueError, struct.error)


class ArchiveError(TrackError):
    """The archive as a whole is refused, with a reason a runner can read."""


def iter_archive(filename: str, data: bytes) -> Iterator[tuple[str, bytes | TrackError]]:
    """Yield (member name, content) for each GPX, TCX or FIT member (or its .gz) of a zip.

    Folders and other files (CSV, photos, macOS resource forks) are skipped. A member that
    cannot be read safely is yielded with a `TrackError` instead of its content: encrypted,
    over `MAX_FILE_BYTES` uncompressed (as declared, and as read), compressed more than
    `MAX_RATIO`:1 when over 1 MB, or damaged. Raises `ArchiveError` on the first `next()`,
    before any member is read, when the archive is not a zip or exceeds 200 MB, 2,000
    members or 1 GB of track files uncompressed.
    """
    if len(data) > MAX_ARCHIVE_BYTES:
        raise ArchiveError(f"The archive is larger than {MAX_ARCHIVE_BYTES // 2**20} MB.")
    # zipfile builds an object per entry before we could count them; this bounds that work.
    # Stored members holding zips may add to the count, never hide an entry.
    if data.count(_CENTRAL_DIRECTORY_ENTRY) > MAX_MEMBERS:
        raise _too_many_members()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, NotImplementedError, *_DAMAGED) as error:
        raise ArchiveError(f"{filename} is not a zip archive, or it is damaged.") from error
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise _too_many_members()
        tracks = [member for member in members if _is_track(member)]
        # zipfile never reads past a member's declared size, so this bounds what is read.
        declared = sum(m.file_size for m in tracks if m.file_size <= MAX_FILE_BYTES)
        if declared > MAX_TOTAL_BYTES:
            limit_gb = MAX_TOTAL_BYTES // 2**30
            raise ArchiveError(f"Unpacked, the run files in the archive exceed {limit_gb} GB.")
        for member in tracks:
            content: bytes | TrackError
            try:
                content = _read(archive, member)
            except TrackError as error:
                content = error
            yield member.filename, content


def _is_track(member: zipfile.ZipInfo) -> bool:
    name = member.filename.lower()
    base = name.rpartition("/")[2]
    # An empty base name is a folder; "._" files and __MACOSX/ are macOS resource forks.
    if not base or base.startswith("._") or name.startswith("__macosx/"):
        return False
    return name.removesuffix(".gz").endswith(_TRACK_SUFFIXES)


def _read(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bytes:
    limit_mb = MAX_FILE_BYTES // 2**20
    if member.flag_bits & 0x1:
        raise TrackError("This file is encrypted; export it without a password.")
    if member.file_size > MAX_FILE_BYTES:
        raise TrackError(f"Unpacked, this file is larger than {limit_mb} MB.")
    if (
        member.file_size > _RATIO_CHECKED_FROM_BYTES
        and member.file_size > MAX_RATIO * member.compress_size
    ):
        raise TrackError("This file is compressed suspiciously well, like a zip bomb.")
    try:
        with archive.open(member) as stream:
            content = stream.read(MAX_FILE_BYTES + 1)
    except NotImplementedError as error:
        raise TrackError("This file is compressed in a way we cannot read.") from error
    except (zipfile.BadZipFile, zlib.error, *_DAMAGED) as error:
        raise TrackError("This file is damaged in the archive and cannot be read.") from error
    # zipfile stops at the declared size, already checked; this guards the guard.
    if len(content) > MAX_FILE_BYTES:
        raise TrackError(f"Unpacked, this file is larger than {limit_mb} MB.")
    return content


def _too_many_members() -> ArchiveError:
    return ArchiveError(f"The archive holds more than {MAX_MEMBERS:,} files.")

"""Unpacking an uploaded course zip into a folder, safely.

An upload comes from a browser, so the zip is treated as hostile: its size, its number of
members and the bytes it unpacks to are capped (a small zip can expand to gigabytes), and every
member must be a plain file whose name stays inside the target folder (no absolute paths, no
'..', no symbolic links). The course may sit at the top of the zip or inside one top folder, as
made by "compress this folder" on any desktop."""

from __future__ import annotations

import io
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from app.courses.content import COURSE_FILE
from app.errors import InvalidInput
from app.text import nfc

MAX_MEMBERS = 2000
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_NAME_LENGTH = 400
CHUNK = 64 * 1024
# Added by desktop zip tools, never part of a course.
JUNK_PREFIXES = ("__MACOSX/",)
JUNK_NAMES = (".DS_Store", "Thumbs.db", "desktop.ini")


@dataclass(frozen=True)
class Limits:
    max_zip_bytes: int
    max_members: int = MAX_MEMBERS
    max_unpacked_bytes: int = MAX_UNPACKED_BYTES


def unpack_course_zip(data: bytes, target: Path, limits: Limits) -> Path:
    """Write the zip's files under `target` and return the folder that holds course.yaml."""
    if len(data) > limits.max_zip_bytes:
        raise InvalidInput("The file is too large.")
    if not data:
        raise InvalidInput("The file is empty.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise InvalidInput("The file is not a zip archive. Compress the course folder as .zip.") from exc
    with archive:
        members = _members(archive, limits)
        try:
            _extract(archive, members, target, limits)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError) as exc:
            raise InvalidInput(
                "The zip archive is damaged or uses a compression method we cannot read."
            ) from exc
        except (FileExistsError, NotADirectoryError, IsADirectoryError) as exc:
            # The same path as a file and as a folder: no folder on disk can hold both.
            raise InvalidInput("The zip holds a file and a folder with the same name.") from exc
    return _course_root(target, [name for name, _ in members])


def _members(archive: zipfile.ZipFile, limits: Limits) -> list[tuple[str, zipfile.ZipInfo]]:
    infos = archive.infolist()
    if len(infos) > limits.max_members:
        raise InvalidInput("The zip holds too many files.")
    declared = 0
    seen: set[str] = set()
    members = []
    for info in infos:
        name = _safe_name(info)
        if name is None:
            continue
        if info.flag_bits & 0x1:
            raise InvalidInput("The zip is protected by a password; upload it without one.")
        declared += info.file_size
        if declared > limits.max_unpacked_bytes:
            raise InvalidInput("The zip unpacks to more than the allowed size.")
        if name in seen:
            raise InvalidInput("The zip holds two files with the same name.")
        seen.add(name)
        members.append((name, info))
    return members


def _safe_name(info: zipfile.ZipInfo) -> str | None:
    """The member's relative path, or None for folders and desktop junk; refuses the unsafe."""
    # Zips made on Windows may separate folders with backslashes; macOS writes names decomposed.
    name = nfc(info.filename.replace("\\", "/"))
    # Only Unix-made zips (macOS, Linux) record the file type; nothing is ever unpacked as a
    # link, but a link in an upload is refused rather than silently turned into a file.
    kind = stat.S_IFMT(info.external_attr >> 16) if info.create_system == 3 else 0
    if kind == stat.S_IFLNK:
        raise InvalidInput("The zip holds a symbolic link; only plain files and folders are accepted.")
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        raise InvalidInput("The zip holds a special file; only plain files and folders are accepted.")
    if not name:
        raise InvalidInput("The zip holds a file with a name that is too long or not valid.")
    path = PurePosixPath(name)
    if name.startswith("/") or (len(name) > 1 and name[1] == ":") or ".." in path.parts:
        raise InvalidInput("The zip holds a file whose path leads outside the course folder.")
    if len(name) > MAX_NAME_LENGTH or "\0" in name or any(len(p.encode()) > 255 for p in path.parts):
        raise InvalidInput("The zip holds a file with a name that is too long or not valid.")
    if info.is_dir() or name.endswith("/"):
        return None
    if name.startswith(JUNK_PREFIXES) or path.name in JUNK_NAMES:
        return None
    parts = [part for part in path.parts if part not in ("", ".")]
    return "/".join(parts) or None


def _extract(
    archive: zipfile.ZipFile, members: list[tuple[str, zipfile.ZipInfo]], target: Path, limits: Limits
) -> None:
    root = target.resolve()
    written = 0
    for name, info in members:
        destination = (root / name).resolve()
        if not destination.is_relative_to(root):
            raise InvalidInput("The zip holds a file whose path leads outside the course folder.")
        destination.parent.mkdir(parents=True, exist_ok=True)
        # The sizes written in a zip can lie, so the bytes actually unpacked are counted too.
        with archive.open(info) as source, destination.open("xb") as sink:
            while chunk := source.read(CHUNK):
                written += len(chunk)
                if written > limits.max_unpacked_bytes:
                    raise InvalidInput("The zip unpacks to more than the allowed size.")
                sink.write(chunk)


def _course_root(target: Path, names: list[str]) -> Path:
    if COURSE_FILE in names:
        return target
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) == 1:
        top = tops.pop()
        if f"{top}/{COURSE_FILE}" in names:
            return target / top
    raise InvalidInput(
        "No course.yaml found at the top of the zip or inside its one top folder. "
        "Compress the course folder itself (the one that holds course.yaml)."
    )

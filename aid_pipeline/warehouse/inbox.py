"""Finding report files in an inbox folder and naming them safely (no Dagster import).

``report_id`` is the file name without its extension(s), as the data contract says. The Dagster
partition key is derived from it: kept as is when it is already a safe key, otherwise reduced to
safe characters plus a short hash of the full name, so two names that differ only in dropped
characters never share a key.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

_SAFE_KEY = re.compile(r"[A-Za-z0-9_\-\u4e00-\u9fff]+")
_UNSAFE_RUN = re.compile(r"[^A-Za-z0-9_\-\u4e00-\u9fff]+")
MAX_KEY_LEN = 100


@dataclass(frozen=True)
class InboxFile:
    """A report file found in the inbox: ``InboxFile(path=Path('seeds/000_x.txt'), report_id='000_x', partition_key='000_x')``."""

    path: Path
    report_id: str
    partition_key: str
    refused: str | None = None  # why it cannot be a report (hidden_file, folder, symlink, bad_file_name): quarantined, not dropped


# Operating-system and tool metadata, not reports: the only entries skipped without a quarantine row.
IGNORED_NAMES = frozenset({".DS_Store", ".gitkeep", ".gitignore", "Thumbs.db", "desktop.ini", ".directory"})


def report_id_of(file_name: str) -> str:
    """File name without its extension(s): ``'000_ab.txt.gz'`` → ``'000_ab'``; ``'.hidden'`` → ``'.hidden'``."""
    name = os.path.basename(file_name)
    stem = name.split(".", 1)[0] if not name.startswith(".") else name
    return stem or name


def partition_key_of(file_name: str) -> str:
    """A Dagster-safe, collision-free key: ``'000_ab.txt'`` → ``'000_ab'``; ``'a b.txt'`` → ``'a_b-3f1c…'``."""
    rid = report_id_of(file_name)
    if _SAFE_KEY.fullmatch(rid) and len(rid) <= MAX_KEY_LEN:
        return rid
    return _hashed_key(rid, os.path.basename(file_name))


def _hashed_key(readable: str, full_name: str) -> str:
    """Safe characters of ``readable`` plus 8 hex digits of ``full_name``'s hash: ``('a b', 'a b.txt')`` → ``'a_b-…'``."""
    cleaned = _UNSAFE_RUN.sub("_", readable).strip("_")[: MAX_KEY_LEN - 9] or "report"
    digest = hashlib.sha1(full_name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{cleaned}-{digest}"


def list_inbox(inbox: str | os.PathLike) -> list[InboxFile]:
    """Every entry directly in ``inbox``, sorted by name: ``list_inbox('seeds')`` → ``[InboxFile(...), ...]``.

    Regular files are reports. Hidden files, folders and symbolic links come back with ``refused``
    set, so they get a quarantine row saying what to do instead of vanishing; only OS metadata
    files (``IGNORED_NAMES``) are skipped.
    """
    root = Path(inbox)
    if not root.is_dir():
        raise FileNotFoundError(f"inbox folder does not exist: {root}")
    found = []
    with os.scandir(root) as entries:
        for entry in entries:
            if entry.name in IGNORED_NAMES or (entry.name.startswith(".") and entry.name.endswith(".tmp")):
                continue  # OS metadata, or a temporary file being written by a tool
            refused = (
                "bad_file_name" if not _is_utf8(entry.name)
                else "symlink" if entry.is_symlink()
                else "folder" if entry.is_dir(follow_symlinks=False)
                else "hidden_file" if entry.name.startswith(".")
                else None if entry.is_file(follow_symlinks=False)
                else "not_a_file"
            )
            found.append(InboxFile(Path(entry.path), report_id_of(printable_path(entry.name)), partition_key_of(entry.name), refused))
    found.sort(key=lambda f: f.path.name)
    return _disambiguate(found)


def _disambiguate(files: list[InboxFile]) -> list[InboxFile]:
    """Two files with one stem (``a.txt``, ``a.md``): the later one is identified by its full name."""
    seen: set[str] = set()
    out = []
    for f in files:
        if f.partition_key in seen or f.report_id in seen:
            f = InboxFile(f.path, f.path.name, _hashed_key(f.path.name, f.path.name), f.refused)
        seen.update((f.partition_key, f.report_id))
        out.append(f)
    return out


def _is_utf8(name: str) -> bool:
    """Whether a file name (as ``os`` gives it, undecodable bytes as surrogates) is valid UTF-8."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def printable_path(path: str | os.PathLike) -> str:
    """A path as text that can be stored: bytes of the name that are not UTF-8 shown as ``\\xNN``.

    ``printable_path('inbox/report-\udcff.txt')`` → ``'inbox/report-\\xff.txt'``; a valid path is unchanged.
    """
    text = os.fspath(path)
    return text if _is_utf8(text) else os.fsencode(text).decode("utf-8", "backslashreplace")


class NotRegularFile(OSError):
    """What an inbox name turned out to be when opened: ``reason`` is ``symlink`` or ``not_a_file``."""

    def __init__(self, reason: str, path) -> None:
        super().__init__(f"{printable_path(path)}: {reason}")
        self.reason = reason


def open_regular_file(path: str | os.PathLike) -> int:
    """Open a file for reading without following a symbolic link and without blocking on a FIFO, and
    check what was opened (``fstat``, not the name: the name may have been swapped since it was
    listed). Returns the descriptor; raises ``NotRegularFile`` for anything but a regular file."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # O_NOFOLLOW met a symbolic link
            raise NotRegularFile("symlink", path) from exc
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise NotRegularFile("not_a_file", path)
    return fd


class FileTooLarge(ValueError):
    """A file over the size limit, never read: ``size`` is how many bytes it has (at least)."""

    def __init__(self, size: int, max_bytes: int) -> None:
        super().__init__(f"{size:,} bytes is over the {max_bytes:,}-byte limit")
        self.size = size


def read_regular_file(path: str | os.PathLike, max_bytes: int) -> bytes:
    """The bytes of a regular file (``open_regular_file``); ``FileTooLarge`` without reading it when it
    holds more than ``max_bytes``. ``read_regular_file('seeds/000_x.txt', 20_000_000)`` → ``b'...'``."""
    fd = open_regular_file(path)
    with os.fdopen(fd, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > max_bytes:
            raise FileTooLarge(size, max_bytes)
        data = fh.read(max_bytes + 1)  # it may have grown since the fstat
    if len(data) > max_bytes:
        raise FileTooLarge(len(data), max_bytes)
    return data


def sha256_of(data: bytes) -> str:
    """Hex digest: ``sha256_of(b'')`` → ``'e3b0c442…'``."""
    return hashlib.sha256(data).hexdigest()

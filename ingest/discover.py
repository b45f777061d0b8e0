"""Which files an ingest looks at, the source path each is known by, and what it must refuse.

Only regular files are ever read. A named pipe, a device or a socket with a document's name is
refused without being opened (opening a pipe blocks until someone writes to it), and so is a
symbolic link whose target leaves the folders being ingested (``corpus/passwd.txt -> /etc/passwd``
would put that file in search), unless the caller allows links out (``kb ingest
--follow-links``). Links that stay inside the ingested folders are fine. A folder that cannot be
listed is reported, and the pipeline keeps what was ingested from it before.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kb.registry import SESSIONS_FILE, TOPICS_FILE

from .readers import reader_for
from .sidecar import is_sidecar

_REGISTRIES = frozenset({SESSIONS_FILE, TOPICS_FILE})
_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISDIR, "a folder"))
LINK_HINT = "use `kb ingest --follow-links` to ingest it anyway"


@dataclass
class SourceFile:
    path: Path
    root: Path
    #: The path relative to ``root``, "/"-separated: what results show as the document's source.
    source: str
    #: Why the file is refused without being opened ("" = it may be read).
    problem: str = ""

    def __reduce__(self) -> tuple[Callable[..., SourceFile], tuple[str, str, str, str]]:
        """Pickled with its paths as strings (a file goes to a reading worker and back): a
        path rebuilt from its string costs half as much as from its parts."""
        return _source_file, (str(self.path), str(self.root), self.source, self.problem)


def _source_file(path: str, root: str, source: str, problem: str) -> SourceFile:
    return SourceFile(Path(path), Path(root), source, problem)


@dataclass
class Scan:
    """What a walk found: files to read (some refused) and folders it could not list."""

    files: list[SourceFile] = field(default_factory=list)
    #: Folders that could not be listed, as SourceFiles whose source ends with "/".
    unreadable: list[SourceFile] = field(default_factory=list)


def discover(paths: Sequence[Path], *, follow_links: bool = False) -> list[SourceFile]:
    """Files to ingest under ``paths`` (see :func:`scan`)."""
    return scan(paths, follow_links=follow_links).files


def scan(paths: Sequence[Path], *, follow_links: bool = False) -> Scan:
    """Files to ingest under ``paths``, refused ones included with their reason.

    Folders are walked recursively in sorted order, skipping hidden files and folders, metadata
    sidecars, the registries and files no reader supports. A file named directly is always
    returned (an unsupported one is then reported by the pipeline, not silently ignored); its
    root is its folder, and a link named directly is the user's choice, so it is followed.
    Links to folders are walked only with ``follow_links`` when they leave the roots (those
    inside are walked through their real path already).
    """
    result = Scan()
    seen: set[Path] = set()
    roots = [Path(p).resolve() for p in paths if Path(p).is_dir()]
    for given in paths:
        path = Path(given)
        if path.is_dir():
            root = path.resolve()
            for file in _walk(root, roots, follow_links, result):
                if file.path not in seen:
                    seen.add(file.path)
                    result.files.append(file)
        else:
            named = path.resolve() if path.exists() else path.absolute()
            if named not in seen:
                seen.add(named)
                result.files.append(SourceFile(named, named.parent, named.name,
                                               _not_regular(named)))
    return result


def _walk(root: Path, roots: list[Path], follow_links: bool, result: Scan) -> list[SourceFile]:
    """Iterative, so a deep tree cannot exhaust the stack; link loops are cut by real path."""
    files: list[SourceFile] = []
    pending = [root]
    walked = {root}
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            relative = folder.relative_to(root).as_posix()
            source = "./" if relative == "." else relative + "/"
            result.unreadable.append(SourceFile(folder, root, source, _reason(exc)))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            source = path.relative_to(root).as_posix()
            if entry.is_dir(follow_symlinks=False):
                pending.append(path)
            elif entry.is_symlink():
                try:
                    target = path.resolve(strict=True)
                except (OSError, RuntimeError):
                    if _wanted(entry.name):  # dangling or looping: reading it says which
                        files.append(SourceFile(path, root, source, "a broken link (its target "
                                                "does not exist or loops): skipped"))
                    continue
                if target.is_dir():
                    if follow_links and _outside(target, roots) and target not in walked:
                        walked.add(target)
                        pending.append(path)
                    elif _outside(target, roots):
                        files.append(SourceFile(
                            path, root, source + "/",
                            f"a link to the folder {target}, outside the ingested folders: not "
                            f"followed ({LINK_HINT})"))
                elif _wanted(entry.name):
                    problem = "" if follow_links or not _outside(target, roots) else (
                        f"a link to {target}, outside the ingested folders: refused "
                        f"({LINK_HINT})")
                    files.append(SourceFile(path, root, source, problem or _not_regular(path)))
            elif _wanted(entry.name):
                files.append(SourceFile(path, root, source, _not_regular(path)))
    files.sort(key=lambda f: f.source)
    return files


def _wanted(name: str) -> bool:
    return not (is_sidecar(name) or name in _REGISTRIES) and reader_for(name) is not None


def _outside(target: Path, roots: list[Path]) -> bool:
    return not any(target == root or target.is_relative_to(root) for root in roots)


def _not_regular(path: Path) -> str:
    """Why ``path`` (links followed) is not a regular file kb may open, or ""."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return ""  # vanished or a dangling link: reading it reports that
    except OSError as exc:
        return _reason(exc)
    if stat.S_ISREG(mode):
        return ""
    kind = next((label for test, label in _KINDS if test(mode)), "not a regular file")
    return f"{kind}, not a regular file: skipped without opening it"


def _reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied: the folder cannot be read"
    return f"cannot be read: {exc.strerror or exc}"

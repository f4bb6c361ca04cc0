"""Inputs and their formats: expand folders and zips, decode what is not plain UTF-8, detect.

- :func:`expand_inputs`: the files to read, in a stable order (a folder becomes its files, a
  ``.zip`` its members, a Twitter archive stays one input); a symbolic link that loops is an
  :class:`InputError`, never a crash or an endless walk.
- :func:`decode`: a compressed file (``.gz``, ``.bz2``, ``.xz``, ``.zst``, recognised by its
  first bytes) is decompressed, UTF-16 or UTF-32 text is decoded from its byte-order mark and a
  UTF-8 byte-order mark is removed, each into a temporary file the readers open instead; the
  input's ``note`` says what was done (it goes into the reconciliation report).
- :func:`check_text_head` and :func:`detect`: whole-file checks and the format, with an error
  that names the real problem (a damaged workbook, a known format missing a column, ...).
"""

from __future__ import annotations

import bz2
import codecs
import errno
import gzip
import lzma
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from tweetstorm import paths
from tweetstorm.errors import InputError
from tweetstorm.ingest.formats import FORMATS, _sheet
from tweetstorm.ingest.formats import archive as _archive

HEAD_BYTES = 64 * 1024
_COPY_BLOCK = 1 << 20
#: First bytes of the compressed formats read transparently: (magic, name, suffix).
COMPRESSIONS: tuple[tuple[bytes, str, str], ...] = (
    (b"\x1f\x8b", "gzip", ".gz"),
    (b"BZh", "bzip2", ".bz2"),
    (b"\xfd7zXZ\x00", "xz", ".xz"),
    (b"\x28\xb5\x2f\xfd", "zstd", ".zst"),
)
#: Byte-order marks of the wide encodings (UTF-32 first: its LE mark starts like UTF-16's).
WIDE_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
FIX_NOT_UTF8 = ("re-save it as UTF-8 (a spreadsheet: 'CSV UTF-8'; Latin-1/Windows text: "
                "`iconv -f WINDOWS-1252 -t UTF-8 IN > OUT`)")


@dataclass
class Input:
    """One file to read: ``path`` is what the reader opens (maybe a temporary extraction or
    decoding), ``name`` the ``source_file`` of its posts, ``note`` what was done to read it."""

    path: Path
    name: str
    note: str = ""


def _inside_repo(path: Path) -> bool:
    try:
        path.resolve().relative_to(paths.ROOT)
        return True
    except (ValueError, OSError, RuntimeError):
        return False


def display_name(path: Path, outside_root: Path | None = None) -> str:
    """source_file of ``path``: its repo-relative POSIX path; outside the repository, its path
    relative to ``outside_root`` (the common folder of the inputs outside the repository, so that
    a/tweets.jsonl and b/tweets.jsonl stay apart), or its bare name. Never an absolute path."""
    if _inside_repo(path):
        return paths.relative(path)
    if outside_root is not None:
        try:
            return path.resolve().relative_to(outside_root).as_posix()
        except (ValueError, OSError, RuntimeError):
            pass
    return path.name


def _outside_root(inputs: list[Path]) -> Path | None:
    """Common folder of the inputs that lie outside the repository (None when there are none)."""
    outside = [p.resolve() for p in inputs if not _inside_repo(p)]
    if not outside:
        return None
    return Path(os.path.commonpath([str(p.parent) for p in outside]))


def resolve_input(item: str | os.PathLike[str]) -> Path:
    """The path of one input as given: relative to the working directory when it exists there,
    else to the repository root. A link that loops or leads nowhere is an :class:`InputError`."""
    given = Path(item)
    path = given.absolute() if given.is_absolute() or os.path.lexists(given) else paths.resolve(given)
    _check_link(path, str(item))
    if not path.exists():
        raise InputError(str(item), "the input does not exist",
                         "check the path (relative to the working directory or the repository root)")
    return path


def _check_link(path: Path, name: str) -> None:
    if not path.is_symlink():
        return
    try:
        path.resolve(strict=True)
    except RuntimeError:
        raise InputError(name, "the input is a symbolic link that loops (it leads back to itself)",
                         "remove the link or point it at the export file") from None
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise InputError(name, "the input is a symbolic link that loops (it leads back to itself)",
                             "remove the link or point it at the export file") from None
        raise InputError(name, "the input is a symbolic link to a file that does not exist",
                         "remove the link or point it at the export file") from None


def expand_inputs(inputs: Iterable[str | os.PathLike[str]], stack: ExitStack) -> list[Input]:
    """Files to read, in a stable order: a folder expands to its files (sorted, recursive, hidden
    files skipped), a ``.zip`` to its members (extracted to a temporary folder that ``stack``
    removes), a Twitter archive folder or zip stays one input; every file is then :func:`decode` d."""
    resolved = [resolve_input(item) for item in inputs]
    root = _outside_root(resolved)
    out: list[Input] = []
    for path in resolved:
        out += _expand(path, display_name(path, root), stack, frozenset())
    return [decode(inp, stack) for inp in out]


def _tmpdir(stack: ExitStack) -> Path:
    return Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tweetstorm-ingest-")))


def _expand(path: Path, name: str, stack: ExitStack, parents: frozenset[Path]) -> list[Input]:
    _check_link(path, name)
    if path.is_dir():
        real = path.resolve()
        if real in parents:
            raise InputError(name, "the folder is a symbolic link to a folder that contains it (a loop)",
                             "remove the link, or give the folders you mean as separate inputs")
        if _archive.is_archive(path):
            return [Input(path, name)]
        found: list[Input] = []
        for child in sorted(path.iterdir(), key=lambda p: p.name):
            if child.name.startswith((".", "__MACOSX")):
                continue
            found += _expand(child, f"{name}/{child.name}", stack, parents | {real})
        return found
    if path.suffix.lower() == ".zip" and zipfile.is_zipfile(path):
        if _archive.is_archive(path):
            return [Input(path, name)]
        tmp = _tmpdir(stack)
        found = []
        with zipfile.ZipFile(path) as zf:
            for member in sorted(zf.namelist()):
                if member.endswith("/") or any(part.startswith((".", "__MACOSX")) for part in member.split("/")):
                    continue
                target = tmp / str(len(found)) / Path(member).name
                target.parent.mkdir(parents=True)
                try:
                    with zf.open(member) as src, open(target, "wb") as dst:
                        shutil.copyfileobj(src, dst, _COPY_BLOCK)
                except (zipfile.BadZipFile, EOFError, OSError) as err:
                    raise InputError(f"{name}/{member}", f"the zip member cannot be extracted ({err})",
                                     "download or zip the export again") from None
                found.append(Input(target, f"{name}/{member}"))
        return found
    return [Input(path, name)]


def _open_compressed(kind: str, path: Path):
    if kind == "gzip":
        return gzip.open(path, "rb")
    if kind == "bzip2":
        return bz2.open(path, "rb")
    if kind == "xz":
        return lzma.open(path, "rb")
    import zstandard

    return zstandard.ZstdDecompressor().stream_reader(open(path, "rb"), closefd=True)


def _first_bytes(path: Path, n: int = 8) -> bytes:
    if not path.is_file():
        return b""
    with open(path, "rb") as fh:
        return fh.read(n)


def decode(inp: Input, stack: ExitStack) -> Input:
    """``inp`` as plain UTF-8 without byte-order mark: decompressed and/or re-encoded into a
    temporary file when needed (``note`` says what was done); unchanged otherwise."""
    notes: list[str] = []
    path = inp.path
    first = _first_bytes(path)
    for magic, kind, suffix in COMPRESSIONS:
        if first.startswith(magic):
            inner = path.name[: -len(suffix)] if path.name.lower().endswith(suffix) else path.name
            target = _tmpdir(stack) / (inner or "decompressed")
            try:
                with _open_compressed(kind, path) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst, _COPY_BLOCK)
            except Exception as err:  # noqa: BLE001 - each library has its own damaged-stream error
                raise InputError(inp.name, f"the {kind} file is damaged or truncated ({type(err).__name__}: {err})",
                                 "download or copy the export again (it cannot be decompressed)") from None
            notes.append(f"{kind}-compressed, read decompressed")
            path, first = target, _first_bytes(target)
            break
    for bom, encoding in WIDE_BOMS:
        if first.startswith(bom):
            target = _tmpdir(stack) / path.name
            _transcode(inp.name, path, target, encoding)
            notes.append(f"{encoding.upper()} text, read as UTF-8")
            path = target
            break
    else:
        if first.startswith(codecs.BOM_UTF8):
            target = _tmpdir(stack) / path.name
            with open(path, "rb") as src, open(target, "wb") as dst:
                src.seek(len(codecs.BOM_UTF8))
                shutil.copyfileobj(src, dst, _COPY_BLOCK)
            notes.append("UTF-8 byte-order mark skipped")
            path = target
    if not notes:
        return inp
    return Input(path, inp.name, "; ".join(notes))


def _transcode(name: str, source: Path, target: Path, encoding: str) -> None:
    """Re-encode ``source`` (UTF-16/32 with byte-order mark) as UTF-8 into ``target``, streamed."""
    decoder = codecs.getincrementaldecoder(encoding)()
    line = 1
    with open(source, "rb") as src, open(target, "wb") as dst:
        while True:
            block = src.read(_COPY_BLOCK)
            try:
                text = decoder.decode(block, final=not block)
            except UnicodeDecodeError as err:
                raise InputError(name, f"the file starts as {encoding.upper()} text but holds bytes that are not "
                                 f"{encoding.upper()} ({err.reason})",
                                 "export the file again, or re-save it as UTF-8", line=line) from None
            line += text.count("\n")
            dst.write(text.encode("utf-8"))
            if not block:
                break


def head(path: Path) -> bytes:
    """The first HEAD_BYTES of a file (empty for a folder)."""
    if path.is_dir():
        return b""
    with open(path, "rb") as fh:
        return fh.read(HEAD_BYTES)


def check_text_head(inp: Input, first: bytes) -> None:
    """Whole-file checks before sniffing: empty file, NUL bytes, non-UTF-8 (zip/xlsx exempt)."""
    if inp.path.is_dir():
        return
    if not first.strip():
        raise InputError(inp.name, "the file is empty", "remove it from the inputs or export it again")
    if first.startswith(b"PK\x03\x04"):
        return  # a zip container (xlsx, archive): binary
    if b"\x00" in first:
        line = first[: first.index(b"\x00")].count(b"\n") + 1
        raise InputError(inp.name, "the file holds NUL bytes: UTF-16 or UTF-32 text without a byte-order mark, "
                         "or not a text file", "re-save it as UTF-8 (e.g. `iconv -f UTF-16LE -t UTF-8 IN > OUT`)",
                         line=line)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(first, final=False)
    except UnicodeDecodeError as exc:
        line = first[: exc.start].count(b"\n") + 1
        raise InputError(inp.name, f"the file is not UTF-8 text (byte 0x{first[exc.start]:02x})",
                         FIX_NOT_UTF8, line=line) from None


def detect(inp: Input, first: bytes) -> str:
    """NAME of the format of ``inp`` (the first format whose ``sniff`` accepts it); when none
    does, an :class:`InputError` naming the real problem where it can be told."""
    for name, mod in FORMATS.items():
        try:
            if mod.sniff(inp.path, first):
                return name
        except (OSError, ValueError, zipfile.BadZipFile):
            continue
    if first.startswith(b"PK\x03\x04"):
        _damaged_container(inp)
    header = _sheet.head_header(first)
    if header and len(header) > 1:
        for name, mod in FORMATS.items():
            missing = mod.missing_columns(header) if hasattr(mod, "missing_columns") else None
            if missing:
                raise InputError(inp.name, f"the header looks like a {name} export but lacks the column(s) "
                                 f"{', '.join(missing)}",
                                 "export the file again with the tool's default columns, or add or rename "
                                 "these columns", row=1)
    raise InputError(inp.name, "unknown format: no reader recognises this file",
                     f"pass --format with one of {', '.join(sorted(FORMATS))} or remove the file from the inputs",
                     line=1)


def _damaged_container(inp: Input) -> None:
    """Raise the error of a zip container (workbook, zip) that no reader accepts."""
    if not zipfile.is_zipfile(inp.path):
        what = "workbook" if inp.path.suffix.lower() in (".xlsx", ".xlsm") else "zip file"
        raise InputError(inp.name, f"the {what} is damaged or truncated (its table of contents is missing)",
                         "download or save the file again (Excel: open it and save it again as .xlsx)")
    if inp.path.suffix.lower() in (".xlsx", ".xlsm"):
        from tweetstorm.ingest.formats import tweet_archivist

        header = tweet_archivist.workbook_header(inp.path)  # raises for a damaged workbook
        missing = tweet_archivist.missing_columns([str(h) for h in header if h is not None])
        if missing:
            raise InputError(inp.name, "the workbook's first row looks like a tweet_archivist export but lacks "
                             f"the column(s) {', '.join(missing)}",
                             "make row 1 the header row of the export, or add or rename these columns", row=1)

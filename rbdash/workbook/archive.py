"""Is this a ZIP of an Office spreadsheet, safe to open? Checks on the raw bytes and the ZIP directory.

Before any part is read: an empty or too large file; an OLE compound file (a password-protected
workbook or a legacy .xls); something that is not a ZIP, with a guess at what it is; a truncated
ZIP or duplicate entry names; too many entries, encrypted entries, and decompression bombs by the
declared sizes (the parts' real sizes are checked as they are streamed, `package`); a Word,
PowerPoint or OpenDocument package instead of a workbook.
"""

from __future__ import annotations

import codecs
import io
import zipfile

from rbdash.problems import MessageRef, ProblemLog
from rbdash.workbook.limits import DEFAULT_LIMITS, PackageLimits, size_in_mb

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")


def open_archive(
    data: bytes, log: ProblemLog, limits: PackageLimits = DEFAULT_LIMITS
) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]] | None:
    """The ZIP archive in `data` and its entries, when the checks above pass; else None (problems in `log`)."""
    if not data:
        log.error("empty_file")
        return None
    if not size_allowed(len(data), log, limits):
        return None
    if data.startswith(OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data:
            log.error("encrypted_workbook")
        else:
            log.error("legacy_xls")
        return None
    if not data.startswith(ZIP_MAGICS):
        log.error("not_a_zip", kind=MessageRef(guess_kind(data)))
        return None
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        log.error("corrupt_zip", detail=str(exc)[:120] or "zip")  # NotImplementedError: "zip file version 25.5"
        return None

    names = [info.filename for info in infos]
    if len(names) != len(set(names)):
        log.error("corrupt_zip", detail="duplicate entry names")
        return None
    if len(infos) > limits.max_entries:
        log.error("too_many_entries", count=len(infos), limit=limits.max_entries)
        return None
    for info in infos:
        if info.flag_bits & 0x1:
            log.error("zip_encrypted_entry", entry=info.filename)
            return None
    declared_total = sum(info.file_size for info in infos)
    if declared_total > limits.max_total_uncompressed:
        log.error(
            "zip_bomb_size", size_mb=size_in_mb(declared_total), limit_mb=size_in_mb(limits.max_total_uncompressed)
        )
        return None
    for info in infos:
        if info.file_size > limits.ratio_applies_above:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_ratio:
                log.error("zip_bomb_ratio", entry=info.filename, ratio=int(ratio), limit=limits.max_ratio)
                return None

    name_set = set(names)
    if "xl/workbook.xml" not in name_set and "[Content_Types].xml" in name_set:
        for marker, kind in (("word/document.xml", "kind.docx"), ("ppt/presentation.xml", "kind.pptx")):
            if marker in name_set:
                log.error("foreign_package", kind=MessageRef(kind))
                return None
    if "mimetype" in name_set:
        with archive.open("mimetype") as stream:
            mimetype = stream.read(100)
        if b"opendocument" in mimetype:
            log.error("foreign_package", kind=MessageRef("kind.ods"))
            return None

    return archive, infos


def size_allowed(size: int, log: ProblemLog, limits: PackageLimits = DEFAULT_LIMITS) -> bool:
    """False (and a problem logged) when a file of `size` bytes is over the limit.

    The message gives the sizes in bytes and the limit in decimal MB (1 MB = 1,000,000 bytes), the unit
    of rbdash.config.UPLOAD_LIMIT_BYTES and of Streamlit's upload widget: "50 MB (50,000,000 bytes)".
    """
    if size > limits.max_file_bytes:
        log.error("file_too_large", size=size, limit=limits.max_file_bytes, limit_mb=limits.max_file_bytes / 1_000_000)
        return False
    return True


def guess_kind(data: bytes) -> str:
    """What a file that is not a ZIP seems to be: a message key naming the kind (PDF, image, HTML, ...)."""
    head = data[:2048].lstrip()
    lowered = head.lower()
    if head.startswith(b"%PDF"):
        return "kind.pdf"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return "kind.image"
    if b"<html" in lowered or b"<!doctype html" in lowered or b"<table" in lowered:
        return "kind.html"
    if head.startswith(b"<?xml") or head.startswith(b"<"):
        return "kind.xml"
    if head.startswith((b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf")):
        return "kind.archive"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16, as Excel's "Unicode Text" export writes
        encoding, body = ("utf-16-le" if head.startswith(b"\xff\xfe") else "utf-16-be"), head[2:]
    else:
        encoding, body = "utf-8", head
    try:
        text = codecs.getincrementaldecoder(encoding)().decode(body, final=False)  # a cut last character is fine
    except UnicodeDecodeError:
        return "kind.unknown"
    readable = sum(1 for ch in text if ch.isprintable() or ch in "\t\r\n")
    return "kind.text" if text and readable >= 0.95 * len(text) else "kind.unknown"

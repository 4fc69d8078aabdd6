"""Generators of hostile, broken or foreign files, built as bytes in test code (no committed binaries).

Most files start from the bundled workbook (`data/rencana_aksi_2022.xlsx`): its entries are read with
`zipfile` and rewritten. Others are built by hand: minimal OOXML/ODF packages, an OLE compound file,
raw ZIP archives whose entries are written byte by byte (for pre-compressed bombs and ZipCrypto
encryption), and valid archives whose headers are then patched at documented byte offsets.

ZIP layout used by the patching helpers (APPNOTE.TXT 4.3.7 and 4.3.12, all fields little-endian):

    local file header (signature PK\\x03\\x04), offsets from the header start:
        +0  signature (4)       +4  version needed (2)   +6  general purpose flags (2)
        +8  method (2)          +10 mod time (2)         +12 mod date (2)
        +14 CRC-32 (4)          +18 compressed size (4)  +22 uncompressed size (4)
        +26 name length (2)     +28 extra length (2)     +30 name, extra, then the data

    central directory header (signature PK\\x01\\x02), offsets from the header start:
        +0  signature (4)       +4  version made by (2)  +6  version needed (2)
        +8  general purpose flags (2)                    +10 method (2)
        +12 mod time (2)        +14 mod date (2)         +16 CRC-32 (4)
        +20 compressed size (4) +24 uncompressed size (4)
        +28 name length (2)     +30 extra length (2)     +32 comment length (2)
        +34 disk number (2)     +36 internal attrs (2)   +38 external attrs (4)
        +42 local header offset (4)                      +46 name, extra, comment

    end of central directory (signature PK\\x05\\x06):
        +8  entries on this disk (2)  +10 total entries (2)  +12 directory size (4)  +16 directory offset (4)
"""

from __future__ import annotations

import gzip
import io
import posixpath
import random
import struct
import warnings
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import msoffcrypto.format.ooxml

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "data" / "rencana_aksi_2022.xlsx"

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#: The start of every OOXML content type.
OOXML = "application/vnd.openxmlformats-officedocument."
SHARED_STRINGS_RELATIONSHIP = (
    f'<Relationship Type="{NS_REL}/sharedStrings" Target="sharedStrings.xml" Id="rId99" />'.encode()
)
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"

PLAN_SHEET = "Rencana Aksi"
PLAN_PART = "xl/worksheets/sheet2.xml"
VALUES_SHEET = "Capaian Indikator"
VALUES_PART = "xl/worksheets/sheet5.xml"
VALUES_DIMENSION = b'<dimension ref="A1:D30" />'
#: Capaian Indikator!C9 holds the number 60 (indicator RA-01.3, month 2) in the bundled workbook.
FORMULA_CELL = "C9"
FORMULA_CELL_XML = b'<c r="C9" t="n"><v>60</v></c>'

#: A string planted in the VBA project: it must never appear anywhere in a load result.
MACRO_MARKER = "RBDASH_MACRO_MARKER_Shell_calc_exe"

#: Text placed after an entry's declared end: it must never reach a load result.
HIDDEN_MARKER = "RBDASH_HIDDEN_TAIL_MARKER"

LOCAL_SIGNATURE = b"PK\x03\x04"
CENTRAL_SIGNATURE = b"PK\x01\x02"
END_SIGNATURE = b"PK\x05\x06"


# ----------------------------------------------------------------------------------------------
# The bundled workbook and rewriting it


def bundled_bytes() -> bytes:
    """The bytes of the bundled, valid workbook."""
    return BUNDLED.read_bytes()


def bundled_entries(workbook: bytes | None = None) -> dict[str, bytes]:
    """Every entry of the bundled workbook (or of `workbook`), name to uncompressed content, in archive order."""
    with zipfile.ZipFile(io.BytesIO(workbook) if workbook is not None else BUNDLED) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def build_zip(
    entries: Mapping[str, bytes] | Iterable[tuple[str, bytes]], compression: int = zipfile.ZIP_DEFLATED, level: int = 9
) -> bytes:
    """A ZIP archive of `entries` (a mapping, or pairs so that a name may repeat)."""
    pairs = list(entries.items()) if isinstance(entries, Mapping) else list(entries)
    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about duplicate names, which some cases want
        with zipfile.ZipFile(out, "w", compression, compresslevel=level) as archive:
            for name, content in pairs:
                info = zipfile.ZipInfo(name, date_time=(2022, 1, 1, 0, 0, 0))
                info.compress_type = compression
                archive.writestr(info, content)
    return out.getvalue()


def rewrite_bundled(changes: Mapping[str, bytes | None]) -> bytes:
    """The bundled workbook with entries replaced, added (bytes) or removed (None)."""
    entries = bundled_entries()
    for name, content in changes.items():
        if content is None:
            entries.pop(name, None)
        else:
            entries[name] = content
    return build_zip(entries)


def edit_part(name: str, old: bytes, new: bytes, count: int = 1) -> bytes:
    """Bundled workbook whose part `name` has `old` replaced by `new` (which must be found)."""
    content = bundled_entries()[name]
    if old not in content:
        raise ValueError(f"{old!r} not in {name}")
    return rewrite_bundled({name: content.replace(old, new, count)})


# ----------------------------------------------------------------------------------------------
# Files that are not ZIP at all


def empty_file() -> bytes:
    """Zero bytes."""
    return b""


def oversized_workbook(extra_bytes: int = 1_300_000) -> bytes:
    """The bundled workbook plus a stored, incompressible picture of `extra_bytes` (for a small size limit)."""
    noise = random.Random(20220101).randbytes(extra_bytes)
    entries = bundled_entries()
    entries["xl/media/image1.png"] = b"\x89PNG\r\n\x1a\n" + noise
    return build_zip(entries, compression=zipfile.ZIP_STORED)


def ole_compound_file(streams: Mapping[str, bytes]) -> bytes:
    """A minimal valid OLE2 compound file (version 3, 512-byte sectors) holding `streams` under the root.

    Layout: header, sector 0 = the FAT, sector 1 = the directory (root + up to 3 streams), then the
    streams. Each stream is padded to 4096 bytes so that it lives in regular sectors (no mini stream).
    """
    sector = 512
    names = sorted(streams, key=lambda n: (len(n), n.upper()))  # CFB sibling order: length, then name
    if len(names) > 3:
        raise ValueError("at most 3 streams")
    free, end, fat_sect, no_stream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    data_sectors: list[bytes] = []
    starts: list[int] = []
    sizes: list[int] = []
    fat = [fat_sect, end]
    for name in names:
        content = streams[name].ljust(4096, b"\0")
        content += b"\0" * (-len(content) % sector)
        count = len(content) // sector
        first = 2 + len(data_sectors)
        starts.append(first)
        sizes.append(len(content))
        fat.extend([*range(first + 1, first + count), end])
        data_sectors.extend(content[i : i + sector] for i in range(0, len(content), sector))
    if len(fat) > sector // 4:
        raise ValueError("streams too large for a single FAT sector")
    fat += [free] * (sector // 4 - len(fat))

    def entry(name: str, kind: int, left: int, right: int, child: int, start: int, size: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return struct.pack(
            "<64sHBBIII16sIQQIQ", encoded, len(encoded), kind, 1, left, right, child, b"\0" * 16, 0, 0, 0, start, size
        )

    directory = [entry("Root Entry", 5, no_stream, no_stream, 1 if names else no_stream, end, 0)]
    for index, name in enumerate(names):
        right = index + 2 if index + 1 < len(names) else no_stream
        directory.append(entry(name, 2, no_stream, right, no_stream, starts[index], sizes[index]))
    unused = struct.pack("<64sHBBIII16sIQQIQ", b"", 0, 0, 0, no_stream, no_stream, no_stream, b"\0" * 16, 0, 0, 0, 0, 0)
    directory += [unused] * (4 - len(directory))

    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        bytes.fromhex("d0cf11e0a1b11ae1"),
        b"\0" * 16,
        0x3E,
        3,
        0xFFFE,
        9,
        6,
        b"\0" * 6,
        0,
        1,
        1,
        0,
        4096,
        end,
        0,
        end,
        0,
    )
    header += struct.pack("<109I", 0, *([free] * 108))
    return header + struct.pack(f"<{sector // 4}I", *fat) + b"".join(directory) + b"".join(data_sectors)


def legacy_xls() -> bytes:
    """An Excel 97-2003 file shape: an OLE compound file with a 'Workbook' stream (BIFF8 BOF record first)."""
    bof = struct.pack("<HHHHHHII", 0x0809, 16, 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0)
    eof = struct.pack("<HH", 0x000A, 0)
    return ole_compound_file({"Workbook": bof + eof, "\x05SummaryInformation": b"\xfe\xff"})


def encrypted_workbook(password: str = "rahasia") -> bytes:
    """The bundled workbook encrypted with a password (ECMA-376 agile encryption, as Excel does)."""
    out = io.BytesIO()
    msoffcrypto.format.ooxml.OOXMLFile(io.BytesIO(bundled_bytes())).encrypt(password, out)
    return out.getvalue()


def minimal_png() -> bytes:
    """A valid 1x1 grey PNG."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0\x80")) + chunk(b"IEND", b"")


CSV_TEXT = "KODE INDIKATOR;BULAN;NILAI;CATATAN\nRA-01.1;Januari;100;Capaian sesuai rencana\n"

#: Files that are not ZIP archives, with the kind `_guess_kind` should name (a message key).
NOT_A_ZIP: dict[str, tuple[bytes, str]] = {
    "pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n%%EOF\n", "kind.pdf"),
    "html_saved_as_xls": (
        b'<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">'
        b"<head><meta charset=utf-8></head><body><table><tr><td>KODE</td><td>NILAI</td></tr></table></body></html>",
        "kind.html",
    ),
    "html_with_bom_and_doctype": (b"\xef\xbb\xbf\r\n  <!DOCTYPE html>\n<HTML><BODY>x</BODY></HTML>", "kind.html"),
    "csv": (CSV_TEXT.encode("utf-8"), "kind.text"),
    "png": (minimal_png(), "kind.image"),
    "jpeg": (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9", "kind.image"),
    "gif": (
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,"
        b"\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;",
        "kind.image",
    ),
    "xml_spreadsheet_2003": (
        b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
        b'<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="Sheet1"/></Workbook>',
        "kind.xml",
    ),
    "gzip": (gzip.compress(CSV_TEXT.encode(), mtime=0), "kind.archive"),
    "binary_noise": (bytes([0xFF, 0xFE, 0xFA, 0x81]) + random.Random(7).randbytes(500), "kind.unknown"),
}


def csv_split_utf8_at(boundary: int = 2048) -> bytes:
    """A valid UTF-8 CSV whose two-byte character 'é' straddles byte `boundary` (bytes boundary-1 and boundary)."""
    head = "KODE;URAIAN\n"
    filler = "RA-01;Sosialisasi zona integritas\n"
    text = head
    while len(text.encode()) < boundary - 1 - len(filler):
        text += filler
    text += "x" * (boundary - 1 - len(text.encode()))
    text += "é" + ";Kegiatan selesai\n" * 5
    data = text.encode("utf-8")
    assert data[boundary - 1 : boundary + 1] == "é".encode()
    return data


# ----------------------------------------------------------------------------------------------
# ZIP archives that are damaged, ambiguous or foreign


def truncated_workbook(keep: int) -> bytes:
    """The first `keep` bytes of the bundled workbook (a negative `keep` drops bytes from the end)."""
    return bundled_bytes()[:keep]


def duplicate_entry_workbook(name: str = "xl/workbook.xml") -> bytes:
    """The bundled workbook with a second entry of the same `name`, different content."""
    entries = list(bundled_entries().items())
    original = dict(entries)[name]
    return build_zip([*entries, (name, original.replace(b"Rencana Aksi", b"Rencana Lain"))])


def content_types(overrides: Mapping[str, str], defaults: Mapping[str, str] | None = None) -> bytes:
    """A [Content_Types].xml with rels/xml defaults plus `defaults` (extension -> type) and `overrides`."""
    base = {"rels": "application/vnd.openxmlformats-package.relationships+xml", "xml": "application/xml"}
    base.update(defaults or {})
    parts = [f'<Default Extension="{ext}" ContentType="{kind}"/>' for ext, kind in base.items()]
    parts += [f'<Override PartName="/{name}" ContentType="{kind}"/>' for name, kind in overrides.items()]
    declaration = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    return f'{declaration}<Types xmlns="{NS_CT}">{"".join(parts)}</Types>'.encode()


def relationships(targets: Iterable[tuple[str, str, str]]) -> bytes:
    """A .rels part from (id, type suffix, target) triples; types are officeDocument relationship types."""
    rels = "".join(
        f'<Relationship Id="{rid}" Type="{NS_REL}/{kind}" Target="{target}"/>' for rid, kind, target in targets
    )
    declaration = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    return f'{declaration}<Relationships xmlns="{NS_PKG_REL}">{rels}</Relationships>'.encode()


def docx() -> bytes:
    """A minimal Word document."""
    return build_zip(
        {
            "[Content_Types].xml": content_types({"word/document.xml": OOXML + "wordprocessingml.document.main+xml"}),
            "_rels/.rels": relationships([("rId1", "officeDocument", "word/document.xml")]),
            "word/document.xml": b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            b"<w:body><w:p><w:r><w:t>Rencana Aksi</w:t></w:r></w:p></w:body></w:document>",
        }
    )


def pptx() -> bytes:
    """A minimal PowerPoint presentation."""
    return build_zip(
        {
            "[Content_Types].xml": content_types(
                {"ppt/presentation.xml": OOXML + "presentationml.presentation.main+xml"}
            ),
            "_rels/.rels": relationships([("rId1", "officeDocument", "ppt/presentation.xml")]),
            "ppt/presentation.xml": b'<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"/>',
        }
    )


def ods() -> bytes:
    """A minimal OpenDocument spreadsheet: 'mimetype' stored first, as ODF requires."""
    entries = [
        ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
        (
            "META-INF/manifest.xml",
            b'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
            b'<manifest:file-entry manifest:full-path="/" manifest:media-type='
            b'"application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>',
        ),
        ("content.xml", b'<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>'),
    ]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zipfile.ZipInfo(entries[0][0]), entries[0][1], compress_type=zipfile.ZIP_STORED)
        for name, content in entries[1:]:
            archive.writestr(zipfile.ZipInfo(name), content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def zip_of_csv() -> bytes:
    """A ZIP archive of CSV files, no workbook inside."""
    return build_zip({"rencana_aksi.csv": CSV_TEXT.encode(), "realisasi.csv": CSV_TEXT.encode()})


def empty_zip() -> bytes:
    """A ZIP archive with no entries: only the 22-byte end-of-central-directory record."""
    return build_zip({})


def workbook_part_missing() -> bytes:
    """The bundled workbook without its xl/workbook.xml."""
    return rewrite_bundled({"xl/workbook.xml": None})


def workbook_pointing_elsewhere() -> bytes:
    """The bundled workbook whose root relationship sends the office document to a part that is not there."""
    rels = bundled_entries()["_rels/.rels"].replace(b'Target="xl/workbook.xml"', b'Target="xl/../../etc/passwd"')
    return rewrite_bundled({"_rels/.rels": rels})


def workbook_with_a_decoy() -> bytes:
    """Seen by the attacker review: the root relationship points to a clean copy of the workbook part
    (xl/decoy.xml), which the package check followed, while the reader reads xl/workbook.xml."""
    entries = bundled_entries()
    rels = entries["_rels/.rels"].replace(b'Target="xl/workbook.xml"', b'Target="xl/decoy.xml"')
    return rewrite_bundled(
        {
            "_rels/.rels": rels,
            "xl/decoy.xml": entries["xl/workbook.xml"],
            "xl/_rels/decoy.xml.rels": entries["xl/_rels/workbook.xml.rels"],
        }
    )


def minimal_xlsx(sheet_xml: Mapping[str, bytes]) -> bytes:
    """A minimal hand-made .xlsx: one worksheet per (sheet name -> <sheetData> inner XML) item."""
    sheets = "".join(f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>' for i, name in enumerate(sheet_xml, 1))
    workbook = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{NS_MAIN}" '
        f'xmlns:r="{NS_REL}"><sheets>{sheets}</sheets></workbook>'
    ).encode()
    entries: dict[str, bytes] = {
        "[Content_Types].xml": content_types(
            {
                "xl/workbook.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                **{
                    f"xl/worksheets/sheet{i}.xml": OOXML + "spreadsheetml.worksheet+xml"
                    for i in range(1, len(sheet_xml) + 1)
                },
            }
        ),
        "_rels/.rels": relationships([("rId1", "officeDocument", "xl/workbook.xml")]),
        "xl/workbook.xml": workbook,
        "xl/_rels/workbook.xml.rels": relationships(
            [(f"rId{i}", "worksheet", f"worksheets/sheet{i}.xml") for i in range(1, len(sheet_xml) + 1)]
        ),
    }
    for i, body in enumerate(sheet_xml.values(), 1):
        entries[f"xl/worksheets/sheet{i}.xml"] = (
            (
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{NS_MAIN}"><sheetData>'
            ).encode()
            + body
            + b"</sheetData></worksheet>"
        )
    return build_zip(entries)


def foreign_xlsx() -> bytes:
    """A valid but unrelated spreadsheet: a single 'Sheet1' with a small table."""
    return minimal_xlsx(
        {"Sheet1": b'<row r="1"><c r="A1" t="inlineStr"><is><t>Nama</t></is></c><c r="B1"><v>42</v></c></row>'}
    )


def sheet_part_renamed(extension: str = ".dat", dimension: bytes = b'<dimension ref="A1:XFD1048576" />') -> bytes:
    """The bundled workbook whose 'Capaian Indikator' part is stored as sheet5`extension` (rels and types follow),
    with its dimension replaced by `dimension`."""
    entries = bundled_entries()
    content = entries.pop(VALUES_PART).replace(VALUES_DIMENSION, dimension)
    if dimension not in content:
        raise ValueError("dimension not replaced")
    new = f"xl/worksheets/sheet5{extension}"
    entries[new] = content
    for name in ("xl/_rels/workbook.xml.rels", "[Content_Types].xml"):
        entries[name] = entries[name].replace(f"/{VALUES_PART}".encode(), f"/{new}".encode())
    return build_zip(entries)


# ----------------------------------------------------------------------------------------------
# Raw ZIP writing: pre-compressed bombs and encrypted entries


@dataclass(frozen=True)
class RawEntry:
    """One entry written as is: `payload` is the (compressed, maybe encrypted) data after the local header."""

    name: str
    payload: bytes
    crc: int
    file_size: int
    method: int = zipfile.ZIP_DEFLATED
    flags: int = 0
    check_time: int = 0  # DOS time written in the headers; ZipCrypto may check its high byte


def raw_zip(entries: Iterable[RawEntry]) -> bytes:
    """A ZIP archive written field by field (see the module docstring for the layout)."""
    body = bytearray()
    central = bytearray()
    count = 0
    for entry in entries:
        name = entry.name.encode()
        offset = len(body)
        body += (
            struct.pack(
                "<4sHHHHHIIIHH",
                LOCAL_SIGNATURE,
                20,
                entry.flags,
                entry.method,
                entry.check_time,
                0x5421,
                entry.crc,
                len(entry.payload),
                entry.file_size,
                len(name),
                0,
            )
            + name
            + entry.payload
        )
        central += (
            struct.pack(
                "<4sHHHHHHIIIHHHHHII",
                CENTRAL_SIGNATURE,
                20,
                20,
                entry.flags,
                entry.method,
                entry.check_time,
                0x5421,
                entry.crc,
                len(entry.payload),
                entry.file_size,
                len(name),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + name
        )
        count += 1
    end = struct.pack("<4sHHHHIIH", END_SIGNATURE, 0, 0, count, count, len(central), len(body), 0)
    return bytes(body + central + end)


def deflate_raw(content: bytes) -> bytes:
    """Raw deflate (no zlib header), as ZIP method 8 stores it."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(content) + compressor.flush()


def raw_entry(name: str, content: bytes) -> RawEntry:
    """A deflated RawEntry with honest headers."""
    return RawEntry(name, deflate_raw(content), zlib.crc32(content), len(content))


def deflate_stream(pieces: Iterable[bytes | tuple[bytes, int]], chunk: int = 1 << 20) -> tuple[bytes, int, int]:
    """Raw deflate of the concatenation of `pieces`, with its CRC-32 and size, never holding the whole content.

    A piece is bytes, or (byte, count) for `count` copies of one byte. Each segment is compressed by a
    fresh compressor ended with a full flush (no final-block bit, dictionary reset), so one compressed
    1 MiB run can be repeated as is; an empty final block ends the stream. 1 MiB of zeros deflates to
    about 1 KiB, so 600 MiB costs about 0.6 MB.
    """

    def segment(content: bytes) -> bytes:
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        return compressor.compress(content) + compressor.flush(zlib.Z_FULL_FLUSH)

    out: list[bytes] = []
    crc = 0
    size = 0
    for piece in pieces:
        if isinstance(piece, bytes):
            out.append(segment(piece))
            crc = zlib.crc32(piece, crc)
            size += len(piece)
            continue
        byte, count = piece
        block = byte * chunk
        whole, rest = divmod(count, chunk)
        if whole:
            out.append(segment(block) * whole)
            for _ in range(whole):
                crc = zlib.crc32(block, crc)
        out.append(segment(byte * rest))
        crc = zlib.crc32(byte * rest, crc)
        size += count
    out.append(zlib.compressobj(9, zlib.DEFLATED, -15).flush())  # an empty final block
    return b"".join(out), crc, size


def bundled_raw_entries() -> list[RawEntry]:
    """The bundled workbook's entries as honest RawEntry values."""
    return [raw_entry(name, content) for name, content in bundled_entries().items()]


def bomb_workbook(size: int, name: str = "xl/media/image1.png", byte: bytes = b"\0") -> bytes:
    """The bundled workbook plus entry `name` that inflates to `size` repeated bytes (honest headers)."""
    payload, crc, _ = deflate_stream([(byte, size)])
    return raw_zip([*bundled_raw_entries(), RawEntry(name, payload, crc, size)])


def bomb_in_sheet(padding: int = 4 << 20) -> bytes:
    """The 'Capaian Indikator' sheet with `padding` spaces before </worksheet>: legal, highly compressible XML."""
    content = bundled_entries()[VALUES_PART]
    head, tail = content.rsplit(b"</worksheet>", 1)
    payload, crc, size = deflate_stream([head, (b" ", padding), b"</worksheet>" + tail])
    entries = [e if e.name != VALUES_PART else RawEntry(VALUES_PART, payload, crc, size) for e in bundled_raw_entries()]
    return raw_zip(entries)


def many_entries_workbook(extra: int) -> bytes:
    """The bundled workbook plus `extra` tiny customXml parts."""
    entries = bundled_entries()
    for index in range(extra):
        entries[f"customXml/item{index}.xml"] = b"<a/>"
    return build_zip(entries, level=1)


# ZipCrypto (traditional PKWARE encryption, APPNOTE 6.1), to make a real password-protected entry.


def _zipcrypto_keys(password: bytes) -> list[int]:
    """The three ZipCrypto keys after feeding `password`."""
    keys = [0x12345678, 0x23456789, 0x34567890]
    for byte in password:
        _zipcrypto_update(keys, byte)
    return keys


def _crc_byte(crc: int, byte: int) -> int:
    """One step of the CRC-32 used by ZipCrypto (the same polynomial as zlib.crc32, without pre/post inversion)."""
    return zlib.crc32(bytes([byte]), crc ^ 0xFFFFFFFF) ^ 0xFFFFFFFF


def _zipcrypto_update(keys: list[int], byte: int) -> None:
    """Update the ZipCrypto keys with one plain-text byte."""
    keys[0] = _crc_byte(keys[0], byte)
    keys[1] = ((keys[1] + (keys[0] & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
    keys[2] = _crc_byte(keys[2], (keys[1] >> 24) & 0xFF)


def zipcrypto_encrypt(plain: bytes, password: bytes, check_byte: int) -> bytes:
    """Encrypt `plain` (already compressed) with a 12-byte ZipCrypto header whose last byte is `check_byte`."""
    keys = _zipcrypto_keys(password)
    header = random.Random(len(plain)).randbytes(11) + bytes([check_byte])
    out = bytearray()
    for byte in header + plain:
        temp = (keys[2] | 2) & 0xFFFF
        out.append(byte ^ (((temp * (temp ^ 1)) >> 8) & 0xFF))
        _zipcrypto_update(keys, byte)
    return bytes(out)


def zipcrypto_workbook(password: bytes = b"rahasia", only: str | None = None) -> bytes:
    """The bundled workbook with every entry (or only entry `only`) encrypted with ZipCrypto (flag bit 0 set)."""
    entries = []
    for entry in bundled_raw_entries():
        if only is None or entry.name == only:
            payload = zipcrypto_encrypt(entry.payload, password, entry.crc >> 24)
            entry = RawEntry(entry.name, payload, entry.crc, entry.file_size, flags=0x1)
        entries.append(entry)
    return raw_zip(entries)


# ----------------------------------------------------------------------------------------------
# Patching headers of a valid archive


@dataclass(frozen=True)
class HeaderOffsets:
    """Where the local and the central directory header of one entry start in the archive bytes."""

    local: int
    central: int


def header_offsets(data: bytes, name: str) -> HeaderOffsets:
    """Offsets of entry `name`'s local header (from the central directory field +42) and central header."""
    end = data.rfind(END_SIGNATURE)
    count, _size, directory = struct.unpack_from("<HII", data, end + 10)
    position = directory
    for _ in range(count):
        if data[position : position + 4] != CENTRAL_SIGNATURE:
            raise ValueError("central directory header expected")
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, position + 28)
        local = struct.unpack_from("<I", data, position + 42)[0]
        if data[position + 46 : position + 46 + name_len].decode() == name:
            return HeaderOffsets(local, position)
        position += 46 + name_len + extra_len + comment_len
    raise KeyError(name)


#: field -> (offset in local header, offset in central header); all 4-byte fields except flags (2 bytes).
HEADER_FIELDS = {"flags": (6, 8), "crc": (14, 16), "compress_size": (18, 20), "file_size": (22, 24)}


def patch_entry(data: bytes, name: str, *, local: bool = True, central: bool = True, **fields: int) -> bytes:
    """A copy of archive `data` with header fields of entry `name` overwritten (see HEADER_FIELDS).

    For example `patch_entry(data, "xl/workbook.xml", file_size=n)` writes n, little-endian, at local
    header +22 and central directory header +24. The compressed data itself is not touched.
    """
    out = bytearray(data)
    offsets = header_offsets(data, name)
    for field_name, value in fields.items():
        local_at, central_at = HEADER_FIELDS[field_name]
        fmt = "<H" if field_name == "flags" else "<I"
        if local:
            struct.pack_into(fmt, out, offsets.local + local_at, value)
        if central:
            struct.pack_into(fmt, out, offsets.central + central_at, value)
    return bytes(out)


def entry_info(data: bytes, name: str) -> zipfile.ZipInfo:
    """The ZipInfo of entry `name` as the central directory declares it."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.getinfo(name)


def lying_size(delta: int, name: str = VALUES_PART, *, local: bool = True, central: bool = True) -> bytes:
    """The bundled workbook with entry `name` declaring an uncompressed size `delta` bytes off the truth."""
    data = build_zip(bundled_entries())
    return patch_entry(data, name, local=local, central=central, file_size=entry_info(data, name).file_size + delta)


def lying_crc(name: str = VALUES_PART) -> bytes:
    """The bundled workbook with entry `name` declaring a wrong CRC-32 (the true one with all bits flipped)."""
    data = build_zip(bundled_entries())
    return patch_entry(data, name, crc=entry_info(data, name).CRC ^ 0xFFFFFFFF)


def lying_compressed_size(delta: int, name: str = VALUES_PART) -> bytes:
    """The bundled workbook with entry `name` declaring a compressed size `delta` bytes off (negative: truncated)."""
    data = build_zip(bundled_entries())
    return patch_entry(data, name, compress_size=entry_info(data, name).compress_size + delta)


def hidden_tail(tail_size: int = 64 << 20, name: str = VALUES_PART) -> bytes:
    """Entry `name` whose deflate stream holds its true content plus a conflicting second <worksheet> and
    `tail_size` spaces, while both headers declare only the true content's size and CRC-32 (consistent with each
    other): a reader trusting the header stops early, a reader following the stream inflates everything."""
    content = bundled_entries()[name]
    conflicting = (
        f'<worksheet xmlns="{NS_MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>{HIDDEN_MARKER}'
        f"</t></is></c></row>"
    ).encode()
    payload, _, _ = deflate_stream([content, conflicting, (b" ", tail_size)])
    entries = [
        e if e.name != name else RawEntry(name, payload, zlib.crc32(content), len(content))
        for e in bundled_raw_entries()
    ]
    return raw_zip(entries)


# ----------------------------------------------------------------------------------------------
# XML attacks


def billion_laughs(root: str, body: str, levels: int = 9) -> bytes:
    """An XML document whose internal DTD expands `&lol{levels};` to 10**levels 'lol's; `body` may use it."""
    entities = ['<!ENTITY lol "lol">']
    for level in range(1, levels + 1):
        previous = f"&lol{level - 1};" if level > 1 else "&lol;"
        entities.append(f'<!ENTITY lol{level} "{previous * 10}">')
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<!DOCTYPE {root} [\n'
        + "\n".join(entities)
        + f"\n]>\n{body}"
    ).encode()


def shared_strings_bomb(encoding: str = "utf-8") -> bytes:
    """The bundled workbook plus a sharedStrings.xml (registered in rels and content types) holding a billion laughs,
    with one plan cell pointing at it. `encoding` 'utf-16' writes the part in UTF-16 (with BOM), as OPC allows."""
    entries = bundled_entries()
    sst = billion_laughs("sst", f'<sst xmlns="{NS_MAIN}" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>')
    if encoding != "utf-8":
        sst = sst.replace(b'encoding="UTF-8"', f'encoding="{encoding.upper()}"'.encode()).decode().encode(encoding)
    entries["xl/sharedStrings.xml"] = sst
    entries["xl/_rels/workbook.xml.rels"] = entries["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        SHARED_STRINGS_RELATIONSHIP + b"</Relationships>",
    )
    entries["[Content_Types].xml"] = entries["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.sharedStrings+xml" /></Types>',
    )
    return build_zip(entries)


def with_doctype(name: str, doctype: bytes) -> bytes:
    """The bundled workbook whose part `name` starts with `doctype` (before its root element)."""
    entries = bundled_entries()
    content = entries[name]
    if content.startswith(b"<?xml"):
        declaration, rest = content.split(b"?>", 1)
        content = declaration + b"?>" + doctype + rest
    else:
        content = doctype + content
    entries[name] = content
    return build_zip(entries)


XXE_DOCTYPE = b'<!DOCTYPE workbook [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
PLAIN_DOCTYPE = b"<!DOCTYPE root>"
LAUGHS_DOCTYPE = billion_laughs("worksheet", "").split(b"?>", 1)[1]


def blank(size: int, seed: int = 5) -> bytes:
    """`size` bytes of XML white space in a random mix (spaces, tabs, line breaks): deflates at about 4:1."""
    return bytes(random.Random(seed).choices(b" \t\r\n", k=size))


def laughs_after_blank(padding: int, name: str = "xl/sharedStrings.bin", encoding: str = "utf-8") -> bytes:
    """The bundled workbook plus part `name` holding a billion-laughs document after `padding` bytes of white space
    (legal before a DOCTYPE when there is no XML declaration). Seen by the attacker review: a part named .bin was
    DTD-scanned only when its first 4096 bytes looked like XML."""
    document = billion_laughs("sst", "<sst>&lol9;</sst>").split(b"?>", 1)[1]
    content = blank(padding).decode("ascii") + document.decode("ascii")
    return rewrite_bundled({name: content.encode(encoding)})


def sheet_laughs() -> bytes:
    """The 'Capaian Indikator' sheet with a billion-laughs DTD and the entity used in cell D4."""
    entries = bundled_entries()
    content = entries[VALUES_PART]
    content = LAUGHS_DOCTYPE + content.replace(b"<t>CONTOH</t>", b"<t>&lol9;</t>", 1)
    entries[VALUES_PART] = content
    return build_zip(entries)


def quadratic_blowup() -> bytes:
    """The 'Capaian Indikator' sheet with one 50 kB entity referenced 2000 times (100 MB once expanded)."""
    entries = bundled_entries()
    doctype = b'<!DOCTYPE worksheet [<!ENTITY a "' + b"a" * 50_000 + b'">]>'
    entries[VALUES_PART] = doctype + entries[VALUES_PART].replace(b"<t>CONTOH</t>", b"<t>" + b"&a;" * 2000 + b"</t>", 1)
    return build_zip(entries)


def malformed_part(name: str, cut: int) -> bytes:
    """The bundled workbook with part `name` cut after `cut` bytes (an unclosed element)."""
    content = bundled_entries()[name]
    return rewrite_bundled({name: content[:cut]})


def undefined_entity_workbook() -> bytes:
    """workbook.xml with a reference to an entity that no DTD declares."""
    return edit_part("xl/workbook.xml", b"<workbookPr />", b"<workbookPr>&foo;</workbookPr>")


# ----------------------------------------------------------------------------------------------
# Dimensions, macros and formulas


def _set_dimension(content: bytes, ref: str) -> bytes:
    """Sheet XML `content` with its <dimension .../> element replaced by one declaring `ref`."""
    start = content.index(b"<dimension ")
    end = content.index(b"/>", start) + 2
    return content[:start] + f'<dimension ref="{ref}" />'.encode() + content[end:]


def huge_dimension(ref: str, *, prefix: str = "", part: str = PLAN_PART) -> bytes:
    """The bundled workbook whose sheet `part` declares `<dimension ref=ref>`; with `prefix`, the root and the
    dimension element are written with that namespace prefix (<x:worksheet>, <x:dimension>)."""
    content = _set_dimension(bundled_entries()[part], ref)
    if prefix:
        content = content.replace(b"<worksheet ", f'<{prefix}:worksheet xmlns:{prefix}="{NS_MAIN}" '.encode(), 1)
        content = content.replace(b"</worksheet>", f"</{prefix}:worksheet>".encode())
        content = content.replace(b"<dimension ", f"<{prefix}:dimension ".encode(), 1)
    return rewrite_bundled({part: content})


def huge_dimension_after_padding(padding: int = 5000) -> bytes:
    """A sheet declaring A1:XFD1048576 after a `padding`-byte XML comment before <sheetPr> (legal XML)."""
    content = _set_dimension(bundled_entries()[PLAN_PART], "A1:XFD1048576")
    content = content.replace(b"<sheetPr", b"<!--" + b" " * padding + b"--><sheetPr", 1)
    return rewrite_bundled({PLAN_PART: content})


VBA_CONTENT_TYPE = "application/vnd.ms-office.vbaProject"
MACRO_WORKBOOK_TYPE = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"
PLAIN_WORKBOOK_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def vba_project() -> bytes:
    """A vbaProject.bin stand-in: an OLE compound file whose streams carry an auto-run macro and the marker."""
    source = f'Attribute VB_Name = "Module1"\r\nSub Workbook_Open()\r\n  Shell "{MACRO_MARKER}"\r\nEnd Sub\r\n'.encode()
    return ole_compound_file({"Module1": source, "PROJECT": f'Module=Module1\r\nName="{MACRO_MARKER}"\r\n'.encode()})


def xlsm(with_vba: bool = True, macro_content_type: bool = True, workbook: bytes | None = None) -> bytes:
    """The bundled workbook (or `workbook`) saved as .xlsm: xl/vbaProject.bin (related from the workbook) and the
    macro content type."""
    entries = bundled_entries(workbook)
    types = entries["[Content_Types].xml"]
    if macro_content_type:
        types = types.replace(PLAIN_WORKBOOK_TYPE, MACRO_WORKBOOK_TYPE)
    if with_vba:
        types = types.replace(
            b"</Types>", f'<Default Extension="bin" ContentType="{VBA_CONTENT_TYPE}" /></Types>'.encode()
        )
        entries["xl/vbaProject.bin"] = vba_project()
        entries["xl/_rels/workbook.xml.rels"] = entries["xl/_rels/workbook.xml.rels"].replace(
            b"</Relationships>",
            b'<Relationship Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" '
            b'Target="vbaProject.bin" Id="rId98" /></Relationships>',
        )
    entries["[Content_Types].xml"] = types
    return build_zip(entries)


MS_RELATIONSHIPS = "http://schemas.microsoft.com/office/2006/relationships"


def xlsm_renamed(part: str = "xl/code.bin", *, annotated: bool = False) -> bytes:
    """The bundled workbook with its VBA project stored as `part` (any name), related from the workbook by a
    relationship of type .../vbaProject and typed by an Override; the project is signed by `xl/sig.dat` (related
    from the project's own relationship part, typed vbaProjectSignature). Seen by the attacker review: a renamed
    project was kept in the stored file.

    With `annotated`, a Relationship and an Override carry `xml:lang` and an attribute of a foreign namespace, as
    XML allows (seen by the attacker review: the rewrite wrote them as `{namespace}lang` and the file was refused).
    """
    entries = bundled_entries()
    extra = b' xml:lang="id" xmlns:x="urn:rbdash:test" x:note="catatan"' if annotated else b""
    entries["[Content_Types].xml"] = (
        entries["[Content_Types].xml"]
        .replace(PLAIN_WORKBOOK_TYPE, MACRO_WORKBOOK_TYPE)
        .replace(
            b"</Types>",
            f'<Override PartName="/{part}" ContentType="{VBA_CONTENT_TYPE}"'.encode()
            + extra
            + b' /><Override PartName="/xl/sig.dat" ContentType="application/vnd.ms-office.vbaProjectSignature" />'
            b"</Types>",
        )
    )
    entries[part] = vba_project()
    entries["xl/sig.dat"] = f"signature of {MACRO_MARKER}".encode()
    target = posixpath.relpath(part, "xl")
    entries[WORKBOOK_RELS] = entries[WORKBOOK_RELS].replace(
        b"</Relationships>",
        f'<Relationship Type="{MS_RELATIONSHIPS}/vbaProject" Target="{target}" Id="rId98"'.encode()
        + extra
        + b" /></Relationships>",
    )
    entries[posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{NS_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{MS_RELATIONSHIPS}/vbaProjectSignature" Target="sig.dat"/></Relationships>'
    ).encode()
    return build_zip(entries)


def formula_without_value(new_cell: bytes = b'<c r="C9"><f>SUM(A1:A2)</f></c>') -> bytes:
    """The bundled workbook whose Capaian Indikator!C9 (the number 60) becomes `new_cell` (a formula, no value)."""
    return edit_part(VALUES_PART, FORMULA_CELL_XML, new_cell)


def many_formulas_without_value(count: int = 25) -> bytes:
    """Capaian Indikator with the value cells C4.. C(3+count) all turned into formulas without cached values."""
    content = bundled_entries()[VALUES_PART]
    for row in range(4, 4 + count):
        start = content.index(f'<c r="C{row}"'.encode())
        end = content.index(b"</c>", start) + 4
        content = content[:start] + f'<c r="C{row}"><f>B{row}*2</f></c>'.encode() + content[end:]
    return rewrite_bundled({VALUES_PART: content})


# ----------------------------------------------------------------------------------------------
# Real extent: far cells and rows whatever <dimension> says, implicit positions, whole-sheet ranges

#: Worksheet parts of the bundled workbook, by sheet name, in workbook order.
SHEET_PARTS: dict[str, str] = {
    "Info": "xl/worksheets/sheet1.xml",
    "Rencana Aksi": PLAN_PART,
    "Indikator": "xl/worksheets/sheet3.xml",
    "Realisasi": "xl/worksheets/sheet4.xml",
    "Capaian Indikator": VALUES_PART,
    "IKM": "xl/worksheets/sheet6.xml",
    "Responden SKM": "xl/worksheets/sheet7.xml",
}

#: The last cell of the grid: a reader that sizes its grid by it needs 2**34 cells.
FAR_CELL = "XFD1048576"
FAR_ROW = 1048576
FAR_COLUMN = 16384
WHOLE_SHEET = "A1:XFD1048576"
LYING_DIMENSION = "A1:D30"

#: The far cell, one value, in the spelling every writer uses and in spellings the native reader also accepts.
FAR_CELL_SPELLINGS: dict[str, bytes] = {
    "double_quotes": b'<c r="XFD1048576" t="n"><v>1</v></c>',
    "lowercase": b'<c r="xfd1048576" t="n"><v>1</v></c>',
    "single_quotes": b"<c r='XFD1048576' t=\"n\"><v>1</v></c>",
    "spaces_around_equals": b'<c r = "XFD1048576" t="n"><v>1</v></c>',
}

#: Row elements far below any table: empty, and holding one cell without `r` (its position is implicit).
EMPTY_FAR_ROW = b'<row r="1048576"/>'
FAR_ROW_IMPLICIT_CELL = b'<row r="1048576"><c t="n"><v>1</v></c></row>'
#: The same row with its `r` written with spaces around '=' (legal XML; the package scan reads it too).
FAR_ROW_SPACED = b'<row r = "1048576"><c t="n"><v>1</v></c></row>'


def _append_to_sheet_data(content: bytes, xml: bytes) -> bytes:
    """Sheet XML `content` with `xml` added just before </sheetData>."""
    if content.count(b"</sheetData>") != 1:
        raise ValueError("one </sheetData> expected")
    return content.replace(b"</sheetData>", xml + b"</sheetData>")


def far_cell_workbook(
    part: str = VALUES_PART,
    cell: bytes = FAR_CELL_SPELLINGS["double_quotes"],
    *,
    own_row: bool = True,
    dimension: str = LYING_DIMENSION,
) -> bytes:
    """The bundled workbook whose sheet `part` declares the small `dimension` (a lie) and holds `cell` at XFD1048576.

    With `own_row` the cell sits in a row element of its own, `<row r="1048576">`, as Excel writes it; without,
    it is appended to the sheet's last existing row, so only the cell's own reference says where it is (the reader
    places a cell by its `r`, not by its row element).
    """
    content = _set_dimension(bundled_entries()[part], dimension)
    if own_row:
        content = _append_to_sheet_data(content, f'<row r="{FAR_ROW}">'.encode() + cell + b"</row>")
    else:
        end = content.index(b"</sheetData>")
        last_row_end = content.rindex(b"</row>", 0, end)
        content = content[:last_row_end] + cell + content[last_row_end:]
    return rewrite_bundled({part: content})


#: One value at GR20000 (200 columns x 20,000 rows = 4,000,000 cells, the most one sheet may span), spelled as
#: the reader accepts it. Seen by the attacker review: the spellings after the first went uncounted, and seven
#: such sheets (28,000,000 cells) were accepted.
AREA_CELL_SPELLINGS: dict[str, bytes] = {
    "double_quotes": b'<c r="GR20000" t="n"><v>1</v></c>',
    "spaces_around_equals": b'<c r = "GR20000" t="n"><v>1</v></c>',
    "single_quotes": b"<c r='GR20000' t=\"n\"><v>1</v></c>",
    "leading_zeros": b'<c r="GR00000000000020000" t="n"><v>1</v></c>',
    "lowercase": b'<c r="gr20000" t="n"><v>1</v></c>',
}


def area_in_every_sheet(cell: bytes, row: bytes = b'<row r="20000">') -> bytes:
    """The bundled workbook with `cell` (see AREA_CELL_SPELLINGS) in a row `row` of its own in every sheet."""
    entries = bundled_entries()
    return rewrite_bundled(
        {part: _append_to_sheet_data(entries[part], row + cell + b"</row>") for part in SHEET_PARTS.values()}
    )


def far_row_workbook(row: bytes, part: str = VALUES_PART) -> bytes:
    """The bundled workbook whose sheet `part` ends its <sheetData> with the row element `row`."""
    return rewrite_bundled({part: _append_to_sheet_data(bundled_entries()[part], row)})


def implicit_columns_workbook(cells: int = 20_000, far_row: bytes | None = FAR_ROW_IMPLICIT_CELL) -> bytes:
    """'Capaian Indikator' with a row 31 of `cells` number cells that have no `r` (columns 1..cells, implicit),
    followed by `far_row` (None: nothing after it). The column limit cannot be seen in any reference."""
    row = b'<row r="31">' + b'<c t="n"><v>1</v></c>' * cells + b"</row>"
    return rewrite_bundled({VALUES_PART: _append_to_sheet_data(bundled_entries()[VALUES_PART], row + (far_row or b""))})


def whole_sheet_shared_formula() -> bytes:
    """Capaian Indikator!C9 (the number 60) as the master of a shared formula whose range is the whole sheet,
    with its cached value kept."""
    return edit_part(
        VALUES_PART,
        FORMULA_CELL_XML,
        f'<c r="C9"><f t="shared" ref="{WHOLE_SHEET}" si="0">B9*30</f><v>60</v></c>'.encode(),
    )


def whole_sheet_merge() -> bytes:
    """'Capaian Indikator' with one merged range over the whole sheet (A1:XFD1048576)."""
    return edit_part(
        VALUES_PART,
        b"</sheetData>",
        f'</sheetData><mergeCells count="1"><mergeCell ref="{WHOLE_SHEET}"/></mergeCells>'.encode(),
    )


def whole_column_defined_name() -> bytes:
    """workbook.xml with a defined name `x` over the whole column A of 'Capaian Indikator' (1,048,576 cells)."""
    return edit_part(
        "xl/workbook.xml",
        b"</definedNames>",
        f"<definedName name=\"x\">'{VALUES_SHEET}'!$A:$A</definedName></definedNames>".encode(),
    )


# ----------------------------------------------------------------------------------------------
# Parts and relationships: declared but absent, or pointing outside the package

WORKSHEET_TYPE = OOXML + "spreadsheetml.worksheet+xml"
SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
#: Relationship targets outside the package: relative (climbing out of xl/) and absolute.
OUTSIDE_TARGETS = ("../../../etc/passwd", "/etc/passwd")


def content_type_without_part(part: str = "xl/worksheets/sheet9.xml") -> bytes:
    """[Content_Types].xml declares worksheet `part`, which is not in the ZIP and which nothing relates to."""
    return edit_part(
        "[Content_Types].xml",
        b"</Types>",
        f'<Override PartName="/{part}" ContentType="{WORKSHEET_TYPE}" /></Types>'.encode(),
    )


def worksheet_target_missing() -> bytes:
    """The bundled workbook without the 'Capaian Indikator' part, which workbook.xml.rels still relates to."""
    return rewrite_bundled({VALUES_PART: None})


def relationship_outside(kind: str, target: str) -> bytes:
    """The bundled workbook whose workbook relationship of `kind` ('worksheet' for 'Capaian Indikator', 'styles',
    or a new 'sharedStrings') has `target`, a path outside the package (nothing is added to the ZIP)."""
    rels = bundled_entries()[WORKBOOK_RELS]
    if kind == "worksheet":
        new = rels.replace(f'Target="/{VALUES_PART}"'.encode(), f'Target="{target}"'.encode())
    elif kind == "styles":
        new = rels.replace(b'Target="styles.xml"', f'Target="{target}"'.encode())
    elif kind == "sharedStrings":
        new = rels.replace(
            b"</Relationships>",
            f'<Relationship Type="{NS_REL}/sharedStrings" Target="{target}" Id="rId99" /></Relationships>'.encode(),
        )
    else:
        raise ValueError(kind)
    if new == rels:
        raise ValueError(f"{kind} relationship not found")
    return rewrite_bundled({WORKBOOK_RELS: new})


# ----------------------------------------------------------------------------------------------
# Deeply nested XML

NESTING_DEPTH = 100_000


def _nested(tag: bytes, depth: int, inner: bytes = b"") -> bytes:
    """`depth` nested `tag` elements around `inner`."""
    return (b"<" + tag + b">") * depth + inner + (b"</" + tag + b">") * depth


def deep_workbook_xml(depth: int = NESTING_DEPTH) -> bytes:
    """workbook.xml with `depth` nested <x> elements after <workbookPr> (well-formed; an element readers skip)."""
    return edit_part("xl/workbook.xml", b"<workbookPr />", b"<workbookPr />" + _nested(b"x", depth))


def deep_inline_string(depth: int = NESTING_DEPTH) -> bytes:
    """Capaian Indikator!D4 (inline string 'CONTOH') with its <t> wrapped in `depth` nested rich-text runs <r>."""
    return edit_part(
        VALUES_PART, b"<is><t>CONTOH</t></is>", b"<is>" + _nested(b"r", depth, b"<t>CONTOH</t>") + b"</is>"
    )


def deep_shared_strings(depth: int = NESTING_DEPTH) -> bytes:
    """A sharedStrings.xml (related and typed) whose only item nests `depth` rich-text runs around 'CONTOH', and
    Capaian Indikator!D4 pointing at it."""
    entries = bundled_entries()
    entries["xl/sharedStrings.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{NS_MAIN}" count="1" uniqueCount="1">'
        f"<si>".encode()
        + _nested(b"r", depth, b"<t>CONTOH</t>")
        + b"</si></sst>"
    )
    entries[WORKBOOK_RELS] = entries[WORKBOOK_RELS].replace(
        b"</Relationships>",
        SHARED_STRINGS_RELATIONSHIP + b"</Relationships>",
    )
    entries["[Content_Types].xml"] = entries["[Content_Types].xml"].replace(
        b"</Types>",
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHARED_STRINGS_TYPE}" /></Types>'.encode(),
    )
    old = b'<c r="D4" t="inlineStr"><is><t>CONTOH</t></is></c>'
    if old not in entries[VALUES_PART]:
        raise ValueError("D4 not found")
    entries[VALUES_PART] = entries[VALUES_PART].replace(old, b'<c r="D4" t="s"><v>0</v></c>')
    return build_zip(entries)


# ----------------------------------------------------------------------------------------------
# Large honest entries and a hidden inflate tail of a gigabyte

#: A hidden inflate tail of a gigabyte after the declared end of an entry (see `hidden_tail`).
GIGABYTE_TAIL = 1 << 30
#: An honest entry of 480 MiB: under the 500 MB total, compressed at about 190:1, under the 250:1 ratio limit.
HONEST_LARGE = 480 << 20


def padding_block(size: int = 1 << 20, gap: int = 400, seed: int = 2022) -> bytes:
    """`size` bytes of XML whitespace (spaces broken by a tab or line break every 1..2*`gap` bytes) ending with an
    empty comment, so a '>' comes once per block. Legal between elements; deflates to about 5.5 KB per MiB."""
    rng = random.Random(seed)
    out = bytearray()
    closing = b"<!---->"
    while len(out) < size - len(closing):
        out += b" " * rng.randint(1, 2 * gap) + rng.choice((b"\n", b"\t", b"\r\n"))
    return bytes(out[: size - len(closing)]) + closing


def deflate_blocks(head: bytes, block: bytes, times: int, tail: bytes) -> tuple[bytes, int, int]:
    """Raw deflate of `head`, `times` copies of `block`, then `tail`, with its CRC-32 and size.

    `block` is compressed once (fresh compressor, full flush, so the segment stands alone) and the segment
    repeated; only the CRC-32 walks over every copy. Nothing the size of the content is ever held.
    """

    def segment(content: bytes) -> bytes:
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        return compressor.compress(content) + compressor.flush(zlib.Z_FULL_FLUSH)

    crc = zlib.crc32(head)
    for _ in range(times):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    payload = segment(head) + segment(block) * times + segment(tail) + zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    return payload, crc, len(head) + len(block) * times + len(tail)


def honest_padded_sheet(total: int = HONEST_LARGE) -> bytes:
    """'Capaian Indikator' with `total` bytes of whitespace (see `padding_block`) between its last row and
    </sheetData>: well-formed, honest headers, within every package limit; the reader must stream through it."""
    content = bundled_entries()[VALUES_PART]
    head, tail = content.split(b"</sheetData>", 1)
    block = padding_block()
    payload, crc, size = deflate_blocks(head, block, total // len(block), b"</sheetData>" + tail)
    entries = [e if e.name != VALUES_PART else RawEntry(VALUES_PART, payload, crc, size) for e in bundled_raw_entries()]
    return raw_zip(entries)


def honest_large_media(total: int = HONEST_LARGE, name: str = "xl/media/image1.png") -> bytes:
    """The bundled workbook plus media part `name` of `total` honest bytes (the padding blocks), which no reader
    of cell values opens: only the package inspection streams through it."""
    block = padding_block()
    payload, crc, size = deflate_blocks(b"\x89PNG\r\n\x1a\n", block, total // len(block), b"")
    return raw_zip([*bundled_raw_entries(), RawEntry(name, payload, crc, size)])


def implicit_rows_workbook(rows: int = 300_000, part: str = VALUES_PART) -> bytes:
    """Sheet `part` followed by `rows` empty <row/> elements without `r`, then a row holding one number cell, also
    without `r`: no reference names its place (row 30 + `rows` + 1 in 'Capaian Indikator'), the reader counts it.
    Random whitespace between the rows keeps the entry well under the 250:1 ratio limit."""
    gaps = [b" " * (count % 24) for count in range(256)]
    body = b"".join(b"<row/>" + gaps[byte] for byte in random.Random(rows).randbytes(rows))
    return rewrite_bundled(
        {part: _append_to_sheet_data(bundled_entries()[part], body + b'<row><c t="n"><v>1</v></c></row>')}
    )


def zip_version_needed(version: int = 64, name: str = VALUES_PART) -> bytes:
    """The bundled workbook whose central directory says entry `name` needs ZIP version `version` / 10 to extract
    (the low byte of the 'version needed' field, central header +6). Python's zipfile reads up to 6.3 (63) and
    refuses more with NotImplementedError while opening the archive. Found by tests/fuzz_workbook.py (255)."""
    data = build_zip(bundled_entries())
    out = bytearray(data)
    out[header_offsets(data, name).central + 6] = version
    return bytes(out)


# ----------------------------------------------------------------------------------------------
# Shared strings too large to hold (seen by the attacker review: huge_sst.xlsx, 393 MB, server peak 1,567 MB)


def _with_shared_strings(entries: dict[str, bytes]) -> dict[str, bytes]:
    """`entries` with sharedStrings.xml related from the workbook and declared in the content types."""
    entries[WORKBOOK_RELS] = entries[WORKBOOK_RELS].replace(
        b"</Relationships>", SHARED_STRINGS_RELATIONSHIP + b"</Relationships>"
    )
    entries["[Content_Types].xml"] = entries["[Content_Types].xml"].replace(
        b"</Types>",
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHARED_STRINGS_TYPE}" /></Types>'.encode(),
    )
    return entries


SST_HEAD = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{NS_MAIN}">'.encode()


def huge_shared_strings(total: int = 80 << 20) -> bytes:
    """The bundled workbook plus a related sharedStrings.xml of about `total` bytes: items of a few hundred
    characters (random lengths, so it deflates at under 250:1), a file of a few MB."""
    rng = random.Random(393)
    block = b"".join(b"<si><t>" + b"a" * rng.randint(1, 800) + b"</t></si>" for _ in range(2600))
    payload, crc, size = deflate_blocks(SST_HEAD, block, total // len(block), b"</sst>")
    entries = _with_shared_strings(bundled_entries())
    raw = [raw_entry(name, content) for name, content in entries.items()]
    return raw_zip([*raw, RawEntry("xl/sharedStrings.xml", payload, crc, size)])


def many_shared_strings(count: int = 1_100_000) -> bytes:
    """The bundled workbook plus a related sharedStrings.xml of `count` short items (about 20 MB)."""
    items_by_length = [b"<si><t>" + b"x" * length + b"</t></si>" for length in range(1, 9)]
    lengths = random.Random(count).randbytes(count)  # one random byte per item: its length is 1 + byte % 8
    items = b"".join(items_by_length[byte & 7] for byte in lengths)
    return build_zip(_with_shared_strings({**bundled_entries(), "xl/sharedStrings.xml": SST_HEAD + items + b"</sst>"}))


def huge_styles(total: int = 80 << 20) -> bytes:
    """The bundled workbook whose styles.xml is padded to about `total` bytes with white space and comments."""
    content = bundled_entries()["xl/styles.xml"]
    head, tail = content.split(b"</styleSheet>", 1)
    payload, crc, size = deflate_blocks(head, padding_block(), total // (1 << 20), b"</styleSheet>" + tail)
    raw = [
        e if e.name != "xl/styles.xml" else RawEntry("xl/styles.xml", payload, crc, size) for e in bundled_raw_entries()
    ]
    return raw_zip(raw)


# ----------------------------------------------------------------------------------------------
# Merged ranges (seen by the attacker review: merge_slow_125_ZZZZ.xlsx took 48 s in the server process)


def merged_ranges(count: int, last: str = "ZZZZ1000000", part: str = VALUES_PART, first_rows: int = 30) -> bytes:
    """Sheet `part` with `count` merged ranges, from A1, A2, ... (cycling over rows 1..`first_rows`; rows 1..30
    hold the table in 'Capaian Indikator') to the cell `last`: by default each one spans far past the grid."""
    cells = "".join(f'<mergeCell ref="A{i % first_rows + 1}:{last}"/>' for i in range(count))
    return edit_part(part, b"</sheetData>", f'</sheetData><mergeCells count="{count}">{cells}</mergeCells>'.encode())

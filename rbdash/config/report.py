"""The [report] settings: the home office's letterhead and signature block, each text bounded by its place on
the page, the logo a whole PNG or JPEG image file; and the error every setting is refused with."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path


class SettingsError(Exception):
    """A setting that cannot be used: `key` names the catalogue message, `params` the file, key and value."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(f"{key} {params}")
        self.key, self.params = key, params


#: The longest text of each [report] setting: what fits its place on the page (seen by the review: four
#: 299-character signature lines made a block taller than a page, and every report failed).
LAYOUT_CHARS = {
    "office_name": 150,
    "office_address": 300,
    "place": 60,
    "signer_heading": 60,
    "signer_title": 120,
    "signer_name": 120,
    "signer_nip": 40,
    "logo": 1000,
}
#: The largest logo image, in pixels either way (seen: a 30,000 x 30,000 PNG of 109 KB passed the file check).
MAX_LOGO_PIXELS = 4000
#: The largest letterhead logo file.
MAX_LOGO_BYTES = 2_000_000
_IMAGE_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")  # PNG, JPEG


@dataclass(frozen=True)
class ReportLayout:
    """The PDF report's official layout ([report] of the config file): a letterhead (the office's logo, name
    and address) and, on its last page, a place and date line and a signature block. Nothing is shipped that
    is not the office's own: unset, the letterhead is the workbook's satker in plain text and the signature
    block has blank lines to fill in by hand."""

    office_name: str = ""
    office_address: str = ""
    logo: Path | None = None
    place: str = ""
    signer_heading: str | None = None  # None: the report language's ("Mengetahui," / "Acknowledged,"); "": none
    signer_title: str = ""
    signer_name: str = ""
    signer_nip: str = ""


def report_layout(values: object, where: str) -> ReportLayout:
    """[report]: texts within LAYOUT_CHARS on one line (the address may take two), a logo that is a whole
    PNG or JPEG image file of at most MAX_LOGO_BYTES and MAX_LOGO_PIXELS (a path relative to the config
    file's folder)."""
    if not isinstance(values, dict):
        raise SettingsError("settings.bad_value", where=where, name="report", value=values, expected="[report]")
    known = {spec.name for spec in fields(ReportLayout)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise SettingsError("settings.unknown_key", where=where, name=f"report.{unknown[0]}")
    chosen: dict[str, object] = {}
    for name, value in values.items():
        key = f"report.{name}"
        lines = 2 if name == "office_address" else 1
        limit = LAYOUT_CHARS[name]
        if not isinstance(value, str) or len(value) > limit or len(value.splitlines()) > lines:
            expected = f'"text" ({limit} characters at most, {lines} line(s))'
            raise SettingsError("settings.bad_value", where=where, name=key, value=value, expected=expected)
        chosen[name] = value.strip()
    logo = chosen.pop("logo", "")
    if logo:
        path = Path(str(logo)).expanduser()
        if not path.is_absolute():
            path = Path(where).parent / path
        chosen["logo"] = _checked_logo(path, where)
    return ReportLayout(**chosen)  # type: ignore[arg-type]


def _checked_logo(path: Path, where: str) -> Path:
    expected = f"PNG / JPEG, {MAX_LOGO_BYTES // 1_000_000} MB, {MAX_LOGO_PIXELS} px"
    refused = SettingsError("settings.bad_value", where=where, name="report.logo", value=path, expected=expected)
    try:
        if not path.is_file() or path.stat().st_size > MAX_LOGO_BYTES:
            raise refused
        with path.open("rb") as stream:
            head = stream.read(8)
    except OSError as exc:
        raise refused from exc
    if not head.startswith(_IMAGE_SIGNATURES):
        raise refused
    from PIL import Image  # only when a logo is set: the report draws it with Pillow too

    try:
        with Image.open(path) as image:  # the whole image decoded now, not at the first report (seen: truncated)
            if max(image.size) > MAX_LOGO_PIXELS:
                raise refused
            image.load()
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise refused from exc
    return path

"""Strip the VBA project from a workbook package, so a macro is never kept or served.

A macro part is found by what the package says it is, not by its name: every part whose content type is a
VBA project, its signatures or VBA data; every target of a relationship of those types (resolved against the
part the relationship belongs to); and, in turn, the parts only they relate to. The content types and the
relationship parts are rewritten as XML with their attributes kept as they were (`xml:lang` and attributes
of other namespaces are written with a prefix, never as `{namespace}name`).
"""

from __future__ import annotations

import io
import posixpath
import shutil
import zipfile
from xml.etree import ElementTree
from xml.sax.saxutils import escape, quoteattr

from defusedxml.ElementTree import fromstring as defused_fromstring

CONTENT_TYPES = "[Content_Types].xml"
CONTENT_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
RELATIONSHIPS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
MACRO_WORKBOOK_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
PLAIN_WORKBOOK_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"

#: Words in a content type or in the last segment of a relationship type that mark VBA: the project, its
#: signatures (vbaProjectSignature, ...Agile, ...V3) and Word's VBA data.
_MACRO_WORDS = ("vbaproject", "vbadata")


def is_macro_type(kind: str) -> bool:
    """A content type or relationship type of a VBA project, its signatures or VBA data."""
    last = kind.lower().rstrip("/").rpartition("/")[2]
    return any(word in last for word in _MACRO_WORDS)


def _is_macro_name(name: str) -> bool:
    lowered = name.lower().lstrip("/")
    return "vbaproject" in lowered or lowered.endswith("vbadata.xml")


def _parse(content: bytes) -> ElementTree.Element:
    # Content types and relationships: at most 16 MB, DTDs refused by the package check; defusedxml again here.
    return defused_fromstring(content)


XML_NS = "http://www.w3.org/XML/1998/namespace"


def _split(name: str) -> tuple[str, str]:
    """`{namespace}local` as (namespace, local); ('', name) for a name without a namespace."""
    if name.startswith("{"):
        namespace, _, local = name[1:].partition("}")
        return namespace, local
    return "", name


def _serialise(root: ElementTree.Element, namespace: str) -> bytes:
    """`root` written anew as XML, `namespace` the default one. Names of the XML namespace keep their `xml:`
    prefix (`xml:lang`); any other namespace gets a prefix declared on the root, so nothing is ever written as
    `{namespace}name`."""
    prefixes: dict[str, str] = {XML_NS: "xml"}
    for element in root.iter():
        for name in (element.tag, *element.attrib):
            other = _split(name)[0]
            if other and other != namespace and other not in prefixes:
                prefixes[other] = f"ns{len(prefixes)}"

    def qualified(name: str, attribute: bool) -> str:
        other, local = _split(name)
        if not other or (other == namespace and not attribute):
            return local
        if other == namespace:  # an attribute in the default namespace needs a prefix of its own
            prefixes.setdefault(f"attribute:{namespace}", f"ns{len(prefixes)}")
            return f"{prefixes[f'attribute:{namespace}']}:{local}"
        return f"{prefixes[other]}:{local}"

    def write(element: ElementTree.Element, declarations: str = "") -> str:
        tag = qualified(element.tag, False)
        attributes = "".join(f" {qualified(name, True)}={quoteattr(value)}" for name, value in element.attrib.items())
        inner = escape(element.text or "") + "".join(write(child) + escape(child.tail or "") for child in element)
        return f"<{tag}{declarations}{attributes}" + (f">{inner}</{tag}>" if inner else "/>")

    body = write(root, "\0")  # the declarations are known once every name was seen
    declarations = f' xmlns="{namespace}"' + "".join(
        f" xmlns:{prefix}={quoteattr(key.removeprefix('attribute:'))}"
        for key, prefix in prefixes.items()
        if key != XML_NS
    )
    header = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    return (header + body.replace("\0", declarations, 1)).encode("utf-8")


def _rels_source_dir(rels_name: str) -> str:
    """The folder relative targets of the relationship part `rels_name` resolve against (`xl/_rels/x.rels` -> `xl`)."""
    folder = posixpath.dirname(rels_name)
    return posixpath.dirname(folder) if posixpath.basename(folder) == "_rels" else folder


def _resolve(rels_name: str, target: str) -> str:
    if target.startswith("/"):
        return posixpath.normpath(target).lstrip("/")
    return posixpath.normpath(posixpath.join(_rels_source_dir(rels_name), target)).lstrip("/")


def _rels_of(part: str) -> str:
    """The relationship part of `part` (`xl/code.bin` -> `xl/_rels/code.bin.rels`)."""
    return posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")


def macro_parts(source: zipfile.ZipFile) -> set[str]:
    """The names of the package's macro parts (see the module docstring); empty for a package without macros."""
    names = set(source.namelist())
    lowered = {name.lower(): name for name in names}
    dropped = {name for name in names if _is_macro_name(name)}
    if CONTENT_TYPES in names:
        types = _parse(source.read(CONTENT_TYPES))
        defaults = {
            entry.get("Extension", "").lower(): entry.get("ContentType", "")
            for entry in types
            if entry.tag == f"{{{CONTENT_TYPES_NS}}}Default"
        }
        overrides = {
            entry.get("PartName", "").lstrip("/").lower(): entry.get("ContentType", "")
            for entry in types
            if entry.tag == f"{{{CONTENT_TYPES_NS}}}Override"
        }
        for name in names:
            kind = overrides.get(name.lower())
            if kind is None:
                kind = defaults.get(posixpath.splitext(name)[1].lstrip(".").lower(), "")
            if is_macro_type(kind):
                dropped.add(name)
    # Targets of macro relationships, and what the dropped parts relate to in turn, until nothing is added.
    rels = {name: _parse(source.read(name)) for name in names if name.endswith(".rels")}
    while True:
        added = set()
        for rels_name, root in rels.items():
            source_part = posixpath.join(_rels_source_dir(rels_name), posixpath.basename(rels_name)[: -len(".rels")])
            for relationship in root:
                if relationship.get("TargetMode") == "External":
                    continue
                target = lowered.get(_resolve(rels_name, relationship.get("Target", "")).lower())
                if target is None or target in dropped:
                    continue
                if is_macro_type(relationship.get("Type", "")) or source_part in dropped:
                    added.add(target)
        added |= {_rels_of(part) for part in dropped | added if _rels_of(part) in names}
        added -= dropped
        if not added:
            return dropped
        dropped |= added


def strip_macros(data: bytes) -> bytes:
    """The workbook without its VBA project (`data` itself when it has none): macros are never kept or served.

    The relationship and content-type parts are rewritten as XML (not edited as text), so whatever the order of
    their entries the result is a well-formed package; the caller validates it again.
    """
    source = zipfile.ZipFile(io.BytesIO(data))
    names = source.namelist()
    types = source.read(CONTENT_TYPES) if CONTENT_TYPES in names else b""
    dropped = macro_parts(source)
    if not dropped and MACRO_WORKBOOK_TYPE.encode() not in types:
        return data
    lowered = {name.lower() for name in dropped}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename in dropped:
                continue
            if info.filename == CONTENT_TYPES:
                target.writestr(info, _plain_content_types(source.read(info), lowered))
            elif info.filename.endswith(".rels"):
                target.writestr(info, _without_macro_relationships(info.filename, source.read(info), lowered))
            else:
                # Streamed: an uploaded part may unpack to hundreds of MB (within the package limits).
                with source.open(info) as part, target.open(info, "w") as copy:
                    shutil.copyfileobj(part, copy, 1 << 20)
    return out.getvalue()


def _plain_content_types(content: bytes, dropped: set[str]) -> bytes:
    root = _parse(content)
    for entry in list(root):
        content_type = entry.get("ContentType", "")
        if content_type == MACRO_WORKBOOK_TYPE:
            entry.set("ContentType", PLAIN_WORKBOOK_TYPE)
        elif is_macro_type(content_type) or entry.get("PartName", "").lstrip("/").lower() in dropped:
            root.remove(entry)
    return _serialise(root, CONTENT_TYPES_NS)


def _without_macro_relationships(rels_name: str, content: bytes, dropped: set[str]) -> bytes:
    root = _parse(content)
    for relationship in list(root):
        internal = relationship.get("TargetMode") != "External"
        target = _resolve(rels_name, relationship.get("Target", "")).lower()
        if is_macro_type(relationship.get("Type", "")) or (internal and target in dropped):
            root.remove(relationship)
    return _serialise(root, RELATIONSHIPS_NS)

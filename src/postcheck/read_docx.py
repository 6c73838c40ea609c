"""Reading a .docx draft: every text part, and its pictures as image inputs.

Text, joined in this order, one paragraph a line: the body (paragraphs,
tables, content controls and text boxes, in document order), every header
and footer (default, first-page and even-page), footnotes, endnotes, comments,
the text of charts and SmartArt diagrams, and the alt text and titles of
pictures and shapes. Hidden text is read too (it is in the file); deleted
text of tracked changes is not (it is not in the document).

Pictures: every file under ``word/media/`` and any other picture part becomes
an image input of the post and gets every image check. A picture linked from
the internet and a file embedded in the document (``word/embeddings/``) are
reported as not checked: postcheck cannot see them, so the post is blocked.

Before python-docx reads the file, the zip archive is checked against the
limits in :mod:`postcheck.limits`: the sizes its members unpack to (in total,
and for the XML the text comes from) and how far each one is compressed, so a
small file that unpacks to gigabytes is refused, never unpacked.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from postcheck.errors import UnreadableInput
from postcheck.inputs import DraftParts, TextDoc
from postcheck.limits import (
    DOCX_MAX_MEMBERS,
    DOCX_MAX_UNPACKED,
    DOCX_MAX_XML,
    ZIP_MAX_RATIO,
    ZIP_RATIO_FLOOR,
    too_large,
)
from postcheck.model import InputFile

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
_WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
_PIC = "{http://schemas.openxmlformats.org/drawingml/2006/picture}"
_V = "{urn:schemas-microsoft-com:vml}"
_O = "{urn:schemas-microsoft-com:office:office}"

_P, _T, _TAB, _BR, _CR, _NBH = (f"{_W}{t}" for t in ("p", "t", "tab", "br", "cr", "noBreakHyphen"))
_NOT_TEXT = {f"{_W}{t}" for t in ("delText", "instrText", "delInstrText")}

_OOXML = "application/vnd.openxmlformats-officedocument."
# Parts whose paragraphs are read, in the order they are joined.
_WORD_PARTS = {
    f"{_OOXML}wordprocessingml.document.main+xml": 0,
    "application/vnd.ms-word.document.macroEnabled.main+xml": 0,
    f"{_OOXML}wordprocessingml.template.main+xml": 0,
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml": 0,
    f"{_OOXML}wordprocessingml.header+xml": 1,
    f"{_OOXML}wordprocessingml.footer+xml": 2,
    f"{_OOXML}wordprocessingml.footnotes+xml": 3,
    f"{_OOXML}wordprocessingml.endnotes+xml": 4,
    f"{_OOXML}wordprocessingml.comments+xml": 5,
}
# DrawingML parts with text of their own: charts and SmartArt diagrams.
_DRAWING_PARTS = {
    f"{_OOXML}drawingml.chart+xml": 6,
    f"{_OOXML}drawingml.diagramData+xml": 7,
}


def read_docx(data: bytes, item: InputFile) -> DraftParts:
    """The text of every part of a .docx, its pictures, and what could not be checked."""
    check_archive(data)
    document = _open(data)
    package = document.part.package
    parts = sorted(
        (p for p in package.iter_parts() if p.content_type in _WORD_PARTS | _DRAWING_PARTS),
        key=lambda p: ((_WORD_PARTS | _DRAWING_PARTS)[p.content_type], str(p.partname)),
    )
    lines: list[str] = []
    alt: list[str] = []
    for part in parts:
        root = _xml(part)
        if part.content_type in _WORD_PARTS:
            _collect(root, [], lines)
        else:
            lines += _drawing_text(root)
        _alt_text(root, alt)
    text = "\n".join(t for t in (*lines, *dict.fromkeys(alt)) if t.strip())
    images, problems = _pictures(data, package, item)
    if not text.strip() and not images:
        raise UnreadableInput("the document has no text: there is nothing to check")
    return DraftParts(TextDoc(text, item.display), tuple(images), tuple(problems))


def check_archive(data: bytes) -> None:
    """Refuse a .docx whose members unpack past the limits, before anything is unpacked."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnreadableInput(f"not a readable .docx file ({exc.__class__.__name__})") from exc
    if len(infos) > DOCX_MAX_MEMBERS:
        raise UnreadableInput(
            f"the .docx holds {len(infos)} files; postcheck reads at most {DOCX_MAX_MEMBERS}"
        )
    if sum(i.file_size for i in infos) > DOCX_MAX_UNPACKED:
        raise UnreadableInput(too_large("the .docx is, unpacked,", DOCX_MAX_UNPACKED))
    xml = sum(i.file_size for i in infos if i.filename.lower().endswith((".xml", ".rels")))
    if xml > DOCX_MAX_XML:
        raise UnreadableInput(too_large("the document's text (XML) is, unpacked,", DOCX_MAX_XML))
    for info in infos:
        if info.file_size > ZIP_RATIO_FLOOR and info.file_size > ZIP_MAX_RATIO * max(info.compress_size, 1):
            raise UnreadableInput(
                f"{info.filename} in the .docx unpacks to {info.file_size // max(info.compress_size, 1)} "
                f"times its size (more than {ZIP_MAX_RATIO}): refused as a possible zip bomb"
            )


def _open(data: bytes) -> Any:
    try:
        import docx
    except ImportError as exc:  # pragma: no cover - a dependency
        raise UnreadableInput("reading .docx needs python-docx") from exc
    try:
        return docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise UnreadableInput(f"not a readable .docx file ({exc.__class__.__name__})") from exc
    except Exception as exc:  # lxml's XMLSyntaxError and other parser errors
        raise UnreadableInput(f"not a readable .docx file ({exc.__class__.__name__})") from exc


def _xml(part: Any) -> Any:
    from docx.opc.part import XmlPart
    from docx.oxml import parse_xml

    if isinstance(part, XmlPart):
        return part.element

    try:
        return parse_xml(part.blob)
    except Exception as exc:  # lxml's XMLSyntaxError
        raise UnreadableInput(f"{str(part.partname).lstrip('/')} in the .docx is not readable XML") from exc


def _collect(element: Any, buf: list[str], lines: list[str]) -> None:
    """Walk ``element`` in document order: text runs go to ``buf`` (the paragraph
    being read), each paragraph becomes a line; a paragraph inside another one (a
    text box) becomes its own line."""
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or tag in _NOT_TEXT:
            continue
        if tag == _T:
            buf.append(child.text or "")
        elif tag == _TAB:
            buf.append("\t")
        elif tag in (_BR, _CR):
            buf.append("\n")
        elif tag == _NBH:
            buf.append("-")
        elif tag == _P:
            inner: list[str] = []
            nested: list[str] = []
            _collect(child, inner, nested)
            lines.append("".join(inner))
            lines.extend(nested)
        elif tag == f"{_MC}AlternateContent":
            _alternatives(child, buf, lines)
        else:
            _collect(child, buf, lines)


def _alternatives(element: Any, buf: list[str], lines: list[str]) -> None:
    """``mc:AlternateContent``: a text box is stored twice (a modern Choice and a
    Fallback for old readers). Each different reading is kept, a repeat is not."""
    seen: list[tuple[str, tuple[str, ...]]] = []
    for branch in element:
        b_buf: list[str] = []
        b_lines: list[str] = []
        _collect(branch, b_buf, b_lines)
        key = ("".join(b_buf), tuple(b_lines))
        if key in seen:
            continue
        seen.append(key)
        buf.extend(b_buf)
        lines.extend(b_lines)


def _drawing_text(root: Any) -> list[str]:
    """Text of a chart or diagram: DrawingML text runs and a chart's cached labels."""
    out = [el.text for el in root.iter(f"{_A}t") if el.text]
    for cache in root.iter(f"{_C}strCache"):
        out += [el.text for el in cache.iter(f"{_C}v") if el.text]
    return out


def _alt_text(root: Any, out: list[str]) -> None:
    """Alt text and titles of pictures and shapes (DrawingML and VML)."""
    for tag in (f"{_WP}docPr", f"{_PIC}cNvPr"):
        for el in root.iter(tag):
            out += [v for v in (el.get("title"), el.get("descr")) if v]
    for el in root.iter(f"{_V}shape", f"{_V}imagedata", f"{_V}rect"):
        out += [v for v in (el.get("alt"), el.get(f"{_O}title"), el.get("title")) if v]


def _pictures(data: bytes, package: Any, item: InputFile) -> tuple[list[InputFile], list[tuple[str, str]]]:
    """Every picture in the .docx as an image input; linked pictures and embedded
    files as parts that could not be checked."""
    images: dict[str, InputFile] = {}
    problems: list[tuple[str, str]] = []
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in zf.infolist():
            name = info.filename
            if name.startswith("word/media/") and not name.endswith("/"):
                images[name] = InputFile(f"{item.display} ({name})", "image", None, zf.read(info))
            elif name.startswith("word/embeddings/") and not name.endswith("/"):
                problems.append(
                    (
                        f"{item.display} ({name})",
                        "a file embedded in the document: postcheck cannot check it "
                        "(paste its content into the document as text or a picture)",
                    )
                )
    for part in package.iter_parts():
        name = str(part.partname).lstrip("/")
        if part.content_type.startswith("image/") and name not in images:
            images[name] = InputFile(f"{item.display} ({name})", "image", None, part.blob)
        for rel in part.rels.values():
            if rel.is_external and rel.reltype.endswith("/image"):
                problems.append(
                    (
                        f"{item.display} (linked picture {rel.target_ref})",
                        "a picture linked from outside the document: postcheck never fetches "
                        "anything, so it could not check it",
                    )
                )
    return list(images.values()), problems

"""A hand-built .docx with any text part Word writes (headers and footers of
each kind, text boxes, footnotes, endnotes, comments, alt text) and pictures, for
the tests of what postcheck reads in a .docx."""

from __future__ import annotations

import zipfile
from pathlib import Path

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
OOXML = "application/vnd.openxmlformats-officedocument.wordprocessingml"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = (
    f'xmlns:w="{W}" xmlns:r="{R}" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml" mc:Ignorable="wps"'
)

# kind -> (content type suffix, relationship type, root element)
KINDS = {
    "header": ("header", "header", "hdr"),
    "footer": ("footer", "footer", "ftr"),
    "footnotes": ("footnotes", "footnotes", "footnotes"),
    "endnotes": ("endnotes", "endnotes", "endnotes"),
    "comments": ("comments", "comments", "comments"),
}


def para(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def text_box(text: str) -> str:
    """A text box as Word 2010+ writes it: a DrawingML shape, with a VML fallback."""
    inner = f"<w:txbxContent>{para(text)}</w:txbxContent>"
    return (
        '<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor>'
        '<wp:docPr id="5" name="Text Box 5"/><a:graphic><a:graphicData><wps:wsp><wps:txbx>'
        f"{inner}</wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>"
        f"<mc:Fallback><w:pict><v:shape><v:textbox>{inner}</v:textbox></v:shape></w:pict></mc:Fallback>"
        "</mc:AlternateContent></w:r></w:p>"
    )


def picture(rid: str, alt: str = "") -> str:
    return (
        "<w:p><w:r><w:drawing><wp:inline>"
        f'<wp:docPr id="7" name="Picture 7" descr="{alt}"/><a:graphic><a:graphicData><pic:pic>'
        f'<pic:blipFill><a:blip r:embed="{rid}"/></pic:blipFill></pic:pic></a:graphicData></a:graphic>'
        "</wp:inline></w:drawing></w:r></w:p>"
    )


def note(kind: str, text: str) -> str:
    """The body of footnotes.xml, endnotes.xml or comments.xml holding ``text``."""
    if kind == "comments":
        return f'<w:comment w:id="0" w:author="A Teacher">{para(text)}</w:comment>'
    tag = kind[:-1]  # footnote, endnote
    return (
        f'<w:{tag} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{tag}>'
        f'<w:{tag} w:id="1">{para(text)}</w:{tag}>'
    )


def make_docx(
    path: Path,
    body: str,
    parts: dict[str, tuple[str, str]] | None = None,
    media: dict[str, bytes] | None = None,
    external_picture: str | None = None,
) -> Path:
    """Write a .docx: ``body`` is the XML inside ``<w:body>``; ``parts`` maps a part
    name ("header3") to (kind, inner XML); ``media`` maps "image1.png" to bytes
    (relationship ids rIdImg1, rIdImg2, ... in that order)."""
    parts = parts or {}
    media = media or {}
    types = [
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>',
        '<Default Extension="xml" ContentType="application/xml"/>',
        '<Default Extension="png" ContentType="image/png"/>',
        '<Default Extension="jpg" ContentType="image/jpeg"/>',
        '<Default Extension="gif" ContentType="image/gif"/>',
        f'<Override PartName="/word/document.xml" ContentType="{OOXML}.document.main+xml"/>',
    ]
    rels = []
    refs = []
    for n, (name, (kind, _xml)) in enumerate(parts.items(), 1):
        suffix, reltype, _root = KINDS[kind]
        types.append(f'<Override PartName="/word/{name}.xml" ContentType="{OOXML}.{suffix}+xml"/>')
        rels.append(f'<Relationship Id="rId{n}" Type="{RELS}/{reltype}" Target="{name}.xml"/>')
        if kind in ("header", "footer"):
            which = {"1": "default", "2": "first", "3": "even"}.get(name[-1], "default")
            refs.append(f'<w:{kind}Reference w:type="{which}" r:id="rId{n}"/>')
    for n, name in enumerate(media, 1):
        rels.append(f'<Relationship Id="rIdImg{n}" Type="{RELS}/image" Target="media/{name}"/>')
    if external_picture:
        rels.append(
            f'<Relationship Id="rIdExt" Type="{RELS}/image" Target="{external_picture}" '
            'TargetMode="External"/>'
        )
    sect = f"<w:sectPr>{''.join(refs)}<w:titlePg/></w:sectPr>"
    files = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/'
        f'2006/content-types">{"".join(types)}</Types>',
        "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        f'2006/relationships"><Relationship Id="rId1" Type="{RELS}/officeDocument" '
        'Target="word/document.xml"/></Relationships>',
        "word/_rels/document.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.'
        f'openxmlformats.org/package/2006/relationships">{"".join(rels)}</Relationships>',
        "word/document.xml": f'<?xml version="1.0"?><w:document {NS}><w:body>{body}{sect}</w:body>'
        "</w:document>",
    }
    for name, (kind, xml) in parts.items():
        root = KINDS[kind][2]
        files[f"word/{name}.xml"] = f'<?xml version="1.0"?><w:{root} {NS}>{xml}</w:{root}>'
    for name, data in media.items():
        files[f"word/media/{name}"] = data  # type: ignore[assignment]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return path

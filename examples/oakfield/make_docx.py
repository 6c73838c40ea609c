"""Build posts/residential-trip.docx, the example school's Word draft.

The draft is an official newsletter item whose names sit where a plain-text
reader would miss them: in a table, in the page header and in a picture's alt
text. Run it from anywhere with the project's Python (python-docx and Pillow
are dependencies of postcheck):

    .venv/bin/python examples/oakfield/make_docx.py
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from docx import Document
from docx.shared import Cm
from PIL import Image

OUT = Path(__file__).resolve().parent / "posts" / "residential-trip.docx"
FIXED = dt.datetime(2026, 10, 1, 9, 0, 0)


def placeholder_picture() -> io.BytesIO:
    """A plain green-and-grey block standing in for a photo: no faces, no text."""
    img = Image.new("RGB", (320, 200), (96, 140, 80))
    img.paste((150, 150, 150), (0, 140, 320, 200))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    buf.seek(0)
    return buf


def build(out: Path = OUT) -> Path:
    doc = Document()
    props = doc.core_properties
    props.author = "Oakfield Primary Academy"
    props.title = "Year 6 residential"
    props.created = FIXED
    props.modified = FIXED
    props.last_modified_by = "Oakfield Primary Academy"
    props.revision = 1

    doc.sections[0].header.paragraphs[0].text = "Oakfield Primary Academy - Year 6 residential, October 2026"

    doc.add_heading("Year 6 residential: three days at the outdoor centre", level=1)
    doc.add_paragraph(
        "Our Year 6 pupils are back from three days of canoeing, climbing and night walks at the "
        "outdoor centre. Thank you to the staff who gave up their week to make it happen, and to "
        "every family for the early start on Monday."
    )
    doc.add_paragraph("The activity groups and their leaders were:")
    table = doc.add_table(rows=1, cols=2)
    table.style = "Table Grid"
    table.rows[0].cells[0].text = "Group leader"
    table.rows[0].cells[1].text = "Team captain"
    for leader, captain in (
        ("Mr Fletcher", "Ruby Clarke"),
        ("Mrs Lord", "Jack Robinson"),
        ("Mr Ashworth", "Harry Patel-Jones"),
    ):
        row = table.add_row().cells
        row[0].text = leader
        row[1].text = captain

    doc.add_paragraph()
    shape = doc.add_picture(placeholder_picture(), width=Cm(8))
    shape._inline.docPr.set("descr", "Zoë Okafor at the top of the climbing wall")
    shape._inline.docPr.set("name", "climbing-wall.png")
    doc.add_paragraph("More photos from the week will follow in Friday's newsletter.")

    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(out)
    return out


if __name__ == "__main__":
    print(build())

"""``postcheck init``: a starter postcheck.toml and register templates."""

from __future__ import annotations

from pathlib import Path

from postcheck.errors import UsageError
from postcheck.policy import load_policy

TEMPLATE = """\
# postcheck configuration. Relative paths are relative to this file's folder.
# Check it with: postcheck config validate --config {path}
policy  = "{policy}"          # haybrook, enquire, generic, or a path to your own pack
channel = "personal"          # default channel: personal (staff's own accounts) or official

[trust]
name     = "Your Trust"
aliases  = []                 # other names and abbreviations, e.g. ["YLT"]
schools  = ["Your School"]
domains  = []                 # e.g. ["yourschool.example.sch.uk"]
phones   = []                 # the school's public numbers, e.g. ["01234 567890"]
emails   = []
logos    = []                 # logo images to look for in photos, e.g. ["branding/crest.png"]
# [[trust.sites]]             # premises: photos taken here are flagged on personal posts
# name = "Your School"
# lat = 53.7457
# lon = -0.3367
# radius_m = 250

[register]
pupils = "register/pupils.csv"
staff  = "register/staff.csv"
# [register.columns]          # map your MIS export's headers onto postcheck's
# first_name = "Forename"

[disclaimer]
phrases = ["These are my own personal views and not those of the academy"]

[faces]
tolerance   = 0.5             # distance at or below which a face matches (stricter than 0.6: children)
review_band = 0.08            # matches within this much above tolerance go to a person to review

[nlp]
model = "none"                # rules only, or a trained spaCy pipeline (package or folder)

[rules]
disable  = []
severity = {{}}

[audit]
enabled = true                # record every run in the audit trail (postcheck audit list)
"""

PUPILS = (
    "pupil_id,first_name,last_name,preferred_name,year,photo_consent,name_consent,"
    "consent_expires,never_publish,photos\n"
)
STAFF = "staff_id,first_name,last_name,preferred_name,photos\n"


def init_folder(folder: Path | None, policy: str, force: bool = False) -> list[Path]:
    """Write the starter files; never overwrite without ``force``. Returns the paths written."""
    import platformdirs

    load_policy(policy)  # unknown policy: a config error listing the packs
    folder = folder or Path(platformdirs.user_config_dir("postcheck"))
    config = folder / "postcheck.toml"
    files = {
        config: TEMPLATE.format(policy=policy, path=config),
        folder / "register" / "pupils.csv": PUPILS,
        folder / "register" / "staff.csv": STAFF,
    }
    existing = [p for p in files if p.exists()]
    if existing and not force:
        raise UsageError(
            f"{existing[0]}: already exists; postcheck init never overwrites files (use --force)"
        )
    written = []
    try:
        (folder / "register" / "photos").mkdir(parents=True, exist_ok=True)
        for path, text in files.items():
            path.write_text(text, encoding="utf-8")
            written.append(path)
    except OSError as exc:
        raise UsageError(f"{folder}: cannot write: {exc.strerror}") from exc
    return written

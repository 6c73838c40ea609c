r"""Compute the reference face encodings with face_recognition 1.3.0 itself.

tests/test_dlib_model.py checks that postcheck's own calls into dlib
(postcheck.faces.dlib_model) give the boxes and encodings face_recognition gives.
This script made reference.json, once, in a separate environment that has
face_recognition and not postcheck (face_recognition is not a dependency of
postcheck: it would compile dlib from source). From the repository's root:

    python3.11 -m venv /tmp/fr
    /tmp/fr/bin/pip install dlib-bin==20.0.1.post1 face_recognition_models==0.3.0 \
        numpy==2.4.6 pillow==13.0.0
    /tmp/fr/bin/pip install --no-deps face_recognition==1.3.0
    /tmp/fr/bin/python tests/data/face_reference/make_reference.py \
        ../shared/testdata/faces tests/data/face_reference/reference.json

(Python 3.11's venv comes with setuptools, whose pkg_resources
face_recognition_models needs; on 3.12+ add setuptools to the first install.)

For every photo in people/*/ and misc/ (the shared face test photos), it stores
the faces face_recognition finds with its HOG detector (upsampled once, its
default), the faces its CNN detector finds (not upsampled; only on photos of at
most CNN_MAX_PIXELS, as the CNN is slow), and the encoding of every HOG face
(face_encodings with its defaults: num_jitters=1, the 5-point "small"
landmarks). Photos are read as face_recognition reads them (Pillow, converted to
RGB, no EXIF rotation). Floats are written with repr, so they read back bit for
bit.
"""

from __future__ import annotations

import json
import sys
from importlib import metadata
from pathlib import Path

import face_recognition
import numpy as np

PHOTOS = ("people/*/*", "misc/*")
CNN_MAX_PIXELS = 250_000


def main(faces_dir: Path, out: Path) -> None:
    photos: dict[str, dict] = {}
    for pattern in PHOTOS:
        for path in sorted(faces_dir.glob(pattern)):
            rel = path.relative_to(faces_dir).as_posix()
            rgb = face_recognition.load_image_file(path)
            hog = face_recognition.face_locations(rgb, number_of_times_to_upsample=1, model="hog")
            encs = face_recognition.face_encodings(rgb, known_face_locations=hog)
            entry: dict = {
                "shape": list(rgb.shape),
                "hog_upsample_1": [list(b) for b in hog],
                "encodings": [[float(x) for x in np.asarray(e)] for e in encs],
            }
            if rgb.shape[0] * rgb.shape[1] <= CNN_MAX_PIXELS:
                cnn = face_recognition.face_locations(rgb, number_of_times_to_upsample=0, model="cnn")
                entry["cnn_upsample_0"] = [list(b) for b in cnn]
            photos[rel] = entry
            print(f"{rel}: {len(hog)} HOG face(s)", file=sys.stderr)
    if not photos:
        sys.exit(f"no photos in {faces_dir}/people or {faces_dir}/misc")
    data = {
        "made_with": {
            d: metadata.version(d)
            for d in ("face_recognition", "face_recognition_models", "dlib-bin", "numpy", "pillow")
        },
        "command": "tests/data/face_reference/make_reference.py (see its docstring)",
        "photos": photos,
    }
    out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))

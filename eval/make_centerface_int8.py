"""Make ``centerface-int8.onnx``, the CenterFace face detector quantised to 8-bit
integers, from the bundled ``centerface.onnx`` (MIT licence, see
src/postcheck/faces/models/LICENSE.centerface).

    python eval/make_centerface_int8.py [--faces DIR]

Steps (all with onnx's and onnxruntime's own tools):

1. the float model is made size-independent: its input was fixed at 32x32 by
   the exporter; the height and width (and the outputs' grid) become symbolic,
   and the weights listed as graph inputs become plain initialisers;
2. the opset goes from 9 to 13 (per-channel quantisation needs it);
3. static quantisation (onnxruntime.quantization, QOperator format, int8
   weights per channel, uint8 activations, min/max calibration) on 24 patches of
   640x640 cut from 8 synthetic class photos (bench/bench_faces.py's generator,
   faces from the shared test photos, a seed of its own so the evaluation photos
   are never the calibration photos).

The bundled file was made by step 4 from the file steps 1-3 made for an earlier release (SHA-256
a41dda3992d96801454d34a692c9a9d754f2a8402656871568b7874800c2d05e); ``--only-pixel-input``
runs step 4 alone on ``--out``. The script prints the new file's SHA-256, which goes into
``postcheck.faces.centerface.MODEL_SHA256``. docs/faces.md gives the measured
speed and recall.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

MODELS = ROOT / "src" / "postcheck" / "faces" / "models"
SEED = 12345
PHOTOS = 8
PATCHES = 3
PATCH = 640


def dynamic_float_model(src: Path, dst: Path) -> None:
    import onnx
    from onnx import version_converter

    model = onnx.load(str(src))
    graph = model.graph
    weights = {init.name for init in graph.initializer}
    inputs = [i for i in graph.input if i.name not in weights]
    del graph.input[:]
    graph.input.extend(inputs)
    for value, names in [(graph.input[0], ("n", None, "h", "w"))] + [
        (out, ("n", None, "h4", "w4")) for out in graph.output
    ]:
        for dim, name in zip(value.type.tensor_type.shape.dim, names, strict=True):
            if name:
                dim.ClearField("dim_value")
                dim.dim_param = name
    del graph.value_info[:]
    model = version_converter.convert_version(model, 13)
    onnx.checker.check_model(model)
    onnx.save(model, str(dst))


def pixel_input(src: Path, dst: Path) -> None:
    """Step 4: drop the input's QuantizeLinear when it is the identity on 8-bit
    pixels (scale 1, zero point 0) and declare the input uint8; raises ValueError
    otherwise."""
    import numpy as np
    import onnx
    from onnx import TensorProto, numpy_helper

    model = onnx.load(str(src))
    graph = model.graph
    name = graph.input[0].name
    first = next((n for n in graph.node if name in n.input), None)
    if first is None or first.op_type != "QuantizeLinear" or first.input[0] != name:
        raise ValueError(f"the input {name!r} is not quantised by a QuantizeLinear node")
    inits = {i.name: i for i in graph.initializer}
    scale = numpy_helper.to_array(inits[first.input[1]])
    zero = numpy_helper.to_array(inits[first.input[2]])
    if scale.size != 1 or float(scale) != 1.0 or zero.dtype != np.uint8 or int(zero) != 0:
        raise ValueError(f"the input's scale is {scale} and zero point {zero}, not 1 and 0 (uint8)")
    graph.node.remove(first)
    for node in graph.node:
        for k, i in enumerate(node.input):
            if i == first.output[0]:
                node.input[k] = name
    used = {i for n in graph.node for i in n.input}
    for init in [inits[first.input[1]], inits[first.input[2]]]:
        if init.name not in used:
            graph.initializer.remove(init)
    graph.input[0].type.tensor_type.elem_type = TensorProto.UINT8
    onnx.checker.check_model(model)
    onnx.save(model, str(dst))


def calibration_blobs(faces_dir: Path) -> list:
    import bench_faces
    import cv2
    import numpy as np

    rng = random.Random(SEED)
    crops = bench_faces.face_crops(faces_dir)
    pick = np.random.default_rng(SEED)
    blobs = []
    for _ in range(PHOTOS):
        rgb, _truth = bench_faces.build_photo(crops, rng)
        half = cv2.resize(rgb, (rgb.shape[1] // 2, rgb.shape[0] // 2), interpolation=cv2.INTER_AREA)
        for _ in range(PATCHES):
            y = int(pick.integers(0, half.shape[0] - PATCH))
            x = int(pick.integers(0, half.shape[1] - PATCH))
            patch = np.ascontiguousarray(half[y : y + PATCH, x : x + PATCH])
            blobs.append(cv2.dnn.blobFromImage(patch, 1.0, (PATCH, PATCH), (0, 0, 0), swapRB=False))
    return blobs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(os.environ.get("POSTCHECK_FACES_DIR", ROOT.parent / "shared" / "testdata" / "faces"))
    ap.add_argument("--faces", type=Path, default=default, help="the shared face test photos")
    ap.add_argument("--out", type=Path, default=MODELS / "centerface-int8.onnx")
    ap.add_argument("--only-pixel-input", action="store_true", help="run step 4 alone on --out")
    args = ap.parse_args()
    if args.only_pixel_input:
        pixel_input(args.out, args.out)
        return _report(args.out)
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )

    blobs = calibration_blobs(args.faces)

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self._it = iter(blobs)

        def get_next(self) -> dict | None:
            blob = next(self._it, None)
            return None if blob is None else {"input.1": blob}

    with tempfile.TemporaryDirectory() as tmp:
        dyn = Path(tmp) / "centerface-dynamic.onnx"
        dynamic_float_model(MODELS / "centerface.onnx", dyn)
        quantize_static(
            str(dyn),
            str(quantised := Path(tmp) / "centerface-int8-float-input.onnx"),
            Reader(),
            quant_format=QuantFormat.QOperator,
            per_channel=True,
            weight_type=QuantType.QInt8,
            activation_type=QuantType.QUInt8,
            calibrate_method=CalibrationMethod.MinMax,
        )
        pixel_input(quantised, args.out)
    return _report(args.out)


def _report(path: Path) -> int:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    print(f"{path} ({path.stat().st_size} bytes)\nSHA-256 {digest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

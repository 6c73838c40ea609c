"""The bundled CenterFace model takes 8-bit pixels: the same numbers as the model it
was made from, which quantised float pixels with a scale of 1 and a zero point of 0."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest

from postcheck.faces import centerface
from postcheck.vision import runtime

ROOT = Path(__file__).resolve().parents[1]
FACES = Path(os.environ.get("POSTCHECK_FACES_DIR", ROOT.parent / "shared" / "testdata" / "faces"))
sys.path.insert(0, str(ROOT / "eval"))

import make_centerface_int8  # noqa: E402


def _float_input_model() -> bytes:
    """The bundled model with the step that made it undone: a float input quantised
    by QuantizeLinear(scale 1, zero point 0), as quantize_static wrote it."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = onnx.load(str(centerface.MODEL_PATH))
    graph = model.graph
    name = graph.input[0].name
    for node in graph.node:
        for k, i in enumerate(node.input):
            if i == name:
                node.input[k] = f"{name}_quantized"
    graph.initializer.extend(
        [
            numpy_helper.from_array(np.array(1.0, np.float32), f"{name}_q_scale"),
            numpy_helper.from_array(np.array(0, np.uint8), f"{name}_q_zero"),
        ]
    )
    graph.node.insert(
        0,
        helper.make_node(
            "QuantizeLinear", [name, f"{name}_q_scale", f"{name}_q_zero"], [f"{name}_quantized"]
        ),
    )
    graph.input[0].type.tensor_type.elem_type = TensorProto.FLOAT
    return model.SerializeToString()


def _pictures() -> list[np.ndarray]:
    rng = np.random.default_rng(5)
    pics = [rng.integers(0, 256, (96, 160, 3), dtype=np.uint8)]
    photos = sorted((FACES / "people").glob("*/*.jp*g"))[:3]
    if photos:
        from PIL import Image

        pics += [np.asarray(Image.open(p).convert("RGB")) for p in photos]
    return pics


def test_the_model_takes_pixels_and_gives_what_the_float_input_model_gives():
    assert centerface.session().get_inputs()[0].type == "tensor(uint8)"
    as_float = runtime.session(_float_input_model(), "faces in photos")
    as_bytes = centerface.session()
    for rgb in _pictures():
        h, w = rgb.shape[:2]
        hp, wp = -(-h // 32) * 32, -(-w // 32) * 32
        pixels = np.zeros((1, 3, hp, wp), np.uint8)
        pixels[0, :, :h, :w] = np.moveaxis(rgb, 2, 0)
        want = as_float.run(None, {"input.1": pixels.astype(np.float32)})
        got = as_bytes.run(None, {"input.1": pixels})
        assert all(np.array_equal(a, b) for a, b in zip(want, got, strict=True)), rgb.shape


def test_the_step_that_makes_it_refuses_an_input_scale_other_than_one(tmp_path):
    """Only with a scale of 1 and a zero point of 0 is quantising whole pixel values
    the identity; with any other the step must refuse rather than change the model."""
    import onnx
    from onnx import numpy_helper

    src = tmp_path / "float-input.onnx"
    src.write_bytes(_float_input_model())
    make_centerface_int8.pixel_input(src, tmp_path / "ok.onnx")
    assert (tmp_path / "ok.onnx").read_bytes() == centerface.MODEL_PATH.read_bytes()

    model = onnx.load(str(src))
    for init in model.graph.initializer:
        if init.name.endswith("_q_scale"):
            init.CopyFrom(numpy_helper.from_array(np.array(0.5, np.float32), init.name))
    onnx.save(model, str(src))
    with pytest.raises(ValueError, match="scale"):
        make_centerface_int8.pixel_input(src, tmp_path / "bad.onnx")


def test_registers_enrolled_with_the_float_input_model_stay_enrolled():
    """The face cache names the detector by the numbers it gives, which did not change:
    a register enrolled before the model took 8-bit pixels is not enrolled again."""
    from postcheck.faces import detector

    assert detector.identity("centerface") == "centerface-int8-a41dda3992d9"

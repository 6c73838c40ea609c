"""Convert dlib's face recognition ResNet to an ONNX model.

The network read by :func:`postcheck.faces.dlib_dnn.read_network` becomes an
ONNX graph for onnxruntime:

* the input is a batch of 150x150 RGB face chips, ``uint8`` (N, 150, 150, 3),
  normalised as dlib's ``input_rgb_image_sized`` does: ``(pixel - mean) / 256``
  per channel, with the means stored in the file (both steps exact in float32);
* each ``con`` followed by an ``affine`` becomes one ``Conv`` with the affine
  folded into its weights and bias;
* ``add_prev`` adds two tensors of different shapes the way dlib's ``tt::add``
  does: the smaller one is padded with zeros at the end of each dimension
  (the down-sampling block of the last level adds a 4x4 skip path to a 3x3
  block output);
* ``max_pool``/``avg_pool`` keep dlib's window, stride and padding
  (``avg_pool_everything`` is a global average);
* ``fc_no_bias`` is a ``MatMul`` with dlib's (inputs, outputs) weight matrix;
  ``loss_metric`` returns the 128 numbers unchanged.

The ``onnx`` package is used only here, to build and check the graph; running
the converted model needs onnxruntime alone.
"""

from __future__ import annotations

import math
from typing import Any

from postcheck.faces.dlib_dnn import CHIP_SIZE, Layer, ModelFormatError, pad_for, read_network

CONVERTER_VERSION = 1
OPSET = 17
IR_VERSION = 8  # readable by onnxruntime 1.16 and later


# --- the ONNX graph --------------------------------------------------------------------


class _Graph:
    """Builds the ONNX nodes for a :class:`Layer` chain, tracking (channels, height, width)."""

    def __init__(self) -> None:
        self.nodes: list[Any] = []
        self.weights: list[Any] = []
        self.tags: dict[int, tuple[str, tuple[int, int, int]]] = {}
        self.count = 0

    def name(self, what: str) -> str:
        self.count += 1
        return f"{what}_{self.count}"

    def const(self, what: str, array: Any) -> str:
        from onnx import numpy_helper

        name = self.name(what)
        self.weights.append(numpy_helper.from_array(array, name))
        return name

    def node(self, op: str, inputs: list[str], out: str = "", **attrs: Any) -> str:
        from onnx import helper

        out = out or self.name(op.lower())
        self.nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        return out

    def emit(self, layer: Layer) -> tuple[str, tuple[int, int, int]]:
        """The output name and shape of ``layer``, emitting its sub-network first."""
        if layer.kind == "input":
            return self._input(layer)
        if layer.kind == "affine" and layer.sub is not None and layer.sub.kind == "con":
            return self._con(layer.sub, layer)
        x, shape = self.emit(layer.sub)  # type: ignore[arg-type]
        return getattr(self, "_" + layer.kind)(layer, x, shape)

    def _input(self, layer: Layer) -> tuple[str, tuple[int, int, int]]:
        import numpy as np

        x = self.node("Cast", ["chips"], to=1)  # uint8 -> float32, exact
        x = self.node("Sub", [x, self.const("mean", np.asarray(layer.values["mean"], np.float32))])
        x = self.node("Mul", [x, self.const("scale", np.asarray([1 / 256], np.float32))])  # exact
        return self.node("Transpose", [x], perm=[0, 3, 1, 2]), (3, CHIP_SIZE, CHIP_SIZE)

    def _con(self, con: Layer, affine: Layer | None) -> tuple[str, tuple[int, int, int]]:
        import numpy as np

        x, (_c, h, w) = self.emit(con.sub)  # type: ignore[arg-type]
        n, size, stride = con.arg
        weight = con.values["weight"]
        bias = con.values["bias"] if con.values["bias"] is not None else np.zeros(n, np.float32)
        if affine is not None:  # fold dlib's affine (inference batch norm) into the convolution
            g, b = affine.values["scale"], affine.values["shift"]
            weight, bias = weight * g[:, None, None, None], bias * g + b
        pad = con.values["pad"]
        y = self.node(
            "Conv",
            [x, self.const("w", weight.astype(np.float32)), self.const("b", bias.astype(np.float32))],
            kernel_shape=[size, size],
            strides=[stride, stride],
            pads=[pad] * 4,
        )
        return y, (n, (h + 2 * pad - size) // stride + 1, (w + 2 * pad - size) // stride + 1)

    def _affine(self, layer: Layer, x: str, shape: tuple[int, int, int]) -> tuple[str, tuple[int, int, int]]:
        g = layer.values["scale"].reshape(-1, 1, 1)
        b = layer.values["shift"].reshape(-1, 1, 1)
        return self.node("Add", [self.node("Mul", [x, self.const("g", g)]), self.const("b", b)]), shape

    def _relu(self, _layer: Layer, x: str, shape: tuple[int, int, int]) -> tuple[str, tuple[int, int, int]]:
        return self.node("Relu", [x]), shape

    def _pool(self, op: str, layer: Layer, x: str, shape: tuple[int, int, int]) -> tuple[str, Any]:
        size, stride = layer.arg
        c, h, w = shape
        if size == 0:  # dlib's *_pool_everything
            return self.node("Global" + op, [x]), (c, 1, 1)
        pad = pad_for(size, stride)
        # dlib averages over the part of the window inside the image: count_include_pad=0
        extra = {"count_include_pad": 0} if op == "AveragePool" else {}
        y = self.node(op, [x], kernel_shape=[size, size], strides=[stride, stride], pads=[pad] * 4, **extra)
        return y, (c, (h + 2 * pad - size) // stride + 1, (w + 2 * pad - size) // stride + 1)

    def _max_pool(self, layer: Layer, x: str, shape: tuple[int, int, int]) -> tuple[str, Any]:
        return self._pool("MaxPool", layer, x, shape)

    def _avg_pool(self, layer: Layer, x: str, shape: tuple[int, int, int]) -> tuple[str, Any]:
        return self._pool("AveragePool", layer, x, shape)

    def _tag(self, layer: Layer, x: str, shape: tuple[int, int, int]) -> tuple[str, tuple[int, int, int]]:
        self.tags[layer.arg[0]] = (x, shape)
        return x, shape

    def _skip(self, layer: Layer, _x: str, _shape: Any) -> tuple[str, tuple[int, int, int]]:
        return self.tags[layer.arg[0]]

    def _add_prev(self, layer: Layer, x: str, shape: tuple[int, int, int]) -> tuple[str, Any]:
        # dlib's tt::add: the output has the larger size in each dimension and a
        # value missing from either input counts as 0
        y, other = self.tags[layer.arg[0]]
        out = tuple(max(a, b) for a, b in zip(shape, other, strict=True))
        return self.node("Add", [self._pad_to(x, shape, out), self._pad_to(y, other, out)]), out

    def _pad_to(self, x: str, shape: tuple[int, ...], out: tuple[int, ...]) -> str:
        import numpy as np

        if shape == out:
            return x
        pads = np.asarray([0, 0, 0, 0, 0, *(o - s for s, o in zip(shape, out, strict=True))], np.int64)
        return self.node("Pad", [x, self.const("pads", pads)], mode="constant")

    def _fc(self, layer: Layer, x: str, shape: tuple[int, int, int]) -> tuple[str, tuple[int, int, int]]:
        weight = layer.values["weight"]
        if weight.shape[0] != math.prod(shape):
            raise ModelFormatError("the fc layer's inputs do not match the network")
        flat = self.node("Flatten", [x], axis=1)  # dlib's (n, k*nr*nc) view
        return self.node("MatMul", [flat, self.const("fc", weight)]), (weight.shape[1], 1, 1)

    def _loss(self, _layer: Layer, x: str, shape: tuple[int, int, int]) -> tuple[str, tuple[int, int, int]]:
        return x, shape  # loss_metric's to_label copies the output


def to_onnx(top: Layer, source_sha256: str = "") -> bytes:
    """The serialised ONNX model of the network read by :func:`read_network`."""
    from onnx import TensorProto, checker, helper

    graph = _Graph()
    out, shape = graph.emit(top)
    descriptors = graph.node("Identity", [out], out="descriptors")
    g = helper.make_graph(
        graph.nodes,
        "dlib_face_recognition_resnet_model_v1",
        [helper.make_tensor_value_info("chips", TensorProto.UINT8, ["faces", CHIP_SIZE, CHIP_SIZE, 3])],
        [helper.make_tensor_value_info(descriptors, TensorProto.FLOAT, ["faces", shape[0]])],
        graph.weights,
    )
    model = helper.make_model(
        g, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="postcheck.faces.convert_dlib"
    )
    model.ir_version = IR_VERSION
    helper.set_model_props(
        model, {"source_sha256": source_sha256, "converter_version": str(CONVERTER_VERSION)}
    )
    checker.check_model(model, full_check=True)
    return model.SerializeToString()


def convert(data: bytes, source_sha256: str = "") -> bytes:
    """Read a dlib ``anet_type`` file's bytes and return the equivalent ONNX model's bytes."""
    return to_onnx(read_network(data), source_sha256)

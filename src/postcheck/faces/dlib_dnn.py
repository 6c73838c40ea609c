"""Reading dlib's face recognition ResNet from its own serialisation.

``dlib_face_recognition_resnet_model_v1.dat`` (CC0, shipped by the
``face_recognition_models`` package) is dlib's serialisation of the
``anet_type`` network of dlib's ``dnn_face_recognition_ex.cpp`` and of its
Python binding (``tools/python/src/face_recognition.cpp``)::

    loss_metric<fc_no_bias<128, avg_pool_everything<
        alevel0<alevel1<alevel2<alevel3<alevel4<
        max_pool<3,3,2,2, relu<affine<con<32,7,7,2,2, input_rgb_image_sized<150>>>>>>>>>>>>

dlib writes a network from the output layer inwards: each layer writes its
version, then the layer below it, then its own parameters and training state.
The file names no tag or skip layer, so it can only be read against the
network's type: :func:`anet_layers` lists it, and every layer read is checked
against it (names, kernel sizes, strides, paddings) so that a different file is
refused instead of misread. The formats follow dlib's ``serialize.h``,
``dnn/core.h``, ``dnn/layers.h``, ``dnn/input.h``, ``dnn/loss.h`` and
``cuda/tensor.h``.

``bn_con`` layers (batch normalisation as trained) are read the way dlib's
``affine_`` reads them: ``g = gamma / sqrt(running_variance + eps)`` and
``b = beta - g * running_mean``, in float32.

No dlib code runs here; numpy is the only library used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

CHIP_SIZE = 150


class ModelFormatError(ValueError):
    """The file is not the dlib network this module knows."""


# --- dlib's serialisation (dlib/serialize.h, dlib/dnn/tensor.h) ----------------------


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = memoryview(data)
        self.pos = 0

    def _take(self, n: int) -> memoryview:
        if self.pos + n > len(self.data):
            raise ModelFormatError("the model file ends too early")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def int(self) -> int:
        """dlib's integer: a control byte (0x80 = negative, low bits = length), then little-endian bytes."""
        control = self._take(1)[0]
        size = control & 0x0F
        if size == 0 or size > 8 or control & 0x70:
            raise ModelFormatError(f"bad integer at byte {self.pos - 1}")
        value = int.from_bytes(self._take(size), "little")
        return -value if control & 0x80 else value

    def float(self) -> float:
        """dlib's portable float: an integer mantissa and an integer exponent."""
        if self.data[self.pos] & 0x70:
            raise ModelFormatError(f"old text-format number at byte {self.pos}")
        mantissa, exponent = self.int(), self.int()
        if exponent >= 32000:  # is_inf, is_ninf, is_nan
            return {32000: math.inf, 32001: -math.inf}.get(exponent, math.nan)
        return math.ldexp(mantissa, exponent)

    def bool(self) -> bool:
        ch = bytes(self._take(1))
        if ch not in (b"0", b"1"):
            raise ModelFormatError(f"bad boolean at byte {self.pos - 1}")
        return ch == b"1"

    def string(self) -> str:
        return bytes(self._take(self.int())).decode("ascii", "replace")

    def version(self, *allowed: int) -> int:
        v = self.int()
        if v not in allowed:
            raise ModelFormatError(f"unexpected version {v} at byte {self.pos}")
        return v

    def name(self, *allowed: str) -> str:
        s = self.string()
        if s not in allowed:
            raise ModelFormatError(f"expected {' or '.join(allowed)}, found {s!r} at byte {self.pos}")
        return s

    def tensor(self) -> Any:
        """A resizable_tensor: version 2, (n, k, nr, nc), then little-endian float32 values."""
        import numpy as np

        self.version(2)
        dims = tuple(self.int() for _ in range(4))
        count = math.prod(dims)
        return np.frombuffer(self._take(4 * count), dtype="<f4").reshape(dims)

    def alias_tensor(self) -> tuple[int, ...]:
        self.version(1)
        return tuple(self.int() for _ in range(4))


# --- the network's type --------------------------------------------------------------


@dataclass
class Layer:
    kind: str  # con | affine | relu | max_pool | avg_pool | add_prev | tag | skip | fc | loss | input
    arg: tuple[int, ...] = ()  # con: (filters, size, stride); pools: (size, stride); tags: (id,)
    values: dict[str, Any] = field(default_factory=dict)
    sub: Layer | None = None


def _block(n: int, stride: int) -> list[Layer]:
    # block = affine<con<N,3,3,1,1, relu<affine<con<N,3,3,stride,stride, SUBNET>>>>>
    return [
        Layer("affine"),
        Layer("con", (n, 3, 1)),
        Layer("relu"),
        Layer("affine"),
        Layer("con", (n, 3, stride)),
    ]


def _ares(n: int) -> list[Layer]:
    # relu<add_prev1<block<N,affine,1,tag1<SUBNET>>>>
    return [Layer("relu"), Layer("add_prev", (1,)), *_block(n, 1), Layer("tag", (1,))]


def _ares_down(n: int) -> list[Layer]:
    # relu<add_prev2<avg_pool<2,2,2,2,skip1<tag2<block<N,affine,2,tag1<SUBNET>>>>>>>
    return [
        Layer("relu"),
        Layer("add_prev", (2,)),
        Layer("avg_pool", (2, 2)),
        Layer("skip", (1,)),
        Layer("tag", (2,)),
        *_block(n, 2),
        Layer("tag", (1,)),
    ]


def anet_layers() -> list[Layer]:
    """``anet_type``'s layers from the output to the input, as dlib serialises them."""
    levels = (
        _ares_down(256)  # alevel0
        + _ares(256) + _ares(256) + _ares_down(256)  # alevel1
        + _ares(128) + _ares(128) + _ares_down(128)  # alevel2
        + _ares(64) + _ares(64) + _ares(64) + _ares_down(64)  # alevel3
        + _ares(32) + _ares(32) + _ares(32)  # alevel4
    )  # fmt: skip
    return [
        Layer("loss"),
        Layer("fc", (128,)),
        Layer("avg_pool", (0, 1)),  # avg_pool_everything
        *levels,
        Layer("max_pool", (3, 2)),
        Layer("relu"),
        Layer("affine"),
        Layer("con", (32, 7, 2)),
        Layer("input", (CHIP_SIZE,)),
    ]


# --- reading the layers ----------------------------------------------------------------


def pad_for(size: int, stride: int) -> int:
    # dlib's default padding for con_, max_pool_ and avg_pool_
    return 0 if stride != 1 else size // 2


def _read_con(r: _Reader, layer: Layer) -> None:
    n, size, stride = layer.arg
    version = r.name("con_4", "con_5", "con_6")
    params = r.tensor().reshape(-1)
    got = (r.int(), r.int(), r.int(), r.int(), r.int(), r.int(), r.int())  # filters nr nc sy sx py px
    if got != (n, size, size, stride, stride, pad_for(size, stride), pad_for(size, stride)):
        raise ModelFormatError(f"con layer {got} where ({n}, {size}x{size}, stride {stride}) was expected")
    filters, biases = r.alias_tensor(), r.alias_tensor()
    for _ in range(4):  # learning-rate and weight-decay multipliers
        r.float()
    use_bias = r.bool() if version in ("con_5", "con_6") else True
    if version == "con_6" and r.bool():
        raise ModelFormatError("a con layer with a fused relu is not supported")
    count = math.prod(filters)
    layer.values["weight"] = params[:count].reshape(filters)
    layer.values["bias"] = params[count : count + n] if use_bias and math.prod(biases) else None
    layer.values["pad"] = got[5]


def _read_affine(r: _Reader, layer: Layer) -> None:
    import numpy as np

    version = r.name("bn_con2", "affine_", "affine_2")
    if version == "bn_con2":
        params = r.tensor().reshape(-1)
        gamma, _beta = r.alias_tensor(), r.alias_tensor()
        for _ in range(3):  # means, invstds, running means: the last one is kept
            running_means = r.tensor().reshape(-1)
        running_vars = r.tensor().reshape(-1)
        r.int(), r.int()  # num_updates, running_stats_window_size
        for _ in range(4):
            r.float()
        eps = np.float32(r.float())
        k = math.prod(gamma)
        g = params[:k] / np.sqrt(running_vars + eps)  # float32 throughout, as dlib's affine_(bn_)
        b = params[k : 2 * k] - g * running_means
    else:
        params = r.tensor().reshape(-1)
        gamma, _beta = r.alias_tensor(), r.alias_tensor()
        if r.int() != 0:
            raise ModelFormatError("an affine layer in fully connected mode where a conv one was expected")
        if version == "affine_2" and r.bool():
            raise ModelFormatError("a disabled affine layer is not supported")
        k = math.prod(gamma)
        g, b = params[:k], params[k : 2 * k]
    layer.values["scale"], layer.values["shift"] = g.astype(np.float32), b.astype(np.float32)


def _read_pool(r: _Reader, layer: Layer) -> None:
    size, stride = layer.arg
    r.name(f"{layer.kind}_2")
    got = (r.int(), r.int(), r.int(), r.int(), r.int(), r.int())
    want = (size, size, stride, stride, pad_for(size, stride), pad_for(size, stride))
    if size == 0:  # *_pool_everything
        want = (0, 0, 1, 1, 0, 0)
    if got != want:
        raise ModelFormatError(f"{layer.kind} layer {got} where {want} was expected")


def _read_fc(r: _Reader, layer: Layer) -> None:
    (n,) = layer.arg
    version = r.name("fc_2", "fc_3")
    outputs, inputs = r.int(), r.int()
    params = r.tensor().reshape(-1)
    weights, _biases = r.alias_tensor(), r.alias_tensor()
    if outputs != n or r.int() != 1:  # FC_NO_BIAS
        raise ModelFormatError(f"fc layer with {outputs} outputs where fc_no_bias<{n}> was expected")
    for _ in range(4):
        r.float()
    if version == "fc_3":
        r.bool()
    layer.values["weight"] = params[: inputs * outputs].reshape(inputs, outputs)
    if math.prod(weights) != inputs * outputs:
        raise ModelFormatError("fc layer weights do not match its sizes")


def _read_details(r: _Reader, layer: Layer) -> None:
    if layer.kind == "con":
        _read_con(r, layer)
    elif layer.kind == "affine":
        _read_affine(r, layer)
    elif layer.kind in ("max_pool", "avg_pool"):
        _read_pool(r, layer)
    elif layer.kind == "fc":
        _read_fc(r, layer)
    elif layer.kind == "relu":
        if r.name("relu_", "relu_2") == "relu_2" and r.bool():
            raise ModelFormatError("a disabled relu layer is not supported")
    elif layer.kind == "add_prev":
        r.name("add_prev_")


def _read_input(r: _Reader, layer: Layer) -> None:
    r.name("input_rgb_image_sized")
    layer.values["mean"] = (r.float(), r.float(), r.float())
    if (r.int(), r.int()) != (CHIP_SIZE, CHIP_SIZE):
        raise ModelFormatError(f"the network's input is not {CHIP_SIZE}x{CHIP_SIZE}")


def _read_layer(r: _Reader, layers: list[Layer], i: int) -> Layer:
    layer = layers[i]
    if layer.kind in ("tag", "skip"):
        r.version(1)
        layer.sub = _read_layer(r, layers, i + 1)
    elif layer.kind == "loss":
        r.version(1)
        if r.name("loss_metric_", "loss_metric_2") == "loss_metric_2":
            r.float(), r.float()  # margin, distance threshold: training only
        layer.sub = _read_layer(r, layers, i + 1)
    elif layers[i + 1].kind == "input":  # dlib's add_layer over an input layer
        version = r.version(2, 3)
        layer.sub = layers[i + 1]
        _read_input(r, layer.sub)
        _read_details(r, layer)
        _skip_state(r, layer_over_input=True, version=version)
    else:
        version = r.version(1, 2)
        layer.sub = _read_layer(r, layers, i + 1)
        _read_details(r, layer)
        _skip_state(r, layer_over_input=False, version=version)
    return layer


def _skip_state(r: _Reader, layer_over_input: bool, version: int) -> None:
    """The training state dlib stores after each layer's details (flags, gradients, outputs)."""
    for _ in range(3):
        r.bool()
    r.tensor(), r.tensor()  # x_grad, cached_output
    if layer_over_input:
        r.tensor()  # grad_final
        if version >= 3:
            r.int()  # sample expansion factor
    elif version == 2:
        r.tensor()  # params_grad


def read_network(data: bytes) -> Layer:
    """The network in ``data`` (a dlib ``anet_type`` file), output layer first."""
    r = _Reader(data)
    try:
        top = _read_layer(r, anet_layers(), 0)
    except IndexError as exc:
        raise ModelFormatError("the model file ends too early") from exc
    if r.pos != len(r.data):
        raise ModelFormatError(f"{len(r.data) - r.pos} unexpected bytes after the network")
    return top

"""What PyTorch refuses of a stage, or what leaves it no output, each as one message naming the
key: padding, kernels larger than their input, pools' windows, transposed layers' sizes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .arithmetic import same_pads, span, transpose_out, transpose_out_formula
from .errors import ScenarioError
from .rank import samples
from .stage_words import axes_text, data_name, pair_text

if TYPE_CHECKING:
    from .stage import Stage

MATRIX_ROWS, MATRIX_COLS = 49, 25  #: the matrix view's patch matrix at most: output values × taps
TRANSPOSED_ROWS, TRANSPOSED_COLS = 25, 9  #: a transposed stage's Cᵀ at most: outputs × inputs


def resolve_padding(op: str, pad: Any, given: dict[str, Any], key: Any) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) from an integer, a list or a name, as PyTorch places them."""
    (kh, kw), (dr, dc) = given["kernel_size"], given.get("dilation", (1, 1))
    if op != "conv2d" and (isinstance(pad, str) or pad[0] != pad[1] or pad[2] != pad[3]):
        if given["rank"] == 1:
            raise ScenarioError(key("padding"), f"{data_name(op, 1)} takes an integer, as in PyTorch")
        raise ScenarioError(key("padding"), f"{op} takes an integer or [rows, cols], as in PyTorch")
    if pad == "valid":
        return (0, 0, 0, 0)
    if pad == "same":
        stride = given.get("stride", (1, 1))
        if stride != (1, 1):
            raise ScenarioError(
                key("padding"),
                f"'same' needs stride 1, as in PyTorch (got stride {axes_text(stride, given['rank'])})",
            )
        return (*same_pads(kh, dr), *same_pads(kw, dc))
    if pad == "full":
        return (dr * (kh - 1),) * 2 + (dc * (kw - 1),) * 2
    return pad


def check_stage(s: Stage, key: Any) -> None:
    """Combinations PyTorch refuses, or that leave no output."""
    op, (h, w) = s.operation, s.input_shape
    if op in ("max_pool2d", "avg_pool2d"):
        _check_pool(s, key)
    elif op == "conv_transpose2d":
        _check_transpose(s, key)
    elif op == "conv2d":
        _check_conv(s, key)
    out = s.output_shape
    if min(out) < 1 and s.rank == 1:
        raise ScenarioError(key("operation"), f"{s.op_name} leaves no output from a {w}-sample signal")
    if min(out) < 1:
        raise ScenarioError(
            key("operation"), f"{op} leaves no output ({out[0]}×{out[1]}) from a {h}×{w} input"
        )


def _check_conv(s: Stage, key: Any) -> None:
    if s.view == "overlap":
        raise ScenarioError(key("view"), "'overlap' applies to conv_transpose2d; conv2d has 'matrix'")
    if s.view == "matrix":
        (oh, ow), (kh, kw) = s.output_shape, s.kernel_size
        rows, cols = oh * ow, kh * kw
        if rows > MATRIX_ROWS or cols > MATRIX_COLS:
            raise ScenarioError(
                key("view"),
                f"'matrix' draws one row per output value and one column per kernel tap: at most "
                f"{MATRIX_ROWS} × {MATRIX_COLS} (this one is {rows} × {cols}); use a smaller image or kernel",
            )
    (h, w), (kh, kw), pad, mode, dil = s.input_shape, s.kernel_size, s.padding, s.padding_mode, s.dilation
    if s.rank == 1:
        return _check_signal_conv(s, key, span(kw, dil[1]), w + pad[2] + pad[3])
    sides = (("top", h), ("bottom", h), ("left", w), ("right", w))
    for p, (side, n) in zip(pad, sides, strict=True):
        axis = "rows" if side in ("top", "bottom") else "columns"
        if mode == "reflect" and p >= n:
            raise ScenarioError(
                key("padding"), f"reflect padding must be smaller than the image ({side} {p} with {n} {axis})"
            )
        if mode == "circular" and p > n:
            raise ScenarioError(
                key("padding"), f"circular padding must not exceed the image ({side} {p} with {n} {axis})"
            )
    eff = (span(kh, dil[0]), span(kw, dil[1]))
    padded = (h + pad[0] + pad[1], w + pad[2] + pad[3])
    if eff[0] > padded[0] or eff[1] > padded[1]:
        name = key(s.kernel_key)
        spans = f" (spanning {eff[0]}×{eff[1]} with dilation {pair_text(dil)})" if dil != (1, 1) else ""
        what = "padded image" if any(pad) else "image"
        limit = {"reflect": (h - 1, w - 1), "circular": (h, w)}.get(mode)  # as the checks above
        fits = _fitting_padding(eff, (h, w), limit)
        hint = f"; padding = {fits} would make it fit" if fits is not None else ""
        raise ScenarioError(
            name, f"the {kh}×{kw} kernel{spans} is larger than the {padded[0]}×{padded[1]} {what}{hint}"
        )


def _fitting_padding(
    window: tuple[int, int], size: tuple[int, int], limit: tuple[int, int] | None = None
) -> int | None:
    """The smallest padding, the same on every side, that makes ``window`` fit in ``size``; None
    when it would exceed ``limit`` (what the padding mode or the pool allows) or 64."""
    need = max(-(-(k - n) // 2) for k, n in zip(window, size, strict=True))
    if need > 64 or (limit is not None and any(need > m for m in limit)):
        return None
    return need


def _check_signal_conv(s: Stage, key: Any, eff: int, padded: int) -> None:
    """conv1d's words: "the 7-tap kernel is larger than the 5-sample signal"."""
    w, k, d, pad = s.input_shape[1], s.kernel_size[1], s.dilation[1], s.padding
    for side, p in (("left", pad[2]), ("right", pad[3])):
        if s.padding_mode == "reflect" and p >= w:
            raise ScenarioError(
                key("padding"),
                f"reflect padding must be smaller than the signal ({side} {p} with {samples((w,))})",
            )
        if s.padding_mode == "circular" and p > w:
            raise ScenarioError(
                key("padding"),
                f"circular padding must not exceed the signal ({side} {p} with {samples((w,))})",
            )
    if eff > padded:
        spans = f" (spanning {eff} samples with dilation {d})" if d != 1 else ""
        what = f"{padded}-sample padded signal" if any(pad) else f"{w}-sample signal"
        raise ScenarioError(key(s.kernel_key), f"the {k}-tap kernel{spans} is larger than the {what}")


def _check_transpose(s: Stage, key: Any) -> None:
    stride, dil, op, pad = s.stride, s.dilation, s.output_padding, s.padding
    if s.view is not None and s.transpose_view == "direct":
        raise ScenarioError(
            key("view"), f"'{s.view}' is drawn over the scatter; use transpose_view 'scatter'"
        )
    if s.view == "matrix":
        n_in, (oh, ow) = s.input_shape[0] * s.input_shape[1], s.output_shape
        if oh * ow > TRANSPOSED_ROWS or n_in > TRANSPOSED_COLS:
            raise ScenarioError(
                key("view"),
                f"'matrix' draws Cᵀ with one row per output value and one column per input pixel, and C: "
                f"at most {TRANSPOSED_ROWS} × {TRANSPOSED_COLS} (this one is {oh * ow} × {n_in}); use a "
                "smaller image",
            )
    for axis in (0, 1):
        if op[axis] >= max(stride[axis], dil[axis]):
            raise ScenarioError(
                key("output_padding"),
                f"must be smaller than the stride or the dilation, as in PyTorch (got "
                f"{axes_text(op, s.rank)} with stride {axes_text(stride, s.rank)}, dilation "
                f"{axes_text(dil, s.rank)})",
            )
    for axis, (n, k) in enumerate(zip(s.input_shape, s.kernel_size, strict=True)):
        size = transpose_out(n, k, stride[axis], pad[2 * axis], op[axis], dil[axis])
        if size < 1:
            formula = transpose_out_formula(n, k, stride[axis], pad[2 * axis], op[axis], dil[axis])
            what = "samples" if s.rank == 1 else ("rows", "columns")[axis]
            raise ScenarioError(key("padding"), f"leaves no output {what}: {formula}")
    if s.transpose_view == "direct":
        for axis, k in enumerate(s.kernel_size):
            if pad[2 * axis] > dil[axis] * (k - 1):
                raise ScenarioError(
                    key("transpose_view"),
                    f"'direct' needs padding ≤ dilation·(kernel − 1) = {dil[axis] * (k - 1)} "
                    f"(got {pad[2 * axis]}); use 'scatter'",
                )


def _check_pool(s: Stage, key: Any) -> None:
    (kh, kw), pad = s.kernel_size, s.padding
    for axis, k in enumerate((kh, kw)):
        limit = k // 2  # PyTorch's rule is on the undilated window, even with dilation
        if pad[2 * axis] > limit:
            raise ScenarioError(
                key("padding"),
                f"must be at most half the window, as in PyTorch ({pad[2 * axis]} > {limit} for a "
                f"{(kh, kw)[axis]}-wide window)",
            )
    (h, w), out = s.input_shape, s.output_shape
    if min(out) < 1 and s.rank == 1:
        what = f"{w}-sample signal"
        raise ScenarioError(key("kernel_size"), f"the {kw}-sample window is larger than the {what}")
    if min(out) < 1:  # with ceil_mode PyTorch accepts a window larger than the input
        window = (span(kh, s.dilation[0]), span(kw, s.dilation[1]))
        fits = _fitting_padding(window, (h, w), (kh // 2, kw // 2))
        hint = f"; padding = {fits} would make it fit" if fits is not None and fits > pad[0] else ""
        raise ScenarioError(
            key("kernel_size"), f"the {kh}×{kw} window is larger than the {h}×{w} input{hint}"
        )

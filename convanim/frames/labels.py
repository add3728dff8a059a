"""The words and formulas of the panels' labels: sizes, padding, stride, dilation, output size."""

from __future__ import annotations

from ..arithmetic import conv_out_formula, pool_out_formula, transpose_out_formula
from ..model import Illustration
from ..stage import Stage

TIMES = "\u00d7"


def pair(p: tuple[int, int]) -> str:
    return str(p[0]) if p[0] == p[1] else f"{p[0]}{TIMES}{p[1]}"


def size(shape: tuple[int, ...]) -> str:
    return f"{shape[0]}{TIMES}{shape[1]}"


def padding_text(s: Illustration | Stage) -> str:
    """ "padding 1", "padding 'same' = 1,2 (t,b,l,r)"; a signal's "padding 1" or "padding 'same' = 0,1"."""
    top, bottom, left, right = s.padding
    if s.rank == 1:  # a signal: its left and right only
        if s.padding_name:
            ends = f" = {left}" if left == right else f" = {left},{right}"
            text = f"padding '{s.padding_name}'" + (ends if any(s.padding) else "")
        else:
            text = f"padding {left}" if left == right else f"padding {left},{right} (left,right)"
            text = text if any(s.padding) else "no padding"
        return text + (f", {s.padding_mode}" if s.padding_mode != "zeros" and any(s.padding) else "")
    four = f"{top},{bottom},{left},{right} (t,b,l,r)"
    symmetric = (top, left) == (bottom, right)
    if s.padding_name:
        text = f"padding '{s.padding_name}'"
        text += (f" = {pair((top, left))}" if any(s.padding) else "") if symmetric else f" = {four}"
    elif not any(s.padding):
        text = "no padding"
    else:
        text = f"padding {pair((top, left))}" if symmetric else f"padding {four}"
    return text + (f", {s.padding_mode}" if s.padding_mode != "zeros" and any(s.padding) else "")


def kernel_lines(s: Illustration) -> list[str]:
    kh, kw = s.kernel_size
    preset = f" ({s.kernel.preset.replace('_', ' ')})" if s.kernel.preset else ""
    lines = [f"kernel {kh}{TIMES}{kw}{preset}", f"stride {pair(s.stride)}, {padding_text(s)}"]
    if s.output_padding != (0, 0):
        lines.append(f"output_padding {pair(s.output_padding)}")
    if s.dilation != (1, 1):
        lines.append(f"dilation {pair(s.dilation)}")
    return lines


def output_lines(s: Illustration) -> list[str]:
    """ "output 5×5" and the size formula with the numbers in, one line per axis when they differ."""
    (h, w), (kh, kw) = s.image.shape, s.kernel_size
    (sr, sc), (dr, dc), pad = s.stride, s.dilation, s.padding
    if s.operation == "conv_transpose2d":
        (opr, opc) = s.output_padding
        rows = transpose_out_formula(h, kh, sr, pad[0], opr, dr)
        cols = transpose_out_formula(w, kw, sc, pad[2], opc, dc)
    else:
        rows = conv_out_formula(h, kh, sr, pad[:2], dr)
        cols = conv_out_formula(w, kw, sc, pad[2:], dc)
    head = [f"output {size(s.output_shape)}"]
    return head + ([rows] if rows == cols else [f"rows {rows}", f"cols {cols}"])


def input_lines(s: Illustration, grid: tuple[int, int]) -> list[str]:
    lines = [f"input {size(s.image.shape)}"]
    if s.operation == "conv_transpose2d" and s.transpose_view == "direct":
        (kh, kw), (dr, dc), pad = s.kernel_size, s.dilation, s.padding
        border = pair((dr * (kh - 1) - pad[0], dc * (kw - 1) - pad[2]))
        extra = f" (+{pair(s.output_padding)} bottom/right)" if any(s.output_padding) else ""
        lines.append(f"{zeros_between(s.stride)}, border {border}{extra}: {size(grid)}, hatched")
    elif grid != s.image.shape:
        mode = "" if s.padding_mode == "zeros" else f" ({s.padding_mode})"
        what = "zeros" if s.padding_mode == "zeros" else "copies"
        lines.append(f"padded{mode} to {size(grid)}: hatched {what}")
    return lines


def zeros_between(stride: tuple[int, int]) -> str:
    """ "1 zero between pixels", "2 zeros between pixels", "1×2 zeros between pixels"."""
    gaps = (stride[0] - 1, stride[1] - 1)
    if gaps == (0, 0):
        return "no zeros between pixels"
    if gaps[0] == gaps[1]:
        return f"{gaps[0]} zero{'s' * (gaps[0] != 1)} between pixels"
    return f"{pair(gaps)} zeros between pixels"


def pool_lines(s: Stage) -> list[str]:
    kind = "max pool" if s.operation == "max_pool2d" else "average pool"
    lines = [
        f"{kind} {size(s.kernel_size)}",
        f"stride {pair(s.stride)}, "
        + (f"padding {pair((s.padding[0], s.padding[2]))}" if any(s.padding) else "no padding"),
    ]
    extras = []
    if s.dilation != (1, 1):
        extras.append(f"dilation {pair(s.dilation)}")
    if s.ceil_mode:
        extras.append("ceil_mode")
    if s.operation == "avg_pool2d" and not s.count_include_pad and any(s.padding):
        extras.append("padding not counted")
    return lines + ([", ".join(extras)] if extras else [])


def pool_output_lines(s: Stage) -> list[str]:
    (h, w), (kh, kw), pad, (sr, sc), (dr, dc) = s.input_shape, s.kernel_size, s.padding, s.stride, s.dilation
    rows = pool_out_formula(h, kh, sr, pad[0], dr, s.ceil_mode)
    cols = pool_out_formula(w, kw, sc, pad[2], dc, s.ceil_mode)
    head = [f"output {size(s.output_shape)}"]
    return head + ([rows] if rows == cols else [f"rows {rows}", f"cols {cols}"])


def resample_lines(s: Stage) -> list[str]:
    if s.operation == "relu":
        return ["ReLU", "max(0, x)"]
    how = (
        f"to {size(s.size)}"
        if s.size is not None
        else f"\u00d7{pair(tuple(number(v) for v in s.scale_factor))}"
    )
    lines = [f"{s.mode} upsampling", how]
    if s.mode == "bilinear":
        lines.append(f"align_corners {'true' if s.align_corners else 'false'}")
    return lines


def number(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"

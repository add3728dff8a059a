"""Output-size arithmetic of the operations, shared by validation, steps and labels.

The formulas are PyTorch's (torch.nn.Conv2d and ConvTranspose2d documentation), per axis.
"""

from __future__ import annotations

MINUS = "\u2212"


def span(kernel: int, dilation: int = 1) -> int:
    """Input cells a dilated kernel covers: d·(k − 1) + 1."""
    return dilation * (kernel - 1) + 1


def conv_out(size: int, kernel: int, stride: int, pads: tuple[int, int] = (0, 0), dilation: int = 1) -> int:
    """⌊(n + p_lo + p_hi − d·(k − 1) − 1)/s⌋ + 1, or 0 when the kernel does not fit."""
    room = size + pads[0] + pads[1] - span(kernel, dilation)
    return room // stride + 1 if room >= 0 else 0


def conv_out_formula(
    size: int, kernel: int, stride: int, pads: tuple[int, int] = (0, 0), dilation: int = 1
) -> str:
    """The formula with the numbers filled in, e.g. "⌊(7 + 2·1 − 1·(3 − 1) − 1)/2⌋ + 1 = 4"."""
    out = conv_out(size, kernel, stride, pads, dilation)
    if pads == (0, 0) and dilation == 1:
        return f"\u230a({size} {MINUS} {kernel})/{stride}\u230b + 1 = {out}"
    pad = f"2\u00b7{pads[0]}" if pads[0] == pads[1] else f"{pads[0]} + {pads[1]}"
    return (
        f"\u230a({size} + {pad} {MINUS} {dilation}\u00b7({kernel} {MINUS} 1) {MINUS} 1)/{stride}\u230b"
        f" + 1 = {out}"
    )


def transpose_out(size: int, kernel: int, stride: int, pad: int, out_pad: int = 0, dilation: int = 1) -> int:
    """(n − 1)·s − 2·p + d·(k − 1) + op + 1."""
    return (size - 1) * stride - 2 * pad + dilation * (kernel - 1) + out_pad + 1


def transpose_out_formula(
    size: int, kernel: int, stride: int, pad: int, out_pad: int = 0, dilation: int = 1
) -> str:
    """The transposed formula with the numbers filled in."""
    out = str(transpose_out(size, kernel, stride, pad, out_pad, dilation)).replace("-", MINUS)
    return (
        f"({size} {MINUS} 1)\u00b7{stride} {MINUS} 2\u00b7{pad} + {dilation}\u00b7({kernel} {MINUS} 1)"
        f" + {out_pad} + 1 = {out}"
    )


def same_pads(kernel: int, dilation: int = 1) -> tuple[int, int]:
    """PyTorch's "same" padding: d·(k − 1) split in two, the odd extra cell after (bottom/right)."""
    total = dilation * (kernel - 1)
    return total // 2, total - total // 2


def pool_out(size: int, kernel: int, stride: int, pad: int = 0, dilation: int = 1, ceil: bool = False) -> int:
    """PyTorch's pooling output length; with ceil_mode the last window must start inside the
    input or its left padding."""
    room = size + 2 * pad - span(kernel, dilation)
    out = (room + (stride - 1 if ceil else 0)) // stride + 1
    if ceil and (out - 1) * stride >= size + pad:
        out -= 1
    return out


def pool_out_formula(
    size: int, kernel: int, stride: int, pad: int = 0, dilation: int = 1, ceil: bool = False
) -> str:
    """The pooling formula with the numbers in (⌈…⌉ in ceil mode)."""
    lo, hi = ("\u2308", "\u2309") if ceil else ("\u230a", "\u230b")
    out = pool_out(size, kernel, stride, pad, dilation, ceil)
    middle = (
        f"{size} + 2\u00b7{pad} {MINUS} {dilation}\u00b7({kernel} {MINUS} 1) {MINUS} 1"
        if pad or dilation > 1
        else f"{size} {MINUS} {kernel}"
    )
    return f"{lo}({middle})/{stride}{hi} + 1 = {out}"


def adaptive_windows(size: int, out: int) -> list[tuple[int, int]]:
    """[start, end) of each output index of an adaptive pool, as PyTorch's start_index and
    end_index: ⌊i·n/m⌋ and ⌈(i + 1)·n/m⌉ (windows may overlap)."""
    return [((i * size) // out, -(-((i + 1) * size) // out)) for i in range(out)]

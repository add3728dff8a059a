"""Geometry of a frame in pixels: where the title, the three panels and the equation strip go."""

from __future__ import annotations

from dataclasses import dataclass

from .display import Grid
from .textsize import text_width

PAD = 20
TITLE_PX = 22
CAPTION_PX = 14
LABEL_PX = 14
SMALL_PX = 12
EQUATION_PX = 16
SYMBOL_PX = 30
GAP = 14
TARGET_WIDTH = 900
TARGET_HEIGHT = 640
SCREEN = (1920, 1080)  #: a projector's picture: every text must stay legible scaled to fit it
LEGIBLE_PX = 14.0  #: the least text height on that screen


def projection(width: float, height: float) -> float:
    """How much a picture of ``width`` × ``height`` px is scaled to fit the screen."""
    return min(SCREEN[0] / width, SCREEN[1] / height)


def legible_px(width: float, height: float) -> float:
    """The least font size in a picture's px that is LEGIBLE_PX high once the picture fits the
    screen (render.scale changes both sides alike, so builder units give the same answer)."""
    return LEGIBLE_PX / projection(width, height)


@dataclass(frozen=True)
class Layout:
    """Pixel positions of everything that is not a value; derived from sizes and label widths."""

    width: int
    height: int
    cell: int
    title_y: float
    caption_y: float | None
    label_y: float  #: baseline of the first label line above the grids
    input: Grid
    kernel: Grid
    output: Grid
    op_x: float  #: centre of the ⊛ sign
    arrow_x: float  #: centre of the → sign
    middle_y: float  #: vertical centre of the grids
    equation_y: float | None


def auto_cell(image: tuple[int, int], kernel: tuple[int, int], output: tuple[int, int]) -> int:
    """Cell size that makes the picture about TARGET_WIDTH wide (12–48 px)."""
    fixed = 2 * PAD + 4 * GAP + 2 * SYMBOL_PX
    cols = image[1] + kernel[1] + output[1]
    by_width = (TARGET_WIDTH - fixed) // cols
    by_height = (TARGET_HEIGHT - 160) // max(image[0], output[0])
    return int(max(12, min(48, by_width, by_height)))


def make_layout(
    image: tuple[int, int],
    kernel: tuple[int, int],
    output: tuple[int, int],
    cell: int,
    *,
    labels: tuple[list[str], list[str], list[str]],
    title: str,
    caption: str | None,
    equation: bool,
    counter_width: float,
) -> Layout:
    """Place the panels left to right (input, ⊛, kernel, →, output) under the title."""
    in_labels, k_labels, out_labels = labels
    label_w = [
        max(text_width(t, LABEL_PX if i == 0 else SMALL_PX) for i, t in enumerate(ls)) for ls in labels
    ]
    y = PAD + TITLE_PX
    title_y = y
    caption_y = None
    if caption:
        y += 8 + CAPTION_PX
        caption_y = y
    label_y = y + 14 + LABEL_PX
    n_label_lines = max(len(in_labels), len(out_labels))
    grid_top = label_y + 6 + (n_label_lines - 1) * (SMALL_PX + 4)

    x_in = PAD
    in_w = image[1] * cell
    mid_x = x_in + max(in_w, label_w[0] - 0) + GAP
    op_x = mid_x + SYMBOL_PX / 2
    k_block = max(kernel[1] * cell, label_w[1])
    k_x0 = op_x + SYMBOL_PX / 2 + GAP
    k_x = k_x0 + (k_block - kernel[1] * cell) / 2
    arrow_x = k_x0 + k_block + GAP + SYMBOL_PX / 2
    x_out = arrow_x + SYMBOL_PX / 2 + GAP
    right = x_out + max(output[1] * cell, label_w[2])

    grid_h = max(image[0], output[0]) * cell
    middle_y = grid_top + grid_h / 2
    k_y = middle_y - kernel[0] * cell / 2 + (len(k_labels) * (SMALL_PX + 4)) / 2
    # keep the kernel's labels below the title block
    k_y = max(k_y, label_y + len(k_labels) * (SMALL_PX + 4))
    bottom = max(grid_top + grid_h, k_y + kernel[0] * cell)
    equation_y = None
    if equation:
        equation_y = bottom + 18 + EQUATION_PX
        bottom = equation_y + 6
    width = max(right + PAD, PAD + text_width(title, TITLE_PX, True) + 2 * GAP + counter_width + PAD)
    return Layout(
        width=int(-(-width // 2) * 2),
        height=int(-(-(bottom + PAD) // 2) * 2),
        cell=cell,
        title_y=title_y,
        caption_y=caption_y,
        label_y=label_y,
        input=Grid(x_in, grid_top, image[0], image[1], cell),
        kernel=Grid(round(k_x), round(k_y), kernel[0], kernel[1], cell),
        output=Grid(round(x_out), grid_top, output[0], output[1], cell),
        op_x=op_x,
        arrow_x=arrow_x,
        middle_y=middle_y,
        equation_y=equation_y,
    )


Box = tuple[float, float, float, float]  # x0, y0, x1, y1


def visible_parts(
    p0: tuple[float, float], p1: tuple[float, float], covers: list[Box]
) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """Pieces of the segment p0→p1 outside every box in ``covers`` (Liang–Barsky clipping)."""
    (x0, y0), (x1, y1) = p0, p1
    dx, dy = x1 - x0, y1 - y0
    hidden: list[tuple[float, float]] = []
    for bx0, by0, bx1, by1 in covers:
        lo, hi = 0.0, 1.0
        for p, q in ((-dx, x0 - bx0), (dx, bx1 - x0), (-dy, y0 - by0), (dy, by1 - y0)):
            if p == 0:
                if q < 0:
                    lo, hi = 1.0, 0.0
            elif p < 0:
                lo = max(lo, q / p)
            else:
                hi = min(hi, q / p)
        if lo < hi:
            hidden.append((lo, hi))
    parts, t = [], 0.0
    for lo, hi in [*sorted(hidden), (1.0, 1.0)]:
        if lo - t > 1e-6:
            parts.append(((x0 + t * dx, y0 + t * dy), (x0 + lo * dx, y0 + lo * dy)))
        t = max(t, hi)
    return parts

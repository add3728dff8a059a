"""The text alternative of an illustration: what it shows, in words, for screen readers and captions.

Derived from the scenario and its computed numbers (sizes, the kernel's weights, value ranges),
never typed by hand, so it cannot drift from the picture. Used as the ``alt`` of images, the HTML
player's picture name, and ``NAME.txt`` beside each GIF.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .dependence import even_overlap, overlap_counts, receptive_field
from .elementwise import formula
from .filters import plane_labels
from .graph import is_chain, sources
from .timeline import plan

if TYPE_CHECKING:
    from .model import Illustration
    from .stage import Stage

TIMES = "\u00d7"
TURNED = ", turned 180\u00b0 (true convolution)"  #: a flipped kernel in the matrix view's sentence
MINUS = "\u2212"

#: What a pattern looks like, and how the effect sentence names it.
PATTERN_LOOKS = {
    "square": ("a bright square", "the square's edges"),
    "disk": ("a bright disk", "the disk's edges"),
    "cross": ("a bright cross", "the cross's edges"),
    "checkerboard": ("a checkerboard", "the checkerboard's edges"),
    "stripes": ("vertical stripes", "the stripes' edges"),
    "gradient": ("a left-to-right ramp", "the ramp"),
    "random": ("random values", "the image"),
}
PRESET_NAMES = {
    "mean": "mean filter",
    "gaussian": "Gaussian filter",
    "identity": "identity kernel",
    "sobel_x": "Sobel x filter",
    "sobel_y": "Sobel y filter",
    "prewitt_x": "Prewitt x filter",
    "prewitt_y": "Prewitt y filter",
    "laplacian": "Laplacian filter",
    "sharpen": "sharpening filter",
}
MODES = {
    "zeros": "zero padding",
    "reflect": "reflect padding (mirrored values)",
    "replicate": "replicate padding (repeated edge values)",
    "circular": "circular padding (wrapped-around values)",
}


def alt_text(s: Illustration) -> str:
    """One paragraph describing the animation of ``s``."""
    return _whole(s) + (" " + cone_sentence(s) if s.cone else "")


def _whole(s: Illustration) -> str:
    comps = s.computations
    if s.stages[0].rank == 1:  # a signal: samples and taps, not pixels
        from .signal_alt import signal_alt

        return signal_alt(s)
    if s.network:
        return _network(s)
    if len(s.stages) > 1:
        return _chain(s)
    st, comp = s.stages[0], comps[0]
    image = _image(s)
    out = comp.output
    if layer_plane(s):  # in words that an editable layer player rewrites after an edit
        text = recipe_text(layer_recipe(s), s.image.values[0], st.kernel.values[0, 0], out, None)
    elif st.operation == "conv2d":
        text = _conv(s, st, image, out)
    elif st.operation == "conv_transpose2d" and st.transpose_view == "direct" and _one_plane(st):
        text = recipe_text(conv_recipe(s), s.image.values[0], st.kernel.plane, out[0], st.kernel.preset)
    elif st.operation == "conv_transpose2d":
        text = _transpose(st, image, out, comp.grid.shape)
    elif st.operation in ("avg_pool2d", "max_pool2d") and s.image.values.shape[0] == 1 and not st.layered:
        text = recipe_text(conv_recipe(s), s.image.values[0], np.ones((1, 1)), out[0], None)
    elif st.operation in ("max_pool2d", "avg_pool2d"):
        text = _pool(st, image, out)
    elif st.operation == "upsample":
        text = _upsample(st, image, out)
    elif st.operation == "relu":
        text = _relu(st, image, out, s.image.values)
    else:
        text = f"{_stage_name(st)} of {image}, in one step; the {_size(out.shape)} output has values "
        text += f"{_range(out)}."
    text = text[0].upper() + text[1:]
    return text + (_picture_note(s) if s.picture else "")


# ---------------------------------------------------------------- receptive field


def cone_masks(s: Illustration) -> tuple[np.ndarray, ...]:
    """The receptive field ``s.cone`` asks for: a (C, H, W) mask per map, the image first."""
    assert s.cone is not None
    return receptive_field(s.stages[: s.cone.stage + 1], s.cone.cell)


def _signal(s: Illustration) -> bool:
    return s.stages[0].rank == 1


def cell_name(s: Illustration) -> str:
    """ "output[2,3]" (the last stage's), "map 2[2,3]" (an earlier stage's); with channels the
    channel first, as ``.output()`` indexes it: "output[1,2,3]"; a signal's "output[5]"."""
    assert s.cone is not None
    cell = s.cone.cell[::2] if _signal(s) else s.cone.cell
    cell = cell if s.layered else cell[1:]
    where = "output" if s.cone.stage == len(s.stages) - 1 else f"map {s.cone.stage + 1}"
    return f"{where}[{','.join(map(str, cell))}]"


def field_size(mask: np.ndarray, layered: bool, signal: bool = False) -> str:
    """A receptive field's extent in one map, a (C, H, W) mask: "7×7" for a block of cells,
    "9 cells within 5×5" when it has gaps (dilation, strides larger than the window); a signal's
    "7 samples", "3 samples within 5"; with channels, how many it spans ("7×7 in 2 of 3
    channels", "… in all 3 channels")."""
    rows, cols = np.nonzero(mask.any(axis=(0, 2)))[0], np.nonzero(mask.any(axis=(0, 1)))[0]
    h, w = int(rows[-1] - rows[0] + 1), int(cols[-1] - cols[0] + 1)
    cells = int(mask.any(axis=0).sum())  # fewer than rows × cols where a graph's paths meet (a cross)
    if signal:
        size = f"{cells} sample{'s' * (cells != 1)}"
        size += f" within {w}" if cells != w else ""
    else:
        size = f"{h}{TIMES}{w}"
        if cells != h * w:
            size = f"{cells} cells within {size}"
    channels, total = int(mask.any(axis=(1, 2)).sum()), mask.shape[0]
    if layered and total > 1:
        every = "in both channels" if total == 2 else f"in all {total} channels"
        size += f" {every}" if channels == total else f" in {channels} of {total} channels"
    return size


def field_phrase(mask: np.ndarray, layered: bool, of: str, signal: bool = False) -> str:
    """ "receptive field 7×7 of the input", "receptive field: 9 cells within 5×5 of the input"."""
    size = field_size(mask, layered, signal)
    return f"receptive field{':' if ' within ' in size else ''} {size} of {of}"


def cell_words(s: Illustration) -> str:
    """The chosen cell in words (no brackets, which Markdown's image text cannot hold): "the output
    cell at row 1, column 2", "the cell of map 2 at channel 0, row 3, column 3", "the output
    sample 5"."""
    assert s.cone is not None
    c, r, q = s.cone.cell
    last = s.cone.stage == len(s.stages) - 1
    channel = f"channel {c}, " if s.layered else ""
    if _signal(s):
        where = "the output sample" if last else f"the sample of map {s.cone.stage + 1}"
        return f"{where} at {channel}position {q}"
    where = "the output cell" if last else f"the cell of map {s.cone.stage + 1}"
    return f"{where} at {channel}row {r}, column {q}"


def cone_sentence(s: Illustration) -> str:
    """What the receptive field's frames show, for the alt text."""
    masks = cone_masks(s)
    field = field_phrase(masks[0], s.layered, "the input", _signal(s))
    if not s.cone.maps:
        return f"Then the input cells that {cell_words(s)} depends on are outlined: {field}."
    earlier = [f"{field_size(masks[i], s.layered, _signal(s))} of map {i}" for i in s.cone.maps]
    return (
        f"Then {cell_words(s)} is traced back map by map, its field outlined in each "
        f"({', '.join(earlier)}): {field}."
    )


# ---------------------------------------------------------------- operations


def _conv(s: Illustration, st: Stage, image: str, out: np.ndarray) -> str:
    kernel = _kernel(st)
    kernel += "," if kernel.startswith("layer of") else ""  # "a layer of …, with bias, slides"
    how = _how(st)
    marks = ""
    if st.padding_mode != "zeros" and any(st.padding):
        marks = ", each step outlining the padding cells it reads and the pixels their values come from"
    effect = _effect(s, st, out)
    if _one_plane(st):  # in words that an editable player rewrites after an edit
        return recipe_text(conv_recipe(s), s.image.values[0], st.kernel.plane, out[0], st.kernel.preset)
    if st.view == "matrix":
        (kh, kw), n = st.kernel_size, out.shape[-2] * out.shape[-1]
        turned = TURNED if st.flip else ""
        return (
            f"convolution as a matrix product: {image}{how}{',' if how else ''} is unrolled into a "
            f"{n}{TIMES}{kh * kw} matrix of patches (im2col), one row per window; row by row, each "
            f"times the flattened {kernel}{turned} gives one value of the {_size(out.shape)} output, "
            f"which folds back into its grid (values {_range(out)})."
        )
    if st.flip:  # true convolution: the turn comes first
        twice = " (flipped upside down, then left to right)" if min(st.kernel_size) > 1 else ""
        return (
            f"true convolution: {_a(kernel)} is first turned by 180\u00b0{twice}, then slides over "
            f"{image}{how}{marks}; the {_size(out.shape)} output fills in {_order(out)} and shows {effect}."
        )
    return (
        f"{_a(kernel)} slides over {image}{how}{marks}; the {_size(out.shape)} output fills in {_order(out)} "
        f"and shows {effect}."
    )


# ---------------------------------------------------------------- a recipe an edit rewrites


def _one_plane(st: Stage) -> bool:
    return st.kernel.values.shape[:2] == (1, 1) and not st.layered


def conv_recipe(s: Illustration) -> list[str | tuple[str, ...]]:
    """The sliding-window sentence of a one-plane conv2d (or of a transposed one's direct view) as
    literal strings and nodes (the slots of ``frames.slots``): ("ak",) the kernel with its article,
    ("ax", words) the image, ("af", words) the output's effect, ("ar",) its range, where ``words``
    (the image as a pattern or a file names it, and its edges) hold only while the image is the
    scenario's own; the player's script rewrites the nodes for edited values
    (``templates/player.js``, altText) as :func:`recipe_text` writes them. The matrix view's
    sentence names the kernel without its article: ("ak", 1)."""
    st, out = s.stages[0], s.computations[0].output
    marks = ""
    if st.padding_mode != "zeros" and any(st.padding):
        marks = ", each step outlining the padding cells it reads and the pixels their values come from"
    source = s.image.source or ""
    named = source.startswith("file ") or source in PATTERN_LOOKS
    edges = "the photograph" if source.startswith("file ") else PATTERN_LOOKS.get(source, ("", ""))[1]
    if st.operation in ("avg_pool2d", "max_pool2d"):  # no weights: the image and the output's range
        words = _pool(st, "\0", out).split("\0")
        return [
            words[0],
            ("ax", _image(s)) if named else ("ax",),
            words[1].removesuffix(f"{_range(out)})."),
            ("ar",),
            ").",
        ]
    if st.operation == "conv_transpose2d":  # the direct view
        grid = s.computations[0].grid.shape
        gaps = st.stride[0] - 1, st.stride[1] - 1
        return [
            "A transposed convolution seen as a direct convolution: ",
            ("ak",),
            ", rotated 180\u00b0, slides over ",
            ("ax", _image(s)) if named else ("ax",),
            f" with {_pair(gaps)} zero{'s' * (gaps != (1, 1))} inserted between pixels and a border "
            f"({_size(grid)} in all); the {_size(out.shape)} output fills in {_order(out)} (values ",
            ("ar",),
            ").",
        ]
    if st.view == "matrix":  # ("ak", 1): the kernel without its article
        (kh, kw), n = st.kernel_size, out.shape[-2] * out.shape[-1]
        how = _how(st)
        return [
            "convolution as a matrix product: ",
            ("ax", _image(s)) if named else ("ax",),
            f"{how}{',' if how else ''} is unrolled into a {n}{TIMES}{kh * kw} matrix of patches (im2col), "
            "one row per window; row by row, each times the flattened ",
            ("ak", 1),
            f"{TURNED if st.flip else ''} gives one value of the {_size(out.shape)} output, which folds "
            "back into its grid (values ",
            ("ar",),
            ").",
        ]
    head: list[str | tuple[str, ...]] = [("ak",), " slides over "]
    if st.flip:  # true convolution: the turn comes first
        twice = " (flipped upside down, then left to right)" if min(st.kernel_size) > 1 else ""
        head = ["true convolution: ", ("ak",), f" is first turned by 180\u00b0{twice}, then slides over "]
    return [
        *head,
        ("ax", _image(s)) if named else ("ax",),
        f"{_how(st)}{marks}; the {_size(out.shape)} output fills in {_order(out)} and shows ",
        ("af", edges) if named else ("af",),
        ".",
    ]


def layer_plane(s: Illustration) -> bool:
    """Whether ``s`` is a layer (drawn by the layer view: a conv2d with channels, or a transposed
    one's direct view) on an image of one plane given as 2-D, whose words :func:`layer_recipe`
    gives."""
    st = s.stages[0]
    layer = st.operation == "conv2d" or (st.operation == "conv_transpose2d" and st.transpose_view == "direct")
    one = s.image.values.shape[0] == 1 and not s.image.layered
    return len(s.stages) == 1 and layer and st.has_channels and st.view is None and one


def layer_recipe(s: Illustration) -> list[str | tuple[str, ...]]:
    """A layer's sentence (``layer_plane``) as a recipe of literal strings and the nodes
    ("ax", words), the image (its words hold while the image is the scenario's own), and ("ar",),
    the output's range; the player's script rewrites them for edited values
    (``templates/player.js``, altText) as :func:`recipe_text` writes them."""
    st, comp = s.stages[0], s.computations[0]
    out = comp.output
    if st.operation == "conv2d":
        text = _conv(s, st, "\0", out)
    else:
        text = _transpose(st, "\0", out, comp.grid.shape)
    head, tail = text.split("\0")
    end = f"{_range(out)})."
    assert tail.endswith(end), tail
    return [head, ("ax", _image(s)), tail.removesuffix(end), ("ar",), ")."]


def alt_recipe(s: Illustration) -> list[str | tuple[str, ...]]:
    """The whole alt text of a one-plane conv2d window view as a recipe (``conv_recipe``, and the
    picture note); its reader capitalises the text, as :func:`alt_text` does."""
    return conv_recipe(s) + ([_picture_note(s)] if s.picture else [])


def recipe_text(
    recipe: list, image: np.ndarray, weights: np.ndarray, out: np.ndarray, preset: str | None
) -> str:
    """The text of ``conv_recipe``'s recipe for a 2-D image, kernel and output (the scenario's own
    values: the words a node holds are used)."""

    def node(n: tuple[str, ...]) -> str:
        if n[0] == "ak":
            size, article = _size(weights.shape), _a if len(n) == 1 else str  # ("ak", 1): none
            if preset:
                return article(f"{size} {PRESET_NAMES[preset]}")
            labels = plane_labels(weights)
            rows = "; ".join(" ".join(row) for row in labels) if weights.size <= 16 else ""
            return article(f"{size} kernel" + (f" (rows {rows})" if rows else ""))
        if n[0] == "ax":
            return n[1] if len(n) > 1 else _values_image(image)
        if n[0] == "ar":
            return _range(out)
        if n[0] == "af":
            edges = n[1] if len(n) > 1 else "the shape's edges" if len(np.unique(image)) == 2 else "the image"
            return _plane_effect(weights, edges) + f" (values {_range(out)})"
        raise ValueError(f"unknown alt slot {n!r}")

    return "".join(p if isinstance(p, str) else node(p) for p in recipe)


def _transpose(st: Stage, image: str, out: np.ndarray, grid: tuple[int, int]) -> str:
    kernel = _kernel(st)
    h, w = st.input_shape
    h *= st.in_channels
    if st.view == "matrix":
        (oh, ow), n_in = out.shape[-2:], h * w
        return (
            f"A transposed convolution as a matrix product: beside the {n_in}{TIMES}{oh * ow} matrix C of "
            f"the convolution with {_a(kernel)}{_strides(st)} from {_size(out.shape)} down to {h}{TIMES}{w}, "
            f"its transpose C\u1d40; each of the {n_in} pixels of {image} in turn adds its value times its "
            f"column of C\u1d40 (its row of C) onto the output column, which folds into the "
            f"{_size(out.shape)} output (values {_range(out)})."
        )
    if st.transpose_view == "direct":
        gaps = st.stride[0] - 1, st.stride[1] - 1
        return (
            f"A transposed convolution seen as a direct convolution: {_a(kernel)}, rotated 180\u00b0, "
            f"slides over {image} with {_pair(gaps)} zero{'s' * (gaps != (1, 1))} inserted between "
            f"pixels and a border ({_size(grid)} in all); the {_size(out.shape)} output fills in "
            f"{_order(out)} (values {_range(out)})."
        )
    crop = ""
    if any(st.padding):
        top, left = st.padding[0], st.padding[2]
        full = (*out.shape[:-2], out.shape[-2] + 2 * top, out.shape[-1] + 2 * left)
        crop = f" is drawn {_size(full)}, padding {_pair((top, left))} crops its border, and the rest"
    extra = f", output_padding {_pair(st.output_padding)}" if any(st.output_padding) else ""
    return (
        f"A transposed convolution with {_a(kernel)}{_strides(st)}{extra}: each of the {h * w} pixels of "
        f"{image} in turn adds its value times the kernel onto the output, which accumulates; "
        f"the {_size(out.shape)} output{crop} ends with values {_range(out)}.{_overlap(st)}"
    )


def _overlap(st: Stage) -> str:
    """ " Beside it, a heat map counts …" for the overlap view."""
    if st.view != "overlap":
        return ""
    counts, even = overlap_counts(st), even_overlap(st)
    why = ""
    if even is not None and even[0] == even[1]:
        why = (
            " (evenly: the kernel is a multiple of the stride)"
            if even[0]
            else (" (unevenly, a checkerboard: the kernel is not a multiple of the stride)")
        )
    return (
        f" Beside it, a heat map counts the kernel taps landing on each output cell as the steps add "
        f"them, ending with {_num(counts.min())} to {_num(counts.max())} taps a cell{why}."
    )


def _pool(st: Stage, image: str, out: np.ndarray) -> str:
    window = _size(st.kernel_size)
    if st.operation == "max_pool2d":
        kind, each = "max pooling", "the largest value of its window, which is outlined"
    else:
        kind = "average pooling"
        counted = "" if st.count_include_pad or not any(st.padding) else ", padding not counted,"
        each = f"the mean of its window{counted} with the sum and divisor written out"
    return (
        f"{_a(f'{window} {kind} window')} slides over {image}{_how(st)}; each cell of the "
        f"{_size(out.shape)} output is {each}, and the output fills in {_order(out)} "
        f"(values {_range(out)})."
    )


def _upsample(st: Stage, image: str, out: np.ndarray) -> str:
    factor = _factor(st)
    if st.mode == "nearest":
        kind, each = "Nearest-neighbour", "copies the input pixel it falls on, marked with a dot"
    else:
        corners = "true" if st.align_corners else "false"
        kind = f"Bilinear (align_corners {corners})"
        each = (
            "shows where it falls in the input, marked with a dot, and blends the up to 4 pixels "
            "around it, weighted by nearness"
        )
    return (
        f"{kind} upsampling {factor} of {image}: each pixel of the {_size(out.shape)} output in turn {each}; "
        f"the output fills in {_order(out)} (values {_range(out)})."
    )


def _relu(st: Stage, image: str, out: np.ndarray, values: np.ndarray) -> str:
    n = int((values < 0).sum())
    return (
        f"ReLU on {image}: in one step every negative value becomes 0 ({n} of {values.size} values) "
        f"and the rest pass unchanged; the {_size(out.shape)} output has values {_range(out)}."
    )


def _chain(s: Illustration) -> str:
    parts = []
    maps = [s.image.values] + [c.output for c in s.computations]
    chain = is_chain(s.stages)
    for i, (st, comp, src) in enumerate(
        zip(s.stages, s.computations, sources(s.stages), strict=True), start=1
    ):
        shapes = {_size(maps[src[0]].shape): None, _size(comp.output.shape): None}
        if chain:
            parts.append(f"{i}. {_stage_name(st)} ({' to '.join(shapes)})")
            continue
        # a graph: the shape only where it changes, the map read only where it is not the last
        sizes = f" ({' to '.join(shapes)})" if len(shapes) > 1 or i == 1 else ""
        reads = f" of {st.inputs[0]}" if len(src) == 1 and src != (i - 1,) else ""
        parts.append(f"{i}. {st.name}: {_short_name(st)}{reads}{sizes}")
    out = s.computations[-1].output
    kind = "chain" if chain else "graph"
    return (
        f"A {kind} of {len(s.stages)} stages on {_image(s)}: {'; '.join(parts)}. The maps stand side by side "
        f"as pictures and each stage fills its output in turn{_speed(s)}, with a zoomed inset of the "
        f"window and its numbers; the final {_size(out.shape)} output has values {_range(out)}."
    )


def _network(s: Illustration) -> str:
    """The network view: each map's shape and the stage that makes it; how it is drawn."""
    parts = []
    for i, (st, comp) in enumerate(zip(s.stages, s.computations, strict=True), start=1):
        reads = (
            f" of {', '.join(st.inputs)}"
            if len(st.inputs) == 1 and i > 1 and st.inputs[0] != s.stages[i - 2].name
            else ""
        )
        parts.append(f"{i}. {st.name}: {_short_name(st)}{reads} ({_size(comp.output.shape)})")
    out = s.computations[-1].output
    skips = any(len(st.inputs) > 1 for st in s.stages)
    return (
        f"A network of {len(s.stages)} stages on {_image(s)}: {'; '.join(parts)}. Each map is a column "
        f"of pictures of its most varied channels{', skip connections drawn as lines under them' * skips}"
        f", filled one stage per frame; the final {_size(out.shape)} output has values {_range(out)}."
    )


def _picture_note(s: Illustration) -> str:
    return f" Drawn as pictures, filled{_speed(s)[1:]}, with a zoomed inset of the window and its numbers."


def _speed(s: Illustration) -> str:
    beats = plan(s.stages, s.timing.detail_steps)
    return ", step by step and then faster" if any(b.first != b.last for b in beats) else ", step by step"


def _stage_name(st: Stage) -> str:
    op = st.operation
    if op == "conv2d":
        return f"{_kernel(st)}{_how(st)}"
    if op == "conv_transpose2d":
        return f"transposed convolution with {_a(_kernel(st))}{_strides(st)}"
    if op in ("max_pool2d", "avg_pool2d"):
        kind = "max" if op == "max_pool2d" else "average"
        return f"{_size(st.kernel_size)} {kind} pooling{_how(st)}"
    if op == "upsample":
        factor = _factor(st)
        return f"{'nearest-neighbour' if st.mode == 'nearest' else 'bilinear'} upsampling {factor}"
    if op == "relu":
        return "ReLU"
    if op in ("adaptive_avg_pool2d", "adaptive_max_pool2d"):
        kind = "max" if op == "adaptive_max_pool2d" else "average"
        return f"adaptive {kind} pooling to {_size(st.output_size)}"
    if op == "cat":
        return f"concatenation of the channels of {', '.join(st.inputs)}"
    if op == "add":
        return f"sum of {st.inputs[0]} and {st.inputs[1]}, value by value"
    if op == "batch_norm":
        return "batch normalization, a·x + b in each channel"
    keys = {k: getattr(st, k) for k in ("negative_slope", "approximate", "min_val", "max_val")}
    return f"{op.replace('_', ' ')} ({formula(op, **keys)}, value by value)"


def _short_name(st: Stage) -> str:
    """A stage of a graph in a few words (a graph has many)."""
    op, k = st.operation, _size(st.kernel_size)
    if op in ("conv2d", "conv_transpose2d"):
        kind = "convolution" if op == "conv2d" else "transposed convolution"
        stride = f", stride {_pair(st.stride)}" if st.stride != (1, 1) else ""
        return f"{k} {kind} {st.in_channels}→{st.out_channels}{stride}"
    if op in ("max_pool2d", "avg_pool2d"):
        return f"{k} {'max' if op == 'max_pool2d' else 'average'} pooling"
    if op == "cat":
        return f"cat({', '.join(st.inputs)})"
    if op == "add":
        return f"{st.inputs[0]} + {st.inputs[1]}"
    if op == "batch_norm":
        return "batch norm"
    if op in ("relu", "upsample") or op.startswith("adaptive"):
        return _stage_name(st)
    return op.replace("_", " ")


# ---------------------------------------------------------------- pieces


def _image(s: Illustration) -> str:
    """ "a 10×10 image with a bright square (values 0 to 9)", "a 36×32 photograph (grace_hopper.jpg)"."""
    values, source = s.image.values, s.image.source or ""
    size = _size(values.shape[1:])
    if values.shape[0] > 1 or s.image.layered:
        names = f"{', '.join(s.image.names)}; " if s.image.names else ""
        planes = "plane" if values.shape[0] == 1 else "channels"
        if source.startswith("file "):
            names = f"{source[5:].rsplit('/', 1)[-1]}; {names}"
            return f"{_a(size)} photograph of {values.shape[0]} {planes} ({names}values {_range(values)})"
        return f"{_a(size)} image of {values.shape[0]} {planes} ({names}values {_range(values)})"
    values = values[0]
    if source.startswith("file "):
        name = source[5:].rsplit("/", 1)[-1]
        return f"{_a(size)} photograph ({name}, values {_range(values)})"
    if source in PATTERN_LOOKS:
        return f"{_a(size)} image with {PATTERN_LOOKS[source][0]} (values {_range(values)})"
    return _values_image(values)


def _values_image(values: np.ndarray) -> str:
    """A 2-D image given by its values: where a shape lies, else its range."""
    size = _size(values.shape)
    levels = np.unique(values)
    if len(levels) == 2:  # a shape: say where its bright part lies
        rows, cols = np.nonzero(values == levels[1])
        if rows.size == 1:  # an impulse
            return (
                f"{_a(size)} image holding a single {_num(levels[1])} (on {_num(levels[0])}) at row "
                f"{rows[0]}, column {cols[0]}"
            )
        return (
            f"{_a(size)} image with a bright shape ({_num(levels[1])} on {_num(levels[0])}) in rows "
            f"{rows.min()}–{rows.max()} and columns {cols.min()}–{cols.max()}"
        )
    return f"{_a(size)} image (values {_range(values)})"


def _kernel(st: Stage) -> str:
    """ "3×3 mean filter", "3×3 kernel (rows 0 1 2; 2 2 0; 0 1 2)"."""
    k = st.kernel
    if k.values.shape[:2] != (1, 1) or st.layered:
        return _filters(st)
    size = _size(k.plane.shape)
    if k.preset:
        return f"{size} {PRESET_NAMES[k.preset]}"
    weights = "; ".join(" ".join(row) for row in k.labels) if k.values.size <= 16 else ""
    return f"{size} kernel" + (f" (rows {weights})" if weights else "")


def _filters(st: Stage) -> str:
    """A layer's weights: "2 filters of 3 planes, 3×3 (sobel x, sobel y), groups 3, with bias"."""
    k = st.kernel.values
    if st.operation == "conv_transpose2d":
        filters, planes = k.shape[1] * st.groups, k.shape[0] // st.groups
    else:
        filters, planes = k.shape[0], k.shape[1]
    names = [n.replace("_", " ") for n in st.kernel.names if n]
    text = (
        f"layer of {filters} filter{'s' * (filters > 1)} of {planes} plane{'s' * (planes > 1)}, "
        f"{_size(k.shape[2:])}"
    )
    text += f" ({', '.join(names)})" if names else ""
    text += f", groups {st.groups}" if st.groups > 1 else ""
    return text + (", with bias" if st.bias is not None else "")


def _effect(s: Illustration, st: Stage, out: np.ndarray) -> str:
    """What the output shows, from the kernel's weights."""
    if st.kernel.values.shape[:2] != (1, 1) or st.layered:
        bias = " plus each filter's bias" if st.bias is not None else ""
        return (
            f"each map as the sum over the planes it reads of weighted windows{bias} (values {_range(out)})"
        )
    w = st.kernel.plane
    source = s.image.source or ""
    edges = PATTERN_LOOKS.get(source, ("", "the image"))[1]
    if source.startswith("file "):
        edges = "the photograph"
    elif not source and len(np.unique(s.image.values[0])) == 2:
        edges = "the shape's edges"
    return _plane_effect(w, edges) + f" (values {_range(out)})"


def _plane_effect(w: np.ndarray, edges: str) -> str:
    """What a 2-D kernel does to the image whose edges are called ``edges``."""
    total = float(w.sum())
    if np.count_nonzero(w) == 1 and abs(total - 1) < 1e-12:
        return "a copy of the image"
    if np.all(w >= 0) and abs(total - 1) < 1e-9:
        return f"{edges} smoothed"
    if abs(total) < 1e-9:
        rows_zero, cols_zero = np.allclose(w.sum(axis=1), 0), np.allclose(w.sum(axis=0), 0)
        kind = "vertical edges" if rows_zero else "horizontal edges" if cols_zero else "edges"
        return f"{kind} as signed responses, 0 where the image is flat"
    if abs(total - 1) < 1e-9:
        return "the image sharpened"
    return "the weighted sums"


def _how(st: Stage) -> str:
    """ ", with stride 2, zero padding of 1 on every side, dilation 2"."""
    parts = []
    default_stride = st.kernel_size if st.operation in ("max_pool2d", "avg_pool2d") else (1, 1)
    if st.stride != default_stride:
        parts.append(f"stride {_pair(st.stride)}")
    if any(st.padding):
        name = f"'{st.padding_name}' " if st.padding_name else ""
        mode = MODES[st.padding_mode] if st.operation == "conv2d" else "padding"
        parts.append(f"{name}{mode} of {_sides(st.padding)}")
    if st.dilation != (1, 1):
        parts.append(f"dilation {_pair(st.dilation)}")
    if st.ceil_mode:
        parts.append("ceil_mode")
    return f", with {', '.join(parts)}" if parts else ""


def _strides(st: Stage) -> str:
    parts = []
    if st.stride != (1, 1):
        parts.append(f"stride {_pair(st.stride)}")
    if any(st.padding):
        parts.append(f"padding {_pair((st.padding[0], st.padding[2]))}")
    if st.dilation != (1, 1):
        parts.append(f"dilation {_pair(st.dilation)}")
    return f", {', '.join(parts)}" if parts else ""


def _order(out: np.ndarray) -> str:
    return "map by map, row by row" if out.ndim == 3 and out.shape[0] > 1 else "row by row"


def _factor(st: Stage) -> str:
    """ "×2", "×2 in rows and ×1.5 in columns" or "to 5×7"."""
    if st.size is not None:
        return f"to {_size(st.size)}"
    rows, cols = (_num(v) for v in st.scale_factor)
    return f"{TIMES}{rows}" if rows == cols else f"{TIMES}{rows} in rows and {TIMES}{cols} in columns"


def _sides(pad: tuple[int, int, int, int]) -> str:
    top, bottom, left, right = pad
    if top == bottom == left == right:
        return f"{top} on every side"
    if (top, left) == (bottom, right):
        return f"{top} above and below, {left} left and right"
    return f"{top} above, {bottom} below, {left} left, {right} right"


def _range(values: np.ndarray) -> str:
    return value_range(values)


def value_range(values: np.ndarray) -> str:
    """ "0 to 9", "4.5": the finite values' least and greatest (at most 2 decimals each)."""
    finite = values[np.isfinite(values)]
    lo, hi = float(finite.min()), float(finite.max())
    return _num(lo) if lo == hi else f"{_num(lo)} to {_num(hi)}"


def _num(v: float) -> str:
    """A value with at most 2 decimals and a real minus sign: "9", "4.5", "−0.33"."""
    text = f"{float(v):.2f}".rstrip("0").rstrip(".")
    return ("0" if text == "-0" else text).replace("-", MINUS)


def _pair(p: tuple) -> str:
    a, b = (_num(v) for v in p)
    return a if a == b else f"{a}{TIMES}{b}"


def _size(shape: tuple[int, ...]) -> str:
    """ "8×8", or "2×8×8" for several channels (a (C, H, W) shape with C > 1)."""
    planes = f"{shape[0]}{TIMES}" if len(shape) == 3 and shape[0] > 1 else ""
    return f"{planes}{shape[-2]}{TIMES}{shape[-1]}"


def _a(phrase: str) -> str:
    """The phrase with "a" or "an" (an 8×8, an 11×11, an 18×18; an average)."""
    head = phrase.split(TIMES)[0].split(" ")[0]
    if head.isdigit():
        vowel = head.startswith("8") or (len(head) in (2, 5) and head[:2] in ("11", "18"))
    else:
        vowel = head[:1].lower() in "aeio"
    return ("an " if vowel else "a ") + phrase

"""The text alternative of a 1-D illustration (a signal), in its own words: samples, taps and
lengths, not pixels, rows and 1×L sizes. Derived from the scenario and its numbers, as alttext."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .timeline import plan

if TYPE_CHECKING:
    from .model import Illustration
    from .stage import Stage

PRESET_NAMES = {"mean": "mean filter", "gaussian": "Gaussian filter", "identity": "identity kernel"}
MODES = {
    "zeros": "zero padding",
    "reflect": "reflect padding (mirrored values)",
    "replicate": "replicate padding (repeated edge values)",
    "circular": "circular padding (wrapped-around values)",
}
SIGNAL_LOOKS = {
    "step": "a step",
    "sine": "one cycle of a sine",
    "square": "a pulse",
    "stripes": "a square wave",
    "gradient": "a ramp",
    "random": "random values",
}


def signal_alt(s: Illustration) -> str:
    """One paragraph describing the animation of a 1-D scenario."""
    if len(s.stages) > 1:
        return _chain(s)
    st, comp = s.stages[0], s.computations[0]
    out = comp.output[:, 0]
    signal = _signal(s)
    op = st.operation
    if op in ("conv2d", "conv_transpose2d") and _one_plane(s):  # as the editable player writes it
        labels, preset = st.kernel.labels[0], st.kernel.preset
        return recipe_text(conv1d_recipe(s), s.image.values[0, 0], labels, preset, out[0])
    if op == "conv2d" or op == "conv_transpose2d":
        kernel = _kernel(st)
        if op == "conv_transpose2d":
            gaps = st.stride[1] - 1
            head = (
                f"A 1-D transposed convolution seen as a direct convolution: {kernel}, reversed, slides "
                f"along {signal} with {gaps} zero{'s' * (gaps != 1)} inserted between samples and a border "
                f"({comp.grid.shape[2]} samples in all)"
            )
        else:
            turned = ", reversed first (true convolution)," if st.flip else ""
            head = f"{_cap(kernel)}{turned} slides along {signal}{_how(st)}"
        sums = ", each step writing the per-channel sums" if out.shape[0] > 1 or st.in_channels > 1 else ""
        return (
            f"{head}{sums}; drawn as bars over a row of numbers with the weights under the window, the "
            f"{_length(out)} output fills in {_order(out)} (values {_range(out)})."
        )
    if op in ("max_pool2d", "avg_pool2d") and out.shape[0] == 1:  # as the editable player writes it
        return recipe_text(conv1d_recipe(s), s.image.values[0, 0], (), None, out[0])
    if op in ("max_pool2d", "avg_pool2d"):
        kind = "max" if op == "max_pool2d" else "average"
        each = (
            "the largest sample of its window, which is outlined"
            if kind == "max"
            else "the mean of its window"
        )
        return (
            f"{_cap(_an(st.kernel_size[1]))}-sample {kind} pooling window slides along {signal}{_how(st)}; "
            "each "
            f"sample of the {_length(out)} output is {each}, and the output fills in {_order(out)} "
            f"(values {_range(out)})."
        )
    if op == "upsample":
        how = f"to {st.size[1]} samples" if st.size is not None else f"\u00d7{_num(st.scale_factor[1])}"
        each = (
            "copies the input sample it falls on"
            if st.mode == "nearest"
            else "blends the two input samples around where it falls, weighted by nearness"
        )
        return (
            f"{'Nearest' if st.mode == 'nearest' else 'Linear'} upsampling {how} of {signal}: each sample "
            f"of the {_length(out)} output in turn {each}; the output fills in {_order(out)} "
            f"(values {_range(out)})."
        )
    values = s.image.values
    n = int((values < 0).sum())
    return (
        f"ReLU on {signal}: in one step every negative sample becomes 0 ({n} of {values.size}) and the "
        f"rest pass unchanged; the {_length(out)} output has values {_range(out)}."
    )


def _one_plane(s: Illustration) -> bool:
    st = s.stages[0]
    return st.kernel.values.shape[:2] == (1, 1) and not st.layered and st.bias is None


def conv1d_recipe(s: Illustration) -> list[str | tuple[str, ...]]:
    """The alt text of a one-plane conv1d (flipped or not; or a one-channel conv_transpose1d, max or
    average pool) as a recipe of literal strings and nodes, as the player's script
    (``templates/signal.js``) rewrites it for edited values: ("ka", "a 3") the kernel with its
    taps' article ("a 3-tap mean filter", "a 3-tap kernel (1 0 −1)"), ("xa", words, head) the
    signal (its own words while it is the scenario's, else head and its values' range), ("ar",)
    the output's range."""
    st, out = s.stages[0], s.computations[0].output[:, 0]
    n = s.image.values.shape[-1]
    signal = ("xa", _signal(s), f"{_an(n)}-sample signal")
    if st.operation in ("max_pool2d", "avg_pool2d"):  # a max_pool1d or avg_pool1d: no weights
        kind, each = (
            ("max", "the largest sample of its window, which is outlined")
            if st.operation == "max_pool2d"
            else ("average", "the mean of its window")
        )
        return [
            f"{_cap(_an(st.kernel_size[1]))}-sample {kind} pooling window slides along ",
            signal,
            f"{_how(st)}; each sample of the {_length(out)} output is {each}, and the output fills in "
            f"{_order(out)} (values ",
            ("ar",),
            ").",
        ]
    drawn = (
        f"; drawn as bars over a row of numbers with the weights under the window, the {_length(out)} "
        f"output fills in {_order(out)} (values "
    )
    if st.operation == "conv_transpose2d":  # its direct view
        gaps, n_grid = st.stride[1] - 1, s.computations[0].grid.shape[2]
        return [
            "A 1-D transposed convolution seen as a direct convolution: ",
            ("ka", _an(st.kernel_size[1])),
            ", reversed, slides along ",
            signal,
            f" with {gaps} zero{'s' * (gaps != 1)} inserted between samples and a border ({n_grid} samples "
            f"in all){drawn}",
            ("ar",),
            ").",
        ]
    return [
        ("ka", _an(st.kernel_size[1])),
        ", reversed first (true convolution), slides along " if st.flip else " slides along ",
        signal,
        f"{_how(st)}{drawn}",
        ("ar",),
        ").",
    ]


def alt_parts(s: Illustration) -> tuple[str, ...]:
    """The alt text of a signal with channels cut around the input's range and the output's
    ("values 0 to 9"), which the player writes for edited values (templates/layer.js); the whole
    text alone when it does not name both."""
    alt = signal_alt(s)
    x = f"values {_range(s.image.values[:, 0])})"
    o = f"(values {_range(s.computations[0].output[:, 0])})"
    head, sep, rest = alt.partition(x)
    at = rest.rfind(o)
    if not sep or at < 0:
        return (alt,)
    return (head + "values ", ")" + rest[:at] + "(values ", ")" + rest[at + len(o) :])


def recipe_text(
    recipe: list, image: np.ndarray, labels: tuple[str, ...], preset: str | None, out: np.ndarray
) -> str:
    """The text of ``conv1d_recipe``'s recipe for a signal, its kernel's labels and preset and the
    output (the scenario's own: the words a node holds are used), capitalised."""

    def node(n: tuple[str, ...]) -> str:
        if n[0] == "ka":
            if preset:
                return f"{n[1]}-tap {PRESET_NAMES[preset]}"
            return f"{n[1]}-tap kernel" + (f" ({' '.join(labels)})" if len(labels) <= 16 else "")
        if n[0] == "xa":
            return n[1]
        return _range(out)

    text = "".join(p if isinstance(p, str) else node(p) for p in recipe)
    return _cap(text)


def _chain(s: Illustration) -> str:
    parts = []
    for i, st in enumerate(s.stages, start=1):
        what = f"{i}. {st.op_name}"
        if st.operation in ("conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d"):
            what += f", {st.kernel_size[1]} tap{'s' * (st.kernel_size[1] != 1)}{_how(st)}"
        if st.in_channels != st.out_channels:
            what += f", {st.in_channels} to {st.out_channels} channels"
        parts.append(f"{what} ({st.input_shape[1]} to {st.output_shape[1]} samples)")
    out = s.computations[-1].output[:, 0]
    fast = any(b.first != b.last for b in plan(s.stages, s.timing.detail_steps))
    return (
        f"A chain of {len(s.stages)} stages on {_signal(s)}: {'; '.join(parts)}. The maps stand side by "
        f"side as strips and each stage fills its output in turn, step by step{' and then faster' * fast}, "
        f"with a zoomed inset of the window and its numbers; the final {_length(out)} output has values "
        f"{_range(out)}."
    )


def _signal(s: Illustration) -> str:
    """ "a 12-sample signal with a step (values 0 to 9)", "a signal of 2 channels, 10 samples each"."""
    values, source = s.image.values[:, 0], s.image.source or ""
    n = values.shape[1]
    if values.shape[0] > 1 or s.image.layered:
        names = f"{', '.join(s.image.names)}; " if s.image.names else ""
        return (
            f"a signal of {values.shape[0]} channel{'s' * (values.shape[0] > 1)}, {n} samples each "
            f"({names}values {_range(values)})"
        )
    looks = SIGNAL_LOOKS.get(source)
    return f"{_an(n)}-sample signal" + (f" with {looks}" if looks else "") + f" (values {_range(values)})"


def _kernel(st: Stage) -> str:
    k = st.kernel
    taps = st.kernel_size[1]
    if k.values.shape[:2] != (1, 1) or st.layered:
        filters = k.values.shape[1] * st.groups if st.operation == "conv_transpose2d" else k.values.shape[0]
        planes = k.values.shape[0] // st.groups if st.operation == "conv_transpose2d" else k.values.shape[1]
        text = f"a layer of {filters} filter{'s' * (filters > 1)} of {planes} plane{'s' * (planes > 1)}"
        text += f", {taps} taps"
        text += f", groups {st.groups}" if st.groups > 1 else ""
        return text + (", with bias," if st.bias is not None else "")
    if k.preset:
        return f"{_an(taps)}-tap {PRESET_NAMES[k.preset]}"
    weights = " ".join(k.labels[0]) if taps <= 16 else ""
    return f"{_an(taps)}-tap kernel" + (f" ({weights})" if weights else "")


def _how(st: Stage) -> str:
    parts = []
    default = st.kernel_size[1] if st.operation in ("max_pool2d", "avg_pool2d") else 1
    if st.stride[1] != default:
        parts.append(f"stride {st.stride[1]}")
    left, right = st.padding[2], st.padding[3]
    if left or right:
        name = f"'{st.padding_name}' " if st.padding_name else ""
        mode = MODES[st.padding_mode] if st.operation == "conv2d" else "padding"
        sides = f"{left} on each side" if left == right else f"{left} left, {right} right"
        parts.append(f"{name}{mode} of {sides}")
    if st.dilation[1] != 1:
        parts.append(f"dilation {st.dilation[1]}")
    if st.ceil_mode:
        parts.append("ceil_mode")
    return f", with {', '.join(parts)}" if parts else ""


def _length(out: np.ndarray) -> str:
    return f"{out.shape[0]}\u00d7{out.shape[1]}" if out.shape[0] > 1 else f"{out.shape[1]}-sample"


def _order(out: np.ndarray) -> str:
    return "map by map, sample by sample" if out.shape[0] > 1 else "sample by sample"


def _an(n: int) -> str:
    """ "a 5", "an 8", "an 11", "an 18": the article as the number is read aloud."""
    text = str(n)
    vowel = text.startswith("8") or (len(text) in (2, 5) and text[:2] in ("11", "18"))
    return f"{'an' if vowel else 'a'} {text}"


def _cap(text: str) -> str:
    return text[0].upper() + text[1:]


def _range(values: np.ndarray) -> str:
    finite = values[np.isfinite(values)]
    lo, hi = float(finite.min()), float(finite.max())
    return _num(lo) if lo == hi else f"{_num(lo)} to {_num(hi)}"


def _num(v: float) -> str:
    """At most 2 decimals and a real minus sign, as alttext writes values."""
    text = f"{float(v):.2f}".rstrip("0").rstrip(".")
    return ("0" if text == "-0" else text).replace("-", "\u2212")


__all__ = ["signal_alt"]

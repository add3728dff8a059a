"""What a scenario may cost: the limits, the work of drawing it, and the check that refuses it
before any work is done. The counting itself is per view, in :mod:`.cost`."""

from __future__ import annotations

from dataclasses import dataclass

from .cost import chain_cost, check, grid_cost, network_cost
from .errors import ScenarioError
from .filters import MAX_CHANNELS
from .model import NETWORK_PANELS, Cone, network_details
from .stage import Stage


@dataclass(frozen=True)
class Limits:
    """Work a scenario may ask for; the CLI's --max-frames/--max-cells raise them."""

    max_frames: int = 5000
    max_cells: int = 50_000
    max_work: int = 100_000  #: cells repainted or written over all steps; see ``work``


def work(stages: tuple[Stage, ...], frames: int, picture: bool, cone: Cone | None = None) -> int:
    """What rendering costs in the grid view, or the picture view (``picture``), in cells painted
    or written (see cost.grid_cost and cost.chain_cost). Time follows it (about 0.1–0.2 ms a unit
    here), so the limit bounds the real cost, whatever the mix of steps, kernel taps and dilation."""
    return (chain_cost if picture else grid_cost)(stages, frames, cone).work


def check_limits(
    image: tuple[int, int],
    channels: int,
    stages: tuple[Stage, ...],
    frames: int,
    limits: Limits,
    extra: int = 0,
    picture: bool = False,
    cone: Cone | None = None,
    network: bool = False,
) -> None:
    """Refuse, before any work, a scenario whose view needs too many frames, cells (every channel
    counts; ``extra``: cells drawn besides the stages' maps, the colour panel of an RGB photo) or
    drawing work (see :mod:`.cost`)."""
    size = f"a {image[0]}×{image[1]} image" if channels == 1 else f"a {channels}×{image[0]}×{image[1]} image"
    if stages[0].rank == 1:
        size = f"a {image[1]}-sample signal" if channels == 1 else f"a {channels}×{image[1]} signal"
    if network:  # ``extra`` is then the colour composite of an RGB photo
        drawn = network_cost(
            (channels, *image),
            stages,
            frames,
            NETWORK_PANELS,
            composite=bool(extra),
            details=network_details(stages),
            cone=cone,
        )
        check(drawn, limits, size)
        return
    # a chain of 2-D maps asked to be drawn with numbers could be drawn as a network instead
    instead = (
        ' or draw it as a network: render.view = "network"' if stages[0].rank == 2 and len(stages) > 1 else ""
    )
    check_channels(stages, ' or draw it as a network: render.view = "network"' if stages[0].rank == 2 else "")
    check((chain_cost if picture else grid_cost)(stages, frames, cone, extra), limits, size, instead)


def check_channels(stages: tuple[Stage, ...], instead: str = "") -> None:
    """Refuse a map of more than MAX_CHANNELS channels in a view that draws every plane (the
    layer, chain and photo views); only the network view draws a few channels of a bigger map."""
    if stages[0].in_channels > MAX_CHANNELS:
        raise ScenarioError("image", _too_many(stages[0].in_channels, instead))
    for st in stages:
        if st.out_channels > MAX_CHANNELS:
            raise ScenarioError(st.prefix or "kernel", _too_many(st.out_channels, instead))


def _too_many(channels: int, instead: str) -> str:
    return (
        f"makes a map of {channels} channels; this view draws every plane, at most {MAX_CHANNELS} "
        f"(use fewer channels{instead})"
    )

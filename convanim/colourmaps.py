"""The default colormaps' colours, so colouring cells does not import matplotlib (~0.2 s).

``TABLES[name]`` holds ``style.LEVELS`` colours, 6 hex digits each, equal to matplotlib's colormap
sampled at k / (LEVELS − 1), as ``to_hex`` writes them (a test checks them against matplotlib).
Other colormaps are looked up in matplotlib.
"""

from __future__ import annotations

TABLES = {
    "gray": (
        "0000000404040808080c0c0c1010101414141818181c1c1c2020202424242828282c2c2c3030303434343838383c3c3c"
        "4141414545454949494d4d4d5151515555555959595d5d5d6161616565656969696d6d6d7171717575757979797d7d7d"
        "8282828686868a8a8a8e8e8e9292929696969a9a9a9e9e9ea2a2a2a6a6a6aaaaaaaeaeaeb2b2b2b6b6b6babababebebe"
        "c3c3c3c7c7c7cbcbcbcfcfcfd3d3d3d7d7d7dbdbdbdfdfdfe3e3e3e7e7e7ebebebefefeff3f3f3f7f7f7fbfbfbffffff"
    ),
    "PRGn": (
        "40004b480754510d5d591465621a6e6a21777328807931877f3c8d8447938a529a8f5da09568a69b72aca17ab2a783b8"
        "b08dbfb695c4bc9ecac3a6cfc9add3ceb5d7d4bcdbdac3dfe0cbe3e6d2e7e9d8eaebdeeceee3eef0e9f1f3eef3f5f4f6"
        "f4f6f3eff5eeebf4e8e6f3e3e1f2ddddf1d7d7efd1cfecc9c7e9c1bfe5b9b7e2b1afdfa9a7dba19cd59790ce8d84c784"
        "75be7769b76d5db06353a85c499f553f974f358e482b8642217d3b197535156d3111652d0d5c28085424044c1f00441b"
    ),
}


def table(name: str) -> list[str] | None:
    """The colormap's colours as ``#rrggbb``, or None if it has no table here."""
    digits = TABLES.get(name)
    return None if digits is None else ["#" + digits[i : i + 6] for i in range(0, len(digits), 6)]

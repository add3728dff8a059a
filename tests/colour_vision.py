"""Colour-vision helpers for the theme tests: WCAG contrast is in convanim.style; here, how colours
look to colour-blind viewers (Machado, Oliveira & Fernandes 2009, severity 1.0, on linear sRGB)
and how far apart two colours are (CIE76 ΔE in CIELAB, D65)."""

from __future__ import annotations

import numpy as np

MACHADO = {
    "protanopia": [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ],
    "deuteranopia": [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ],
    "tritanopia": [
        [1.255528, -0.076749, -0.178779],
        [-0.078411, 0.930809, 0.147602],
        [0.004733, 0.691367, 0.303900],
    ],
}
VISIONS = ["normal", *MACHADO]
XYZ = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
WHITE = XYZ @ np.ones(3)


def linear(colour: str) -> np.ndarray:
    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255.0
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def seen(colour: str, vision: str) -> np.ndarray:
    """Linear RGB of ``colour`` as a viewer with ``vision`` sees it."""
    rgb = linear(colour)
    return rgb if vision == "normal" else np.clip(np.array(MACHADO[vision]) @ rgb, 0, 1)


def lab(rgb: np.ndarray) -> np.ndarray:
    t = (XYZ @ rgb) / WHITE
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e(a: str, b: str, vision: str) -> float:
    """How different ``a`` and ``b`` look to a viewer with ``vision`` (CIE76 ΔE)."""
    return float(np.linalg.norm(lab(seen(a, vision)) - lab(seen(b, vision))))

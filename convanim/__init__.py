"""convanim: animated teaching illustrations of image convolution, from short scenario files.

>>> import numpy as np, convanim
>>> s = convanim.Scenario(image=np.arange(25.).reshape(5, 5), kernel=np.ones((3, 3)) / 9, stride=2)
>>> s.output()
array([[ 6.,  8.],
       [16., 18.]])
"""

from .concepts import conv_matrix, overlap_counts, receptive_field
from .errors import ConvanimError, LimitError, ScenarioError
from .from_torch import from_torch
from .scenario import Limits, Scenario, load, schema

__all__ = [
    "ConvanimError",
    "LimitError",
    "Limits",
    "Scenario",
    "ScenarioError",
    "conv_matrix",
    "from_torch",
    "load",
    "overlap_counts",
    "receptive_field",
    "schema",
]
__version__ = "0.1.0"

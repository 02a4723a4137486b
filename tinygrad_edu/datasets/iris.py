"""Fisher's Iris flowers: 150 rows, 4 measurements, 3 species.

The data (R. A. Fisher, 1936; public domain) ships with the package as ``iris.csv``:
sepal length, sepal width, petal length, petal width (all in cm) and the species, 50 rows
of each of setosa, versicolor and virginica, in that order. The values follow Fisher's
paper, as scikit-learn's copy does; the UCI repository's copy differs in two setosa rows
(35 and 38, 1-based) by transcription errors.

Example::

    from tinygrad_edu.datasets import iris

    X, y, names = iris()   # float64 (150, 4), int64 (150,), ["setosa", ...]
    names[y[0]]            # "setosa"
"""

from __future__ import annotations

import csv
import io
from importlib import resources

import numpy as np

FEATURES = ("sepal_length", "sepal_width", "petal_length", "petal_width")
"""Column names of ``X``, in centimetres."""


def iris() -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The Iris data set: X float64 (150, 4), y int64 (150,) and the class names.

    ``y[i]`` indexes the class names, which are listed in order of first appearance:
    ``["setosa", "versicolor", "virginica"]``. The rows are in the file's order (grouped
    by species), so shuffle before splitting into training and test sets.
    """
    text = resources.files(__package__).joinpath("iris.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))[1:]  # skip the header line
    X = np.array([row[:4] for row in rows], dtype=np.float64)
    names = list(dict.fromkeys(row[4] for row in rows))  # unique, in order of appearance
    y = np.array([names.index(row[4]) for row in rows], dtype=np.int64)
    return X, y, names

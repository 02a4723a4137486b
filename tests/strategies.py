"""Hypothesis strategies shared by the core's tests.

Shapes are small (gradcheck costs O(numel^2) backward passes) but include 0-d tensors and
size-1 dimensions, the cases broadcasting and reductions get wrong. Values are float64 and
kept away from the points where an op is not differentiable (abs and relu at 0, log and
sqrt at 0, ties of max), so central differences with eps = 1e-6 are meaningful there.
"""

from __future__ import annotations

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

MAX_SIDE = 3


def shapes(min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = MAX_SIDE):
    """Array shapes such as (), (1,), (3, 1, 2)."""
    return hnp.array_shapes(
        min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
    )


def floats(lo: float = -2.0, hi: float = 2.0):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def away_from_zero(margin: float = 1e-2, hi: float = 2.0):
    """|x| in [margin, hi]: away from the kink of abs, relu, leaky_relu."""
    return st.one_of(floats(-hi, -margin), floats(margin, hi))


def positive(lo: float = 0.1, hi: float = 3.0):
    """Strictly positive values, for log, sqrt and bases of pow."""
    return floats(lo, hi)


def grid(offset: float = 0.0):
    """Values k/10 + offset: distinct draws are at least 0.1 apart (no near-ties)."""
    return st.integers(-20, 20).map(lambda k: k / 10 + offset)


def arrays(shape, elements=None, unique: bool = False):
    """float64 arrays of ``shape`` (a shape or a strategy of shapes)."""
    return hnp.arrays(
        np.float64, shape, elements=elements if elements is not None else floats(), unique=unique
    )


def distinct_arrays(shape):
    """float64 arrays with no two equal elements (for max/min away from ties)."""
    return arrays(shape, grid(), unique=True)


def broadcastable_shapes(num_shapes: int = 2, min_dims: int = 0, max_dims: int = 3):
    """Tuples of shapes that broadcast together, e.g. ((3, 1), (4,))."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes, min_dims=min_dims, max_dims=max_dims, max_side=MAX_SIDE
    ).map(lambda s: s.input_shapes)


@st.composite
def dims(draw, ndim: int, allow_none: bool = True, allow_tuple: bool = True):
    """A ``dim`` argument for a tensor of ``ndim`` dimensions: None, an int (maybe
    negative) or a tuple of distinct ints."""
    if ndim == 0:
        return draw(st.sampled_from([None, 0, -1] if allow_none else [0, -1]))
    single = st.integers(-ndim, ndim - 1)
    options = [single]
    if allow_none:
        options.append(st.none())
    if allow_tuple:
        options.append(
            st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True).flatmap(
                lambda axes: st.tuples(*[st.sampled_from([a, a - ndim]) for a in axes])
            )
        )
    return draw(st.one_of(*options))


def axes_of(dim, ndim: int) -> tuple[int, ...] | None:
    """``dim`` as NumPy's ``axis`` argument."""
    if dim is None or ndim == 0:
        return None
    return tuple(d % ndim for d in (dim if isinstance(dim, tuple) else (dim,)))


def count(shape, dim) -> int:
    """How many elements a reduction over ``dim`` combines."""
    axes = axes_of(dim, len(shape))
    if axes is None:
        return int(np.prod(shape))
    return int(np.prod([shape[a] for a in axes]))


@st.composite
def reduction_case(draw, elements=None, distinct: bool = False, min_count: int = 1):
    """(x, {"dim": ..., "keepdim": ...}) for a reduction; at least ``min_count`` elements
    per reduced group."""
    shape = draw(shapes())
    x = draw(distinct_arrays(shape) if distinct else arrays(shape, elements))
    dim = draw(dims(len(shape)))
    assume(count(shape, dim) >= min_count)
    return (x,), {"dim": dim, "keepdim": draw(st.booleans())}

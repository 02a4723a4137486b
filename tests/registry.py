"""The op registry: every public op, with its PyTorch name and how to test it (after
PyTorch's own OpInfo database).

One ``OpInfo`` per op holds

- ``name``: the PyTorch-qualified name it stands for ("torch.Tensor.exp",
  "torch.nn.functional.relu");
- ``op(m, *args, **kwargs)``: the call, written once for both libraries: ``m`` is the module
  ``tinygrad_edu`` or ``torch`` (our names are PyTorch's, so ``m.exp(x)`` means the same in
  both);
- ``samples(dtypes, smooth)``: a Hypothesis strategy of ``Sample``s. Arrays in a sample become
  tensors of either library; other values are passed as they are. With ``smooth=False`` the
  samples roam: shapes with 0-d and empty tensors and broadcasting, every dtype in ``dtypes``
  (mixed between arguments), Python scalars, and the special values 0, -0.0, +-inf, nan,
  huge and tiny. With ``smooth=True`` they are float64, non-empty and kept away from the
  points where the op is not differentiable, so central differences are meaningful
  (the gradcheck view, ``test_registry_gradcheck.py``);
- ``grad_args``: the positions of the arguments that are differentiable;
- ``dtypes``: the dtypes its samples draw from (dtypes the op must refuse included: the
  differential test then checks that both libraries raise);
- tolerances per dtype (``tolerance``).

Adding an op means adding one entry to ``OPS`` (and, for the torch-free value check, its
NumPy forward to ``REFERENCES`` unless the entry's own call works on arrays). Views of it:

- ``test_differential.py`` runs every sample through tinygrad_edu and PyTorch and compares
  values, dtypes, shapes, requires_grad, first and second derivatives and errors; whatever
  differs fails unless ``INTENDED_DIFFERENCES`` (at the end) lists it, with its reason;
- ``test_registry_gradcheck.py``: gradcheck, gradgradcheck, forward vs reverse mode and the
  NumPy forward on the smooth samples, without PyTorch;
- ``checked_names()``: the PyTorch names covered, for the API coverage table.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

BOOL, INT32, INT64 = np.dtype(np.bool_), np.dtype(np.int32), np.dtype(np.int64)
FLOAT32, FLOAT64 = np.dtype(np.float32), np.dtype(np.float64)
ALL = (BOOL, INT32, INT64, FLOAT32, FLOAT64)
NUMERIC = (INT32, INT64, FLOAT32, FLOAT64)
FLOATS = (FLOAT32, FLOAT64)
MAX_SIDE = 3

#: (rtol, atol) per result dtype; integer and bool results must be equal.
TOLERANCE = {FLOAT32: (1e-5, 1e-6), FLOAT64: (1e-10, 1e-12)}


@dataclass(frozen=True)
class Sample:
    """One call: positional ``args`` (arrays become tensors) and keyword ``kwargs``."""

    args: tuple[Any, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)

    def arrays(self) -> list[np.ndarray]:
        """Every array in the arguments (inside lists too)."""
        found: list[np.ndarray] = []
        for a in (*self.args, *self.kwargs.values()):
            for b in a if isinstance(a, (list, tuple)) else (a,):
                if isinstance(b, np.ndarray):
                    found.append(b)
        return found

    def dtypes(self) -> set[np.dtype]:
        return {a.dtype for a in self.arrays()}

    def has(self, predicate: Callable[[np.ndarray], Any]) -> bool:
        """True if ``predicate`` holds for any element of any floating array."""
        with np.errstate(all="ignore"):
            return any(bool(np.any(predicate(a))) for a in self.arrays() if a.dtype.kind == "f")


@dataclass(frozen=True)
class OpInfo:
    """One op of the registry (see the module docstring)."""

    name: str
    op: Callable[..., Any]
    samples: Callable[[tuple[np.dtype, ...], bool], st.SearchStrategy[Sample]]
    dtypes: tuple[np.dtype, ...] = ALL
    grad_args: tuple[int, ...] = (0,)
    second_order: bool = True
    #: the sum of many terms: compare with an atol scaled by the inputs' largest magnitude
    #: (the order of the additions differs between the libraries)
    accumulates: bool = False
    tolerance: dict[np.dtype, tuple[float, float]] = field(default_factory=lambda: TOLERANCE)
    #: a label when one PyTorch name has several entries (e.g. max() and max(dim))
    variant: str = ""
    #: False where central differences in float64 do not apply (a cast to float32)
    gradcheck: bool = True
    #: the forward in NumPy, for the torch-free check of values (set from ``REFERENCES``)
    reference: Callable[..., Any] | None = None

    @property
    def id(self) -> str:
        short = self.name.removeprefix("torch.")
        return f"{short}[{self.variant}]" if self.variant else short

    @property
    def differentiable(self) -> bool:
        return bool(self.grad_args)


@dataclass(frozen=True)
class Difference:
    """A known difference from PyTorch, on purpose: op (an ``OpInfo.id``), the aspect
    that differs ('value', 'dtype', 'shape', 'requires_grad', 'grad', 'gradgrad' or
    'error'), the samples it concerns (``when``, described by ``condition``) and why."""

    op: str
    aspect: str
    condition: str
    reason: str
    when: Callable[[Sample], bool] = lambda sample: True


# ============================================================================ values
def specials(dtype: np.dtype) -> list[float]:
    """0, -0.0, +-inf, nan, huge and tiny values of a floating dtype."""
    huge = 1e30 if dtype == FLOAT32 else 1e300
    tiny = float(np.finfo(dtype).tiny)
    return [0.0, -0.0, np.inf, -np.inf, np.nan, huge, -huge, tiny, -tiny]


def real(lo: float = -2.0, hi: float = 2.0) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def away_from_zero(margin: float = 0.05, hi: float = 2.0) -> st.SearchStrategy[float]:
    return st.one_of(real(-hi, -margin), real(margin, hi))


def grid(offset: float = 0.0) -> st.SearchStrategy[float]:
    """k/10 + offset: distinct values are 0.1 apart (no near-ties of max, clamp, ...)."""
    return st.integers(-20, 20).map(lambda k: k / 10 + offset)


REAL = real()


def elements(dtype: np.dtype, domain: st.SearchStrategy[float], smooth: bool) -> Any:
    """The values of one array: the op's smooth domain, plus (unless smooth) wider values
    and the special ones; small integers and booleans for the other dtypes."""
    if dtype == BOOL:
        return st.booleans()
    if dtype.kind in "iu":
        return st.integers(-4, 4)
    if smooth:
        return domain
    return st.one_of(domain, real(-50, 50), st.sampled_from(specials(dtype)))


def array(
    dtype: np.dtype,
    shape: Any,
    domain: st.SearchStrategy[float] = REAL,
    smooth: bool = False,
    unique: bool = False,
) -> st.SearchStrategy[np.ndarray]:
    """An array of ``dtype`` and ``shape`` (a shape or a strategy of shapes)."""
    values = elements(dtype, domain, smooth)
    if dtype.kind != "f":
        return hnp.arrays(dtype, shape, elements=values, unique=unique)

    def cast(a: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            return a.astype(dtype)

    return hnp.arrays(FLOAT64, shape, elements=values, unique=unique).map(cast)


def shapes(smooth: bool, min_dims: int = 0, max_dims: int = 3) -> st.SearchStrategy:
    """Shapes such as (), (1,), (3, 1, 2); also empty ones like (2, 0) unless smooth."""
    return hnp.array_shapes(
        min_dims=min_dims, max_dims=max_dims, min_side=1 if smooth else 0, max_side=MAX_SIDE
    )


def scalar(dtype: np.dtype, domain: st.SearchStrategy[float], smooth: bool) -> Any:
    """A Python number of the kind of ``dtype``: bool, int or float."""
    if dtype == BOOL:
        return st.booleans()
    if dtype.kind in "iu":
        return st.integers(-4, 4)
    return elements(FLOAT64, domain, smooth)


def pick(draw: Any, dtypes: tuple[np.dtype, ...], smooth: bool) -> np.dtype:
    return FLOAT64 if smooth else draw(st.sampled_from(dtypes))


# ============================================================================ sample builders
def unary(domain: st.SearchStrategy[float] = REAL, unique: bool = False, **kwargs: Any) -> Callable:
    """Samples ``(x,)`` with ``kwargs`` drawn from the given strategies."""

    def build(dtypes: tuple[np.dtype, ...], smooth: bool) -> st.SearchStrategy[Sample]:
        @st.composite
        def draw_sample(draw: Any) -> Sample:
            dtype = pick(draw, dtypes, smooth)
            x = draw(array(dtype, shapes(smooth), domain, smooth, unique and smooth))
            kw = {k: draw(v) for k, v in kwargs.items()}
            return Sample((x,), kw)

        return draw_sample()

    return build


def binary(
    x_domain: st.SearchStrategy[float] = REAL,
    y_domain: st.SearchStrategy[float] = REAL,
    scalars: bool = True,
) -> Callable:
    """Samples ``(x, y)`` with broadcasting shapes and (unless smooth) dtypes drawn apart;
    y is sometimes a Python scalar or a 0-d tensor (dtype promotion by category)."""

    def build(dtypes: tuple[np.dtype, ...], smooth: bool) -> st.SearchStrategy[Sample]:
        @st.composite
        def draw_sample(draw: Any) -> Sample:
            sx, sy = draw(
                hnp.mutually_broadcastable_shapes(
                    num_shapes=2,
                    min_dims=0,
                    max_dims=3,
                    min_side=1 if smooth else 0,
                    max_side=MAX_SIDE,
                ).map(lambda s: s.input_shapes)
            )
            dx, dy = pick(draw, dtypes, smooth), pick(draw, dtypes, smooth)
            x = draw(array(dx, sx, x_domain, smooth))
            kind = draw(st.sampled_from(["tensor", "0-d", "scalar"])) if scalars else "tensor"
            if kind == "scalar":
                return Sample((x, draw(scalar(dy, y_domain, smooth))))
            y = draw(array(dy, () if kind == "0-d" else sy, y_domain, smooth))
            return Sample((x, y))

        return draw_sample()

    return build


def reduction(
    domain: st.SearchStrategy[float] = REAL,
    keepdim: bool = True,
    dim_none: bool = True,
    tuples: bool = True,
    unique: bool = False,
    **kwargs: Any,
) -> Callable:
    """Samples ``(x,)`` with a ``dim`` (None, an int, negative, a tuple) and ``keepdim``."""

    def build(dtypes: tuple[np.dtype, ...], smooth: bool) -> st.SearchStrategy[Sample]:
        @st.composite
        def draw_sample(draw: Any) -> Sample:
            dtype = pick(draw, dtypes, smooth)
            shape = draw(shapes(smooth))
            x = draw(array(dtype, shape, domain, smooth, unique and smooth))
            kw = {"dim": draw(dims(len(shape), dim_none, tuples))}
            if keepdim:
                kw["keepdim"] = draw(st.booleans())
            kw.update({k: draw(v) for k, v in kwargs.items()})
            if smooth and ("correction" in kw or "unbiased" in kw):  # var, std: some
                correction = kw.get("correction", int(kw.get("unbiased", True)))  # degrees
                dim = kw["dim"]  # of freedom left
                axes = (
                    range(len(shape)) if dim is None else dim if isinstance(dim, tuple) else (dim,)
                )
                n = int(np.prod([shape[a] for a in axes])) if shape else 1
                assume(n > correction)
            return Sample((x,), kw)

        return draw_sample()

    return build


@st.composite
def dims(draw: Any, ndim: int, allow_none: bool = True, allow_tuple: bool = True) -> Any:
    """A ``dim`` for an ``ndim``-d tensor: None, an int (maybe negative) or a tuple."""
    n = max(ndim, 1)
    options = [st.integers(-n, n - 1)]
    if allow_none:
        options.append(st.none())
    if allow_tuple and ndim > 0:
        options.append(
            st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True).flatmap(
                lambda axes: st.tuples(*[st.sampled_from([a, a - ndim]) for a in axes])
            )
        )
    return draw(st.one_of(*options))


def custom(fn: Callable[[Any, tuple[np.dtype, ...], bool], Sample]) -> Callable:
    """Samples from ``fn(draw, dtypes, smooth)``: for ops with their own argument shapes."""

    def build(dtypes: tuple[np.dtype, ...], smooth: bool) -> st.SearchStrategy[Sample]:
        return st.composite(lambda draw: fn(draw, dtypes, smooth))()

    return build


# ============================================================================ op-specific samples
def _matmul(draw: Any, dtypes: tuple[np.dtype, ...], smooth: bool) -> Sample:
    lo = 1 if smooth else 0
    n, m, k = (draw(st.integers(lo, MAX_SIDE)) for _ in range(3))
    batch = draw(st.sampled_from([(), (2,), (1,)]))
    left, right = draw(
        st.sampled_from(
            [
                ((n,), (n,)),
                ((m, n), (n,)),
                ((n,), (n, k)),
                ((m, n), (n, k)),
                ((*batch, m, n), (n, k)),
                ((m, n), (*batch, n, k)),
                ((2, m, n), (*batch, n, k)),
                ((n,), (*batch, n, k)),  # 1-D operands against a batch
                ((*batch, m, n), (n,)),
                ((2, 1, m, n), (3, n, k)),  # batch axes broadcast both ways
            ]
        )
    )
    if not smooth and draw(st.integers(0, 9)) == 0:  # now and then shapes that do not fit
        right = (*right[:-2], right[-2] + 1, *right[-1:]) if len(right) > 1 else (right[0] + 1,)
    d = pick(draw, dtypes, smooth)
    d2 = d if draw(st.booleans()) else pick(draw, dtypes, smooth)
    return Sample((draw(array(d, left, REAL, smooth)), draw(array(d2, right, REAL, smooth))))


def _where(draw: Any, dtypes: tuple[np.dtype, ...], smooth: bool) -> Sample:
    sc, sx, sy = draw(
        hnp.mutually_broadcastable_shapes(
            num_shapes=3, min_dims=0, max_dims=3, min_side=1 if smooth else 0, max_side=MAX_SIDE
        ).map(lambda s: s.input_shapes)
    )
    cond = draw(hnp.arrays(BOOL, sc))
    dx, dy = pick(draw, dtypes, smooth), pick(draw, dtypes, smooth)
    x = draw(array(dx, sx, REAL, smooth))
    if not smooth and draw(st.booleans()):
        return Sample((cond, x, draw(scalar(dy, REAL, smooth))))
    return Sample((cond, x, draw(array(dy, sy, REAL, smooth))))


def _clamp(draw: Any, dtypes: tuple[np.dtype, ...], smooth: bool) -> Sample:
    dtype = pick(draw, dtypes, smooth)
    x = draw(array(dtype, shapes(smooth), grid(0.05), smooth))  # never on a bound k/10
    lo, hi = sorted(draw(st.lists(grid(), min_size=2, max_size=2, unique=True)))
    if dtype.kind in "iub":
        lo, hi = int(lo), int(hi) + 1
    which = draw(st.sampled_from(["both", "min", "max"]))
    return Sample(
        (x,), {"min": None if which == "max" else lo, "max": None if which == "min" else hi}
    )


def _reshape(draw: Any, dtypes: tuple[np.dtype, ...], smooth: bool) -> Sample:
    dtype = pick(draw, dtypes, smooth)
    shape = draw(shapes(smooth))
    x = draw(array(dtype, shape, REAL, smooth))
    n = int(np.prod(shape))
    target = draw(st.sampled_from([(-1,), (n,), (1, n), (n, -1), tuple(reversed(shape)), (-1, 1)]))
    return Sample((x, target))


def _permute(draw: Any, dtypes: tuple[np.dtype, ...], smooth: bool) -> Sample:
    dtype = pick(draw, dtypes, smooth)
    shape = draw(shapes(smooth))
    x = draw(array(dtype, shape, REAL, smooth))
    order = draw(st.permutations(range(len(shape))))
    return Sample((x, tuple(d - len(shape) if draw(st.booleans()) else d for d in order)))


def _two_dims(draw: Any, dtypes: tuple[np.dtype, ...], smooth: bool) -> Sample:
    dtype = pick(draw, dtypes, smooth)
    shape = draw(shapes(smooth))
    n = max(len(shape), 1)
    x = draw(array(dtype, shape, REAL, smooth))
    return Sample((x, draw(st.integers(-n, n - 1)), draw(st.integers(-n, n - 1))))


def _unsqueeze(draw: Any, dtypes: tuple[np.dtype, ...], smooth: bool) -> Sample:
    dtype = pick(draw, dtypes, smooth)
    shape = draw(shapes(smooth))
    x = draw(array(dtype, shape, REAL, smooth))
    n = len(shape) + 1
    return Sample((x, draw(st.integers(-n, n - 1))))


def _squeeze(draw: Any, dtypes: tuple[np.dtype, ...], smooth: bool) -> Sample:
    dtype = pick(draw, dtypes, smooth)
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=2))
    x = draw(array(dtype, shape, REAL, smooth))
    n = max(len(shape), 1)
    dims = st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True).map(tuple)
    dim = draw(st.one_of(st.none(), st.integers(-n, n - 1), dims))
    return Sample((x,) if dim is None else (x, dim))


def _flatten(draw: Any, dtypes: tuple[np.dtype, ...], smooth: bool) -> Sample:
    dtype = pick(draw, dtypes, smooth)
    shape = draw(shapes(smooth))
    x = draw(array(dtype, shape, REAL, smooth))
    n = max(len(shape), 1)
    a, b = sorted(draw(st.integers(0, n - 1)) for _ in range(2))
    return Sample((x,), {"start_dim": a, "end_dim": b - n if draw(st.booleans()) else b})


def _expand(draw: Any, dtypes: tuple[np.dtype, ...], smooth: bool) -> Sample:
    dtype = pick(draw, dtypes, smooth)
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=MAX_SIDE))
    x = draw(array(dtype, shape, REAL, smooth))
    lead = draw(
        st.lists(st.integers(1 if smooth else 0, 2), min_size=0 if shape else 1, max_size=2)
    )
    sizes = [
        draw(st.sampled_from([2, -1])) if n == 1 else draw(st.sampled_from([n, -1])) for n in shape
    ]
    return Sample((x, tuple(lead + sizes)))


def _getitem(draw: Any, dtypes: tuple[np.dtype, ...], smooth: bool) -> Sample:
    dtype = pick(draw, dtypes, smooth)
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=MAX_SIDE))
    x = draw(array(dtype, shape, REAL, smooth))
    kind = draw(st.sampled_from(["basic", "ints", "mask"]))
    if kind == "basic":
        index = draw(hnp.basic_indices(shape, allow_newaxis=True, allow_ellipsis=True))
        parts = index if isinstance(index, tuple) else (index,)
        if smooth:  # (PyTorch refuses negative steps: the roaming samples check that)
            assume(all(not isinstance(p, slice) or (p.step or 1) > 0 for p in parts))
        return Sample((x, index))
    if kind == "ints":
        return Sample(
            (
                x,
                np.asarray(
                    draw(st.lists(st.integers(-shape[0], shape[0] - 1), max_size=4)), dtype=INT64
                ),
            )
        )
    return Sample((x, draw(hnp.arrays(BOOL, shape[:1]))))


def _cat(draw: Any, dtypes: tuple[np.dtype, ...], smooth: bool) -> Sample:
    shape = draw(
        hnp.array_shapes(min_dims=1, max_dims=3, min_side=1 if smooth else 0, max_side=MAX_SIDE)
    )
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        s = list(shape)
        s[dim] = draw(st.integers(1 if smooth else 0, 2))
        parts.append(draw(array(pick(draw, dtypes, smooth), tuple(s), REAL, smooth)))
    return Sample((parts, dim))


def _stack(draw: Any, dtypes: tuple[np.dtype, ...], smooth: bool) -> Sample:
    shape = draw(shapes(smooth))
    dim = draw(st.integers(-len(shape) - 1, len(shape)))
    dtype = pick(draw, dtypes, smooth)
    parts = [draw(array(dtype, shape, REAL, smooth)) for _ in range(draw(st.integers(1, 3)))]
    return Sample((parts, dim))


def _linear(draw: Any, dtypes: tuple[np.dtype, ...], smooth: bool) -> Sample:
    lo = 1 if smooth else 0
    n_in, n_out = draw(st.integers(lo, 3)), draw(st.integers(lo, 3))
    batch = draw(st.sampled_from([(), (2,), (2, 1)]))
    d = pick(draw, dtypes, smooth)
    x = draw(array(d, (*batch, n_in), REAL, smooth))
    w = draw(array(d, (n_out, n_in), REAL, smooth))
    if draw(st.booleans()):
        return Sample((x, w))
    return Sample((x, w, draw(array(d, (n_out,), REAL, smooth))))


REDUCTIONS = st.sampled_from(["mean", "sum", "none"])


def _regression_loss(draw: Any, dtypes: tuple[np.dtype, ...], smooth: bool) -> Sample:
    shape = draw(shapes(smooth))
    d = pick(draw, dtypes, smooth)
    x = draw(array(d, shape, REAL, smooth))
    y = draw(array(d, shape, grid(0.05), smooth))  # never tied with ... x drawn apart
    return Sample((x, y), {"reduction": draw(REDUCTIONS)})


def _class_target(draw: Any, n: int, c: int, ignore: bool) -> np.ndarray:
    """Class indices in [0, c); some are the ignore_index -100 when ``ignore``."""
    choices = (
        st.integers(0, c - 1) if not ignore else st.one_of(st.integers(0, c - 1), st.just(-100))
    )
    return np.asarray(draw(st.lists(choices, min_size=n, max_size=n)), dtype=INT64)


def _nll(draw: Any, dtypes: tuple[np.dtype, ...], smooth: bool, logits: bool) -> Sample:
    n = draw(st.integers(1 if smooth else 0, 3))
    c = draw(st.integers(1, 3))
    d = pick(draw, dtypes, smooth)
    one_row = draw(st.booleans()) and n == 1
    x = draw(array(d, (c,) if one_row else (n, c), REAL, smooth))
    kw: dict[str, Any] = {"reduction": draw(REDUCTIONS)}
    if draw(st.booleans()):
        kw["weight"] = draw(array(d, (c,), real(0.5, 2.0), True))
    if logits and not one_row and draw(st.integers(0, 3)) == 0:  # class probabilities
        p = draw(array(d, (n, c), real(0.0, 1.0), True))
        return Sample((x, p), kw)
    if logits and draw(st.booleans()):
        kw["label_smoothing"] = draw(st.sampled_from([0.1, 0.5]))
    target = _class_target(draw, n, c, ignore=not smooth or draw(st.booleans()))
    if smooth and n and (target == -100).all():  # a nan loss: nothing to differentiate
        target[0] = 0
    return Sample((x, target.reshape(()) if one_row else target), kw)


def _bce(draw: Any, dtypes: tuple[np.dtype, ...], smooth: bool) -> Sample:
    shape = draw(shapes(smooth))
    d = pick(draw, dtypes, smooth)
    inside = real(0.05, 0.95)
    x = draw(
        array(d, shape, inside if smooth else st.one_of(inside, st.sampled_from([0.0, 1.0])), True)
    )
    y = draw(array(d, shape, st.one_of(real(0.0, 1.0), st.sampled_from([0.0, 1.0])), True))
    kw: dict[str, Any] = {"reduction": draw(REDUCTIONS)}
    if draw(st.booleans()):
        kw["weight"] = draw(array(d, shape, real(0.5, 2.0), True))
    return Sample((x, y), kw)


def _bce_logits(draw: Any, dtypes: tuple[np.dtype, ...], smooth: bool) -> Sample:
    shape = draw(shapes(smooth))
    d = pick(draw, dtypes, smooth)
    x = draw(array(d, shape, away_from_zero(0.05, 4.0), smooth))
    y = draw(array(d, shape, real(0.0, 1.0), True))
    kw: dict[str, Any] = {"reduction": draw(REDUCTIONS)}
    if draw(st.booleans()):
        kw["pos_weight"] = draw(array(d, shape[-1:], real(0.5, 2.0), True))
    return Sample((x, y), kw)


def _softmax(draw: Any, dtypes: tuple[np.dtype, ...], smooth: bool) -> Sample:
    dtype = pick(draw, dtypes, smooth)
    shape = draw(shapes(smooth))
    n = max(len(shape), 1)
    return Sample((draw(array(dtype, shape, real(-4, 4), smooth)), draw(st.integers(-n, n - 1))))


# ---------------------------------------------------------------------------- scans, gathers,
# products, norms and shape ops (the tensor_methods / torch_functions additions)
def _dim_of(draw: Any, ndim: int) -> int:
    n = max(ndim, 1)
    return draw(st.integers(-n, n - 1))


def _cumsum(draw: Any, dtypes: tuple[np.dtype, ...], smooth: bool) -> Sample:
    dtype = pick(draw, dtypes, smooth)
    shape = draw(shapes(smooth))
    return Sample((draw(array(dtype, shape, REAL, smooth)), _dim_of(draw, len(shape))))


def _index(draw: Any, shape: tuple[int, ...], n: int, smooth: bool) -> np.ndarray:
    """Indices into a dimension of size ``n``: in range when smooth; else now and then
    negative or out of range (both libraries must refuse those alike)."""
    hi = n if smooth else n + 1
    lo = 0 if smooth else -1
    if hi - 1 < lo or (smooth and n == 0):
        return np.zeros(shape, dtype=INT64)
    return draw(hnp.arrays(INT64, shape, elements=st.integers(lo, max(lo, hi - 1))))


def _gather(draw: Any, dtypes: tuple[np.dtype, ...], smooth: bool) -> Sample:
    dtype = pick(draw, dtypes, smooth)
    shape = draw(shapes(smooth, min_dims=1))
    d = _dim_of(draw, len(shape))
    n = shape[d]
    if smooth:
        assume(n > 0)
    ishape = tuple(
        draw(st.integers(1 if smooth else 0, MAX_SIDE)) if k == d % len(shape) else
        draw(st.integers(1 if smooth else 0, s))
        for k, s in enumerate(shape)
    )  # fmt: skip
    x = draw(array(dtype, shape, REAL, smooth))
    return Sample((x, d, _index(draw, ishape, n, smooth)))


def _scatter_add(draw: Any, dtypes: tuple[np.dtype, ...], smooth: bool) -> Sample:
    dtype = pick(draw, dtypes, smooth)
    shape = draw(shapes(smooth, min_dims=1))
    d = _dim_of(draw, len(shape))
    n = shape[d]
    if smooth:
        assume(n > 0)
    sshape = tuple(draw(st.integers(1 if smooth else 0, MAX_SIDE)) for _ in shape)
    ishape = tuple(
        draw(st.integers(1 if smooth else 0, s if k == d % len(shape) else min(s, t)))
        for k, (s, t) in enumerate(zip(sshape, shape))
    )
    x = draw(array(dtype, shape, REAL, smooth))
    src = draw(array(dtype if smooth or draw(st.booleans()) else pick(draw, dtypes, smooth),
                     sshape, REAL, smooth))  # fmt: skip
    return Sample((x, d, _index(draw, ishape, n, smooth), src))


def _index_select(draw: Any, dtypes: tuple[np.dtype, ...], smooth: bool) -> Sample:
    dtype = pick(draw, dtypes, smooth)
    shape = draw(shapes(smooth))
    d = _dim_of(draw, len(shape))
    n = shape[d] if shape else 1
    x = draw(array(dtype, shape, REAL, smooth))
    k = 1 if smooth and not shape else draw(st.integers(1 if smooth else 0, 4))
    return Sample((x, d, _index(draw, (k,), n, smooth)))


def _take_along_dim(draw: Any, dtypes: tuple[np.dtype, ...], smooth: bool) -> Sample:
    dtype = pick(draw, dtypes, smooth)
    shape = draw(shapes(smooth, min_dims=1))
    x = draw(array(dtype, shape, REAL, smooth))
    if draw(st.booleans()):  # dim=None: indices into the flattened tensor
        k = draw(st.integers(1 if smooth else 0, 4))
        return Sample((x, _index(draw, (k,), int(np.prod(shape)), smooth)))
    d = _dim_of(draw, len(shape))
    ishape = tuple(
        draw(st.integers(1 if smooth else 0, MAX_SIDE)) if k == d % len(shape)
        else draw(st.sampled_from([1, s]))
        for k, s in enumerate(shape)
    )  # fmt: skip
    return Sample((x, _index(draw, ishape, shape[d], smooth), d))


EQUATIONS = {  # equation: operand shapes, by letter sizes
    "ij,jk->ik": ("ij", "jk"),
    "i,i->": ("i", "i"),
    "ij->ji": ("ij",),
    "bij,bjk->bik": ("bij", "bjk"),
    "ij->": ("ij",),
    "i,j->ij": ("i", "j"),
    "ij,j": ("ij", "j"),
}


def _einsum(draw: Any, dtypes: tuple[np.dtype, ...], smooth: bool) -> Sample:
    equation = draw(st.sampled_from(sorted(EQUATIONS)))
    sizes = {c: draw(st.integers(1 if smooth else 0, MAX_SIDE)) for c in "bijk"}
    d = pick(draw, dtypes, smooth)  # (one dtype: PyTorch's einsum does not promote)
    operands = [
        draw(array(d, tuple(sizes[c] for c in subs), REAL, smooth)) for subs in EQUATIONS[equation]
    ]
    return Sample((equation, *operands))


def _mm(draw: Any, dtypes: tuple[np.dtype, ...], smooth: bool) -> Sample:
    lo = 1 if smooth else 0
    n, m, k = (draw(st.integers(lo, MAX_SIDE)) for _ in range(3))
    left, right = (m, n), (n, k)
    if not smooth and draw(st.integers(0, 4)) == 0:  # shapes mm refuses
        left, right = draw(st.sampled_from([((m, n), (n + 1, k)), ((n,), (n, k)), ((m, n), (n,))]))
    d = pick(draw, dtypes, smooth)
    d2 = d if draw(st.booleans()) else pick(draw, dtypes, smooth)
    return Sample((draw(array(d, left, REAL, smooth)), draw(array(d2, right, REAL, smooth))))


def _t(draw: Any, dtypes: tuple[np.dtype, ...], smooth: bool) -> Sample:
    dtype = pick(draw, dtypes, smooth)
    shape = draw(shapes(smooth, max_dims=2 if smooth else 3))
    return Sample((draw(array(dtype, shape, REAL, smooth)),))


def _norm(draw: Any, dtypes: tuple[np.dtype, ...], smooth: bool) -> Sample:
    dtype = pick(draw, dtypes, smooth)
    shape = draw(shapes(smooth))
    p = draw(st.sampled_from([2, 1, np.inf]))
    # |x| has a kink at 0; for inf the largest |x| must be unique: positives are k/10 + 0.05,
    # negatives k/10 - 0.02, so no two magnitudes tie
    no_ties = st.integers(-20, 20).map(lambda k: k / 10 + (0.05 if k >= 0 else -0.02))
    domain = NONZERO if p != np.inf else no_ties
    x = draw(array(dtype, shape, domain, smooth, unique=smooth and p == np.inf))
    return Sample((x, p, draw(dims(len(shape)))), {"keepdim": draw(st.booleans())})


def _flip(draw: Any, dtypes: tuple[np.dtype, ...], smooth: bool) -> Sample:
    dtype = pick(draw, dtypes, smooth)
    shape = draw(shapes(smooth))
    x = draw(array(dtype, shape, REAL, smooth))
    d = draw(dims(len(shape), allow_none=False))  # (torch.flip takes a tuple, not an int)
    return Sample((x, d if isinstance(d, tuple) else (d,)))


def _roll(draw: Any, dtypes: tuple[np.dtype, ...], smooth: bool) -> Sample:
    dtype = pick(draw, dtypes, smooth)
    shape = draw(shapes(smooth))
    x = draw(array(dtype, shape, REAL, smooth))
    d = draw(dims(len(shape))) if shape or not smooth else None  # (a 0-d tensor has no dim 0)
    if isinstance(d, tuple):
        shifts: Any = tuple(draw(st.integers(-4, 4)) for _ in d)
    else:
        shifts = draw(st.integers(-4, 4))
    return Sample((x, shifts, d))


def _triangle(draw: Any, dtypes: tuple[np.dtype, ...], smooth: bool) -> Sample:
    dtype = pick(draw, dtypes, smooth)
    shape = draw(shapes(smooth, min_dims=2 if smooth else 1))
    x = draw(array(dtype, shape, REAL, smooth))
    return Sample((x,), {"diagonal": draw(st.integers(-2, 2))})


def _repeat(draw: Any, dtypes: tuple[np.dtype, ...], smooth: bool) -> Sample:
    dtype = pick(draw, dtypes, smooth)
    shape = draw(shapes(smooth, max_dims=2))
    x = draw(array(dtype, shape, REAL, smooth))
    extra = draw(st.integers(0 if smooth and shape else 1 if smooth else -1, 1))
    reps = tuple(
        draw(st.integers(1 if smooth else 0, 2)) for _ in range(max(len(shape) + extra, 0))
    )
    return Sample((x, reps))


# ---------------------------------------------------------------------------- layers
# (nn/functional_layers.py, nn/functional_cnn.py): norms, embedding, conv, pooling, padding
def _layer_norm(draw: Any, dtypes: tuple[np.dtype, ...], smooth: bool) -> Sample:
    dtype = pick(draw, dtypes, smooth)
    shape = draw(shapes(smooth, min_dims=1))
    k = draw(st.integers(1, len(shape)))
    normalized = shape[len(shape) - k :]
    if smooth:  # (a group of one element has variance 0: its derivative is 1 / sqrt(eps))
        assume(int(np.prod(normalized)) > 1)
    x = draw(array(dtype, shape, REAL, smooth, unique=smooth))
    w = draw(array(dtype, normalized, real(0.5, 2.0), True)) if draw(st.booleans()) else None
    b = draw(array(dtype, normalized, REAL, True)) if draw(st.booleans()) else None
    return Sample((x, normalized, w, b))


def _group_norm(draw: Any, dtypes: tuple[np.dtype, ...], smooth: bool) -> Sample:
    dtype = pick(draw, dtypes, smooth)
    groups, per = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    n = draw(st.integers(1 if smooth else 0, 2))
    rest = draw(hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=2))
    if smooth:
        assume(per * int(np.prod(rest)) > 1)
    x = draw(array(dtype, (n, groups * per, *rest), REAL, smooth, unique=smooth))
    c = groups * per
    w = draw(array(dtype, (c,), real(0.5, 2.0), True)) if draw(st.booleans()) else None
    b = draw(array(dtype, (c,), REAL, True)) if draw(st.booleans()) else None
    return Sample((x, groups, w, b))


def _embedding(draw: Any, dtypes: tuple[np.dtype, ...], smooth: bool) -> Sample:
    n, dim = draw(st.integers(1, 4)), draw(st.integers(1 if smooth else 0, 3))
    w = draw(array(pick(draw, dtypes, smooth), (n, dim), REAL, smooth))
    index_shape = draw(shapes(smooth, max_dims=2))
    return Sample((_index(draw, index_shape, n, smooth), w))


def _conv(draw: Any, dtypes: tuple[np.dtype, ...], smooth: bool, d: int) -> Sample:
    dtype = pick(draw, dtypes, smooth)
    groups = draw(st.integers(1, 2))
    c_in, c_out = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 2)) for _ in range(d))
    stride = draw(st.integers(1, 2))
    padding = draw(st.integers(0, 1))
    dilation = draw(st.integers(1, 2))
    size = tuple(draw(st.integers(1 if smooth else 0, 4)) for _ in range(d))
    if smooth:  # an empty output is an error
        assume(all(s + 2 * padding >= dilation * (k - 1) + 1 for s, k in zip(size, kernel)))
    batch = draw(st.sampled_from([(1,), (2,), ()]))
    x = draw(array(dtype, (*batch, c_in, *size), REAL, smooth))
    w = draw(array(dtype, (c_out, c_in // groups, *kernel), REAL, smooth))
    b = draw(array(dtype, (c_out,), REAL, smooth)) if draw(st.booleans()) else None
    return Sample((x, w, b), {"stride": stride, "padding": padding, "dilation": dilation,
                              "groups": groups})  # fmt: skip


def _pool_input(draw: Any, dtypes: tuple[np.dtype, ...], smooth: bool, unique: bool) -> Any:
    dtype = pick(draw, dtypes, smooth)
    batch = draw(st.sampled_from([(1, 1), (2, 1), (1,)]))
    size = tuple(draw(st.integers(1, 4)) for _ in range(2))
    return draw(
        array(dtype, (*batch, *size), grid() if unique else REAL, smooth, unique and smooth)
    )


def _max_pool2d(draw: Any, dtypes: tuple[np.dtype, ...], smooth: bool) -> Sample:
    x = _pool_input(draw, dtypes, smooth, unique=True)  # (no ties inside a window)
    kernel = draw(st.integers(1, 2))
    kw = {
        "stride": draw(st.sampled_from([None, 1, 2])),
        "padding": draw(st.integers(0, kernel // 2)),
        "dilation": draw(st.integers(1, 2)),
    }
    # Every window must hold an element of x: a window of padding alone (dilation 2 with
    # padding 1 can make one) has the max -inf, and PyTorch 2.13's backward then writes out
    # of bounds (a segmentation fault, or free(): invalid size) - so never padding there.
    if kw["dilation"] > 1:
        kw["padding"] = 0
    if smooth:
        span = kw["dilation"] * (kernel - 1) + 1
        assume(all(s + 2 * kw["padding"] >= span for s in x.shape[-2:]))
    return Sample((x, kernel), kw)


def _avg_pool2d(draw: Any, dtypes: tuple[np.dtype, ...], smooth: bool) -> Sample:
    x = _pool_input(draw, dtypes, smooth, unique=False)
    kernel = draw(st.integers(1, 2))
    kw = {
        "stride": draw(st.sampled_from([None, 1, 2])),
        "padding": draw(st.integers(0, kernel // 2)),
        "count_include_pad": draw(st.booleans()),
    }
    if smooth:
        assume(all(s + 2 * kw["padding"] >= kernel for s in x.shape[-2:]))
    return Sample((x, kernel), kw)


def _adaptive_avg_pool2d(draw: Any, dtypes: tuple[np.dtype, ...], smooth: bool) -> Sample:
    x = _pool_input(draw, dtypes, smooth, unique=False)
    out = draw(st.one_of(st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    return Sample((x, out))


def _pad(draw: Any, dtypes: tuple[np.dtype, ...], smooth: bool) -> Sample:
    dtype = pick(draw, dtypes, smooth)
    mode = draw(st.sampled_from(["constant", "reflect", "replicate", "circular"]))
    if mode == "constant":
        shape = draw(shapes(smooth, min_dims=1))
        k = draw(st.integers(1, len(shape)))
        amounts = tuple(draw(st.integers(-1 if not smooth else 0, 2)) for _ in range(2 * k))
        kw = {"value": draw(st.sampled_from([0.0, 1.5]))} if draw(st.booleans()) else {}
        return Sample((draw(array(dtype, shape, REAL, smooth)), amounts), {"mode": mode, **kw})
    k = draw(st.integers(1, 2))  # reflect, replicate, circular: (N, C, *spatial) or (C, *spatial)
    shape = draw(hnp.array_shapes(min_dims=k + 1, max_dims=k + 2, min_side=2, max_side=MAX_SIDE))
    amounts = tuple(draw(st.integers(0, 1)) for _ in range(2 * k))
    return Sample((draw(array(dtype, shape, REAL, smooth)), amounts), {"mode": mode})


# ---------------------------------------------------------------------------- robust losses
def _robust_loss(draw: Any, dtypes: tuple[np.dtype, ...], smooth: bool, knob: str) -> Sample:
    """smooth_l1_loss (``beta``), huber_loss (``delta``): a smooth sample keeps every
    |x - y| at least 1e-3 away from the kink at beta or delta (knobs 0.5 and 1; Hypothesis
    likes round numbers, and x = 0.75, y = -0.25 lands exactly on beta = 1)."""
    sample = _regression_loss(draw, dtypes, smooth)
    width = draw(st.sampled_from([1.0, 0.5]))
    if smooth:
        x, y = (np.asarray(a, dtype=np.float64) for a in sample.args)
        assume(np.all(np.abs(np.abs(x - y) - width) > 1e-3))
    return Sample(sample.args, {**sample.kwargs, knob: width})


def _one_hot(draw: Any, dtypes: tuple[np.dtype, ...], smooth: bool) -> Sample:
    dtype = draw(st.sampled_from(dtypes))
    shape = draw(shapes(smooth, max_dims=2))
    lo = 0 if smooth else -1
    values = st.booleans() if dtype == BOOL else st.integers(lo, 3)  # (PyTorch wants int64)
    x = draw(hnp.arrays(dtype, shape, elements=values))
    return Sample((x, draw(st.sampled_from([-1, 4, 5, 2]))))


# ============================================================================ the registry
def F(name: str) -> Callable[..., Any]:
    """``torch.nn.functional.<name>`` of either library."""
    return lambda m, *a, **k: getattr(m.nn.functional, name)(*a, **k)


def method(name: str) -> Callable[..., Any]:
    """``x.<name>(...)`` of either library."""
    return lambda m, x, *a, **k: getattr(x, name)(*a, **k)


def function(name: str) -> Callable[..., Any]:
    """``torch.<name>(...)`` of either library."""
    return lambda m, *a, **k: getattr(m, name)(*a, **k)


#: layer_norm, group_norm: a group of (nearly) equal values has variance ~0, so the rounding
#: of x - mean (1e-8 |x| in float32) is multiplied by 1 / sqrt(eps) = 316
NORM_TOLERANCE = {FLOAT32: (1e-5, 5e-5), FLOAT64: TOLERANCE[FLOAT64]}
POSITIVE = real(0.1, 3.0)
NONZERO = away_from_zero()

OPS: list[OpInfo] = [
    # ------------------------------------------------------------------ binary arithmetic
    OpInfo("torch.Tensor.add", lambda m, x, y: x + y, binary(), grad_args=(0, 1)),
    OpInfo(
        "torch.Tensor.add",
        lambda m, x, y: x.add(y, alpha=2),
        binary(scalars=False),
        variant="alpha",
        grad_args=(0, 1),
        dtypes=NUMERIC,
    ),
    OpInfo("torch.Tensor.__radd__", lambda m, x, y: y + x, binary(), grad_args=(0, 1)),
    OpInfo("torch.Tensor.sub", lambda m, x, y: x - y, binary(), grad_args=(0, 1)),
    OpInfo("torch.Tensor.__rsub__", lambda m, x, y: y - x, binary(), grad_args=(0, 1)),
    OpInfo("torch.Tensor.mul", lambda m, x, y: x * y, binary(), grad_args=(0, 1)),
    OpInfo("torch.Tensor.__rmul__", lambda m, x, y: y * x, binary(), grad_args=(0, 1)),
    OpInfo("torch.Tensor.div", lambda m, x, y: x / y, binary(REAL, NONZERO), grad_args=(0, 1)),
    OpInfo(
        "torch.Tensor.__rtruediv__", lambda m, x, y: y / x, binary(NONZERO, REAL), grad_args=(0, 1)
    ),
    OpInfo("torch.Tensor.pow", lambda m, x, y: x**y, binary(POSITIVE, REAL), grad_args=(0, 1)),
    OpInfo(
        "torch.Tensor.pow",
        lambda m, x, p: x**p,
        unary(POSITIVE, p=st.sampled_from([0.5, -1.5, 2.5, 0.0, -2])),
        variant="scalar",
    ),
    OpInfo(
        "torch.Tensor.pow",
        lambda m, x, p: x.pow(p),
        unary(REAL, p=st.sampled_from([0, 1, 2, 3])),
        variant="int",
    ),
    OpInfo("torch.Tensor.__rpow__", lambda m, x, b: b**x, binary(REAL, POSITIVE), grad_args=(0, 1)),
    OpInfo(
        "torch.maximum",
        function("maximum"),
        binary(grid(), grid(0.05), scalars=False),
        grad_args=(0, 1),
    ),
    OpInfo(
        "torch.minimum",
        function("minimum"),
        binary(grid(), grid(0.05), scalars=False),
        grad_args=(0, 1),
    ),
    OpInfo("torch.where", function("where"), custom(_where), grad_args=(1, 2)),
    OpInfo("torch.matmul", function("matmul"), custom(_matmul), grad_args=(0, 1), accumulates=True),
    # ------------------------------------------------------------------ comparisons
    *[
        OpInfo(f"torch.Tensor.{n}", method(n), binary(scalars=True), grad_args=())
        for n in ("eq", "ne", "lt", "le", "gt", "ge")
    ],
    # ------------------------------------------------------------------ unary
    OpInfo("torch.Tensor.neg", lambda m, x: -x, unary()),
    OpInfo("torch.exp", function("exp"), unary(real(-3, 3))),
    OpInfo("torch.log", function("log"), unary(POSITIVE)),
    OpInfo("torch.sqrt", function("sqrt"), unary(POSITIVE)),
    OpInfo("torch.abs", function("abs"), unary(NONZERO)),
    OpInfo("torch.sin", function("sin"), unary(real(-4, 4))),
    OpInfo("torch.cos", function("cos"), unary(real(-4, 4))),
    OpInfo("torch.tanh", function("tanh"), unary(real(-3, 3))),
    OpInfo("torch.sigmoid", function("sigmoid"), unary(real(-6, 6))),
    OpInfo("torch.relu", function("relu"), unary(NONZERO)),
    OpInfo("torch.clamp", function("clamp"), custom(_clamp)),
    OpInfo("torch.Tensor.clone", method("clone"), unary()),
    OpInfo("torch.Tensor.double", method("double"), unary()),
    OpInfo("torch.Tensor.float", method("float"), unary(), gradcheck=False),
    OpInfo("torch.softmax", function("softmax"), custom(_softmax)),
    OpInfo("torch.log_softmax", function("log_softmax"), custom(_softmax)),
    # ------------------------------------------------------------------ reductions
    OpInfo("torch.sum", function("sum"), reduction(), accumulates=True),
    OpInfo("torch.mean", function("mean"), reduction(), accumulates=True),
    OpInfo(
        "torch.var",
        function("var"),
        reduction(correction=st.sampled_from([0, 1])),
        accumulates=True,
    ),
    OpInfo(
        "torch.Tensor.var",
        lambda m, x, dim, keepdim, unbiased: x.var(dim, unbiased, keepdim),
        reduction(unbiased=st.booleans()),
        variant="unbiased",
        accumulates=True,
    ),
    OpInfo(
        "torch.std",
        function("std"),
        reduction(grid(), unique=True, correction=st.sampled_from([0, 1])),
        accumulates=True,
    ),
    OpInfo("torch.amax", function("amax"), reduction(grid(), unique=True)),
    OpInfo("torch.amin", function("amin"), reduction(grid(), unique=True)),
    OpInfo("torch.max", lambda m, x: x.max(), unary(grid(), unique=True), variant="all"),
    OpInfo(
        "torch.max",
        lambda m, x, dim, keepdim: x.max(dim, keepdim),
        reduction(grid(), dim_none=False, tuples=False, unique=True),
        variant="dim",
    ),
    OpInfo("torch.min", lambda m, x: x.min(), unary(grid(), unique=True), variant="all"),
    OpInfo(
        "torch.min",
        lambda m, x, dim, keepdim: x.min(dim, keepdim),
        reduction(grid(), dim_none=False, tuples=False, unique=True),
        variant="dim",
    ),
    OpInfo(
        "torch.logsumexp",
        function("logsumexp"),
        reduction(real(-4, 4), dim_none=False),
        accumulates=True,
    ),
    OpInfo("torch.argmax", function("argmax"), reduction(tuples=False), grad_args=()),
    OpInfo("torch.argmin", function("argmin"), reduction(tuples=False), grad_args=()),
    # ------------------------------------------------------------------ movement
    OpInfo("torch.reshape", function("reshape"), custom(_reshape)),
    OpInfo("torch.Tensor.view", lambda m, x, s: x.view(s), custom(_reshape)),
    OpInfo("torch.permute", function("permute"), custom(_permute)),
    OpInfo("torch.transpose", function("transpose"), custom(_two_dims)),
    OpInfo(
        "torch.Tensor.T",
        lambda m, x: x.T,
        custom(
            lambda d, t, s: Sample(
                (
                    d(
                        array(
                            pick(d, t, s),
                            hnp.array_shapes(min_dims=0, max_dims=2, max_side=MAX_SIDE),
                            REAL,
                            s,
                        )
                    ),
                )
            )
        ),
    ),
    OpInfo("torch.squeeze", function("squeeze"), custom(_squeeze)),
    OpInfo("torch.unsqueeze", function("unsqueeze"), custom(_unsqueeze)),
    OpInfo("torch.flatten", function("flatten"), custom(_flatten)),
    OpInfo("torch.Tensor.expand", lambda m, x, s: x.expand(*s), custom(_expand)),
    OpInfo("torch.Tensor.broadcast_to", lambda m, x, s: x.broadcast_to(s), custom(_expand)),
    OpInfo("torch.Tensor.__getitem__", lambda m, x, i: x[i], custom(_getitem)),
    OpInfo("torch.cat", lambda m, ts, dim: m.cat(ts, dim), custom(_cat), grad_args=(0,)),
    OpInfo("torch.stack", lambda m, ts, dim: m.stack(ts, dim), custom(_stack), grad_args=(0,)),
    # ------------------------------------------------------------------ scans, gathers,
    # products, norms, shape ops (tensor_methods.py, torch_functions.py, ops/scan.py,
    # ops/trig.py, ops/einsum.py, linalg.py)
    OpInfo("torch.cumsum", function("cumsum"), custom(_cumsum), accumulates=True),
    OpInfo("torch.gather", function("gather"), custom(_gather)),
    OpInfo("torch.index_select", function("index_select"), custom(_index_select)),
    OpInfo(
        "torch.scatter_add",
        function("scatter_add"),
        custom(_scatter_add),
        grad_args=(0, 3),
        accumulates=True,
    ),
    OpInfo("torch.take_along_dim", function("take_along_dim"), custom(_take_along_dim)),
    OpInfo("torch.atan", function("atan"), unary()),
    OpInfo("torch.asin", function("asin"), unary(real(-0.9, 0.9))),
    OpInfo("torch.acos", function("acos"), unary(real(-0.9, 0.9))),
    OpInfo(
        "torch.atan2",
        function("atan2"),
        binary(NONZERO, NONZERO, scalars=False),
        grad_args=(0, 1),
    ),
    OpInfo("torch.log10", function("log10"), unary(POSITIVE)),
    OpInfo("torch.log2", function("log2"), unary(POSITIVE)),
    OpInfo(
        "torch.einsum",
        lambda m, eq, *xs: m.einsum(eq, *xs),
        custom(_einsum),
        grad_args=(1, 2),
        accumulates=True,
        dtypes=NUMERIC,
    ),
    OpInfo("torch.mm", function("mm"), custom(_mm), grad_args=(0, 1), accumulates=True),
    OpInfo("torch.t", function("t"), custom(_t)),
    OpInfo("torch.norm", function("norm"), custom(_norm), accumulates=True),
    OpInfo(
        "torch.linalg.vector_norm",
        lambda m, x, p, dim, keepdim: m.linalg.vector_norm(x, p, dim, keepdim),
        custom(_norm),
        accumulates=True,
    ),
    OpInfo("torch.flip", function("flip"), custom(_flip)),
    OpInfo("torch.roll", function("roll"), custom(_roll)),
    OpInfo("torch.tril", function("tril"), custom(_triangle)),
    OpInfo("torch.triu", function("triu"), custom(_triangle)),
    OpInfo("torch.Tensor.repeat", lambda m, x, r: x.repeat(*r), custom(_repeat)),
    # ------------------------------------------------------------------ nn.functional
    OpInfo(
        "torch.nn.functional.linear",
        F("linear"),
        custom(_linear),
        grad_args=(0, 1, 2),
        accumulates=True,
    ),
    OpInfo("torch.nn.functional.relu", F("relu"), unary(NONZERO)),
    OpInfo(
        "torch.nn.functional.leaky_relu",
        F("leaky_relu"),
        unary(NONZERO, negative_slope=st.sampled_from([0.01, 0.2, 1.5])),
    ),
    OpInfo("torch.nn.functional.sigmoid", F("sigmoid"), unary(real(-6, 6))),
    # ------------------------------------------------------------------ more activations and
    # layers (nn/functional_layers.py, nn/functional_cnn.py, ops/activation.py, ops/conv.py,
    # ops/pool.py, ops/pad.py)
    OpInfo(
        "torch.nn.functional.gelu",
        F("gelu"),
        unary(real(-4, 4), approximate=st.sampled_from(["none", "tanh"])),
    ),
    OpInfo("torch.nn.functional.silu", F("silu"), unary(real(-6, 6))),
    OpInfo("torch.nn.functional.mish", F("mish"), unary(real(-6, 6))),
    OpInfo("torch.nn.functional.elu", F("elu"), unary(NONZERO, alpha=st.sampled_from([1.0, 0.5]))),
    OpInfo(
        "torch.nn.functional.softplus",
        F("softplus"),
        unary(
            grid(0.05),
            beta=st.sampled_from([1.0, 2.0, 0.5]),
            threshold=st.sampled_from([20.0, 1.0]),
        ),
    ),
    OpInfo("torch.nn.functional.logsigmoid", F("logsigmoid"), unary(real(-6, 6))),
    OpInfo(
        "torch.nn.functional.hardtanh",
        F("hardtanh"),
        unary(
            grid(0.05), min_val=st.sampled_from([-1.0, -0.5]), max_val=st.sampled_from([1.0, 2.0])
        ),
    ),
    OpInfo(
        "torch.nn.functional.layer_norm",
        F("layer_norm"),
        custom(_layer_norm),
        grad_args=(0, 2, 3),
        accumulates=True,
        tolerance=NORM_TOLERANCE,
    ),
    OpInfo(
        "torch.nn.functional.group_norm",
        F("group_norm"),
        custom(_group_norm),
        grad_args=(0, 2, 3),
        accumulates=True,
        tolerance=NORM_TOLERANCE,
    ),
    OpInfo("torch.nn.functional.embedding", F("embedding"), custom(_embedding), grad_args=(1,)),
    OpInfo(
        "torch.nn.functional.conv1d",
        F("conv1d"),
        custom(lambda d, t, s: _conv(d, t, s, 1)),
        grad_args=(0, 1, 2),
        accumulates=True,
    ),
    OpInfo(
        "torch.nn.functional.conv2d",
        F("conv2d"),
        custom(lambda d, t, s: _conv(d, t, s, 2)),
        grad_args=(0, 1, 2),
        accumulates=True,
    ),
    OpInfo("torch.nn.functional.max_pool2d", F("max_pool2d"), custom(_max_pool2d)),
    OpInfo(
        "torch.nn.functional.avg_pool2d", F("avg_pool2d"), custom(_avg_pool2d), accumulates=True
    ),
    OpInfo(
        "torch.nn.functional.adaptive_avg_pool2d",
        F("adaptive_avg_pool2d"),
        custom(_adaptive_avg_pool2d),
        accumulates=True,
    ),
    OpInfo("torch.nn.functional.pad", F("pad"), custom(_pad)),
    OpInfo("torch.nn.functional.tanh", F("tanh"), unary(real(-3, 3))),
    OpInfo("torch.nn.functional.softmax", F("softmax"), custom(_softmax)),
    OpInfo("torch.nn.functional.log_softmax", F("log_softmax"), custom(_softmax)),
    OpInfo(
        "torch.nn.functional.mse_loss",
        F("mse_loss"),
        custom(_regression_loss),
        grad_args=(0, 1),
        accumulates=True,
    ),
    OpInfo(
        "torch.nn.functional.l1_loss",
        F("l1_loss"),
        custom(_regression_loss),
        grad_args=(0, 1),
        accumulates=True,
    ),
    OpInfo(
        "torch.nn.functional.smooth_l1_loss",
        F("smooth_l1_loss"),
        custom(lambda d, t, s: _robust_loss(d, t, s, "beta")),
        grad_args=(0, 1),
        accumulates=True,
    ),
    OpInfo(
        "torch.nn.functional.huber_loss",
        F("huber_loss"),
        custom(lambda d, t, s: _robust_loss(d, t, s, "delta")),
        grad_args=(0, 1),
        accumulates=True,
    ),
    OpInfo(
        "torch.nn.functional.one_hot",
        F("one_hot"),
        custom(_one_hot),
        grad_args=(),
        dtypes=(INT64, INT32, BOOL),
    ),
    OpInfo(
        "torch.nn.functional.nll_loss",
        F("nll_loss"),
        custom(lambda d, t, s: _nll(d, t, s, False)),
        accumulates=True,
        dtypes=FLOATS,
    ),
    OpInfo(
        "torch.nn.functional.cross_entropy",
        F("cross_entropy"),
        custom(lambda d, t, s: _nll(d, t, s, True)),
        accumulates=True,
        dtypes=FLOATS,
    ),
    OpInfo(
        "torch.nn.functional.binary_cross_entropy",
        F("binary_cross_entropy"),
        custom(_bce),
        grad_args=(0,),
        accumulates=True,
        dtypes=FLOATS,
    ),
    OpInfo(
        "torch.nn.functional.binary_cross_entropy_with_logits",
        F("binary_cross_entropy_with_logits"),
        custom(_bce_logits),
        grad_args=(0, 1),
        accumulates=True,
        dtypes=FLOATS,
    ),
]


# ============================================================================ NumPy references
def _axes(x: np.ndarray, dim: Any) -> Any:
    """A ``dim`` argument as NumPy's ``axis`` (None: all)."""
    if dim is None or x.ndim == 0:
        return None
    return tuple(d % x.ndim for d in (dim if isinstance(dim, tuple) else (dim,)))


def _reduce(fn: Callable) -> Callable:
    return lambda x, dim=None, keepdim=False, **k: fn(x, axis=_axes(x, dim), keepdims=keepdim, **k)


def _softmax_np(x: np.ndarray, dim: int) -> np.ndarray:
    e = np.exp(x - np.max(x, axis=dim, keepdims=True))
    return e / np.sum(e, axis=dim, keepdims=True)


def _logsumexp_np(x: np.ndarray, dim: Any, keepdim: bool = False) -> np.ndarray:
    axis = _axes(x, dim)
    m = np.max(x, axis=axis, keepdims=True)
    out = m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))
    return out if keepdim else np.squeeze(out, axis=axis) if axis is not None else out.reshape(())


def _squeeze_np(x: np.ndarray, dim: Any = None) -> np.ndarray:
    if dim is None:
        return np.squeeze(x)
    if x.ndim == 0:
        return x
    axes = [d % x.ndim for d in (dim if isinstance(dim, tuple) else (dim,))]
    return np.squeeze(x, axis=tuple(a for a in axes if x.shape[a] == 1))


def _flatten_np(x: np.ndarray, start_dim: int = 0, end_dim: int = -1) -> np.ndarray:
    if x.ndim == 0:
        return x.reshape(1)
    s, e = start_dim % x.ndim, end_dim % x.ndim
    return x.reshape(x.shape[:s] + (int(np.prod(x.shape[s : e + 1])),) + x.shape[e + 1 :])


def _expand_np(x: np.ndarray, sizes: tuple[int, ...]) -> np.ndarray:
    lead = len(sizes) - x.ndim
    shape = tuple(x.shape[i - lead] if n == -1 else n for i, n in enumerate(sizes))
    return np.broadcast_to(x, shape)


def _max_dim_np(fn: Callable) -> Callable:
    return lambda x, dim, keepdim: fn(x, axis=_axes(x, dim), keepdims=keepdim)


def _numpy(op: Callable) -> Callable:
    """The entry's own call with NumPy as the library (for ``x + y``, ``m.exp(x)``, ...)."""
    return lambda *a, **k: op(np, *a, **k)


def _sigmoid_np(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def _gather_np(x: np.ndarray, dim: int, index: np.ndarray) -> np.ndarray:
    d = dim % x.ndim  # (index may be shorter than x along the other dims)
    corner = tuple(slice(None) if k == d else slice(0, n) for k, n in enumerate(index.shape))
    return np.take_along_axis(x[corner], index, axis=d)


def _index_select_np(x: np.ndarray, dim: int, index: np.ndarray) -> np.ndarray:
    return x if x.ndim == 0 else np.take(x, index, axis=dim % x.ndim)


def _scatter_add_np(x: np.ndarray, dim: int, index: np.ndarray, src: np.ndarray) -> np.ndarray:
    out = x.copy()
    positions = list(np.indices(index.shape, sparse=True))
    positions[dim % x.ndim] = index
    np.add.at(out, tuple(positions), src[tuple(slice(0, n) for n in index.shape)])
    return out


def _take_along_dim_np(x: np.ndarray, index: np.ndarray, dim: int | None = None) -> np.ndarray:
    if dim is None:
        return x.reshape(-1)[index]
    d = dim % x.ndim
    shape = np.broadcast_shapes(np.delete(x.shape, d), np.delete(index.shape, d))
    full = [*shape[:d], 1, *shape[d:]]
    x = np.broadcast_to(x, tuple(full[:d] + [x.shape[d]] + full[d + 1 :]))
    index = np.broadcast_to(index, tuple(full[:d] + [index.shape[d]] + full[d + 1 :]))
    return np.take_along_axis(x, index, axis=d)


def _norm_np(x: np.ndarray, p: float, dim: Any, keepdim: bool = False) -> np.ndarray:
    a = np.abs(x)
    axis = _axes(x, dim)
    if p == np.inf:
        return np.max(a, axis=axis, keepdims=keepdim)
    return np.sum(a**p, axis=axis, keepdims=keepdim) ** (1 / p)


def _triangle_np(fn: Callable) -> Callable:
    return lambda x, diagonal=0: fn(x, diagonal)


def _gelu_np(x: np.ndarray, approximate: str = "none") -> np.ndarray:
    if approximate == "tanh":
        return x / 2 * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))
    return x / 2 * (1 + np.vectorize(math.erf, otypes=[x.dtype])(x / np.sqrt(2)))


def _softplus_np(x: np.ndarray, beta: float = 1.0, threshold: float = 20.0) -> np.ndarray:
    return np.where(beta * x > threshold, x, np.log1p(np.exp(beta * x)) / beta)


def _normalize_np(x: np.ndarray, axes: tuple[int, ...], eps: float = 1e-5) -> np.ndarray:
    mean = x.mean(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(x.var(axis=axes, keepdims=True) + eps)


def _affine_np(y: np.ndarray, w: Any, b: Any, shape: tuple[int, ...]) -> np.ndarray:
    return y * (1 if w is None else w.reshape(shape)) + (0 if b is None else b.reshape(shape))


def _layer_norm_np(x: np.ndarray, normalized: tuple[int, ...], w: Any = None, b: Any = None):
    axes = tuple(range(x.ndim - len(normalized), x.ndim))
    return _affine_np(_normalize_np(x, axes), w, b, normalized)


def _group_norm_np(x: np.ndarray, groups: int, w: Any = None, b: Any = None) -> np.ndarray:
    y = _normalize_np(x.reshape(x.shape[0], groups, -1), (2,)).reshape(x.shape)
    return _affine_np(y, w, b, (x.shape[1],) + (1,) * (x.ndim - 2))


def _windows_np(x: np.ndarray, kernel, stride, dilation) -> np.ndarray:
    """(N, C, *out, *kernel): the windows of x's spatial dims (already padded)."""
    d = len(kernel)
    spans = [(k - 1) * r + 1 for k, r in zip(kernel, dilation)]
    win = np.lib.stride_tricks.sliding_window_view(x, spans, axis=tuple(range(2, 2 + d)))
    win = win[(..., *(slice(None, None, r) for r in dilation))]
    return win[(slice(None), slice(None), *(slice(None, None, s) for s in stride))]


def _conv_np(x, w, b=None, stride=1, padding=0, dilation=1, groups=1) -> np.ndarray:
    d = w.ndim - 2
    unbatched = x.ndim == d + 1
    x = x[None] if unbatched else x
    x = np.pad(x, [(0, 0), (0, 0)] + [(padding, padding)] * d)
    win = _windows_np(x, w.shape[2:], (stride,) * d, (dilation,) * d)
    n, c = x.shape[:2]
    win = win.reshape(n, groups, c // groups, *win.shape[2:])
    wg = w.reshape(groups, w.shape[0] // groups, c // groups, *w.shape[2:])
    spatial, kern = "HW"[:d], "hw"[:d]
    out = np.einsum(f"ngc{spatial}{kern},goc{kern}->ngo{spatial}", win, wg)
    out = out.reshape(n, w.shape[0], *out.shape[3:])
    if b is not None:
        out = out + b.reshape(-1, *(1,) * d)
    return out[0] if unbatched else out


def _max_pool2d_np(x, kernel, stride=None, padding=0, dilation=1) -> np.ndarray:
    lead = x.shape[:-2]
    x = x.reshape(-1, 1, *x.shape[-2:])
    x = np.pad(x, [(0, 0), (0, 0)] + [(padding, padding)] * 2, constant_values=-np.inf)
    win = _windows_np(x, (kernel,) * 2, (stride or kernel,) * 2, (dilation,) * 2)
    out = win.max(axis=(-2, -1))
    return out.reshape(*lead, *out.shape[-2:])


def _avg_pool2d_np(x, kernel, stride=None, padding=0, count_include_pad=True) -> np.ndarray:
    lead = x.shape[:-2]
    x = x.reshape(-1, 1, *x.shape[-2:])
    pads = [(0, 0), (0, 0)] + [(padding, padding)] * 2
    args = ((kernel,) * 2, (stride or kernel,) * 2, (1, 1))
    total = _windows_np(np.pad(x, pads), *args).sum(axis=(-2, -1))
    count = _windows_np(np.pad(np.ones_like(x), pads), *args).sum(axis=(-2, -1))
    out = total / (kernel * kernel if count_include_pad else count)
    return out.reshape(*lead, *out.shape[-2:])


def _adaptive_avg_pool2d_np(x: np.ndarray, output_size: Any) -> np.ndarray:
    oh, ow = (output_size, output_size) if isinstance(output_size, int) else output_size
    h, w = x.shape[-2:]

    def bins(n: int, m: int) -> list[slice]:
        return [slice(i * n // m, -(-(i + 1) * n // m)) for i in range(m)]

    rows = [
        np.stack([x[..., r, c].mean(axis=(-2, -1)) for c in bins(w, ow)], -1) for r in bins(h, oh)
    ]
    return np.stack(rows, -2)


def _pad_np(x: np.ndarray, amounts: tuple[int, ...], mode: str = "constant", value: float = 0.0):
    pairs = [(0, 0)] * (x.ndim - len(amounts) // 2) + [
        (amounts[i], amounts[i + 1]) for i in range(len(amounts) - 2, -1, -2)
    ]
    if mode == "constant":  # (negative amounts crop)
        crop = tuple(slice(max(-a, 0), n - max(-b, 0)) for (a, b), n in zip(pairs, x.shape))
        return np.pad(x[crop], [(max(a, 0), max(b, 0)) for a, b in pairs], constant_values=value)
    return np.pad(x, pairs, mode={"replicate": "edge", "circular": "wrap"}.get(mode, mode))


#: NumPy forwards by registry id: the value check of ``test_registry_gradcheck.py``.
REFERENCES: dict[str, Callable[..., Any]] = {
    "Tensor.add[alpha]": lambda x, y: x + 2 * y,
    "Tensor.pow[int]": lambda x, p: np.power(x, p),
    "sigmoid": _sigmoid_np,
    "relu": lambda x: np.maximum(x, 0),
    "clamp": lambda x, min=None, max=None: np.clip(x, min, max),
    "Tensor.clone": np.copy,
    "Tensor.double": lambda x: x.astype(np.float64),
    "softmax": _softmax_np,
    "log_softmax": lambda x, dim: np.log(_softmax_np(x, dim)),
    "sum": _reduce(np.sum),
    "mean": _reduce(np.mean),
    "var": lambda x, dim=None, keepdim=False, correction=1: np.var(
        x, axis=_axes(x, dim), keepdims=keepdim, ddof=correction
    ),
    "Tensor.var[unbiased]": lambda x, dim, keepdim, unbiased: np.var(
        x, axis=_axes(x, dim), keepdims=keepdim, ddof=int(unbiased)
    ),
    "std": lambda x, dim=None, keepdim=False, correction=1: np.std(
        x, axis=_axes(x, dim), keepdims=keepdim, ddof=correction
    ),
    "amax": _reduce(np.max),
    "amin": _reduce(np.min),
    "max[all]": np.max,
    "min[all]": np.min,
    "max[dim]": _max_dim_np(np.max),
    "min[dim]": _max_dim_np(np.min),
    "logsumexp": _logsumexp_np,
    "reshape": np.reshape,
    "Tensor.view": np.reshape,
    "permute": np.transpose,
    "transpose": lambda x, a, b: np.swapaxes(x, a, b) if x.ndim else x,
    "Tensor.T": lambda x: x.T,
    "squeeze": _squeeze_np,
    "unsqueeze": lambda x, dim: np.expand_dims(x, dim % (x.ndim + 1)),
    "flatten": _flatten_np,
    "Tensor.expand": _expand_np,
    "Tensor.broadcast_to": _expand_np,
    "cat": np.concatenate,
    "stack": lambda ts, dim: np.stack(ts, dim),
    "nn.functional.linear": lambda x, w, b=None: x @ w.T + (0 if b is None else b),
    "nn.functional.relu": lambda x: np.maximum(x, 0),
    "nn.functional.leaky_relu": lambda x, negative_slope=0.01: np.where(
        x > 0, x, negative_slope * x
    ),
    "nn.functional.sigmoid": _sigmoid_np,
    "nn.functional.tanh": np.tanh,
    "nn.functional.softmax": _softmax_np,
    "nn.functional.log_softmax": lambda x, dim: np.log(_softmax_np(x, dim)),
    "cumsum": lambda x, dim: np.cumsum(x, axis=_axes(x, dim)[0]) if x.ndim else x,
    "gather": _gather_np,
    "index_select": _index_select_np,
    "scatter_add": _scatter_add_np,
    "take_along_dim": _take_along_dim_np,
    "atan": np.arctan,
    "asin": np.arcsin,
    "acos": np.arccos,
    "atan2": np.arctan2,
    "log10": np.log10,
    "log2": np.log2,
    "einsum": lambda eq, *xs: np.einsum(eq, *xs),
    "mm": np.matmul,
    "t": lambda x: x.T,
    "norm": _norm_np,
    "linalg.vector_norm": _norm_np,
    "flip": lambda x, dims: np.flip(x, dims) if x.ndim else x,
    "roll": lambda x, shifts, dims: np.roll(x, shifts, dims),
    "tril": _triangle_np(np.tril),
    "triu": _triangle_np(np.triu),
    "Tensor.repeat": lambda x, reps: np.tile(x, reps),
    "nn.functional.gelu": _gelu_np,
    "nn.functional.silu": lambda x: x * _sigmoid_np(x),
    "nn.functional.mish": lambda x: x * np.tanh(np.log1p(np.exp(x))),
    "nn.functional.elu": lambda x, alpha=1.0: np.where(x > 0, x, alpha * np.expm1(x)),
    "nn.functional.softplus": _softplus_np,
    "nn.functional.logsigmoid": lambda x: -np.log1p(np.exp(-x)),
    "nn.functional.hardtanh": lambda x, min_val=-1.0, max_val=1.0: np.clip(x, min_val, max_val),
    "nn.functional.layer_norm": _layer_norm_np,
    "nn.functional.group_norm": _group_norm_np,
    "nn.functional.embedding": lambda index, w: w[index],
    "nn.functional.conv1d": _conv_np,
    "nn.functional.conv2d": _conv_np,
    "nn.functional.max_pool2d": _max_pool2d_np,
    "nn.functional.avg_pool2d": _avg_pool2d_np,
    "nn.functional.adaptive_avg_pool2d": _adaptive_avg_pool2d_np,
    "nn.functional.pad": _pad_np,
}
#: ops whose own call works on NumPy arrays as it is (operators, m.exp, x[i], ...)
SAME_IN_NUMPY = {
    "Tensor.add", "Tensor.__radd__", "Tensor.sub", "Tensor.__rsub__", "Tensor.mul",
    "Tensor.__rmul__", "Tensor.div", "Tensor.__rtruediv__", "Tensor.pow", "Tensor.pow[scalar]",
    "Tensor.__rpow__", "maximum", "minimum", "where", "matmul", "Tensor.neg", "exp", "log",
    "sqrt", "abs", "sin", "cos", "tanh", "Tensor.__getitem__",
}  # fmt: skip
OPS = [
    replace(
        op, reference=REFERENCES.get(op.id) or (_numpy(op.op) if op.id in SAME_IN_NUMPY else None)
    )
    for op in OPS
]


def checked_names() -> set[str]:
    """The PyTorch-qualified names the registry checks (for tools/api_coverage.py)."""
    return {op.name for op in OPS}


def _nonfinite(sample: Sample) -> bool:
    return sample.has(lambda a: ~np.isfinite(a))


#: Every known, intended difference from PyTorch: op, aspect, condition, reason.
#: README.md ("PyTorch as the oracle") links here. Keep it short: a row is a promise.
def _empty(sample: Sample) -> bool:
    return any(a.size == 0 for a in sample.arrays())


def _dof_gone(sample: Sample) -> bool:
    """var/std with no degrees of freedom left (N - correction <= 0) in some group."""
    (x,), kw = sample.args, sample.kwargs
    dim = kw.get("dim")
    axes = range(x.ndim) if dim is None else (dim,) if isinstance(dim, int) else dim
    n = int(np.prod([x.shape[a] for a in axes])) if x.ndim else 1
    return n - kw.get("correction", int(kw.get("unbiased", True))) <= 0


def _identical_group(sample: Sample) -> bool:
    """Some group that var/std reduces holds one value only (several times)."""
    (x,), dim = sample.args, sample.kwargs.get("dim")
    if x.size == 0 or x.dtype.kind != "f":
        return False
    axes = None if dim is None or x.ndim == 0 else dim
    with np.errstate(all="ignore"):
        return bool(np.any(np.ptp(x, axis=axes) == 0))


def _zero_group(sample: Sample) -> bool:
    """Some group that norm reduces is all zeros."""
    x, _, dim = sample.args
    axes = _axes(x, dim)
    with np.errstate(all="ignore"):
        return x.size > 0 and bool(np.any(np.all(x == 0, axis=axes)))


def _squares_underflow(sample: Sample) -> bool:
    """Some group that norm reduces has squares that all underflow to 0 (|x| < 1e-154 in
    float64): its 2-norm computes as 0 although x is not."""
    x, _, dim = sample.args
    axes = _axes(x, dim)
    with np.errstate(all="ignore"):
        return x.size > 0 and bool(np.any(np.sum(x * x, axis=axes) == 0))


def _at_origin(sample: Sample) -> bool:
    """atan2 meets x^2 + y^2 = 0 at some element (the origin, or so close that it underflows)."""
    y, x = (np.asarray(a, dtype=np.float64) for a in sample.args)
    with np.errstate(all="ignore"):
        return bool(np.any(x * x + y * y == 0))


def _constant_norm_group(sample: Sample) -> bool:
    """Some group that layer_norm / group_norm normalizes holds one value only."""
    x, size = sample.args[:2]
    if x.size == 0:
        return False
    if isinstance(size, int):  # group_norm: (N, groups, the rest)
        groups = x.reshape(x.shape[0], size, -1)
    else:  # layer_norm: the last len(normalized_shape) dims
        groups = x.reshape(-1, int(np.prod(size)))
    with np.errstate(all="ignore"):
        return bool(np.any(np.ptp(groups, axis=-1) == 0))


def _take_beyond(sample: Sample) -> bool:
    """take_along_dim's index reaches past the end of its dimension (or before the start)."""
    x, index = sample.args[:2]
    n = x.size if len(sample.args) == 2 else x.shape[sample.args[2]] if x.ndim else 1
    return bool(index.size) and bool(np.any((index >= n) | (index < -n)))


def _at_bounds(sample: Sample) -> bool:
    return sample.has(lambda a: (a == 0) | (a == 1)) or _nonfinite(sample)


INTENDED_DIFFERENCES: list[Difference] = [
    *[
        Difference(
            op,
            "error",
            "empty input of a dtype the op refuses",
            "PyTorch checks the dtype inside its kernel, which an empty tensor never reaches; "
            "ours checks it first, so the error does not depend on the shape",
            _empty,
        )
        for op in (
            "softmax",
            "log_softmax",
            "nn.functional.softmax",
            "nn.functional.log_softmax",
            "matmul",
            "nn.functional.linear",
            "mm",
        )
    ],
    *[
        Difference(
            op,
            "gradgrad",
            "N - correction <= 0 (the value is nan)",
            "the first derivative is nan in both; PyTorch's hand-written double backward "
            "gives 0 there, ours differentiates the nan formula",
            _dof_gone,
        )
        for op in ("var", "Tensor.var[unbiased]", "std")
    ],
    *[
        Difference(
            op,
            "error",
            "backward with a bool tensor as the exponent",
            "PyTorch's pow backward computes exponent - 1 on the bool exponent and raises; "
            "ours casts the exponent first, so the gradient of the base is computed",
            lambda s, k=k: isinstance(s.args[k], np.ndarray) and s.args[k].dtype == BOOL,
        )
        for op, k in (("Tensor.pow", 1), ("Tensor.__rpow__", 0))
    ],
    *[
        Difference(
            op,
            "gradgrad",
            "a tensor exponent that is exactly 0",
            "PyTorch's pow backward masks y x^(y-1) to 0 where y = 0, so its derivative with "
            "respect to y, x^(-1), is lost; ours keeps it (gradgradcheck confirms ours)",
            lambda s, k=k: isinstance(s.args[k], np.ndarray) and bool(np.any(s.args[k] == 0)),
        )
        for op, k in (("Tensor.pow", 1), ("Tensor.__rpow__", 0))
    ],
    Difference(
        "Tensor.pow",
        "value",
        "a Python float exponent so small that float32 rounds it to 0",
        "a Python number becomes a tensor of the result's dtype first (x ** 1e-308 is x ** 0 "
        "= 1 in float32); PyTorch's pow keeps a scalar exponent in double precision",
        lambda s: isinstance(s.args[1], float) and s.args[1] != 0 and np.float32(s.args[1]) == 0,
    ),
    *[
        Difference(
            op,
            "gradgrad",
            "a base that is exactly 0",
            "the second derivative nests the x = 0 conventions of the first; PyTorch's nested "
            "where() meets 0 * log(0) = nan there, ours stays finite",
            lambda s, k=k: np.any(np.asarray(s.args[k]) == 0),
        )
        for op, k in (("Tensor.pow", 0), ("Tensor.__rpow__", 1))
    ],
    *[
        Difference(
            op,
            aspect,
            "an inf or nan input",
            "pow's derivatives there combine infinities (inf - inf, 0 * inf, (-inf)^-0.5); "
            "PyTorch's formulas and ours group the terms differently: one gives nan, the "
            "other +-inf or 0",
            _nonfinite,
        )
        for op in ("Tensor.pow", "Tensor.pow[scalar]", "Tensor.pow[int]", "Tensor.__rpow__")
        for aspect in ("grad", "gradgrad")
    ],
    *[
        Difference(
            op,
            aspect,
            "a base of -0.0",
            "the derivative y (-0.0)^(y-1) is infinite; its sign differs (NumPy's pow(-0.0, "
            "-0.5) is +inf, PyTorch gives -inf)",
            lambda s: s.has(lambda a: (a == 0) & np.signbit(a)),
        )
        for op in ("Tensor.pow", "Tensor.pow[scalar]", "Tensor.__rpow__")
        for aspect in ("grad", "gradgrad")
    ],
    *[
        Difference(
            "Tensor.pow",
            aspect,
            "a Python bool exponent (x ** False at x = 0)",
            "PyTorch's scalar-exponent backward does not take False as the exponent 0 and "
            "gives 0 * 0^-1 = nan; ours applies the x ** 0 convention: 0",
            lambda s: isinstance(s.args[1], bool),
        )
        for aspect in ("grad", "gradgrad")
    ],
    Difference(
        "nn.functional.binary_cross_entropy_with_logits",
        "grad",
        "pos_weight given and an infinite logit",
        "the target's gradient -x + (p - 1) softplus(-x) is inf + 0 * inf = nan for p = 1; "
        "PyTorch's log(1 - sigmoid(x)) - p log(sigmoid(x)) gives inf",
        lambda s: "pos_weight" in s.kwargs and s.has(np.isinf),
    ),
    Difference(
        "where",
        "error",
        "a Python float beyond the float32 range next to a float32 tensor",
        "PyTorch's where refuses to convert it (value cannot be converted without overflow); "
        "ours rounds it to inf as every other binary op here, and PyTorch's add, does",
        lambda s: isinstance(s.args[2], float) and abs(s.args[2]) > 3.4e38,
    ),
    Difference(
        "Tensor.__rpow__",
        "error",
        "backward of a Python bool to a tensor power (False ** x)",
        "PyTorch's backward fails there with an internal assert (unknown ivalue tag); ours "
        "treats the bool as the number 0 or 1",
        lambda s: isinstance(s.args[1], bool),
    ),
    *[
        Difference(
            op,
            "grad",
            "an inf or nan in the input",
            "var is composed from mean, sub, mul and sum, so the mean's path adds inf - inf "
            "= nan to every element's gradient; PyTorch's own formula 2 (x - mean) / (N - c) "
            "leaves the finite elements at +-inf. Both are non-finite",
            _nonfinite,
        )
        for op in ("var", "Tensor.var[unbiased]", "std")
    ],
    *[
        Difference(
            op,
            "value",
            "an input whose squares overflow its dtype (|x| > 1e19 in float32, 1e153 in float64)",
            "ours sums the squared deviations in the input's dtype (inf); PyTorch's Welford "
            "algorithm, accumulating float32 in float64, stays finite",
            lambda s: s.has(lambda a: np.abs(a) > np.sqrt(np.finfo(a.dtype).max) / 16),
        )
        for op in ("var", "Tensor.var[unbiased]", "std")
    ],
    *[
        Difference(
            op,
            aspect,
            "a reduced group of identical values (std is 0 up to rounding)",
            "the derivative (x - mean) / (N std) is rounding error over rounding error there; "
            "the two libraries round differently (or ours finds std exactly 0: gradient 0)",
            _identical_group,
        )
        for op in ("std",)
        for aspect in ("grad", "gradgrad")
    ],
    Difference(
        "scatter_add",
        "error",
        "backward when src is larger than index along some dimension",
        "PyTorch's ScatterAddBackward0 returns src's gradient in index's shape and then "
        "refuses it (invalid gradient: got index's shape, expected src's); ours gives src "
        "the gradient in its own shape, zero where index does not reach",
        lambda s: s.args[3].shape != s.args[2].shape,
    ),
    *[
        Difference(
            op,
            "gradgrad",
            "the 2-norm of a group that is all zeros",
            "both take the subgradient 0 as the first derivative there; PyTorch's double "
            "backward then gives nan, ours 0 (the derivative of our where-guarded formula)",
            lambda s: s.args[1] == 2 and _zero_group(s),
        )
        for op in ("norm", "linalg.vector_norm")
    ],
    *[
        Difference(
            op,
            "gradgrad",
            "the 2-norm of a group whose squares underflow to 0 (|x| < 1e-154 in float64)",
            "the norm computes as 0, so both take the first derivative's zero-group branch; "
            "PyTorch's double backward then gives nan, ours 0 (as for an all-zero group; "
            "found by CI's sampling at x = 1.2e-284)",
            lambda s: s.args[1] == 2 and _squares_underflow(s),
        )
        for op in ("norm", "linalg.vector_norm")
    ],
    *[
        Difference(
            op,
            aspect,
            "the 2-norm of an input whose squares overflow (|x| > 1e19 in float32, 1e153 "
            "in float64)",
            "ours sums the squares in the input's dtype (inf), as var does here; PyTorch "
            "scales by the largest element first and stays finite",
            lambda s: (
                s.args[1] == 2 and s.has(lambda a: np.abs(a) > np.sqrt(np.finfo(a.dtype).max) / 16)
            ),
        )
        for op in ("norm", "linalg.vector_norm")
        for aspect in ("value", "grad", "gradgrad")
    ],
    *[
        Difference(
            op,
            aspect,
            "the inf-norm of an input with a nan",
            "PyTorch's inf-norm backward masks the gradient to the elements equal to the "
            "result (nan equals nothing: 0); ours passes it through abs, whose slope sign(nan) "
            "is nan",
            lambda s: s.args[1] == np.inf and s.has(np.isnan),
        )
        for op in ("norm", "linalg.vector_norm")
        for aspect in ("grad", "gradgrad")
    ],
    *[
        Difference(
            op,
            "value",
            "an inf or nan input with zero padding",
            "the padded zeros times an inf weight are nan (0 * inf) in ours, at every output "
            "the weight reaches; PyTorch's kernels skip the padded positions there",
            lambda s: s.kwargs.get("padding", 0) != 0 and _nonfinite(s),
        )
        for op in ("nn.functional.conv1d", "nn.functional.conv2d")
    ],
    *[
        Difference(
            op,
            "gradgrad",
            "an input whose square overflows (|x| > 1e150 in float64) or is infinite",
            "the second derivative there is 0; PyTorch's formula meets inf * 0 = nan (x^2 "
            "overflows beside a factor that is 0), ours gives 0",
            lambda s: s.has(lambda a: ~(np.abs(a) < 1e150)),
        )
        for op in ("nn.functional.gelu", "nn.functional.mish")
    ],
    Difference(
        "nn.functional.gelu",
        "value",
        "+inf in float32 (approximate='none')",
        "gelu(+inf) = inf: PyTorch's scalar path and its float64 kernel agree, but its "
        "vectorized float32 kernel (tensors of 2 or more elements) gives nan",
        lambda s: s.args[0].dtype == FLOAT32 and s.has(lambda a: a == np.inf),
    ),
    Difference(
        "nn.functional.adaptive_avg_pool2d",
        "value",
        "an inf or nan input",
        "ours averages each axis by a product with an averaging matrix, so an inf meets the "
        "zeros of the other bins (0 * inf = nan) and spreads nan along its row; PyTorch "
        "averages each bin on its own",
        _nonfinite,
    ),
    *[
        Difference(
            op,
            aspect,
            "an input whose squares overflow its dtype (|x| > 1e19 in float32, 1e153 in float64)",
            "ours normalizes with the variance of x - mean (finite: 0 for one element); "
            "PyTorch's fused kernel forms E[x^2] - E[x]^2 = inf - inf = nan",
            lambda s: s.has(lambda a: np.abs(a) > np.sqrt(np.finfo(a.dtype).max) / 16),
        )
        for op in ("nn.functional.layer_norm", "nn.functional.group_norm")
        for aspect in ("value", "grad", "gradgrad")
    ],
    *[
        Difference(
            op,
            aspect,
            "a normalized group of identical values (variance 0 up to rounding)",
            "the derivatives there are rounding error times 1 / sqrt(eps); the two libraries "
            "round x - mean differently (ours finds it exactly 0)",
            _constant_norm_group,
        )
        for op in ("nn.functional.layer_norm", "nn.functional.group_norm")
        for aspect in ("grad", "gradgrad")
    ],
    *[
        Difference(
            op,
            "error",
            "backward with a bias but no weight",
            "PyTorch's fused backward fails there (expected a proper Tensor but got None, or "
            "an invalid shape '[0]'); ours differentiates (x - mean) / std + bias",
            lambda s: s.args[2] is None and s.args[3] is not None,
        )
        for op in ("nn.functional.layer_norm", "nn.functional.group_norm")
    ],
    Difference(
        "atan2",
        "gradgrad",
        "a point at the origin (x^2 + y^2 = 0, or underflows to 0)",
        "both take the first derivative as 0 there; PyTorch's double backward gives nan, ours "
        "0 (the derivative of our where-guarded 1 / (x^2 + y^2))",
        _at_origin,
    ),
    Difference(
        "atan2",
        "error",
        "backward with a bool tensor as one argument",
        "PyTorch's atan2 backward negates the bool argument (-y / (x^2 + y^2)) and raises; "
        "ours computes the other argument's gradient",
        lambda s: any(a.dtype == BOOL for a in s.arrays()),
    ),
    Difference(
        "take_along_dim",
        "error",
        "an index beyond the end of the dimension",
        "PyTorch's take_along_dim does not check the range and reads whatever lies past the "
        "end (an undefined value); ours refuses the index, as gather does in both",
        lambda s: _take_beyond(s),
    ),
    Difference(
        "nn.functional.binary_cross_entropy",
        "gradgrad",
        "an input at 0 or 1",
        "PyTorch's double backward is a separate formula, (x^2 - 2xy + y) / ((x + eps)^2 "
        "(1 - x + eps)^2); ours is the exact derivative of our clamped first derivative, "
        "(x - y) / max(x (1 - x), 1e-12), which is 1e12-sized there",
        _at_bounds,
    ),
]

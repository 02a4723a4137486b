"""``Tensor``: a NumPy array plus what reverse-mode autodiff needs.

    _data          the values: a NumPy array (``.numpy()`` gives it to you; ``.data`` is a
                   Tensor sharing it, outside autograd, as in PyTorch)
    requires_grad  whether gradients should flow to this tensor
    grad_fn        the node that made it (None for leaves: tensors you created)
    grad           dL/d(this), filled in by ``backward()`` for leaves
    _base, _view   for a view: the tensor whose memory it shares, and how it was made
                   from it; ``_version`` counts in-place changes (autograd/views.py)

Every operation is a ``Function`` in ``tinygrad_edu.ops``; the methods here only turn
Python calls (``a + b``, ``x.sum(1)``) into ``Function.apply`` calls, after converting
scalars and matching dtypes. Look an op's gradient up by its class name in ``ops/``.
"""

from __future__ import annotations

import builtins
import weakref
from collections import namedtuple
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from tinygrad_edu import dtypes
from tinygrad_edu._printing import Size

Scalar = int | float | bool
MinMax = namedtuple("MinMax", ["values", "indices"])  # what x.max(dim) returns, like PyTorch


class Clock:
    """Ticks once per in-place change of any tensor. A base notes the tick of its last change
    (``Tensor._changed_at``) and an op the tick when it ran, so "was this input changed
    since the op ran?" is one comparison (``Function.inputs``)."""

    now = 0


class Tensor:
    """A multi-dimensional array that records the operations made with it.

    >>> x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    tensor([2., 4., 6.])
    """

    __slots__ = (
        "__weakref__",
        "_base",
        "_changed_at",
        "_data",
        "_grad",
        "_grad_fn",
        "_hooks",
        "_requires_grad",
        "_ver",
        "_view",
        "name",
    )
    __hash__ = object.__hash__  # tensors are dict keys by identity (== is elementwise)
    __array_ufunc__ = None  # ndarray + Tensor defers to Tensor.__radd__ and stays on the tape

    def __init__(
        self, data: Any, requires_grad: bool = False, dtype: Any = None, name: str | None = None
    ) -> None:
        if isinstance(data, Tensor):
            data = data._data
        array = _to_array(data, dtype)
        self._data: np.ndarray = array  # the values; .numpy() is the public way to them
        self._grad: Tensor | None = None
        self._grad_fn: Any = None
        self.name: str | None = name  # a label for people: viz.to_dot shows it
        self._ver = 0  # the version counter (autograd/views.py); a view uses its base's
        self._base: Tensor | None = None  # the tensor whose memory this one shares
        self._view: Any = None  # how this view is made from _base (views.ViewMeta)
        self._hooks: GradHooks | None = None  # a leaf's register_hook hooks
        self._requires_grad = False
        if requires_grad:
            self.requires_grad = True

    @staticmethod
    def _make(data: np.ndarray, requires_grad: bool, grad_fn: Any) -> Tensor:
        """Fast internal constructor: no conversion, no checks (data is already right)."""
        t = object.__new__(Tensor)
        t._data = data
        t._grad = None
        t._grad_fn = grad_fn
        t.name = None
        t._requires_grad = requires_grad
        t._ver = 0
        t._base = None
        t._view = None
        t._hooks = None
        return t

    # ------------------------------------------------------------------ attributes
    @property
    def requires_grad(self) -> bool:
        if self._view is not None:
            views.sync_view(self)
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if value and not dtypes.is_floating(self._data.dtype):
            raise RuntimeError(
                f"only Tensors of floating point dtype can require gradients; this one is "
                f"{self._data.dtype} (use .float() first)"
            )
        if not value and self._grad_fn is not None:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables; use .detach() to "
                "get a tensor that does not require grad"
            )
        self._requires_grad = builtins.bool(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place and return self."""
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self) -> bool:
        """True for tensors not made by a recorded op (their .grad is kept by backward)."""
        return self.grad_fn is None

    @property
    def grad_fn(self) -> Any:
        """The node that made this tensor (None for a leaf): where backward starts from it."""
        if self._view is not None:
            views.sync_view(self)
        return self._grad_fn

    @property
    def grad(self) -> Tensor | None:
        """dL/d(this tensor), filled in by ``backward()`` (for leaves, or after retain_grad)."""
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    "assigned grad expected to be a Tensor or None but got grad of type "
                    f"{type(value).__name__}"
                )
            if value.shape != self.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value.shape)}' to a tensor "
                    f"of size '{list(self.shape)}'. Please ensure that the gradient and the "
                    "tensor are the same size"
                )
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{value._data.dtype}' to a "
                    f"tensor with dtype '{self._data.dtype}'. The gradient must match the "
                    "tensor's dtype"
                )
        self._grad = value

    def _changed_after(self, tick: int) -> bool:
        """Was this tensor's memory changed in place after ``Clock.now`` read ``tick``?"""
        base = self if self._base is None else self._base
        return getattr(base, "_changed_at", 0) > tick  # (unset until its first change)

    @property
    def _version(self) -> int:
        """How many in-place changes this tensor's memory has had (shared with its views)."""
        return self._ver if self._base is None else self._base._ver

    @property
    def data(self) -> Tensor:
        """A tensor sharing this one's memory, outside autograd (PyTorch's ``.data``).

        It requires no grad and in-place changes made through it are not tracked: a graph
        that saved this tensor will not notice them. Prefer ``detach()`` (tracked) or
        ``with no_grad():``; ``.data`` is here because older scripts update parameters with
        ``p.data -= lr * p.grad``. ``p.data = other`` makes ``p`` use ``other``'s values.
        """
        return Tensor._make(self._data, False, None)

    @data.setter
    def data(self, value: Tensor) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(
                f"data must be a Tensor, got {type(value).__name__} (wrap it with tensor())"
            )
        if value._data is not self._data:  # (p.data -= g writes in place, then sets it back)
            self._data = value._data
            self._base, self._view = None, None  # no longer a view of anything

    @property
    def shape(self) -> Size:
        """The size of each dimension: a tuple that prints as ``torch.Size([3, 4])``."""
        return Size(self._data.shape)

    @property
    def dtype(self) -> np.dtype:
        return self._data.dtype

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def device(self) -> _device.device:
        """Where the data lives: always ``device(type='cpu')`` (see ``_device.py``)."""
        return _device.CPU

    @property
    def T(self) -> Tensor:
        """All axes reversed (the transpose of a matrix)."""
        return M.Permute.apply(self, dims=tuple(range(self.ndim - 1, -1, -1)))

    def size(self, dim: int | None = None) -> Size | int:
        return self.shape if dim is None else self._data.shape[_axis(dim, self.ndim)]

    def dim(self) -> int:
        return self.ndim

    def numel(self) -> int:
        return self._data.size

    # ------------------------------------------------------------------ conversion
    def item(self) -> Scalar:
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to a Python "
                "number; only one-element tensors can"
            )
        return self._data.item()

    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied)."""
        if self._requires_grad:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy()"
            )
        return self._data

    def tolist(self) -> Any:
        return self._data.tolist()

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        if dtype is not None and np.dtype(dtype) != self._data.dtype:
            return self._data.astype(dtype)
        return self._data.copy() if copy else self._data

    def detach(self) -> Tensor:
        """A new leaf sharing this tensor's memory and version counter, cut off from the graph.

        An in-place change to it is seen by backward: a graph that saved this tensor refuses
        to use the changed values (``.data`` is the untracked way).
        """
        t = Tensor._make(self._data, False, None)
        t._base = views.base_of(self)
        return t

    def clone(self) -> Tensor:
        """A copy of the data; gradients flow back through it."""
        return E.Clone.apply(self)

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """``to(dtype)`` casts (differentiably); ``to(other)`` takes ``other``'s dtype;
        ``to('cpu')`` / ``to(device)`` is accepted and does nothing (the CPU is the only
        device: 'cuda' and 'mps' raise, saying so)."""
        dtype = kwargs.get("dtype")
        for a in (*args, kwargs.get("device")):
            if a is None:
                continue
            if isinstance(a, Tensor):
                dtype = a.dtype
            elif _device.is_device_like(a):
                _device.check_device(a)
            else:
                dtype = a
        if dtype is None or np.dtype(dtype) == self._data.dtype:
            return self
        dtype = np.dtype(dtype)
        if (self._requires_grad or ForwardAD.enabled) and dtypes.is_floating(dtype):
            return E.Cast.apply(self, dtype=dtype)  # (recorded, or carrying a tangent)
        return Tensor._make(self._data.astype(dtype), False, None)

    def cpu(self) -> Tensor:
        return self

    def cuda(self, device: Any = None, non_blocking: bool = False) -> Tensor:
        """Refused: there is no accelerator (tinygrad_edu is CPU-only)."""
        _device.check_device("cuda" if device is None else device)
        return self

    def float(self) -> Tensor:
        return self.to(dtypes.float32)

    def double(self) -> Tensor:
        return self.to(dtypes.float64)

    def long(self) -> Tensor:
        return self.to(dtypes.int64)

    def bool(self) -> Tensor:
        return self.to(dtypes.bool)

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(
                "Boolean value of Tensor with more than one value is ambiguous "
                f"(shape {self.shape})"
            )
        return builtins.bool(self._data)

    def __float__(self) -> float:
        return builtins.float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be used as an index")
        return int(self._data)

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.shape[0]))

    def __repr__(self) -> str:
        """As PyTorch prints it: ``tensor([1.0000, 2.5000], requires_grad=True)``."""
        suffixes = []
        if self.grad_fn is not None:
            suffixes.append(f"grad_fn=<{self.grad_fn.name()}>")
        elif self._requires_grad:
            suffixes.append("requires_grad=True")
        return _printing.tensor_repr(self._data, suffixes, dtypes.get_default_dtype())

    # ------------------------------------------------------------------ autograd
    def backward(
        self,
        gradient: Tensor | None = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
    ) -> None:
        """Compute d(self)/d(leaf) for every leaf behind self and add it to ``leaf.grad``.

        ``gradient`` is dL/d(self); it may be left out only when self has one element.
        The graph is freed afterwards unless ``retain_graph=True``.
        """
        engine.backward(self, gradient, retain_graph, create_graph)

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor too (leaves always keep theirs).

        The kept gradient is the one after this tensor's hooks (see ``register_hook``).
        """
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on a Tensor that has requires_grad=False")
        if self.grad_fn is None:
            return
        retained = _grad_hooks(self).retained
        if not any(ref() is self for ref in retained):
            retained.append(weakref.ref(self))

    @property
    def retains_grad(self) -> bool:
        """True for a non-leaf tensor on which ``retain_grad()`` was called."""
        hooks = self.grad_fn._hooks if self.grad_fn is not None else None
        return hooks is not None and any(ref() is self for ref in hooks.retained)

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> RemovableHandle:
        """Call ``hook(grad)`` whenever backward computes the gradient of this tensor.

        If the hook returns a tensor (of the gradient's shape), it replaces the gradient:
        for a non-leaf it is what flows on to the inputs, for a leaf what is added to
        ``.grad``. Returns a handle; ``handle.remove()`` takes the hook off again.

        >>> x = Tensor([1.0, 2.0], requires_grad=True)
        >>> h = x.register_hook(lambda g: g * 10)
        >>> (x * x).sum().backward()
        >>> x.grad
        tensor([20., 40.])
        """
        if not self._requires_grad:
            raise RuntimeError(
                "cannot register a hook on a tensor that doesn't require gradient "
                f"(shape {self.shape}, dtype {self.dtype})"
            )
        if not callable(hook):
            raise TypeError(f"register_hook expects a function, got {type(hook).__name__}")
        return _grad_hooks(self).hooks.add(hook)

    # ------------------------------------------------------------------ arithmetic
    def add(self, other: Tensor | Scalar, alpha: Scalar = 1) -> Tensor:
        return _binary(E.Add, self, other * alpha if alpha != 1 else other, "add")

    def sub(self, other: Tensor | Scalar, alpha: Scalar = 1) -> Tensor:
        return _binary(E.Sub, self, other * alpha if alpha != 1 else other, "sub")

    def mul(self, other: Tensor | Scalar) -> Tensor:
        return _binary(E.Mul, self, other, "mul")

    def div(self, other: Tensor | Scalar) -> Tensor:
        return _binary(E.Div, self, other, "div")

    def pow(self, exponent: Tensor | Scalar) -> Tensor:
        return _binary(E.Pow, self, exponent, "pow")

    def __add__(self, other: Tensor | Scalar) -> Tensor:
        return _binary(E.Add, self, other, "add")

    def __radd__(self, other: Scalar) -> Tensor:
        return _binary(E.Add, other, self, "add")

    def __sub__(self, other: Tensor | Scalar) -> Tensor:
        return _binary(E.Sub, self, other, "sub")

    def __rsub__(self, other: Scalar) -> Tensor:
        return _binary(E.Sub, other, self, "sub")

    def __mul__(self, other: Tensor | Scalar) -> Tensor:
        return _binary(E.Mul, self, other, "mul")

    def __rmul__(self, other: Scalar) -> Tensor:
        return _binary(E.Mul, other, self, "mul")

    def __truediv__(self, other: Tensor | Scalar) -> Tensor:
        return _binary(E.Div, self, other, "div")

    def __rtruediv__(self, other: Scalar) -> Tensor:
        return _binary(E.Div, other, self, "div")

    def __pow__(self, exponent: Tensor | Scalar) -> Tensor:
        return _binary(E.Pow, self, exponent, "pow")

    def __rpow__(self, base: Scalar) -> Tensor:
        return _binary(E.Pow, base, self, "pow")

    def __matmul__(self, other: Tensor) -> Tensor:
        return self.matmul(other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return _as_tensor(other, self).matmul(self)

    def __neg__(self) -> Tensor:
        return E.Neg.apply(self)

    def __abs__(self) -> Tensor:
        return self.abs()

    def neg(self) -> Tensor:
        return E.Neg.apply(self)

    def matmul(self, other: Tensor) -> Tensor:
        b = _as_tensor(other, self)
        if self._data.dtype.kind == "b":
            raise NotImplementedError(
                f"matmul: not implemented for bool tensors (shapes {self.shape} and {b.shape})"
            )
        if b._data.dtype != self._data.dtype:  # PyTorch does not promote here
            raise RuntimeError(
                f"matmul: expected both operands to have the same dtype, but found "
                f"{self._data.dtype} and {b._data.dtype}"
            )
        return MM.Matmul.apply(self, b)

    def maximum(self, other: Tensor) -> Tensor:
        return _binary(E.Maximum, self, other, "maximum")

    def minimum(self, other: Tensor) -> Tensor:
        return _binary(E.Minimum, self, other, "minimum")

    def where(self, condition: Tensor, other: Tensor | Scalar) -> Tensor:
        """``condition ? self : other`` elementwise (PyTorch's ``x.where(cond, y)``)."""
        return where(condition, self, other)

    def masked_fill(self, mask: Tensor, value: Scalar) -> Tensor:
        return where(mask, value, self)

    # ------------------------------------------------------------------ unary math
    def exp(self) -> Tensor:
        return E.Exp.apply(_floating(self))

    def log(self) -> Tensor:
        return E.Log.apply(_floating(self))

    def sqrt(self) -> Tensor:
        return E.Sqrt.apply(_floating(self))

    def abs(self) -> Tensor:
        if self._data.dtype.kind == "b":
            raise TypeError("abs(): not supported for tensors of dtype bool")
        return E.Abs.apply(self)

    def sin(self) -> Tensor:
        return E.Sin.apply(_floating(self))

    def cos(self) -> Tensor:
        return E.Cos.apply(_floating(self))

    def tanh(self) -> Tensor:
        return E.Tanh.apply(_floating(self))

    def sigmoid(self) -> Tensor:
        return E.Sigmoid.apply(_floating(self))

    def relu(self) -> Tensor:
        if self._data.dtype.kind == "b":
            raise RuntimeError(
                f"Boolean inputs not supported for relu (a bool tensor of shape {self.shape})"
            )
        return E.Relu.apply(self)

    def leaky_relu(self, negative_slope: float = 0.01) -> Tensor:
        _need_floating(self, "leaky_relu", NotImplementedError)
        return E.LeakyRelu.apply(self, negative_slope=negative_slope)

    def clamp(self, min: Scalar | None = None, max: Scalar | None = None) -> Tensor:
        if min is None and max is None:
            raise RuntimeError("clamp: at least one of 'min' or 'max' must not be None")
        return E.Clamp.apply(self, min=min, max=max)

    clip = clamp

    def softmax(self, dim: int) -> Tensor:
        _need_floating(self, "softmax", NotImplementedError)
        return NN.Softmax.apply(self, dim=_axis(dim, self.ndim))

    def log_softmax(self, dim: int) -> Tensor:
        _need_floating(self, "log_softmax", NotImplementedError)
        return NN.LogSoftmax.apply(self, dim=_axis(dim, self.ndim))

    # ------------------------------------------------------------------ reductions
    def sum(
        self,
        dim: int | Sequence[int] | None = None,
        keepdim: bool = False,
        *,
        keepdims: bool | None = None,
        dtype: Any = None,
    ) -> Tensor:
        """(``keepdims`` is NumPy's spelling, accepted as PyTorch does; ``dtype`` casts first.)"""
        x = self if dtype is None else self.to(dtype)
        keep = keepdim if keepdims is None else keepdims
        return R.Sum.apply(x, axes=_axes(dim, self.ndim), keepdim=keep)

    def mean(
        self,
        dim: int | Sequence[int] | None = None,
        keepdim: bool = False,
        *,
        keepdims: bool | None = None,
        dtype: Any = None,
    ) -> Tensor:
        """sum / count: built from Sum and Div, so it needs no backward of its own."""
        x = self if dtype is None else self.to(dtype)
        _need_floating(x, "mean")
        keep = keepdim if keepdims is None else keepdims
        return x.sum(dim, keep) / _count(self.shape, _axes(dim, self.ndim))

    def var(
        self,
        dim: int | Sequence[int] | None = None,
        unbiased: bool | None = None,
        keepdim: bool = False,
        *,
        correction: int | None = None,
    ) -> Tensor:
        """sum((x - mean)^2) / (N - correction); correction=1 (Bessel's) by default."""
        _need_floating(self, "var")
        if correction is None:
            correction = 0 if unbiased is False else 1
        axes = _axes(dim, self.ndim)
        centred = self - self.mean(dim, keepdim=True)
        return (centred * centred).sum(dim, keepdim) / builtins.max(
            _count(self.shape, axes) - correction, 0
        )

    def std(
        self,
        dim: int | Sequence[int] | None = None,
        unbiased: bool | None = None,
        keepdim: bool = False,
        *,
        correction: int | None = None,
    ) -> Tensor:
        """sqrt(var). Where the std is 0 its derivative 1/(2 std) would meet 0 * inf: PyTorch
        takes the gradient as 0 there, and so does this (a where() around a safe sqrt)."""
        v = self.var(dim, unbiased, keepdim, correction=correction)
        zero = Tensor._make(v._data == 0, False, None)
        safe = where(zero, 1.0, v).sqrt()
        return where(zero, 0.0, safe)

    def amax(self, dim: int | Sequence[int] | None = None, keepdim: bool = False) -> Tensor:
        return R.Amax.apply(self, axes=_axes(dim, self.ndim), keepdim=keepdim)

    def amin(self, dim: int | Sequence[int] | None = None, keepdim: bool = False) -> Tensor:
        return R.Amin.apply(self, axes=_axes(dim, self.ndim), keepdim=keepdim)

    def max(self, dim: int | Tensor | None = None, keepdim: bool = False) -> Any:
        """``max()`` -> the largest value; ``max(dim)`` -> (values, indices); ``max(t)`` ->
        elementwise maximum. As in PyTorch, ``max()`` shares the gradient evenly among ties
        (see ``ops.reduce``) and ``max(dim)`` gives it to the element at the index."""
        if isinstance(dim, Tensor):
            return self.maximum(dim)
        if dim is None:
            return R.Amax.apply(self, axes=_axes(None, self.ndim), nan_shared=True)
        return _values_at(self, _arg_extreme(np.argmax, self, dim, keepdim), dim, keepdim)

    def min(self, dim: int | Tensor | None = None, keepdim: bool = False) -> Any:
        """``min()``, ``min(dim)`` -> (values, indices), ``min(t)``: as ``max``."""
        if isinstance(dim, Tensor):
            return self.minimum(dim)
        if dim is None:
            return R.Amin.apply(self, axes=_axes(None, self.ndim), nan_shared=True)
        return _values_at(self, _arg_extreme(np.argmin, self, dim, keepdim), dim, keepdim)

    def logsumexp(self, dim: int | Sequence[int], keepdim: bool = False) -> Tensor:
        return R.LogSumExp.apply(_floating(self), axes=_axes(dim, self.ndim), keepdim=keepdim)

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """Index of the largest value (the first one on ties); not differentiable."""
        if self._data.dtype.kind == "b":
            raise RuntimeError("argmax(): does not support bool input")
        return _arg_extreme(np.argmax, self, dim, keepdim)

    def argmin(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        if self._data.dtype.kind == "b":
            raise RuntimeError("argmin(): does not support bool input")
        return _arg_extreme(np.argmin, self, dim, keepdim)

    # ------------------------------------------------------------------ movement
    def reshape(self, *shape: int | Sequence[int]) -> Tensor:
        return M.Reshape.apply(self, shape=_shape_arg(shape))

    view = reshape

    def permute(self, *dims: int | Sequence[int]) -> Tensor:
        order = tuple(_axis(d, self.ndim) for d in _shape_arg(dims))
        if sorted(order) != list(range(self.ndim)):
            raise ValueError(
                f"permute: dims {tuple(_shape_arg(dims))} are not a permutation of the "
                f"{self.ndim} dimensions of a tensor of shape {self.shape}"
            )
        return M.Permute.apply(self, dims=order)

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        order = list(range(self.ndim))
        a, b = _axis(dim0, self.ndim), _axis(dim1, self.ndim)
        if self.ndim == 0:  # (dims 0 and -1 name the one "dimension" of a 0-d tensor)
            return M.Permute.apply(self, dims=())
        order[a], order[b] = order[b], order[a]
        return M.Permute.apply(self, dims=tuple(order))

    def squeeze(self, dim: int | Sequence[int] | None = None) -> Tensor:
        """Remove size-1 dimensions (all of them, or only those in ``dim``)."""
        axes = _axes(dim, self.ndim)
        shape = tuple(
            n for i, n in enumerate(self.shape) if not (n == 1 and (axes is None or i in axes))
        )
        return self.reshape(shape)

    def unsqueeze(self, dim: int) -> Tensor:
        """Insert a size-1 dimension at ``dim``."""
        d = _axis(dim, self.ndim + 1)
        return self.reshape(self.shape[:d] + (1,) + self.shape[d:])

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        if self.ndim == 0:
            return self.reshape(1)
        s, e = _axis(start_dim, self.ndim), _axis(end_dim, self.ndim)
        if s > e:
            raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
        merged = int(np.prod(self.shape[s : e + 1]))  # (not -1: ambiguous for empty tensors)
        return self.reshape(self.shape[:s] + (merged,) + self.shape[e + 1 :])

    def expand(self, *sizes: int | Sequence[int]) -> Tensor:
        """Broadcast to ``sizes`` without copying; -1 keeps a dimension's size."""
        if not sizes:
            raise TypeError('expand() missing 1 required positional arguments: "size"')
        sizes = tuple(_shape_arg(sizes))
        lead = len(sizes) - self.ndim
        shape = tuple(
            self.shape[i - lead] if n == -1 and i >= lead else n for i, n in enumerate(sizes)
        )
        if shape == self.shape:
            return self
        return M.Expand.apply(self, shape=shape)

    def broadcast_to(self, shape: Sequence[int]) -> Tensor:
        return self.expand(tuple(shape))

    def expand_as(self, other: Tensor) -> Tensor:
        return self.expand(other.shape)

    def __getitem__(self, index: Any) -> Tensor:
        return M.GetItem.apply(self, index=_normalize_index(index))

    def __setitem__(self, index: Any, value: Tensor | Scalar) -> None:
        """``x[index] = value``: an in-place write, recorded when gradients are (SetItem)."""
        index = _normalize_index(index)
        v = value if isinstance(value, Tensor) else _as_tensor(value, self)
        try:
            target = np.broadcast_shapes(self._data[index].shape, v.shape)
        except IndexError as e:
            raise IndexError(
                f"index {index!r} is invalid for a tensor of shape {self.shape}: {e}"
            ) from None
        except ValueError:
            target = None
        if target != self._data[index].shape:
            raise RuntimeError(
                f"__setitem__: a value of shape {v.shape} cannot be written into the indexed "
                f"part of shape {self._data[index].shape} of a tensor of shape {self.shape}"
            )

        def direct(array: np.ndarray) -> None:
            array[index] = v._data

        views.inplace(self, "__setitem__", lambda t: M.SetItem.apply(t, v, index=index), v, direct)

    # ------------------------------------------------------------------ comparisons
    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _compare(np.equal, self, other)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _compare(np.not_equal, self, other)

    def __lt__(self, other: Any) -> Tensor:
        return _compare(np.less, self, other)

    def __le__(self, other: Any) -> Tensor:
        return _compare(np.less_equal, self, other)

    def __gt__(self, other: Any) -> Tensor:
        return _compare(np.greater, self, other)

    def __ge__(self, other: Any) -> Tensor:
        return _compare(np.greater_equal, self, other)

    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__

    def __and__(self, other: Any) -> Tensor:
        return _compare(np.logical_and, self, other)

    def __or__(self, other: Any) -> Tensor:
        return _compare(np.logical_or, self, other)

    def __invert__(self) -> Tensor:
        return Tensor._make(np.logical_not(self._data), False, None)

    # ------------------------------------------------------------------ in place
    # Each computes the new value out of place with a recorded op, then writes it into this
    # tensor's memory: views.inplace checks, writes, bumps the version, updates history.
    def add_(self, other: Tensor | Scalar, alpha: Scalar = 1) -> Tensor:
        return views.inplace(self, "add_", lambda t: t.add(other, alpha=alpha), other)

    def sub_(self, other: Tensor | Scalar, alpha: Scalar = 1) -> Tensor:
        return views.inplace(self, "sub_", lambda t: t.sub(other, alpha=alpha), other)

    def mul_(self, other: Tensor | Scalar) -> Tensor:
        return views.inplace(self, "mul_", lambda t: t * other, other)

    def div_(self, other: Tensor | Scalar) -> Tensor:
        return views.inplace(self, "div_", lambda t: t / other, other)

    def clamp_(self, min: Scalar | None = None, max: Scalar | None = None) -> Tensor:
        return views.inplace(self, "clamp_", lambda t: t.clamp(min, max))

    def zero_(self) -> Tensor:
        return self.fill_(0)

    def fill_(self, value: Tensor | Scalar) -> Tensor:
        """Set every element to ``value`` (a number, or a 0-d tensor: then differentiable)."""
        v = value if isinstance(value, Tensor) else _as_tensor(value, self)
        if v.ndim != 0:
            raise RuntimeError(
                f"fill_ only supports 0-dimension value tensor but got tensor with {v.ndim} "
                f"dimensions (shape {v.shape})"
            )
        return self.copy_(v)

    def copy_(self, src: Tensor | np.ndarray) -> Tensor:
        """Copy ``src`` (broadcast to this shape, cast to this dtype) into this tensor."""
        s = src if isinstance(src, Tensor) else Tensor._make(np.asarray(src), False, None)
        try:
            np.broadcast_to(s._data, self.shape)
        except ValueError:
            raise ValueError(
                f"copy_: the source shape {s.shape} cannot be broadcast to {self.shape}"
            ) from None

        def direct(array: np.ndarray) -> None:
            np.copyto(array, s._data, casting="unsafe")

        return views.inplace(self, "copy_", lambda t: E.Copy.apply(t, s), s, direct)

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Tensor:
        """Fill with samples from N(mean, std^2), in place (``p.data.normal_()``)."""
        return self.copy_(_random.rng(generator).normal(mean, std, self.shape))

    def uniform_(self, a: float = 0.0, b: float = 1.0, *, generator: Any = None) -> Tensor:
        """Fill with samples from U(a, b), in place."""
        return self.copy_(_random.rng(generator).uniform(a, b, self.shape))

    __iadd__ = add_
    __isub__ = sub_
    __imul__ = mul_
    __itruediv__ = div_

    def _bump_version(self) -> None:
        """Record an in-place change of this tensor's memory (so of all tensors sharing it).

        In-place ops call it, and so do optimizers, which change ``_data`` directly.
        """
        base = self if self._base is None else self._base
        base._ver += 1
        Clock.now += 1
        base._changed_at = Clock.now
        node = base._grad_fn
        if node is not None and node.saves_output:
            node._output_version = base._ver  # its backward reads the values just overwritten

    # ------------------------------------------------------------------ views
    def narrow(self, dim: int, start: int, length: int) -> Tensor:
        """The view ``length`` elements long from ``start`` along ``dim``."""
        d = _axis(dim, self.ndim)
        n = self.shape[d]
        if start < 0:
            start += n
        if not (0 <= start <= n and length >= 0 and start + length <= n):
            raise IndexError(
                f"narrow: start ({start}) + length ({length}) exceeds dimension size ({n}) "
                f"of dim {dim} of a tensor of shape {self.shape}"
            )
        return self[(slice(None),) * d + (slice(start, start + length),)]

    def select(self, dim: int, index: int) -> Tensor:
        """The view at position ``index`` along ``dim`` (that dimension removed)."""
        d = _axis(dim, self.ndim)
        n = self.shape[d]
        if not -n <= index < n:
            raise IndexError(
                f"select(): index {index} out of range for tensor of size {self.shape} at "
                f"dimension {dim}"
            )
        return self[(slice(None),) * d + (int(index),)]

    def unbind(self, dim: int = 0) -> tuple[Tensor, ...]:
        """All the views ``select(dim, i)``, as a tuple."""
        d = _axis(dim, self.ndim)
        return tuple(self.select(d, i) for i in range(self.shape[d]))


# ============================================================================ helpers
def _to_array(data: Any, dtype: Any) -> np.ndarray:
    """Make the array a new tensor holds: floats default to float32, ints to int64."""
    if isinstance(data, np.ndarray):
        array = data
    else:
        try:
            array = np.asarray(data._data if isinstance(data, Tensor) else data)
        except ValueError as e:
            raise ValueError(_ragged(data) or f"tensor: cannot make a tensor from {e}") from None
        if dtype is None:
            if array.dtype.kind == "f":
                array = array.astype(dtypes.get_default_dtype())
            elif array.dtype.kind in "iu":
                array = array.astype(dtypes.int64)
            elif array.dtype.kind not in "b":
                raise TypeError(f"can't make a tensor from {type(data).__name__} ({array.dtype})")
    if dtype is not None and array.dtype != np.dtype(dtype):
        array = array.astype(dtype)
    return array


def _ragged(data: Any, dim: int = 0) -> str | None:
    """Where a nested list stops being rectangular, in PyTorch's words (None: it is not)."""
    if not isinstance(data, (list, tuple)) or not data:
        return None
    lengths = [len(x) if isinstance(x, (list, tuple, np.ndarray)) else None for x in data]
    for i, length in enumerate(lengths):
        if length != lengths[0]:
            first, this = (
                "a number" if n is None else f"a sequence of length {n}"
                for n in (lengths[0], length)
            )
            return (
                f"tensor: the nested lists are ragged at dim {dim + 1}: entry 0 is {first} but "
                f"entry {i} is {this}; every list at one depth needs the same length"
            )
    for x in data:
        found = _ragged(x, dim + 1)
        if found:
            return found
    return None


def _as_tensor(value: Any, like: Tensor) -> Tensor:
    """A Python number (or array) as a constant tensor, typed to combine with ``like``."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, np.ndarray):
        return Tensor._make(value, False, None)
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, builtins.bool):
        dtype = like._data.dtype
    elif isinstance(value, int):
        dtype = like._data.dtype if like._data.dtype.kind != "b" else dtypes.int64
    elif isinstance(value, builtins.float):
        dtype = like._data.dtype if like._data.dtype.kind == "f" else dtypes.get_default_dtype()
    else:
        raise TypeError(
            f"unsupported operand: {type(value).__name__} (expected a Tensor or number)"
        )
    return Tensor._make(np.asarray(value, dtype=dtype), False, None)


def _result_dtype(a: np.dtype, b: np.dtype) -> np.dtype:
    """PyTorch's promotion: a floating dtype beats an integer one; otherwise the wider."""
    if a == b:
        return a
    if a.kind == "f" and b.kind != "f":
        return a
    if b.kind == "f" and a.kind != "f":
        return b
    return np.promote_types(a, b)


def _category(dtype: np.dtype) -> int:
    """bool < integer < floating: PyTorch's dtype categories."""
    return 0 if dtype.kind == "b" else 2 if dtype.kind == "f" else 1


def _promote(a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    """Both tensors cast to their common dtype, by PyTorch's rules: a 0-d tensor (or a
    Python number, which arrives here as one) decides the dtype only when its category
    (bool < integer < floating) is higher than the other tensor's. So a float64 0-d tensor
    added to a float32 vector gives float32, and an int64 0-d to an int32 vector int32."""
    da, db = a._data.dtype, b._data.dtype
    if da is db or da == db:
        return a, b
    if (a._data.ndim == 0) != (b._data.ndim == 0):  # exactly one is 0-d
        dim, zero = (da, db) if b._data.ndim == 0 else (db, da)
        common = dim if _category(dim) >= _category(zero) else _result_dtype(dim, zero)
    else:
        common = _result_dtype(da, db)
    return a.to(common), b.to(common)


def _binary(fn: type, a: Any, b: Any, name: str) -> Tensor:
    """Call a binary op after turning numbers into tensors and matching dtypes."""
    if fn is E.Sub or fn is E.Pow:
        _refuse_bool(fn, a, b)
    if not isinstance(a, Tensor):
        a = _as_tensor(a, b)
    elif not isinstance(b, Tensor):
        b = _as_tensor(b, a)
    if a._data.dtype is not b._data.dtype:
        a, b = _promote(a, b)
    if fn is E.Div and a._data.dtype.kind != "f":  # true division of integers gives floats
        a, b = a.float(), b.float()
    try:
        return fn.apply(a, b)
    except ValueError:
        try:
            np.broadcast_shapes(a.shape, b.shape)
        except ValueError:
            raise ValueError(
                f"{name}: shapes {a.shape} and {b.shape} cannot be broadcast together"
            ) from None
        raise


def _refuse_bool(fn: type, a: Any, b: Any) -> None:
    """PyTorch refuses ``-`` with any bool operand, and ``**`` of two bool tensors."""

    def is_bool(v: Any) -> builtins.bool:
        return isinstance(v, builtins.bool) or (isinstance(v, Tensor) and v._data.dtype.kind == "b")

    if fn is E.Sub and is_bool(a) and is_bool(b):
        raise RuntimeError(
            "sub: Subtraction, the `-` operator, with two bool tensors is not supported. "
            "Use the `^` or `logical_xor()` operator instead."
        )
    if fn is E.Sub and (is_bool(a) or is_bool(b)):
        raise RuntimeError(
            "sub: Subtraction, the `-` operator, with a bool tensor is not supported. If you "
            "are trying to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    if (
        fn is E.Pow
        and type(b) is int
        and b < 0
        and isinstance(a, Tensor)
        and a._data.dtype.kind in "iub"
    ):  # (a tensor exponent is checked in Pow, only where there are elements)
        raise RuntimeError(
            f"pow: Integers to negative integer powers are not allowed ({a._data.dtype} tensor "
            f"of shape {a.shape} to the power {b}); use .float()"
        )
    if (
        fn is E.Pow
        and isinstance(a, Tensor)
        and isinstance(b, Tensor)
        and is_bool(a)
        and is_bool(b)
    ):
        raise NotImplementedError(
            f"pow: not implemented for two bool tensors (shapes {a.shape}, {b.shape})"
        )


def _compare(fn: Callable, a: Tensor, b: Any) -> Tensor:
    """A comparison (bool result) after PyTorch's promotion of the two sides: a float32
    tensor is compared with a float64 0-d tensor (or a Python float) in float32."""
    other = b._data if isinstance(b, Tensor) else b
    if isinstance(b, (Tensor, builtins.bool, int, builtins.float, np.generic)):
        x, y = _promote(a, _as_tensor(b, a))
        mine, other = x._data, y._data
    else:
        mine = a._data
    try:
        return Tensor._make(np.asarray(fn(mine, other)), False, None)
    except ValueError:
        shape = other.shape if isinstance(other, np.ndarray) else ()
        raise ValueError(
            f"{fn.__name__}: shapes {a.shape} and {shape} cannot be broadcast together"
        ) from None


def where(condition: Tensor, input: Tensor | Scalar, other: Tensor | Scalar) -> Tensor:
    """Elementwise ``condition ? input : other``; gradients flow to input and other."""
    cond = condition if isinstance(condition, Tensor) else Tensor(np.asarray(condition))
    if cond._data.dtype != np.bool_:
        raise TypeError(f"where: condition must be a bool tensor, got {cond._data.dtype}")
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        input = Tensor(input)
    x = input if isinstance(input, Tensor) else _as_tensor(input, other)
    y = other if isinstance(other, Tensor) else _as_tensor(other, x)
    x, y = _promote(x, y)
    try:
        return E.Where.apply(cond, x, y)
    except ValueError:
        raise ValueError(
            f"where: shapes {cond.shape}, {x.shape} and {y.shape} cannot be broadcast together"
        ) from None


def _floating(t: Tensor) -> Tensor:
    """Integer inputs of exp, log, ... give float results, as in PyTorch."""
    return t if t._data.dtype.kind == "f" else t.float()


def _need_floating(t: Tensor, name: str, error: type[Exception] = TypeError) -> None:
    if t._data.dtype.kind != "f":
        raise error(
            f"{name}(): input dtype must be floating point, got {t._data.dtype} (use .float())"
        )


def _axis(dim: int, ndim: int) -> int:
    """A dimension index, negative ones counted from the end, checked against ``ndim``."""
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, builtins.bool):
        raise TypeError(f"a dimension must be an int, got {type(dim).__name__}")
    lo, hi = -builtins.max(ndim, 1), builtins.max(ndim, 1) - 1
    if not lo <= dim <= hi:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got {dim})"
        )
    return int(dim) % builtins.max(ndim, 1)


def _axes(dim: int | Sequence[int] | None, ndim: int) -> tuple[int, ...] | None:
    """``dim`` as a sorted tuple of non-negative axes (None means all axes)."""
    if dim is None:
        return None
    if type(dim) is int and 0 <= dim < ndim:  # the common case, already in range
        return (dim,)
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    axes = tuple(sorted({_axis(d, ndim) for d in dims}))
    if len(axes) != len(dims):
        raise ValueError(f"dim {tuple(dims)} names the same dimension twice")
    return axes if ndim > 0 else None


def _count(shape: tuple[int, ...], axes: tuple[int, ...] | None) -> int:
    """How many elements a reduction over ``axes`` combines into each output."""
    if axes is None:
        return int(np.prod(shape))
    return int(np.prod([shape[a] for a in axes]))


def _shape_arg(args: tuple) -> tuple[int, ...]:
    """Accept both ``f(2, 3)`` and ``f((2, 3))``."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return tuple(args)


def _arg_extreme(fn: Callable, t: Tensor, dim: int | None, keepdim: bool) -> Tensor:
    if t._data.size == 0 and dim is not None and t.shape[_axis(dim, t.ndim)] != 0:
        shape = list(t.shape)  # an empty result: no empty dimension is reduced
        shape[_axis(dim, t.ndim)] = 1
        out = np.zeros(shape, dtype=dtypes.int64)
        return Tensor._make(out if keepdim else out.squeeze(_axis(dim, t.ndim)), False, None)
    if t._data.size == 0:
        raise RuntimeError(f"{fn.__name__}(): cannot take the index of an empty tensor")
    if dim is None:
        out = np.asarray(fn(t._data))
        if keepdim:
            out = out.reshape((1,) * t.ndim)
    else:
        out = fn(t._data, axis=_axis(dim, t.ndim), keepdims=keepdim)
    return Tensor._make(np.asarray(out, dtype=dtypes.int64), False, None)


def _values_at(t: Tensor, indices: Tensor, dim: int, keepdim: bool) -> MinMax:
    """``max(dim)`` / ``min(dim)``: the values at ``indices`` along ``dim``, picked by
    indexing, so the gradient goes to that one element (PyTorch's rule; amax shares it
    among ties)."""
    if t.ndim == 0:
        return MinMax(t[...], indices)
    d = _axis(dim, t.ndim)
    at = indices._data if keepdim else np.expand_dims(indices._data, d)
    grid = np.indices(at.shape, sparse=True)
    values = t[tuple(at if k == d else grid[k] for k in range(t.ndim))]
    return MinMax(values if keepdim else values.squeeze(d), indices)


def _normalize_index(index: Any) -> Any:
    """Tensors and lists inside an index become NumPy arrays."""
    parts = index if isinstance(index, tuple) else (index,)
    out = []
    for p in parts:
        if isinstance(p, Tensor):
            p = p._data
        elif isinstance(p, slice) and p.step is not None and p.step <= 0:
            raise ValueError(f"step must be greater than zero (index {index!r})")
        elif isinstance(p, list):
            p = np.asarray(p)
        if isinstance(p, np.ndarray) and p.dtype.kind not in "iub":
            raise IndexError(
                f"tensors used as indices must be long, int or bool tensors, got {p.dtype}"
            )
        if isinstance(p, np.ndarray) and p.dtype.kind == "u":
            p = p.astype(np.int64)
        out.append(p)
    return tuple(out) if isinstance(index, tuple) else out[0]


def _grad_hooks(t: Tensor) -> GradHooks:
    """The hooks of ``t``, created on first use: on its node, or on the tensor if a leaf."""
    owner = t.grad_fn if t.grad_fn is not None else t
    if owner._hooks is None:
        owner._hooks = GradHooks()
    return owner._hooks


# The ops import Tensor from this module, so they are imported at the bottom.
from tinygrad_edu import _device, _printing  # noqa: E402
from tinygrad_edu import random as _random  # noqa: E402
from tinygrad_edu.autograd import engine, views  # noqa: E402
from tinygrad_edu.autograd.forward_ad import ForwardAD  # noqa: E402
from tinygrad_edu.autograd.hooks import GradHooks, RemovableHandle  # noqa: E402
from tinygrad_edu.ops import elementwise as E  # noqa: E402
from tinygrad_edu.ops import matmul as MM  # noqa: E402
from tinygrad_edu.ops import movement as M  # noqa: E402
from tinygrad_edu.ops import nn as NN  # noqa: E402
from tinygrad_edu.ops import reduce as R  # noqa: E402

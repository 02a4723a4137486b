"""How tensors, shapes and dtypes print: as PyTorch prints them.

``Size`` is the tuple ``x.shape`` returns; it prints ``torch.Size([3, 4])`` and still equals
the plain tuple ``(3, 4)`` (inside an f-string it reads ``(3, 4)``: see ``Size.__format__``).
``tensor_repr`` follows PyTorch's ``_tensor_str``: 4 decimals for floats (``1.5000``),
``1.`` when every value is whole, scientific notation when values span more than 1000x (or
exceed 1e8, or go below 1e-4), columns padded to one width, lines wrapped at 80 characters,
and tensors of more than 1000 elements summarised with ``...``. Names print with PyTorch's
``torch.`` prefix (``dtype=torch.float64``), so a ported script prints what the PyTorch
original prints. (NumPy dtype objects themselves still print as ``float32``: NumPy does not
let them be subclassed.)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

PRECISION = 4
THRESHOLD = 1000
EDGEITEMS = 3
LINEWIDTH = 80
SCI_MODE: bool | None = None  # None: decide per tensor (set_printoptions(sci_mode=...))


class Size(tuple):
    """A tensor's shape: a tuple of ints that prints as ``torch.Size([3, 4])``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        """In f-strings a Size reads as the plain tuple ``(3, 4)``: the library's error
        messages name shapes that way (PyTorch would print ``torch.Size([3, 4])`` here)."""
        return format(tuple.__repr__(self), spec)

    def __getitem__(self, index: Any) -> Any:
        out = tuple.__getitem__(self, index)
        return Size(out) if isinstance(index, slice) else out

    def __add__(self, other: tuple) -> Size:
        return Size(tuple.__add__(self, tuple(other)))

    def __radd__(self, other: tuple) -> Size:
        return Size(tuple(other) + tuple(self))

    def numel(self) -> int:
        """The number of elements a tensor of this shape has."""
        return math.prod(self)


def dtype_name(dtype: np.dtype) -> str:
    """PyTorch's spelling of a dtype: ``torch.float64``, ``torch.bool``."""
    return f"torch.{np.dtype(dtype).name}"


class _Formatter:
    """Decides one format for all elements (as PyTorch's ``_Formatter``)."""

    def __init__(self, values: np.ndarray) -> None:
        self.floating = values.dtype.kind == "f"
        self.int_mode, self.sci_mode, self.width = True, False, 1
        flat = values.reshape(-1)
        if not self.floating:
            self.width = max([1, *(len(str(v)) for v in flat.tolist())])
            return
        finite = flat[np.isfinite(flat) & (flat != 0)].astype(np.float64)
        if finite.size == 0:
            return
        big, small = np.abs(finite).max(), np.abs(finite).min()
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        spread = big / small > 1000.0 or big > 1.0e8
        if self.int_mode and not spread:
            self.width = max(len(f"{v:.0f}") + 1 for v in finite.tolist())
        elif spread or small < 1.0e-4:
            self.sci_mode = True
            self.width = max(len(f"{v:.{PRECISION}e}") for v in finite.tolist())
        else:
            self.width = max(len(f"{v:.{PRECISION}f}") for v in finite.tolist())

        if SCI_MODE is not None and self.floating:
            self.sci_mode = SCI_MODE
            if SCI_MODE:
                self.width = max([len(f"{v:.{PRECISION}e}") for v in finite.tolist()] or [1])

    def format(self, value: Any) -> str:
        if not self.floating:
            text = str(value)
        elif self.sci_mode:
            text = f"{value:{self.width}.{PRECISION}e}"
        elif self.int_mode:
            text = f"{value:.0f}" + ("" if math.isinf(value) or math.isnan(value) else ".")
        else:
            text = f"{value:.{PRECISION}f}"
        return " " * (self.width - len(text)) + text


def _summarized(a: np.ndarray) -> np.ndarray:
    """The elements a summarised print shows (the first and last EDGEITEMS per dim)."""
    if a.ndim == 0:
        return a
    if a.shape[0] > 2 * EDGEITEMS:
        a = np.concatenate([a[:EDGEITEMS], a[-EDGEITEMS:]])
    return np.stack([_summarized(x) for x in a]) if a.ndim > 1 else a


def _body(a: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    if a.ndim == 0:
        return fmt.format(a.item())
    long = summarize and a.shape[0] > 2 * EDGEITEMS
    if a.ndim == 1:
        values = a.tolist()
        data = [fmt.format(v) for v in (values[:EDGEITEMS] if long else values)]
        if long:
            data += [" ..."] + [fmt.format(v) for v in values[-EDGEITEMS:]]
        per_line = max(1, (LINEWIDTH - indent) // (fmt.width + 2))
        lines = [", ".join(data[i : i + per_line]) for i in range(0, len(data), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    rows = range(a.shape[0])
    if long:
        rows = [*range(EDGEITEMS), None, *range(a.shape[0] - EDGEITEMS, a.shape[0])]
    parts = ["..." if i is None else _body(a[i], indent + 1, summarize, fmt) for i in rows]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def tensor_repr(data: np.ndarray, suffixes: list[str], default_float: np.dtype) -> str:
    """``tensor(...)`` as PyTorch prints it; ``suffixes`` (grad_fn=..., requires_grad=True)
    come after the dtype."""
    prefix = "tensor("
    indent = len(prefix)
    extras = []
    if data.size == 0:
        body = "[]"
        if data.ndim != 1:
            extras.append(f"size={tuple(data.shape)}")
    else:
        summarize = data.size > THRESHOLD
        shown = data.astype(np.float32) if data.dtype == np.float16 else data
        fmt = _Formatter(_summarized(shown) if summarize else shown)
        body = _body(shown, indent, summarize, fmt)
    if data.dtype not in (default_float, np.dtype(np.int64), np.dtype(np.bool_)):
        extras.append(f"dtype={dtype_name(data.dtype)}")
    text = prefix + body
    last = len(text) - text.rfind("\n") + 1
    for suffix in [*extras, *suffixes]:
        if last + len(suffix) + 2 > LINEWIDTH:
            text += ",\n" + " " * indent + suffix
            last = indent + len(suffix)
        else:
            text += ", " + suffix
            last += len(suffix) + 2
    return text + ")"

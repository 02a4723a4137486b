"""``save`` / ``load``: checkpoints as one NumPy ``.npz`` file, never a pickle.

What is stored: nested dicts (string or int keys), lists and tuples of tensors, NumPy
arrays, numbers, strings, booleans and None: a model's ``state_dict()``, an optimizer's
``state_dict()``, or a dict holding both with the epoch number. Modules and arbitrary
objects are refused: save ``model.state_dict()`` and rebuild the model in code. ``load``
gives back exactly what was saved: the same types (a Parameter stays a Parameter, a NumPy
scalar a NumPy scalar, a tuple a tuple), dtypes, shapes (0-d included) and requires_grad.

The file is an ordinary ``.npz`` archive. Each tensor or array is one entry
(``arr_0``, ``arr_1``, ...); the entry ``__index__`` holds a small JSON document that
describes the nested structure and points at the arrays, so loading needs no pickle
(``np.load(..., allow_pickle=False)``): a checkpoint from someone else cannot run code.

``save`` writes to a temporary file in the target's directory and then renames it over
the target (``os.replace``, atomic): a crash mid-write leaves the old checkpoint intact.
As with a plain write, a symlink is written through (the file it points to is replaced,
the link stays) and the file keeps its permissions (a new one gets 0o666 less the umask).

Reading one in PyTorch (the keys are PyTorch's own, so a state dict loads directly)::

    import json, numpy as np, torch
    with np.load("model.pt", allow_pickle=False) as f:
        index = json.loads(str(f["__index__"]))
        arrays = {name: f[name] for name in f.files if name != "__index__"}
    # For a saved model.state_dict(): a flat dict of tensors, so
    state = {item["key"]: torch.from_numpy(arrays[item["value"]["array"]])
             for item in index["root"]["items"]}
    torch_model.load_state_dict(state)

or, with tinygrad_edu installed alongside, simply
``torch_model.load_state_dict({k: torch.from_numpy(v.numpy()) for k, v in
tinygrad_edu.load("model.pt").items()})``. The other way, a PyTorch state dict is
saved for us with ``tinygrad_edu.save({k: v.numpy() for k, v in sd.items()}, path)``.
"""

from __future__ import annotations

import errno
import json
import math
import os
import stat
import tempfile
import zipfile
from collections import OrderedDict
from typing import Any

import numpy as np

from tinygrad_edu._device import check_device
from tinygrad_edu.tensor import Tensor

__all__ = ["load", "save"]

FORMAT = "tinygrad_edu.checkpoint"
VERSION = 1
INDEX = "__index__"


def save(obj: Any, f: str | os.PathLike[str]) -> None:
    """Write ``obj`` (e.g. ``model.state_dict()``) to the file ``f``, atomically.

    The name is used as given (``"model.pt"`` stays ``model.pt``; no ``.npz`` is added).
    """
    path = os.fspath(f)
    arrays: dict[str, np.ndarray] = {}
    root = _encode(obj, arrays, "obj")
    index = json.dumps({"format": FORMAT, "version": VERSION, "root": root}, allow_nan=False)
    # A symlink is written through (its target is replaced), as a plain open() would.
    target = os.path.realpath(path)
    directory = os.path.dirname(target)
    if not os.path.isdir(directory):
        raise RuntimeError(f"save: Parent directory {directory} does not exist (saving {path}).")
    if os.path.isdir(target):
        raise IsADirectoryError(errno.EISDIR, f"save: {path} is a directory; name a file in it")
    try:
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".npz", dir=directory)
    except OSError as e:  # name the file asked for, not the temporary one
        raise type(e)(e.errno, f"save: cannot write {path}: {e.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as out:
            np.savez(out, **arrays, **{INDEX: np.array(index)})
            out.flush()
            os.fchmod(out.fileno(), _mode_for(target))
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _mode_for(path: str) -> int:
    """The permissions a plain ``open(path, "wb")`` would leave: the existing file's, or
    0o666 less the umask for a new one (mkstemp's own 0o600 would hide it from others)."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return 0o666 & ~_umask()


def _umask() -> int:
    """The process's umask: read from /proc where Linux offers it, since setting and
    restoring it (the only portable way to read it) races with other threads."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    umask = os.umask(0)
    os.umask(umask)
    return umask


def load(f: str | os.PathLike[str], map_location: Any = None, weights_only: bool = True) -> Any:
    """Read back what ``save`` wrote. Tensors come back as Tensors, with their dtype.

    ``map_location`` may be None or ``'cpu'``; ``weights_only`` is accepted for PyTorch's
    sake: loading never runs code whatever it says. A file that is truncated, or is not
    one of our checkpoints, raises a RuntimeError naming the path.
    """
    check_device(map_location)  # None, 'cpu' or device('cpu'): the only place tensors go
    path = os.fspath(f)
    try:
        with np.load(path, allow_pickle=False) as archive:
            if not isinstance(archive, np.lib.npyio.NpzFile) or INDEX not in archive.files:
                raise ValueError("it has no tinygrad_edu index")
            index = json.loads(str(archive[INDEX]))
            if not isinstance(index, dict) or index.get("format") != FORMAT:
                raise ValueError("its index is not a tinygrad_edu checkpoint index")
            if index.get("version") != VERSION:
                raise ValueError(f"it is format version {index.get('version')}, not {VERSION}")
            arrays = {name: archive[name] for name in archive.files if name != INDEX}
            return _decode(index["root"], arrays)
    except FileNotFoundError:
        raise
    except (
        OSError,
        ValueError,
        EOFError,
        KeyError,
        TypeError,
        AttributeError,
        RecursionError,  # an index nested deeper than Python recurses
        zipfile.BadZipFile,
    ) as e:
        raise RuntimeError(
            f"load: {path} is not a readable tinygrad_edu checkpoint (truncated, damaged, or "
            f"another format): {e}"
        ) from e


# ============================================================================ encoding
def _encode(obj: Any, arrays: dict[str, np.ndarray], where: str) -> Any:
    """``obj`` as a JSON value; tensors and arrays are moved into ``arrays``.

    NumPy scalars are checked before Python numbers (``np.float64`` is a ``float``), and each
    kind keeps its own entry type, so ``load`` gives back what was saved: a 0-d tensor as a
    0-d tensor, ``np.float32(1.5)`` as ``np.float32(1.5)``, a Parameter as a Parameter.
    """
    if isinstance(obj, (Tensor, np.ndarray, np.generic)):
        data = obj._data if isinstance(obj, Tensor) else np.asarray(obj)
        if data.dtype.kind not in "biuf":
            raise TypeError(f"save: cannot store an array of dtype {data.dtype} at {where}")
        name = f"arr_{len(arrays)}"
        arrays[name] = np.array(data, order="C")  # (ascontiguousarray would make 0-d 1-d)
        if isinstance(obj, Tensor):
            kind = "parameter" if isinstance(obj, _parameter_class()) else "tensor"
            return {"type": kind, "array": name, "requires_grad": obj.requires_grad}
        return {"type": "ndarray" if isinstance(obj, np.ndarray) else "numpy_scalar", "array": name}
    if obj is None or isinstance(obj, (bool, str)):
        return {"type": "value", "value": obj}
    if isinstance(obj, int):
        return {"type": "value", "value": int(obj)}
    if isinstance(obj, float):
        if math.isfinite(obj):
            return {"type": "value", "value": obj}
        return {"type": "float", "value": repr(obj)}  # 'inf', '-inf', 'nan'
    if isinstance(obj, dict):
        items = []
        for key, value in obj.items():
            if not isinstance(key, (str, int)):
                raise TypeError(
                    f"save: dict keys must be str or int; got {type(key).__name__} in {where}"
                )
            items.append({"key": key, "value": _encode(value, arrays, f"{where}[{key!r}]")})
        return {"type": "odict" if isinstance(obj, OrderedDict) else "dict", "items": items}
    if isinstance(obj, (list, tuple)):
        return {
            "type": "tuple" if isinstance(obj, tuple) else "list",
            "items": [_encode(v, arrays, f"{where}[{i}]") for i, v in enumerate(obj)],
        }
    hint = " (save model.state_dict() instead of the model)" if hasattr(obj, "state_dict") else ""
    raise TypeError(f"save: cannot store an object of type {type(obj).__name__} at {where}{hint}")


def _parameter_class() -> type:
    """``nn.Parameter``, imported late (the nn package imports this module's package)."""
    from tinygrad_edu.nn import Parameter

    return Parameter


def _decode(node: dict[str, Any], arrays: dict[str, np.ndarray]) -> Any:
    if not isinstance(node, dict):
        raise ValueError(f"its index holds a {type(node).__name__} where an entry belongs")
    kind = node.get("type")
    if kind == "value":
        return node["value"]
    if kind == "float":
        return float(node["value"])
    if kind in ("tensor", "parameter"):
        array = arrays[node["array"]]
        requires_grad = node["requires_grad"]
        if not isinstance(requires_grad, bool):
            raise ValueError(f"requires_grad is {requires_grad!r}, not true or false")
        if requires_grad and array.dtype.kind != "f":
            raise ValueError(f"an entry of dtype {array.dtype} is marked requires_grad")
        if kind == "parameter":
            return _parameter_class()(array, requires_grad=requires_grad)
        return Tensor(array, requires_grad=requires_grad)
    if kind == "ndarray":
        return arrays[node["array"]]
    if kind == "numpy_scalar":
        return arrays[node["array"]][()]
    if kind in ("dict", "odict"):
        pairs = [(item["key"], _decode(item["value"], arrays)) for item in node["items"]]
        return OrderedDict(pairs) if kind == "odict" else dict(pairs)
    if kind in ("list", "tuple"):
        values = [_decode(v, arrays) for v in node["items"]]
        return tuple(values) if kind == "tuple" else values
    raise ValueError(f"unknown entry type {kind!r} in its index")

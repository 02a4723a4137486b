"""The device API of a CPU-only framework: ``device``, ``cuda``, ``accelerator``, ``backends``.

tinygrad_edu keeps every tensor in a NumPy array in main memory, so there is one device,
``cpu``. The names exist so that PyTorch scripts run unchanged::

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")   # -> cpu
    x = torch.zeros(3, device=device)
    model.to(device)

``torch.device("cuda")`` can be made (as in PyTorch, a device object is only a name), but
putting a tensor there, ``x.cuda()``, ``x.to("mps")`` or ``set_default_device("cuda")``
raise an ``AssertionError`` (PyTorch's type on a build without CUDA) saying no accelerator
is available.
"""

from __future__ import annotations

import types
from typing import Any

# PyTorch's device type names. "cpu" works; every other known name is refused with a
# clear message when used; an unknown name is an error at once (as in PyTorch).
_KNOWN_TYPES = (
    "cpu",
    "cuda",
    "ipu",
    "xpu",
    "mkldnn",
    "opengl",
    "opencl",
    "ideep",
    "hip",
    "ve",
    "fpga",
    "maia",
    "xla",
    "lazy",
    "vulkan",
    "mps",
    "meta",
    "hpu",
    "mtia",
    "privateuseone",
)


class device:
    """Where a tensor lives: ``device("cpu")``, ``device("cpu:0")``, ``device("cpu", 0)``.

    >>> device("cpu:0")
    device(type='cpu', index=0)
    >>> str(device("cpu"))
    'cpu'
    """

    __slots__ = ("index", "type")

    def __init__(self, type: str | device, index: int | None = None) -> None:
        if isinstance(type, device):
            if index is not None:
                raise TypeError("device(): an index can only be given with a type string")
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, int) and not isinstance(type, bool):  # device(0): an accelerator
            raise _no_accelerator(f"cuda:{type}")
        if not isinstance(type, str):
            raise TypeError(f"device() expected a string like 'cpu', got {type!r}")
        name, _, idx = type.partition(":")
        if name not in _KNOWN_TYPES:
            raise RuntimeError(
                f"Expected one of {', '.join(_KNOWN_TYPES)} device type at start of device "
                f"string: {type}"
            )
        if idx:
            if index is not None:
                raise RuntimeError(
                    f"type (string) must not include an index because index was "
                    f"passed explicitly: {type}"
                )
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}'")
            index = int(idx)
        if index is not None and (not isinstance(index, int) or index < 0):
            raise RuntimeError(f"Device index must not be negative, got {index!r}")
        self.type, self.index = name, index

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, device):
            return False  # as PyTorch: device("cpu") == "cpu" is False
        return (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __reduce__(self) -> tuple:
        return (device, (self.type, self.index))


CPU = device("cpu")
_default_device = CPU


def _no_accelerator(where: str) -> AssertionError:
    return AssertionError(
        f"no accelerator is available: tinygrad_edu runs on the CPU only (NumPy), so device "
        f"{where!r} cannot hold tensors. Use device='cpu' (or write "
        f"torch.device('cuda' if torch.cuda.is_available() else 'cpu'), which picks 'cpu')"
    )


def check_device(where: Any) -> device:
    """``where`` (a string, a ``device`` or None) as a device tensors can live on: cpu.

    None means the default device. Anything that is not the CPU raises, naming it.
    """
    if where is None:
        return _default_device
    d = where if isinstance(where, device) else device(where)
    if d.type != "cpu":
        raise _no_accelerator(str(d))
    if d.index not in (None, 0):
        raise RuntimeError(f"there is only one CPU device (cpu or cpu:0), got {str(d)!r}")
    return d


def is_device_like(value: Any) -> bool:
    """True for what ``Tensor.to`` reads as a device: a device, a str, or an int (cuda:N)."""
    return isinstance(value, (device, str)) or (
        isinstance(value, int) and not isinstance(value, bool)
    )


def set_default_device(where: str | device | None) -> None:
    """Make ``where`` the device factories use by default (only the CPU can be)."""
    global _default_device
    _default_device = check_device("cpu" if where is None else where)


def get_default_device() -> device:
    """The device new tensors get by default: always ``device(type='cpu')``."""
    return device("cpu") if _default_device.index is None else _default_device


def _false() -> bool:
    return False


def _zero() -> int:
    return 0


def _refuse(name: str) -> Any:
    def refused(*args: Any, **kwargs: Any) -> Any:
        raise _no_accelerator(f"cuda (torch.cuda.{name})")

    refused.__name__ = name
    return refused


def _noop(*args: Any, **kwargs: Any) -> None:
    """Does nothing: there is no accelerator to seed, synchronise or empty."""


# torch.cuda: what CPU scripts ask it. Queries answer "nothing there"; seeding and
# synchronising do nothing (as in PyTorch without a GPU); anything that needs a GPU raises.
cuda = types.ModuleType("tinygrad_edu.cuda", "CUDA is never available: tinygrad_edu is CPU-only.")
cuda.is_available = _false
cuda.is_initialized = _false
cuda.device_count = _zero
cuda.manual_seed = _noop
cuda.manual_seed_all = _noop
cuda.synchronize = _noop
cuda.empty_cache = _noop
for _name in (
    "current_device",
    "get_device_name",
    "get_device_properties",
    "get_device_capability",
    "set_device",
    "memory_allocated",
    "max_memory_allocated",
    "memory_reserved",
    "Stream",
    "Event",
    "stream",
    "device",
):
    setattr(cuda, _name, _refuse(_name))

# torch.accelerator: the device-generic API (PyTorch 2.6+).
accelerator = types.ModuleType("tinygrad_edu.accelerator", "No accelerator: CPU only.")
accelerator.is_available = _false
accelerator.device_count = _zero
accelerator.current_accelerator = lambda check_available=False: None
accelerator.synchronize = _noop

# torch.backends: mps and cudnn say they are not there.
_mps = types.ModuleType("tinygrad_edu.backends.mps")
_mps.is_available = _false
_mps.is_built = _false
_cudnn = types.ModuleType("tinygrad_edu.backends.cudnn")
_cudnn.is_available = _false
_cudnn.enabled = False
_cudnn.deterministic = False
_cudnn.benchmark = False
backends = types.ModuleType("tinygrad_edu.backends")
backends.mps = _mps
backends.cudnn = _cudnn

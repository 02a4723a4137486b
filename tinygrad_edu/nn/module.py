"""``Module``: the base class of every layer and model, and its containers.

A module owns ``Parameter``s (tensors the optimizer trains), buffers (tensors that are
part of the state but not trained) and sub-modules. Assigning one of them to an attribute
registers it, so ``self.hidden = Linear(4, 2)`` in ``__init__`` is all it takes for
``model.parameters()`` and ``model.state_dict()`` to find the layer's weight and bias:

    >>> class Net(Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.hidden = Linear(4, 2)
    ...     def forward(self, x):
    ...         return self.hidden(x)
    >>> list(Net().state_dict())
    ['hidden.weight', 'hidden.bias']

Names join with dots, exactly as in PyTorch, so a state dict moves between the two
frameworks key for key.
"""

from __future__ import annotations

import functools
from collections import OrderedDict, namedtuple
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

import numpy as np

from tinygrad_edu import _device
from tinygrad_edu.autograd.grad_mode import is_grad_enabled, no_grad
from tinygrad_edu.autograd.hooks import HookDict, RemovableHandle
from tinygrad_edu.tensor import Tensor

M = TypeVar("M", bound="Module")


class Parameter(Tensor):
    """A Tensor that a Module registers as trainable (``requires_grad=True`` by default).

    ``Parameter(t)`` shares ``t``'s data, as in PyTorch.
    """

    __slots__ = ()

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if data is None:
            data = np.empty((0,), dtype=np.float32)
        super().__init__(data, requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict(strict=False)`` returns: the keys it skipped."""

    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()


def _addindent(text: str, spaces: int) -> str:
    """Indent every line but the first (how a child's repr nests inside its parent's)."""
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    return lines[0] + "\n" + "\n".join(" " * spaces + line for line in lines[1:])


class Module:
    """Base class of all layers and models: subclass it and define ``forward``.

    Call the module (``model(x)``), not ``forward``: ``__call__`` runs ``forward``.
    ``training`` is True after construction; ``eval()`` switches it off for the whole tree
    (Dropout then passes its input through unchanged).
    """

    training: bool

    def __init__(self) -> None:
        # object.__setattr__: our own __setattr__ needs these dicts to exist already.
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent_buffers", set())
        object.__setattr__(self, "_modules", OrderedDict())

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function'
        )

    # Hooks, by handle id; class-level None until the first register_*_hook call.
    _forward_hooks: HookDict | None = None
    _backward_hooks: HookDict | None = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._forward_hooks is None and self._backward_hooks is None:
            return self.forward(*args, **kwargs)
        return self._call_with_hooks(args, kwargs)

    # ------------------------------------------------------------------ hooks
    def register_forward_hook(
        self, hook: Callable[[Module, tuple[Any, ...], Any], Any]
    ) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after every ``forward``.

        ``args`` are the positional arguments the module was called with. If the hook
        returns something other than None, that becomes the module's output. Returns a
        handle; ``handle.remove()`` unregisters the hook.
        """
        if self._forward_hooks is None:
            object.__setattr__(self, "_forward_hooks", HookDict())
        return self._forward_hooks.add(hook)

    def register_full_backward_hook(
        self,
        hook: Callable[[Module, tuple[Tensor | None, ...], tuple[Tensor | None, ...]], Any],
    ) -> RemovableHandle:
        """Call ``hook(module, grad_input, grad_output)`` during backward.

        ``grad_output`` holds dL/d(output) and ``grad_input`` dL/d(each positional Tensor
        argument), None for one that needs no gradient. The hook runs once the gradients
        of all inputs are known (at once, with all None, if no input requires grad). For a
        module with one tensor input (every layer in ``nn``) the hook may return a new
        ``grad_input`` tuple, which replaces the gradient that flows on. Basic form: the
        module's output must be one Tensor.
        """
        if self._backward_hooks is None:
            object.__setattr__(self, "_backward_hooks", HookDict())
        return self._backward_hooks.add(hook)

    def _call_with_hooks(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        backward_hooks = list(self._backward_hooks.values()) if self._backward_hooks else []
        call = None
        if backward_hooks:
            call = _BackwardHookCall(self, backward_hooks, args)
            args = call.inputs
        output = self.forward(*args, **kwargs)
        for hook in list(self._forward_hooks.values()) if self._forward_hooks else []:
            result = hook(self, args, output)
            if result is not None:
                output = result
        if call is not None:
            output = call.watch_output(output)
        return output

    # ------------------------------------------------------------------ registration
    def __setattr__(self, name: str, value: Any) -> None:
        params = self.__dict__.get("_parameters")
        if params is None and isinstance(value, (Parameter, Module)):
            raise AttributeError(
                f"cannot assign {type(value).__name__} '{name}' before Module.__init__() call "
                "(call super().__init__() first)"
            )
        if isinstance(value, Parameter):
            self._forget(name)
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                    "(Parameter or None expected)"
                )
            params[name] = None
        elif isinstance(value, Module):
            self._forget(name)
            self._modules[name] = value
        elif params is not None and name in self._modules:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as child module '{name}' "
                    "(Module or None expected)"
                )
            self._modules[name] = None
        elif params is not None and name in self._buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as buffer '{name}' "
                    "(Tensor or None expected)"
                )
            self._buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name: str) -> None:
        """Remove ``name`` from wherever it was registered before it is registered anew."""
        self.__dict__.pop(name, None)
        for table in (self._parameters, self._buffers, self._modules):
            table.pop(name, None)
        self._non_persistent_buffers.discard(name)

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails: look in the registries.
        for table in ("_parameters", "_buffers", "_modules"):
            entries = self.__dict__.get(table)
            if entries is not None and name in entries:
                return entries[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for table in (self._parameters, self._buffers, self._modules):
            if name in table:
                del table[name]
                self._non_persistent_buffers.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self) -> list[str]:
        keys = [*super().__dir__(), *self._parameters, *self._buffers, *self._modules]
        return sorted(set(keys))

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register ``param`` under ``name`` (None reserves the name, e.g. ``bias=False``)."""
        _check_name(self, name, "parameter")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                "(Parameter or None required)"
            )
        self._forget(name)
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Register a tensor that is state but not trained (a running mean, a mask...).

        Persistent buffers are saved in ``state_dict()``; the optimizer never sees buffers.
        """
        _check_name(self, name, "buffer")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' "
                "(Tensor or None required)"
            )
        self._forget(name)
        self._buffers[name] = tensor
        if not persistent:
            self._non_persistent_buffers.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Register ``module`` as a child named ``name`` (what attribute assignment does)."""
        _check_name(self, name, "module")
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._forget(name)
        self._modules[name] = module

    register_module = add_module

    def get_submodule(self, target: str) -> Module:
        """The sub-module at a dotted path such as ``'encoder.0'`` ('' is self)."""
        module = self
        for part in target.split(".") if target else []:
            child = module._modules.get(part)
            if child is None:
                raise AttributeError(f"{module._get_name()} has no submodule `{part}`")
            module = child
        return module

    # ------------------------------------------------------------------ traversal
    def named_modules(
        self, memo: set[int] | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """(dotted name, module) for this module and every module below it, depth first."""
        memo = set() if memo is None else memo
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            child_prefix = prefix + ("." if prefix else "") + name
            yield from module.named_modules(memo, child_prefix, remove_duplicate)

    def modules(self) -> Iterator[Module]:
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """(name, module) for the direct sub-modules only."""
        seen: set[int] = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self) -> Iterator[Module]:
        for _, module in self.named_children():
            yield module

    def _named_members(
        self, table: str, prefix: str, recurse: bool, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        seen: set[int] = set()
        owners = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
        for owner_prefix, owner in owners:
            for name, value in getattr(owner, table).items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield owner_prefix + ("." if owner_prefix else "") + name, value

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """(dotted name, parameter) pairs, each shared parameter once."""
        yield from self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every parameter of this module and its sub-modules: what an optimizer trains."""
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        yield from self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    def apply(self: M, fn: Callable[[Module], None]) -> M:
        """Call ``fn`` on every sub-module (children first) and then on self.

        The usual use is custom initialisation: ``model.apply(init_weights)``.
        """
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------------ modes
    def train(self: M, mode: bool = True) -> M:
        """Set training mode (``mode=True``) or evaluation mode for this module and below."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self: M) -> M:
        """Evaluation mode: the same as ``train(False)``."""
        return self.train(False)

    def requires_grad_(self: M, requires_grad: bool = True) -> M:
        """Freeze (False) or unfreeze (True) every parameter."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear the gradients of all parameters (to None, or to zeros)."""
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                p.grad = Tensor(np.zeros_like(p.grad._data))

    # ------------------------------------------------------------------ dtype
    def to(self: M, *args: Any, **kwargs: Any) -> M:
        """``to(dtype)`` casts floating parameters and buffers in place; ``to('cpu')`` is a
        no-op. Parameters stay the same objects, so an optimizer built before still works."""
        dtype = kwargs.get("dtype")
        for a in (*args, kwargs.get("device")):
            if _device.is_device_like(a):
                _device.check_device(a)  # raises for any device but the CPU
            elif a is not None:
                dtype = np.dtype(a)
        if dtype is None:
            return self
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"nn.Module.to only accepts floating point dtypes, but got {dtype}")
        for t in [*self.parameters(), *self.buffers()]:
            if t.dtype.kind == "f" and t.dtype != dtype:
                t._data = t._data.astype(dtype)
                if t.grad is not None:
                    t.grad = Tensor(t.grad._data.astype(dtype))
        return self

    def float(self: M) -> M:
        return self.to(np.float32)

    def double(self: M) -> M:
        return self.to(np.float64)

    def cpu(self: M) -> M:
        return self

    def cuda(self: M, device: Any = None) -> M:
        """Refused: there is no accelerator (tinygrad_edu is CPU-only)."""
        _device.check_device("cuda" if device is None else device)
        return self

    # ------------------------------------------------------------------ state dict
    def state_dict(
        self, destination: dict[str, Any] | None = None, prefix: str = "", keep_vars: bool = False
    ) -> OrderedDict[str, Tensor]:
        """Every parameter and persistent buffer by dotted name, in registration order.

        The values share memory with the module (``keep_vars=False`` detaches them from the
        graph, as in PyTorch); copy them if you want a snapshot.
        """
        out = OrderedDict() if destination is None else destination
        for name, module in self.named_modules(prefix=prefix.rstrip(".")):
            dot = name + "." if name else ""
            for key, p in module._parameters.items():
                if p is not None:
                    out[dot + key] = p if keep_vars else p.detach()
            for key, b in module._buffers.items():
                if b is not None and key not in module._non_persistent_buffers:
                    out[dot + key] = b if keep_vars else b.detach()
        return out

    def load_state_dict(
        self, state_dict: Mapping[str, Any], strict: bool = True
    ) -> _IncompatibleKeys:
        """Copy values from ``state_dict`` into this module's parameters and buffers.

        Everything is checked before anything is written: with ``strict=True`` a missing or
        unexpected key is an error, and a shape mismatch always is. All problems are listed
        in one RuntimeError, and on an error the module is left exactly as it was (PyTorch
        may have loaded part of the dict by then). Values may be Tensors or NumPy arrays.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"Expected state_dict to be dict-like, got {type(state_dict).__name__}."
            )
        own = self.state_dict(keep_vars=True)
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        errors: list[str] = []
        if strict:
            if missing:
                errors.append(
                    "Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + ". "
                )
            if unexpected:
                errors.append(
                    "Unexpected key(s) in state_dict: "
                    + ", ".join(f'"{k}"' for k in unexpected)
                    + ". "
                )
        writes: list[tuple[Tensor, np.ndarray]] = []
        for key, target in own.items():
            if key not in state_dict:
                continue
            value = state_dict[key]
            array = value._data if isinstance(value, Tensor) else value
            if not isinstance(array, (np.ndarray, np.generic)):
                errors.append(
                    f'While copying the parameter named "{key}", expected a Tensor or NumPy '
                    f"array from checkpoint but received {type(value).__name__}"
                )
            elif np.asarray(array).dtype.kind not in "biuf":
                errors.append(
                    f'While copying the parameter named "{key}", expected numbers from '
                    f"checkpoint but received an array of dtype {np.asarray(array).dtype}"
                )
            elif np.shape(array) != target.shape:
                errors.append(
                    f"size mismatch for {key}: copying a param with shape {np.shape(array)} "
                    f"from checkpoint, the shape in current model is {target.shape}."
                )
            else:  # cast now, so that no write below can fail
                writes.append((target, np.asarray(array).astype(target.dtype, copy=False)))
        if errors:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {self._get_name()}:\n\t" + "\n\t".join(errors)
            )
        with no_grad():
            for target, array in writes:
                target.copy_(array)
        return _IncompatibleKeys(missing, unexpected)

    # ------------------------------------------------------------------ printing
    def _get_name(self) -> str:
        return type(self).__name__

    def extra_repr(self) -> str:
        """The text inside this module's parentheses in ``repr`` (layers override it)."""
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [
            f"({name}): " + _addindent(repr(module), 2) for name, module in self._modules.items()
        ]
        lines = extra_lines + child_lines
        text = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                text += extra_lines[0]
            else:
                text += "\n  " + "\n  ".join(lines) + "\n"
        return text + ")"


class _BackwardHookCall:
    """One call of a module with backward hooks: hook points on its inputs and output.

    Each tensor input requiring grad is passed through an identity op, so that dL/d(input)
    (the total over every use inside ``forward``) arrives at a node of its own; a tensor
    hook there collects it. A hook on the output collects dL/d(output).
    """

    def __init__(self, module: Module, hooks: list[Callable[..., Any]], args: tuple) -> None:
        self.module, self.hooks = module, hooks
        self.grad_output: tuple[Tensor | None, ...] = (None,)
        self.grad_input: list[Tensor | None] = [None] * len(args)
        inputs = list(args)
        self.pending: set[int] = set()
        for i, a in enumerate(args):
            if isinstance(a, Tensor) and a.requires_grad and is_grad_enabled():
                inputs[i] = a.view(a.shape)  # a new node: the hook point for this input
                inputs[i].register_hook(functools.partial(self._input_grad, i))
                self.pending.add(i)
        self.tensor_positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        self.shapes = {i: args[i].shape for i in self.tensor_positions}
        self.inputs = tuple(inputs)

    def _check_replacement(self, hook: Callable[..., Any], grad: Any) -> None:
        """A replaced grad_input is a Tensor (or None) of its input's shape."""
        name = getattr(hook, "__qualname__", type(hook).__name__)
        where = f"register_full_backward_hook: the hook '{name}' of {type(self.module).__name__}"
        shape = self.shapes[self.tensor_positions[0]]
        if grad is not None and not isinstance(grad, Tensor):
            raise TypeError(
                f"{where} returned a {type(grad).__name__} in grad_input; expected a Tensor of "
                f"shape {shape} or None"
            )
        if grad is not None and grad.shape != shape:
            raise RuntimeError(
                f"{where} returned a gradient of shape {grad.shape} in grad_input for an input "
                f"of shape {shape}; a hook must keep the gradient's shape"
            )

    def watch_output(self, output: Any) -> Any:
        if not isinstance(output, Tensor):
            raise TypeError(
                f"register_full_backward_hook: {type(self.module).__name__} returned a "
                f"{type(output).__name__}; backward hooks need a module whose output is one Tensor"
            )
        if not output.requires_grad:
            return output
        output = output.view(output.shape)  # a node of its own, even if forward returned x
        output.register_hook(self._output_grad)
        return output

    def _output_grad(self, grad: Tensor) -> None:
        self.grad_output = (grad,)
        if not self.pending:  # no input needs a gradient: report now
            self._call_hooks()

    def _input_grad(self, i: int, grad: Tensor) -> Tensor | None:
        self.grad_input[i] = grad
        self.pending.discard(i)
        if self.pending:
            return None
        replaced = self._call_hooks()
        return replaced[i] if replaced is not None else None

    def _call_hooks(self) -> list[Tensor | None] | None:
        grad_input = tuple(self.grad_input[i] for i in self.tensor_positions)
        replaced = None
        for hook in self.hooks:
            result = hook(self.module, grad_input, self.grad_output)
            if result is None:
                continue
            result = tuple(result)
            if len(self.tensor_positions) != 1 or len(result) != 1:
                raise RuntimeError(
                    f"register_full_backward_hook: a hook of {type(self.module).__name__} "
                    f"returned {len(result)} gradients; replacing grad_input is supported for "
                    "modules with exactly one tensor input, as a 1-tuple"
                )
            self._check_replacement(hook, result[0])
            grad_input = result
            replaced = [None] * len(self.grad_input)
            replaced[self.tensor_positions[0]] = result[0]
        return replaced


def _check_name(module: Module, name: str, kind: str) -> None:
    if "_parameters" not in module.__dict__:
        raise AttributeError(f"cannot assign {kind} before Module.__init__() call")
    if not isinstance(name, str):
        raise TypeError(f"{kind} name should be a string. Got {type(name).__name__}")
    if "." in name or name == "":
        raise KeyError(f"{kind} name can't contain \".\" and can't be empty, got {name!r}")
    tables = {"parameter": module._parameters, "buffer": module._buffers, "module": module._modules}
    if hasattr(module, name) and name not in tables[kind]:
        what = next((f"a {k}" for k, table in tables.items() if name in table), "an attribute")
        fn = "add_module" if kind == "module" else f"register_{kind}"
        raise KeyError(
            f"{fn}: attribute '{name}' already exists ({what} of {type(module).__name__}); "
            "delete it first or choose another name"
        )


# ============================================================================ containers
class Identity(Module):
    """Returns its input unchanged (any constructor arguments are ignored, as in PyTorch)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input


class Sequential(Module):
    """Modules applied one after another: ``Sequential(Linear(4, 2), ReLU())``.

    Children are named ``'0'``, ``'1'``, ... (or by the keys of an OrderedDict), which gives
    state-dict keys such as ``'0.weight'``. Indexing returns a child; a slice, a new
    Sequential sharing the children.
    """

    def __init__(self, *args: Module | OrderedDict[str, Module]) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for name, module in args[0].items():
                self.add_module(name, module)
        else:
            for i, module in enumerate(args):
                self.add_module(str(i), module)

    def _index(self, idx: int) -> int:
        n = len(self)
        if not -n <= idx < n:
            raise IndexError(f"index {idx} is out of range")
        return idx % n

    def __getitem__(self, idx: int | slice) -> Any:
        if isinstance(idx, slice):
            return type(self)(OrderedDict(list(self._modules.items())[idx]))
        return list(self._modules.values())[self._index(idx)]

    def __setitem__(self, idx: int, module: Module) -> None:
        key = list(self._modules)[self._index(idx)]
        self.add_module(key, module)

    def __delitem__(self, idx: int | slice) -> None:
        keys = list(self._modules)
        for key in keys[idx] if isinstance(idx, slice) else [keys[self._index(idx)]]:
            del self._modules[key]
        # Keep the names 0, 1, 2, ... consecutive, as PyTorch does.
        items = list(self._modules.values())
        self._modules.clear()
        for i, module in enumerate(items):
            self._modules[str(i)] = module

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def append(self, module: Module) -> Sequential:
        self.add_module(str(len(self)), module)
        return self

    def forward(self, input: Any) -> Any:
        for module in self:
            input = module(input)
        return input


class ModuleList(Module):
    """A list of modules whose parameters the parent registers (a Python list hides them).

    Use it for a variable number of layers; it has no ``forward`` of its own.
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def _index(self, idx: int) -> str:
        n = len(self)
        if not -n <= idx < n:
            raise IndexError(f"index {idx} is out of range")
        return str(idx % n)

    def __getitem__(self, idx: int | slice) -> Any:
        if isinstance(idx, slice):
            return type(self)(list(self._modules.values())[idx])
        return self._modules[self._index(idx)]

    def __setitem__(self, idx: int, module: Module) -> None:
        self.add_module(self._index(idx), module)

    def __delitem__(self, idx: int | slice) -> None:
        items = list(self._modules.values())
        del items[idx]
        self._modules.clear()
        for i, module in enumerate(items):
            self._modules[str(i)] = module

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __iadd__(self, modules: Iterable[Module]) -> ModuleList:
        return self.extend(modules)

    def append(self, module: Module) -> ModuleList:
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> None:
        items = list(self._modules.values())
        items.insert(index, module)
        self._modules.clear()
        for i, m in enumerate(items):
            self.add_module(str(i), m)

    def __repr__(self) -> str:
        """Runs of identical children are shown once, as ``(0-2): 3 x Linear(...)``."""
        reprs = [repr(m) for m in self]
        if not reprs:
            return self._get_name() + "()"
        blocks: list[list[Any]] = []  # [start, end, text]
        for i, text in enumerate(reprs):
            if blocks and blocks[-1][2] == text:
                blocks[-1][1] = i
            else:
                blocks.append([i, i, text])
        lines = []
        for start, end, text in blocks:
            head = f"({start}): " if start == end else f"({start}-{end}): {end - start + 1} x "
            lines.append(_addindent(head + text, 2))
        return self._get_name() + "(\n  " + "\n  ".join(lines) + "\n)"


class ModuleDict(Module):
    """A dict of modules (string keys, insertion order), registered like attributes."""

    def __init__(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None = None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)

    def __delitem__(self, key: str) -> None:
        del self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: str) -> bool:
        return key in self._modules

    def keys(self) -> Iterable[str]:
        return self._modules.keys()

    def items(self) -> Iterable[tuple[str, Module]]:
        return self._modules.items()

    def values(self) -> Iterable[Module]:
        return self._modules.values()

    def pop(self, key: str) -> Module:
        module = self[key]
        del self[key]
        return module

    def clear(self) -> None:
        self._modules.clear()

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        pairs = modules.items() if isinstance(modules, Mapping) else modules
        for key, module in pairs:
            self[key] = module

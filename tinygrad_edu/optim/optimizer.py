"""The ``Optimizer`` base class: parameter groups, per-parameter state, and checkpoints.

Every optimizer in this package works the same way as ``torch.optim``:

* ``param_groups`` is a list of dicts. Each dict holds ``'params'`` (a list of Tensors) and
  that group's hyperparameters (``'lr'``, ``'weight_decay'``, ...). ``step()`` reads them
  again every time, so changing ``group['lr']`` between steps (which is all a learning-rate
  scheduler does) takes effect at the next step.
* ``state`` maps each parameter Tensor to a dict of its own buffers (Adam's ``exp_avg``...).
  The buffers are Tensors with the parameter's shape and dtype.
* ``state_dict()`` replaces the Tensors by integer ids (0, 1, 2, ... in group order) so that
  the result can be saved and later loaded into a fresh optimizer over the same model.

The update itself is plain NumPy working in place on ``p._data``: an optimizer step is not
something autograd needs to see, and writing into preallocated arrays keeps it fast.
"""

from __future__ import annotations

import functools
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable
from copy import deepcopy
from typing import Any

import numpy as np

from ..autograd import enable_grad
from ..tensor import Tensor

ParamsT = Iterable[Tensor] | Iterable[dict[str, Any]] | Iterable[tuple[str, Tensor]]


def _new_step_counter() -> Tensor:
    """A parameter's step count, a 0-d float32 Tensor like PyTorch's ``torch.tensor(0.0)``."""
    return Tensor(np.array(0.0, dtype=np.float32))


def _advance(step: Tensor) -> float:
    """``t = t + 1`` on a step counter, in place; returns the new t as a Python float.

    Writing the item (``[()] = ...``) instead of ``+= 1`` avoids a NumPy ufunc call, which
    costs more than the whole Python bookkeeping of a parameter's step.
    """
    t = float(step._data) + 1.0
    step._data[()] = t
    return t


def _evaluate(closure: Callable[[], Any] | None) -> Any:
    """Call ``step()``'s closure, if any, with gradient recording on (even inside ``no_grad``):
    it recomputes the loss and calls ``backward()``, so it needs the graph."""
    if closure is None:
        return None
    with enable_grad():
        return closure()


def _check_unfused(foreach: bool | None, fused: bool | None, differentiable: bool) -> None:
    """Reject the option combinations PyTorch rejects, and ``differentiable=True``.

    ``foreach`` and ``fused`` choose between PyTorch kernels that do the same math; NumPy has
    a single code path, so they are accepted and recorded but change nothing here.
    ``differentiable=True`` asks for autograd to see through ``step()``, which an in-place
    NumPy update cannot offer, so it is refused rather than silently ignored.
    """
    if fused and foreach:
        raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
    if differentiable:
        raise NotImplementedError(
            "differentiable=True is not supported: tinygrad_edu optimizers update "
            "parameters with NumPy, outside the autograd graph"
        )


def _direction(
    grad: np.ndarray, theta: np.ndarray, weight_decay: float, maximize: bool, out: np.ndarray
) -> np.ndarray:
    """The direction to descend along: ``d = (-g if maximize else g) + weight_decay * θ``.

    The result goes into the scratch array ``out``; ``p.grad`` is never written to. With
    no decay and no maximize, ``d`` is simply ``g`` and nothing is computed.
    """
    if weight_decay != 0:
        np.multiply(theta, weight_decay, out=out)
        (np.subtract if maximize else np.add)(out, grad, out=out)
        return out
    if maximize:
        return np.negative(grad, out=out)
    return grad


class StepHook:
    """``tinygrad_edu.compile`` puts a function in ``hook`` while it captures a training step:
    every optimizer's ``step()`` then runs through it as ``hook(step, optimizer, *args)``
    (see jit/compiled.py). None the rest of the time: one check per ``step()``."""

    hook: Callable[..., Any] | None = None


def _hookable(step: Callable[..., Any]) -> Callable[..., Any]:
    """``step`` behind the ``StepHook`` check (``Optimizer.__init_subclass__`` applies it to
    every subclass's own ``step``, so a wrapper holding the function, like lr_scheduler's,
    goes through the check too)."""

    @functools.wraps(step)
    def hooked_step(self: Optimizer, *args: Any, **kwargs: Any) -> Any:
        self._steps_taken += 1  # (compile's flat Adam notices a step taken outside it)
        hook = StepHook.hook
        if hook is None:
            return step(self, *args, **kwargs)
        return hook(step, self, *args, **kwargs)

    return hooked_step


class Optimizer:
    """Base class of all optimizers.

    Args:
        params: an iterable of Tensors, of ``(name, Tensor)`` pairs (from
            ``named_parameters()``), or of dicts, each a parameter group with its own options.
        defaults: the hyperparameters a group gets when it does not set them itself.
    """

    #: How many times ``step()`` ran (counted by the StepHook wrapper).
    _steps_taken = 0

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "step" in cls.__dict__:
            cls.step = _hookable(cls.__dict__["step"])  # type: ignore[method-assign]

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors "
                "or dicts, but got " + type(params).__name__
            )
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        self._scratch: dict[Tensor, list[np.ndarray]] = {}

        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    def __getstate__(self) -> dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._scratch = {}

    def __repr__(self) -> str:
        lines = [self.__class__.__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {key}: {group[key]}" for key in sorted(group) if key != "params"]
        return "\n".join(lines) + "\n)"

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters (with its own options) to ``param_groups``.

        Useful when fine-tuning: layers that were frozen can join training later.
        Options the group leaves out are taken from ``defaults``.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list "
                "instead."
            )
        params = list(params)

        names = [p[0] for p in params if isinstance(p, tuple)]
        tensors = [p[1] if isinstance(p, tuple) else p for p in params]
        if names and len(names) != len(tensors):
            raise ValueError(
                "all optimizer params should be with/without names. Some param names are missing"
            )
        for p in tensors:
            if not isinstance(p, Tensor):
                raise TypeError(
                    "optimizer can only optimize Tensors, but one of the params is "
                    + type(p).__name__
                )
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")

        new_group = dict(param_group)
        new_group["params"] = tensors
        if names:
            new_group["param_names"] = names
        for name, default in self.defaults.items():
            new_group.setdefault(name, default)

        ids = [id(p) for p in tensors]
        if len(ids) != len(set(ids)):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; in future, "
                "this will cause an error",
                stacklevel=3,
            )
        seen = {id(p) for group in self.param_groups for p in group["params"]}
        for group in self.param_groups:
            if ("param_names" in new_group) != ("param_names" in group):
                which = "with names" if "param_names" in new_group else "without names"
                raise ValueError(
                    "all optimizer param groups should be with/without names. "
                    f"cannot add param group {which} to the optimizer"
                )
        if not seen.isdisjoint(ids):
            raise ValueError("some parameters appear in more than one parameter group")

        # Only now, with every check passed, does the optimizer change.
        param_group.clear()
        param_group.update(new_group)
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients before the next backward pass.

        With ``set_to_none=True`` (the default) every ``p.grad`` becomes None, and a parameter
        that then receives no gradient is skipped by ``step()``. With False the gradients are
        filled with zeros instead, and a zero gradient still takes a step (weight decay and
        momentum keep moving the parameter).
        """
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    if set_to_none:
                        p.grad = None
                    else:
                        p.grad._data[...] = 0

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; subclasses implement the rule.

        If ``closure`` is given it is called first (it should recompute the loss and the
        gradients), and its result is returned.
        """
        raise NotImplementedError

    def _buffers(self, p: Tensor, count: int) -> list[np.ndarray]:
        """``count`` scratch arrays shaped like ``p``, allocated once and reused every step.

        They hold intermediate results (the decayed gradient, the denominator, ...) so that
        a step allocates nothing. They are not part of ``state``: they carry nothing from one
        step to the next, and ``state_dict()`` stays exactly PyTorch's.
        """
        bufs = self._scratch.get(p)
        data = p._data
        if bufs is None or bufs[0].shape != data.shape or bufs[0].dtype != data.dtype:
            bufs = self._scratch[p] = []
        while len(bufs) < count:
            bufs.append(np.empty_like(data))
        return bufs

    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state as plain data: ``{'state': ..., 'param_groups': ...}``.

        Parameters are replaced by integer ids, numbered in order across the groups.
        ``'state'`` maps those ids to each parameter's state dict; ``'param_groups'`` holds a
        copy of each group with ``'params'`` as a list of ids.

        Like PyTorch, the result is *shallow*: the per-parameter dicts and the Tensors in them
        are the live ones that the next ``step()`` updates. Use ``copy.deepcopy`` to keep a
        snapshot in memory.
        """
        index: dict[int, int] = {}
        param_groups = []
        start = 0
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                index.setdefault(id(p), i)
            packed["params"] = [index[id(p)] for p in group["params"]]
            start += len(packed["params"])
            param_groups.append(packed)
        state = {(index[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        return {"state": state, "param_groups": param_groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a ``state_dict()``, e.g. to resume training from a checkpoint.

        The saved ids are matched to this optimizer's parameters by position. Every
        hyperparameter, ``lr`` included, is replaced by the saved one. Buffers are cast to
        their parameter's dtype (a buffer whose dtype already matches is used as is, so the
        optimizer shares it with ``state_dict``). Everything is checked before anything
        changes: after an error the optimizer is exactly as it was.
        """
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        saved_state = state_dict["state"]
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError(
                "loaded state dict contains a parameter group that doesn't match the size of "
                "optimizer's group"
            )
        id_map = {
            saved_id: p
            for g, s in zip(groups, saved_groups)
            for saved_id, p in zip(s["params"], g["params"])
        }

        state: defaultdict[Any, dict[str, Any]] = defaultdict(dict)
        for key, value in saved_state.items():
            if key in id_map:
                param = id_map[key]
                if not isinstance(value, dict):
                    raise TypeError(
                        f"load_state_dict: the state of parameter {key!r} is a "
                        f"{type(value).__name__}; expected a dict"
                    )
                state[param] = {
                    k: _cast(param, key, k, v) for k, v in value.items() if v is not None
                }
            else:
                state[key] = value

        for g, s in zip(groups, saved_groups):
            s["params"] = g["params"]
            if "param_names" in g and "param_names" not in s:
                s["param_names"] = g["param_names"]
        self.__setstate__({"state": state, "param_groups": saved_groups})


#: State entries that are one number per parameter (0-d), not a buffer of its shape.
_SCALAR_STATE = {"mu_product", "eta", "mu"}  # NAdam's Π; ASGD's step size and weight


def _cast(param: Tensor, saved_id: Any, key: str, value: Any) -> Any:
    """Bring one loaded state entry in line with its parameter (see ``load_state_dict``).

    The step counter stays as saved (a plain number from an old save becomes a float32
    Tensor; so do the 0-d entries in ``_SCALAR_STATE``). A buffer (a Tensor or a numeric
    NumPy array) becomes a Tensor of the parameter's dtype, and must have its shape (the
    entries in ``_SCALAR_STATE``: or be 0-d). Anything else would only fail at the next
    ``step()``, so it is refused here, before the optimizer changes.
    """
    where = f"load_state_dict: state '{key}' of parameter {saved_id!r}"
    data = value._data if isinstance(value, Tensor) else value
    if isinstance(data, (np.ndarray, np.generic)) and data.dtype.kind not in "biuf":
        raise TypeError(f"{where} has dtype {data.dtype}; expected numbers")
    if key == "step":
        if isinstance(value, Tensor):
            if value.numel() != 1:
                raise ValueError(f"{where} has shape {value.shape}; expected one number")
            return value
        if isinstance(data, (np.ndarray, np.generic)) and data.size == 1:
            return Tensor(np.array(data.reshape(()), dtype=np.float32))
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return Tensor(np.array(value, dtype=np.float32))
        raise TypeError(f"{where} is a {type(value).__name__}; expected a number or a Tensor")
    if key in _SCALAR_STATE and isinstance(value, (int, float)) and not isinstance(value, bool):
        return Tensor(np.array(value, dtype=np.float32))
    if not isinstance(data, np.ndarray):
        raise TypeError(
            f"{where} is a {type(value).__name__}; expected a Tensor of shape {param.shape}"
        )
    if data.shape != param.shape and not (key in _SCALAR_STATE and data.shape == ()):
        raise ValueError(
            f"loaded state '{key}' has shape {tuple(data.shape)}, but its parameter has "
            f"shape {tuple(param.shape)}"
        )
    if isinstance(value, Tensor) and value.dtype == param.dtype:
        return value
    return Tensor(data.astype(param.dtype))

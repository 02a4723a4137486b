"""Write tools/torch_names.json: PyTorch's public names, once, so that the coverage table
(tools/api_coverage.py) and its test need no torch. Run with PyTorch installed:

    python tools/dump_torch_names.py

Per namespace: torch (its ``__all__`` plus the public submodules scripts reach through it),
torch.Tensor (public attributes), torch.nn.functional (functions defined in torch),
torch.nn (classes, and the submodules init, functional, utils, parallel), torch.optim
and torch.utils.data (their ``__all__``, private names dropped).
"""

from __future__ import annotations

import inspect
import json
import pathlib

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
import torch.utils.data as data

SUBMODULES = [
    "accelerator", "amp", "autograd", "backends", "cuda", "distributed", "distributions",
    "fft", "func", "hub", "jit", "linalg", "mps", "multiprocessing", "nn", "onnx", "optim",
    "random", "sparse", "special", "testing", "utils",
]  # fmt: skip


def public(names) -> list[str]:
    return sorted({n for n in names if not n.startswith("_")})


def defined_in_torch(module, name: str) -> bool:
    obj = getattr(module, name)
    if inspect.ismodule(obj):
        return False
    return (getattr(obj, "__module__", "") or "").startswith("torch") and callable(obj)


def main() -> None:
    names = {
        "torch": public([*torch.__all__, *SUBMODULES]),
        "torch.Tensor": public(dir(torch.Tensor)),
        "torch.nn.functional": public(n for n in dir(F) if defined_in_torch(F, n)),
        "torch.nn": public(
            [n for n in dir(nn) if inspect.isclass(getattr(nn, n))]
            + ["init", "functional", "utils", "parallel"]
        ),
        "torch.optim": public(optim.__all__),
        "torch.utils.data": public(data.__all__),
    }
    out = {"torch_version": torch.__version__.split("+")[0], "names": names}
    path = pathlib.Path(__file__).with_name("torch_names.json")
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {path}: " + ", ".join(f"{k} {len(v)}" for k, v in names.items()))


if __name__ == "__main__":
    main()

"""tinygrad_edu: a small, readable reverse-mode autograd framework on NumPy.

The public names mirror PyTorch's, so ``import tinygrad_edu as torch`` ports most small
scripts. Where to look:

    tensor.py            Tensor: data, grad, requires_grad, grad_fn, and its methods
    ops/                 every differentiable op: forward, backward, derivative in math
    autograd/            Function, the backward engine, no_grad, gradcheck
    capture/             compile: a training step traced once, replayed as plain NumPy
    creation.py          tensor, zeros, ones, arange, rand, ...
    optim/               SGD, Adam, AdamW, RMSprop, Adagrad, lr_scheduler
    nn/                  Module, Linear, activations, losses, functional, init
    utils/data.py        Dataset, TensorDataset, DataLoader, random_split
    serialization.py     save / load (.npz plus a JSON index, atomic, no pickle)
    datasets/            MNIST, Iris and the source material's synthetic sets
    derivations/         the source material's hand-derived gradients, checked against the tape
    _device.py           device, cuda, accelerator, backends: the CPU is the only device
"""

import sys as _sys

# Tensor first: the autograd package and the ops import it.
from tinygrad_edu.tensor import Tensor  # isort: skip

from tinygrad_edu import autograd, datasets, derivations, nn, optim, utils
from tinygrad_edu._device import (
    accelerator,
    backends,
    cuda,
    device,
    get_default_device,
    set_default_device,
)
from tinygrad_edu.autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from tinygrad_edu.capture import compile
from tinygrad_edu.creation import (
    arange,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from tinygrad_edu.dtypes import (
    bool,
    double,
    float,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    set_default_dtype,
    short,
    uint8,
    uint16,
    uint32,
    uint64,
)
from tinygrad_edu.functional import (
    abs,
    amax,
    amin,
    argmax,
    argmin,
    cat,
    clamp,
    clip,
    cos,
    exp,
    flatten,
    log,
    log_softmax,
    logsumexp,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    permute,
    relu,
    reshape,
    sigmoid,
    sin,
    softmax,
    sqrt,
    squeeze,
    stack,
    std,
    sum,
    tanh,
    transpose,
    unsqueeze,
    var,
    where,
)
from tinygrad_edu.random import Generator, manual_seed
from tinygrad_edu.serialization import load, save

# More Tensor methods (mm, norm, gather, cumsum, ...) and PyTorch's module-level function
# forms of them (torch.mul(input, other, out=...)), which replace the plain aliases above.
from tinygrad_edu import tensor_methods as _tensor_methods  # isort: skip

_tensor_methods.attach()
from tinygrad_edu import _refusals, linalg  # noqa: E402
from tinygrad_edu.nn import more_activations as _more_activations  # noqa: E402

_more_activations.attach()  # F.silu, nn.SiLU, F.elu, ... (nn/more_activations.py)
from tinygrad_edu.nn import more_losses as _more_losses  # noqa: E402

_more_losses.attach()  # F.kl_div, nn.KLDivLoss, ... (nn/more_losses.py)
from tinygrad_edu.torch_functions import *  # noqa: E402, F403

_refusals.install()  # PyTorch names refused on purpose explain why (_refusals.py)

__version__ = "0.1.0"

# ``import torch.cuda`` style imports of the device namespaces (they are plain objects).
_sys.modules.update(
    {f"{__name__}.{m.__name__.rsplit('.', 1)[1]}": m for m in (cuda, accelerator, backends)}
)

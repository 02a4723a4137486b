"""Neural-network building blocks with PyTorch's names (``import tinygrad_edu.nn as nn``).

module.py      Module, Parameter, Sequential, ModuleList, ModuleDict, Identity
linear.py      Linear
activation.py  ReLU, LeakyReLU, Sigmoid, Tanh, Softmax, LogSoftmax, GELU, SiLU, Mish, ELU,
               Softplus, Hardtanh, LogSigmoid
normalization.py  BatchNorm1d, BatchNorm2d, LayerNorm, GroupNorm
sparse.py      Embedding
flatten.py     Flatten, Unflatten
dropout.py     Dropout, Dropout2d
conv.py        Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d
pooling.py     MaxPool1d/2d, AvgPool1d/2d, AdaptiveAvgPool1d/2d
loss.py        MSELoss, L1Loss, CrossEntropyLoss, NLLLoss, BCELoss, BCEWithLogitsLoss,
               SmoothL1Loss, HuberLoss
functional.py  the same as functions (``import tinygrad_edu.nn.functional as F``)
init.py        uniform_, normal_, xavier_uniform_, kaiming_uniform_, ...
utils.py       clip_grad_norm_, clip_grad_value_
"""

from tinygrad_edu.nn import functional, init, utils
from tinygrad_edu.nn.activation import (
    ELU,
    GELU,
    Hardtanh,
    LeakyReLU,
    LogSigmoid,
    LogSoftmax,
    Mish,
    ReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Tanh,
)
from tinygrad_edu.nn.conv import Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d
from tinygrad_edu.nn.dropout import Dropout, Dropout2d
from tinygrad_edu.nn.flatten import Flatten, Unflatten
from tinygrad_edu.nn.linear import Linear
from tinygrad_edu.nn.loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
)
from tinygrad_edu.nn.module import (
    Identity,
    Module,
    ModuleDict,
    ModuleList,
    Parameter,
    Sequential,
)
from tinygrad_edu.nn.normalization import BatchNorm1d, BatchNorm2d, GroupNorm, LayerNorm
from tinygrad_edu.nn.pooling import (
    AdaptiveAvgPool1d,
    AdaptiveAvgPool2d,
    AvgPool1d,
    AvgPool2d,
    MaxPool1d,
    MaxPool2d,
)
from tinygrad_edu.nn.sparse import Embedding

__all__ = [
    "ELU",
    "GELU",
    "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d",
    "AvgPool1d",
    "AvgPool2d",
    "BCELoss",
    "BCEWithLogitsLoss",
    "BatchNorm1d",
    "BatchNorm2d",
    "Conv1d",
    "Conv2d",
    "ConvTranspose1d",
    "ConvTranspose2d",
    "CrossEntropyLoss",
    "Dropout",
    "Dropout2d",
    "Embedding",
    "Flatten",
    "GroupNorm",
    "Hardtanh",
    "HuberLoss",
    "Identity",
    "L1Loss",
    "LayerNorm",
    "LeakyReLU",
    "Linear",
    "LogSigmoid",
    "LogSoftmax",
    "MSELoss",
    "MaxPool1d",
    "MaxPool2d",
    "Mish",
    "Module",
    "ModuleDict",
    "ModuleList",
    "NLLLoss",
    "Parameter",
    "ReLU",
    "Sequential",
    "SiLU",
    "Sigmoid",
    "SmoothL1Loss",
    "Softmax",
    "Softplus",
    "Tanh",
    "Unflatten",
    "functional",
    "init",
    "utils",
]

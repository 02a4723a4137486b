"""Neural-network building blocks with PyTorch's names (``import tinygrad_edu.nn as nn``).

module.py      Module, Parameter, Sequential, ModuleList, ModuleDict, Identity
linear.py      Linear
activation.py  ReLU, LeakyReLU, Sigmoid, Tanh, Softmax, LogSoftmax
flatten.py     Flatten
dropout.py     Dropout
loss.py        MSELoss, L1Loss, CrossEntropyLoss, NLLLoss, BCELoss, BCEWithLogitsLoss,
               SmoothL1Loss, HuberLoss
functional.py  the same as functions (``import tinygrad_edu.nn.functional as F``)
init.py        uniform_, normal_, xavier_uniform_, kaiming_uniform_, ...
utils.py       clip_grad_norm_, clip_grad_value_
"""

from tinygrad_edu.nn import functional, init, utils
from tinygrad_edu.nn.activation import LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from tinygrad_edu.nn.dropout import Dropout
from tinygrad_edu.nn.flatten import Flatten
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

__all__ = [
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "Dropout",
    "Flatten",
    "HuberLoss",
    "Identity",
    "L1Loss",
    "LeakyReLU",
    "Linear",
    "LogSoftmax",
    "MSELoss",
    "Module",
    "ModuleDict",
    "ModuleList",
    "NLLLoss",
    "Parameter",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "SmoothL1Loss",
    "Softmax",
    "Tanh",
    "functional",
    "init",
    "utils",
]

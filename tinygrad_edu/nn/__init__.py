"""Neural-network building blocks with PyTorch's names (``import tinygrad_edu.nn as nn``).

module.py      Module, Parameter, Sequential, ModuleList, ModuleDict, Identity
linear.py      Linear
activation.py  ReLU, LeakyReLU, Sigmoid, Tanh, Softmax, LogSoftmax
flatten.py     Flatten, Unflatten
dropout.py     Dropout, Dropout2d
conv.py        Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d
pooling.py     MaxPool1d/2d, AvgPool1d/2d, AdaptiveAvgPool1d/2d
loss.py        MSELoss, L1Loss, CrossEntropyLoss, NLLLoss, BCELoss, BCEWithLogitsLoss
functional.py  the same as functions (``import tinygrad_edu.nn.functional as F``)
init.py        uniform_, normal_, xavier_uniform_, kaiming_uniform_, ...
utils.py       clip_grad_norm_, clip_grad_value_
"""

from tinygrad_edu.nn import functional, init, utils
from tinygrad_edu.nn.activation import LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from tinygrad_edu.nn.conv import Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d
from tinygrad_edu.nn.dropout import Dropout, Dropout2d
from tinygrad_edu.nn.flatten import Flatten, Unflatten
from tinygrad_edu.nn.linear import Linear
from tinygrad_edu.nn.loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
)
from tinygrad_edu.nn.module import (
    Identity,
    Module,
    ModuleDict,
    ModuleList,
    Parameter,
    Sequential,
)
from tinygrad_edu.nn.pooling import (
    AdaptiveAvgPool1d,
    AdaptiveAvgPool2d,
    AvgPool1d,
    AvgPool2d,
    MaxPool1d,
    MaxPool2d,
)

__all__ = [
    "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d",
    "AvgPool1d",
    "AvgPool2d",
    "BCELoss",
    "BCEWithLogitsLoss",
    "Conv1d",
    "Conv2d",
    "ConvTranspose1d",
    "ConvTranspose2d",
    "CrossEntropyLoss",
    "Dropout",
    "Dropout2d",
    "Flatten",
    "Identity",
    "L1Loss",
    "LeakyReLU",
    "Linear",
    "LogSoftmax",
    "MSELoss",
    "MaxPool1d",
    "MaxPool2d",
    "Module",
    "ModuleDict",
    "ModuleList",
    "NLLLoss",
    "Parameter",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "Unflatten",
    "functional",
    "init",
    "utils",
]

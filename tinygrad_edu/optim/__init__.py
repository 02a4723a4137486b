"""Optimizers and learning-rate schedulers with PyTorch's API (``torch.optim``).

Each optimizer's module docstring states its update rule line by line, and the code in
its ``step()`` follows the same lines in the same order.
"""

from . import lr_scheduler
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam
from .adamw import AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["SGD", "Adadelta", "Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "lr_scheduler"]

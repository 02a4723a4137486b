"""Data sets for the examples, as NumPy arrays.

- :class:`MNIST` and :func:`load_mnist`: handwritten digits, read from the IDX files.
- :func:`iris`: Fisher's Iris flowers, shipped with the package.
- :func:`xor`, :func:`linear_regression`, :func:`credit_approval`: small synthetic sets.
"""

from .iris import iris
from .mnist import MNIST, load_mnist, read_mnist
from .toy import credit_approval, linear_regression, xor

__all__ = [
    "MNIST",
    "credit_approval",
    "iris",
    "linear_regression",
    "load_mnist",
    "read_mnist",
    "xor",
]

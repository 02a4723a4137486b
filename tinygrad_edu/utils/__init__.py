"""Utilities with PyTorch's names: ``tinygrad_edu.utils.data`` (Dataset, DataLoader, ...)."""

from tinygrad_edu.utils import data

__all__ = ["data"]

"""The reference: the 784-128-40-10 MNIST network written by hand in NumPy.

This is what a NumPy autograd engine cannot beat: the same network as
``examples/mnist_mlp.py`` (Linear 784->128, ReLU, Linear 128->40, ReLU, Linear 40->10,
softmax + mean squared error against one-hot targets, or cross-entropy with ``--loss ce``),
with the backward pass derived by hand and Adam(0.9, 0.99, 1e-8) applied in place. Every
array a step needs is allocated once per batch size and reused (``out=`` everywhere), all
in float32. Weights are stored as PyTorch's Linear stores them, W of shape (out, in), so
the layers compute Z = X W^T + b.

Hand-derived backward (N = B * 10 for the MSE mean, B for the cross-entropy mean):

    MSE on softmax:  g = 2 (s - y) / N,   dZ3 = s * (g - sum_j g_j s_j)
    cross-entropy:   dZ3 = (s - y) / B
    layer k:         dW_k = dZ_k^T A_{k-1},  db_k = sum_rows dZ_k,
                     dA_{k-1} = dZ_k W_k,    dZ_{k-1} = dA_{k-1} * (A_{k-1} > 0)

Adam is written in the same order of operations as ``tinygrad_edu.optim.Adam`` (PyTorch's
arrangement), so both give the same weights from the same start.

Importable (``NumpyMLP(...).step(x, onehot)``) and runnable: trains one epoch on MNIST
and prints the test accuracy, so the reference is checked to be right, not only fast.

Run:  python benchmarks/numpy_mlp.py [--epochs 1] [--loss mse|ce] [--data DIR] [--threads 1]
"""

from __future__ import annotations

from _bench import threads_from_argv

THREADS = threads_from_argv()  # before NumPy is imported

import argparse  # noqa: E402
import gzip  # noqa: E402
import itertools  # noqa: E402
import math  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from _bench import add_threads_arg, describe, mnist_dir  # noqa: E402

SIZES = (784, 128, 40, 10)


def init_weights(seed: int = 0) -> list[np.ndarray]:
    """[W1, b1, W2, b2, W3, b3] drawn as PyTorch's Linear does: U(-1/sqrt(in), 1/sqrt(in))."""
    rng = np.random.default_rng(seed)
    params = []
    for n_in, n_out in itertools.pairwise(SIZES):
        bound = 1 / math.sqrt(n_in)
        params.append(rng.uniform(-bound, bound, (n_out, n_in)).astype(np.float32))
        params.append(rng.uniform(-bound, bound, (n_out,)).astype(np.float32))
    return params


class _Buffers:
    """Every activation and gradient of one step at batch size B (allocated once)."""

    def __init__(self, batch: int) -> None:
        f = np.float32
        self.z1 = np.empty((batch, 128), f)  # Z1, then A1 = relu(Z1) in place
        self.z2 = np.empty((batch, 40), f)
        self.s = np.empty((batch, 10), f)  # logits, then softmax in place
        self.g3 = np.empty((batch, 10), f)
        self.tmp3 = np.empty((batch, 10), f)
        self.row = np.empty((batch, 1), f)
        self.row2 = np.empty((batch, 1), f)
        self.d2 = np.empty((batch, 40), f)
        self.d1 = np.empty((batch, 128), f)
        self.mask2 = np.empty((batch, 40), np.bool_)
        self.mask1 = np.empty((batch, 128), np.bool_)


class NumpyMLP:
    """784-128-40-10 ReLU network with a hand-written backward and in-place Adam."""

    def __init__(
        self,
        params: list[np.ndarray] | None = None,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.99),
        eps: float = 1e-8,
        loss: str = "mse",
        seed: int = 0,
    ) -> None:
        if loss not in ("mse", "ce"):
            raise ValueError(f"loss must be 'mse' or 'ce', got {loss!r}")
        params = init_weights(seed) if params is None else params
        self.params = [np.array(p, dtype=np.float32, copy=True) for p in params]
        self.grads = [np.empty_like(p) for p in self.params]
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.tmp = [np.empty_like(p) for p in self.params]
        self.lr, (self.beta1, self.beta2), self.eps = lr, betas, eps
        self.loss = loss
        self.t = 0
        self._buffers: dict[int, _Buffers] = {}

    # ------------------------------------------------------------------ forward
    def forward(self, x: np.ndarray, b: _Buffers | None = None) -> np.ndarray:
        """Softmax probabilities (B, 10); the activations stay in ``b`` for backward."""
        if b is None:
            b = _Buffers(len(x))
        W1, b1, W2, b2, W3, b3 = self.params
        np.matmul(x, W1.T, out=b.z1)
        np.add(b.z1, b1, out=b.z1)
        np.maximum(b.z1, 0, out=b.z1)  # A1
        np.matmul(b.z1, W2.T, out=b.z2)
        np.add(b.z2, b2, out=b.z2)
        np.maximum(b.z2, 0, out=b.z2)  # A2
        s = b.s
        np.matmul(b.z2, W3.T, out=s)
        np.add(s, b3, out=s)
        # softmax along rows, after subtracting each row's maximum
        np.max(s, axis=1, keepdims=True, out=b.row)
        np.subtract(s, b.row, out=s)
        np.exp(s, out=s)
        np.sum(s, axis=1, keepdims=True, out=b.row)
        np.divide(s, b.row, out=s)
        return s

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.forward(np.ascontiguousarray(x, dtype=np.float32)).argmax(1)

    # ------------------------------------------------------------------ training step
    def step(self, x: np.ndarray, onehot: np.ndarray) -> float:
        """Forward, loss, hand-written backward and one Adam step; returns the loss."""
        loss = self.gradients(x, onehot)
        self.adam()
        return loss

    def gradients(self, x: np.ndarray, onehot: np.ndarray) -> float:
        """Forward, loss and backward: fills ``self.grads`` ([dW1, db1, ...]), returns the loss."""
        batch = len(x)
        b = self._buffers.get(batch)
        if b is None:
            b = self._buffers[batch] = _Buffers(batch)
        s = self.forward(x, b)
        W2, W3 = self.params[2], self.params[4]
        gW1, gb1, gW2, gb2, gW3, gb3 = self.grads

        g = b.g3
        np.subtract(s, onehot, out=g)
        if self.loss == "mse":
            n = g.size
            loss = float(np.vdot(g, g)) / n
            np.multiply(g, 2.0 / n, out=g)  # dL/ds
            np.multiply(g, s, out=b.tmp3)  # softmax backward: s * (g - sum(g * s))
            np.sum(b.tmp3, axis=1, keepdims=True, out=b.row2)
            np.subtract(g, b.row2, out=g)
            np.multiply(g, s, out=g)  # dZ3
        else:
            # -mean log s[y], with log s = z - max - log(sum exp): s already holds exp/sum
            np.log(s, out=b.tmp3)
            loss = -float(np.vdot(onehot, b.tmp3)) / batch
            np.multiply(g, 1.0 / batch, out=g)  # dZ3 = (s - y) / B

        a2, a1 = b.z2, b.z1
        np.matmul(g.T, a2, out=gW3)
        np.sum(g, axis=0, out=gb3)
        np.matmul(g, W3, out=b.d2)
        np.greater(a2, 0, out=b.mask2)
        np.multiply(b.d2, b.mask2, out=b.d2)  # dZ2
        np.matmul(b.d2.T, a1, out=gW2)
        np.sum(b.d2, axis=0, out=gb2)
        np.matmul(b.d2, W2, out=b.d1)
        np.greater(a1, 0, out=b.mask1)
        np.multiply(b.d1, b.mask1, out=b.d1)  # dZ1
        np.matmul(b.d1.T, x, out=gW1)
        np.sum(b.d1, axis=0, out=gb1)
        return loss

    def adam(self) -> None:
        """Adam, in place, in tinygrad_edu.optim.Adam's (PyTorch's) order of operations."""
        self.t += 1
        beta1, beta2 = self.beta1, self.beta2
        step_size = self.lr / (1 - beta1**self.t)
        root_bc2 = math.sqrt(1 - beta2**self.t)
        for p, g, m, v, tmp in zip(self.params, self.grads, self.m, self.v, self.tmp):
            np.multiply(m, beta1, out=m)
            np.multiply(g, 1 - beta1, out=tmp)
            np.add(m, tmp, out=m)
            np.multiply(v, beta2, out=v)
            np.multiply(g, g, out=tmp)
            np.multiply(tmp, 1 - beta2, out=tmp)
            np.add(v, tmp, out=v)
            np.sqrt(v, out=tmp)
            np.divide(tmp, root_bc2, out=tmp)
            np.add(tmp, self.eps, out=tmp)
            np.divide(m, tmp, out=tmp)
            np.multiply(tmp, step_size, out=tmp)
            np.subtract(p, tmp, out=p)


# ---------------------------------------------------------------------------- data
def read_idx(path: Path) -> np.ndarray:
    """One MNIST IDX file (gzipped or not) as an array of uint8."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load(root: Path, train: bool) -> tuple[np.ndarray, np.ndarray]:
    """X float32 (N, 784) in [0, 1] and y int64 (N,), as tinygrad_edu's load_mnist."""
    kind = "train" if train else "t10k"
    files = {}
    for part in ("images-idx3", "labels-idx1"):
        name = f"{kind}-{part}-ubyte"
        path = root / (name + ".gz")
        files[part] = path if path.exists() else root / name
    images = read_idx(files["images-idx3"])
    x = np.divide(images.reshape(len(images), -1), np.float32(255), dtype=np.float32)
    return x, read_idx(files["labels-idx1"]).astype(np.int64)


def load_standardised(root: Path) -> tuple[np.ndarray, ...]:
    """Train and test sets standardised with the training mean and std (as mnist_mlp.py)."""
    x_train, y_train = load(root, True)
    x_test, y_test = load(root, False)
    mean, std = x_train.mean(), x_train.std()
    x_train -= mean
    x_train /= std
    x_test -= mean
    x_test /= std
    return x_train, y_train, x_test, y_test


def main() -> None:
    parser = argparse.ArgumentParser(description="Train the hand-written NumPy MNIST MLP.")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--loss", choices=["mse", "ce"], default="mse")
    parser.add_argument("--data", default=None, help="directory of the MNIST IDX files")
    parser.add_argument("--seed", type=int, default=0)
    add_threads_arg(parser)
    args = parser.parse_args()
    print(describe(THREADS))

    x_train, y_train, x_test, y_test = load_standardised(mnist_dir(args.data))
    onehot = np.eye(10, dtype=np.float32)[y_train]
    net = NumpyMLP(lr=args.lr, loss=args.loss, seed=args.seed)
    rng = np.random.default_rng(args.seed)
    start = time.perf_counter()
    steps = 0
    for epoch in range(1, args.epochs + 1):
        order = rng.permutation(len(x_train))
        losses = []
        for i in range(0, len(order), args.batch_size):
            idx = order[i : i + args.batch_size]
            losses.append(net.step(x_train[idx], onehot[idx]))
            steps += 1
        print(f"epoch {epoch}/{args.epochs}: mean loss {np.mean(losses):.4f}")
    seconds = time.perf_counter() - start
    acc = float(np.mean(net.predict(x_test) == y_test))
    print(
        f"test accuracy: {acc * 100:.2f}%  ({args.epochs} epoch(s), {steps} steps of batch "
        f"{args.batch_size}, loss {args.loss}, in {seconds:.2f} s = "
        f"{seconds / steps * 1e3:.3f} ms/step including batching)"
    )


if __name__ == "__main__":
    main()

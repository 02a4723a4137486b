"""Typical small PyTorch training scripts, run unchanged below their import lines.

Each script is a body of ordinary PyTorch code. It runs once with the tinygrad_edu
imports (always) and once with PyTorch's (when torch is installed); only the import
lines differ. The two frameworks draw different random numbers from the same seed, so
the checks compare behaviour (the loss falls, the accuracy is high, the shapes and
state-dict keys agree), not the digits.
"""

import textwrap

import numpy as np
import pytest

TINYGRAD_IMPORTS = """
import tinygrad_edu as torch
import tinygrad_edu.nn as nn
import tinygrad_edu.nn.functional as F
from tinygrad_edu.utils.data import DataLoader, TensorDataset, random_split
"""

TORCH_IMPORTS = """
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset, random_split
"""

MLP_CLASSIFIER = """
torch.manual_seed(0)
n_per_class = 100
centers = torch.tensor([[2.0, 2.0], [-2.0, 2.0], [0.0, -2.0]])
x = torch.cat([torch.randn(n_per_class, 2) * 0.7 + c for c in centers])
y = torch.cat([torch.full((n_per_class,), k, dtype=torch.long) for k in range(3)])

model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)

losses = []
for epoch in range(15):
    total = 0.0
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
    losses.append(total / len(loader.dataset))

model.eval()
with torch.no_grad():
    logits = model(x)
    probabilities = F.softmax(logits, dim=1)
    accuracy = (logits.argmax(dim=1) == y).float().mean().item()
"""

REGRESSION = """
torch.manual_seed(42)
x = torch.linspace(0, 10, 50).unsqueeze(1)
y = 3 * x + 2 + torch.randn(50, 1) * 2


class LinearRegression(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(1, 1)

    def forward(self, x):
        return self.linear(x)


model = LinearRegression()
criterion = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
losses = []
for epoch in range(300):
    optimizer.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
slope = model.linear.weight.item()
intercept = model.linear.bias.item()
"""

BINARY_CLASSIFIER = """
torch.manual_seed(0)
features = torch.randn(1000, 4)
labels = ((features[:, 0] + 0.5 * features[:, 1]) > 0).float().unsqueeze(1)
dataset = TensorDataset(features, labels)
train_set, val_set = random_split(dataset, [0.8, 0.2])
train_loader = DataLoader(train_set, batch_size=32, shuffle=True)
val_loader = DataLoader(val_set, batch_size=64)


class CreditApprovalNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(4, 8)
        self.relu = nn.ReLU()
        self.dropout = nn.Dropout(0.1)
        self.output = nn.Linear(8, 1)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x):
        return self.sigmoid(self.output(self.dropout(self.relu(self.hidden(x)))))


model = CreditApprovalNet()
criterion = nn.BCELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
history = []
for epoch in range(10):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
    model.eval()
    correct, val_loss = 0, 0.0
    with torch.no_grad():
        for xb, yb in val_loader:
            probs = model(xb)
            val_loss += criterion(probs, yb).item() * len(xb)
            correct += ((probs > 0.5).float() == yb).sum().item()
    history.append((val_loss / len(val_set), correct / len(val_set)))

torch.save(model.state_dict(), checkpoint_path)
restored = CreditApprovalNet()
restored.load_state_dict(torch.load(checkpoint_path))
restored.eval()
with torch.no_grad():
    max_difference = (restored(features) - model(features)).abs().max().item()
"""


def run(imports, body, **globals_):
    namespace = dict(globals_)
    exec(compile(textwrap.dedent(imports) + body, "<script>", "exec"), namespace)
    return namespace


FRAMEWORKS = ["tinygrad_edu", "torch"]


def imports_for(name):
    if name == "torch":
        pytest.importorskip("torch")
        return TORCH_IMPORTS
    return TINYGRAD_IMPORTS


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_mlp_classifier_on_blobs(framework):
    ns = run(imports_for(framework), MLP_CLASSIFIER)
    losses = ns["losses"]
    assert losses[-1] < 0.5 * losses[0]
    assert ns["accuracy"] > 0.9
    assert tuple(ns["logits"].shape) == (300, 3)
    np.testing.assert_allclose(ns["probabilities"].sum(1).numpy(), 1, rtol=1e-5)
    assert list(ns["model"].state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert len(ns["loader"]) == 10


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_regression_loop(framework):
    ns = run(imports_for(framework), REGRESSION)
    losses = ns["losses"]
    assert losses[-1] < 0.1 * losses[0]
    assert ns["slope"] == pytest.approx(3, abs=0.3)
    assert ns["intercept"] == pytest.approx(2, abs=1.5)
    assert repr(ns["model"]) == (
        "LinearRegression(\n  (linear): Linear(in_features=1, out_features=1, bias=True)\n)"
    )


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_binary_classifier_with_split_and_checkpoint(framework, tmp_path):
    ns = run(imports_for(framework), BINARY_CLASSIFIER, checkpoint_path=str(tmp_path / "m.pt"))
    (first_loss, _), (last_loss, last_acc) = ns["history"][0], ns["history"][-1]
    assert last_loss < first_loss and last_acc > 0.93
    assert (len(ns["train_set"]), len(ns["val_set"])) == (800, 200)
    assert (len(ns["train_loader"]), len(ns["val_loader"])) == (25, 4)
    assert ns["max_difference"] == 0.0
    assert list(ns["model"].state_dict()) == [
        "hidden.weight", "hidden.bias", "output.weight", "output.bias"
    ]  # fmt: skip

"""Optimizers and schedulers against torch.optim itself (skipped when PyTorch is absent).

Every case runs 25 steps in float64 on both sides, with two parameter groups, steps where
one parameter has no gradient, and the lr changed mid-run, and asserts agreement to 1e-12
relative. State layout, state_dict format and error messages are compared too.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from tinygrad_edu import Tensor, optim  # noqa: E402
from tinygrad_edu.optim import lr_scheduler  # noqa: E402

SHAPES = [(3, 4), (5,), (2, 3)]
NO_GRAD = {(2, 1), (3, 1), (9, 1), (0, 2), (1, 2)}

OPTIMIZER_CASES = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "weight_decay": 0.1, "maximize": True}),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.02}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("Adam", {"lr": 0.05, "betas": (0.9, 0.99)}),
    ("Adam", {"lr": 0.05, "eps": 0.1, "weight_decay": 0.1, "maximize": True}),
    ("Adam", {"lr": 0.05, "amsgrad": True, "weight_decay": 0.05}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.2, "decoupled_weight_decay": True}),
    ("AdamW", {"lr": 0.05}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.3, "amsgrad": True, "maximize": True}),
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "weight_decay": 0.1, "maximize": True, "alpha": 0.9}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9}),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5, "weight_decay": 0.05}),
    ("Adagrad", {"lr": 0.1}),
    (
        "Adagrad",
        {
            "lr": 0.1,
            "lr_decay": 0.05,
            "weight_decay": 0.1,
            "initial_accumulator_value": 0.5,
            "eps": 1e-3,
            "maximize": True,
        },
    ),
    ("Adadelta", {}),
    ("Adadelta", {"lr": 0.5, "rho": 0.8, "eps": 1e-3, "weight_decay": 0.1, "maximize": True}),
]


def _gradient(step, i):
    rng = np.random.default_rng(1000 * step + i)
    return rng.normal(size=SHAPES[i]) * (2.0 if step < 5 else 0.3)


@pytest.mark.parametrize(("name", "kwargs"), OPTIMIZER_CASES)
def test_optimizer_matches_torch(name, kwargs):
    rng = np.random.default_rng(0)
    start = [rng.normal(size=s) for s in SHAPES]
    ours = [Tensor(a.copy(), requires_grad=True) for a in start]
    theirs = [torch.tensor(a, requires_grad=True) for a in start]
    opt = getattr(optim, name)([{"params": ours[:2]}, {"params": ours[2:], "lr": 0.02}], **kwargs)
    ref = getattr(torch.optim, name)(
        [{"params": theirs[:2]}, {"params": theirs[2:], "lr": 0.02}], **kwargs
    )
    for step in range(25):
        if step == 12:
            for g1, g2 in zip(opt.param_groups, ref.param_groups):
                g1["lr"] *= 0.3
                g2["lr"] *= 0.3
        for i, (p, q) in enumerate(zip(ours, theirs)):
            g = None if (step, i) in NO_GRAD else _gradient(step, i)
            p.grad = None if g is None else Tensor(g)
            q.grad = None if g is None else torch.tensor(g)
        opt.step()
        ref.step()
        for p, q in zip(ours, theirs):
            np.testing.assert_allclose(p._data, q.detach().numpy(), rtol=1e-12, atol=1e-15)

    ours_sd, theirs_sd = opt.state_dict(), ref.state_dict()
    assert ours_sd["param_groups"] == theirs_sd["param_groups"]
    assert list(ours_sd["state"]) == list(theirs_sd["state"])
    for i, state in theirs_sd["state"].items():
        assert list(ours_sd["state"][i]) == list(state)
        for key, value in state.items():
            mine = ours_sd["state"][i][key]
            assert mine.dtype == np.dtype(str(value.dtype).removeprefix("torch."))
            np.testing.assert_allclose(mine._data, value.numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta"])
def test_fresh_state_dict_matches_torch(name):
    p, q = Tensor(np.ones(2), requires_grad=True), torch.ones(2, dtype=torch.float64)
    ours, theirs = getattr(optim, name)([p]).state_dict(), getattr(torch.optim, name)([q])
    theirs = theirs.state_dict()
    assert ours["param_groups"] == theirs["param_groups"]
    assert list(ours["state"]) == list(theirs["state"])


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("SGD", {"lr": -0.1}),
        ("SGD", {"momentum": -0.5}),
        ("SGD", {"weight_decay": -1.0}),
        ("SGD", {"nesterov": True}),
        ("Adam", {"lr": -1.0}),
        ("Adam", {"eps": -1.0}),
        ("Adam", {"betas": (1.0, 0.9)}),
        ("Adam", {"betas": (0.9, -0.2)}),
        ("AdamW", {"weight_decay": -1.0}),
        ("RMSprop", {"alpha": -1.0}),
        ("RMSprop", {"momentum": -1.0}),
        ("Adagrad", {"lr_decay": -1.0}),
        ("Adagrad", {"initial_accumulator_value": -1.0}),
        ("Adadelta", {"lr": -1.0}),
        ("Adadelta", {"rho": 1.5}),
        ("Adadelta", {"eps": -1.0}),
        ("Adadelta", {"weight_decay": -1.0}),
    ],
)
def test_error_messages_match_torch(name, kwargs):
    with pytest.raises(ValueError) as theirs:
        getattr(torch.optim, name)([torch.ones(2, requires_grad=True)], **kwargs)
    with pytest.raises(ValueError) as ours:
        getattr(optim, name)([Tensor(np.ones(2), requires_grad=True)], **kwargs)
    assert str(ours.value) == str(theirs.value)


SCHEDULER_CASES = [
    ("StepLR", {"step_size": 4, "gamma": 0.5}),
    ("MultiStepLR", {"milestones": [3, 7, 7, 20], "gamma": 0.3}),
    ("ExponentialLR", {"gamma": 0.9}),
    ("CosineAnnealingLR", {"T_max": 10, "eta_min": 0.001}),
    ("LinearLR", {"start_factor": 0.2, "end_factor": 0.9, "total_iters": 8}),
    ("LambdaLR", {"lr_lambda": lambda e: 1.0 / (1 + e)}),
]


def _twin_optimizers():
    ours = optim.SGD(
        [
            {"params": [Tensor(np.ones(2), requires_grad=True)]},
            {"params": [Tensor(np.ones(2), requires_grad=True)], "lr": 0.3},
        ],
        lr=0.1,
    )
    theirs = torch.optim.SGD(
        [
            {"params": [torch.ones(2, requires_grad=True)]},
            {"params": [torch.ones(2, requires_grad=True)], "lr": 0.3},
        ],
        lr=0.1,
    )
    return ours, theirs


@pytest.mark.parametrize(("name", "kwargs"), SCHEDULER_CASES, ids=[c[0] for c in SCHEDULER_CASES])
def test_scheduler_matches_torch(name, kwargs):
    ours_opt, theirs_opt = _twin_optimizers()
    ours = getattr(lr_scheduler, name)(ours_opt, **kwargs)
    theirs = getattr(torch.optim.lr_scheduler, name)(theirs_opt, **kwargs)
    assert ours.get_last_lr() == theirs.get_last_lr()
    for _ in range(35):
        ours_opt.step()
        theirs_opt.step()
        ours.step()
        theirs.step()
        np.testing.assert_allclose(ours.get_last_lr(), theirs.get_last_lr(), rtol=1e-12)
        assert [g["lr"] for g in ours_opt.param_groups] == ours.get_last_lr()
    assert ours.last_epoch == theirs.last_epoch
    assert [g["initial_lr"] for g in ours_opt.param_groups] == theirs.base_lrs


def test_chained_schedulers_match_torch():
    ours_opt, theirs_opt = _twin_optimizers()
    ours = [lr_scheduler.ExponentialLR(ours_opt, 0.9), lr_scheduler.StepLR(ours_opt, 3, 0.5)]
    theirs = [
        torch.optim.lr_scheduler.ExponentialLR(theirs_opt, 0.9),
        torch.optim.lr_scheduler.StepLR(theirs_opt, 3, 0.5),
    ]
    for _ in range(12):
        ours_opt.step()
        theirs_opt.step()
        for s in ours + theirs:
            s.step()
        np.testing.assert_allclose(ours[1].get_last_lr(), theirs[1].get_last_lr(), rtol=1e-12)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"patience": 2},
        {
            "mode": "max",
            "factor": 0.5,
            "patience": 1,
            "cooldown": 2,
            "threshold_mode": "abs",
            "threshold": 0.05,
        },
        {"patience": 0, "min_lr": [0.05, 0.001], "factor": 0.2},
    ],
)
def test_reduce_lr_on_plateau_matches_torch(kwargs):
    ours_opt, theirs_opt = _twin_optimizers()
    ours = lr_scheduler.ReduceLROnPlateau(ours_opt, **kwargs)
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(theirs_opt, **kwargs)
    metrics = [1.0, 0.9, 0.95, 0.95, 0.96, 0.8, 0.8, 0.81, 0.82, 0.9, 0.7, 0.7, 0.7, 0.75] * 2
    for m in metrics:
        ours.step(m)
        theirs.step(m)
        assert ours.get_last_lr() == theirs.get_last_lr()
        assert ours.num_bad_epochs == theirs.num_bad_epochs

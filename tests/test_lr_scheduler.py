"""Learning-rate schedulers against their closed forms, and their bookkeeping."""

import math

import numpy as np
import pytest

from tinygrad_edu import Tensor
from tinygrad_edu.optim import SGD, Adam
from tinygrad_edu.optim.lr_scheduler import (
    CosineAnnealingLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    MultiStepLR,
    ReduceLROnPlateau,
    StepLR,
)

BASE = 0.1


def _optimizer(lr=BASE):
    return SGD([Tensor(np.ones(2), requires_grad=True)], lr=lr)


def _lrs(scheduler, epochs):
    """The lr after the constructor (epoch 0) and after each of ``epochs`` steps."""
    opt = scheduler.optimizer
    lrs = [opt.param_groups[0]["lr"]]
    for _ in range(epochs):
        opt.step()
        scheduler.step()
        lrs.append(opt.param_groups[0]["lr"])
        assert scheduler.get_last_lr() == [lrs[-1]]
    return lrs


@pytest.mark.parametrize(
    ("make", "closed_form"),
    [
        (lambda o: StepLR(o, step_size=3, gamma=0.5), lambda e: BASE * 0.5 ** (e // 3)),
        (
            lambda o: MultiStepLR(o, milestones=[2, 5, 5, 9], gamma=0.1),
            lambda e: BASE * 0.1 ** sum(m <= e for m in [2, 5, 5, 9]),
        ),
        (lambda o: ExponentialLR(o, gamma=0.8), lambda e: BASE * 0.8**e),
        (
            lambda o: CosineAnnealingLR(o, T_max=6, eta_min=0.01),
            lambda e: 0.01 + (BASE - 0.01) * (1 + math.cos(math.pi * e / 6)) / 2,
        ),
        (
            lambda o: LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=4),
            lambda e: BASE * (0.25 + 0.75 * min(e, 4) / 4),
        ),
        (lambda o: LambdaLR(o, lambda e: 0.95**e + 0.1), lambda e: BASE * (0.95**e + 0.1)),
    ],
)
def test_schedule_follows_closed_form(make, closed_form):
    lrs = _lrs(make(_optimizer()), 30)
    np.testing.assert_allclose(lrs, [closed_form(e) for e in range(31)], rtol=1e-12)


def test_cosine_is_not_clamped_after_t_max():
    lrs = _lrs(CosineAnnealingLR(_optimizer(), T_max=5), 10)
    assert lrs[5] == pytest.approx(0.0, abs=1e-15)
    assert lrs[7] > lrs[6] > lrs[5]
    assert lrs[10] == pytest.approx(BASE, rel=1e-12)


def test_constructor_sets_initial_lr_and_keeps_lr_for_chainable_schedules():
    opt = _optimizer()
    scheduler = StepLR(opt, step_size=2)
    assert opt.param_groups[0]["initial_lr"] == BASE and scheduler.base_lrs == [BASE]
    assert scheduler.last_epoch == 0 and opt.param_groups[0]["lr"] == BASE


def test_schedulers_chain():
    opt = _optimizer()
    a, b = ExponentialLR(opt, gamma=0.9), StepLR(opt, step_size=2, gamma=0.5)
    for e in range(1, 9):
        opt.step()
        a.step()
        b.step()
        assert opt.param_groups[0]["lr"] == pytest.approx(BASE * 0.9**e * 0.5 ** (e // 2))


def test_each_group_has_its_own_lr():
    p, q = Tensor(np.ones(1), requires_grad=True), Tensor(np.ones(1), requires_grad=True)
    opt = Adam([{"params": [p]}, {"params": [q], "lr": 1.0}], lr=0.1)
    scheduler = LambdaLR(opt, [lambda e: 0.5**e, lambda e: 1.0 / (e + 1)])
    opt.step()
    scheduler.step()
    opt.step()
    scheduler.step()
    assert scheduler.get_last_lr() == pytest.approx([0.025, 1.0 / 3])


def test_state_dict_round_trip_continues_the_schedule():
    opt = _optimizer()
    scheduler = CosineAnnealingLR(opt, T_max=7, eta_min=0.002)
    _lrs(scheduler, 4)
    saved = scheduler.state_dict()
    assert "optimizer" not in saved and saved["last_epoch"] == 4 and saved["T_max"] == 7
    expected = _lrs(scheduler, 5)

    opt2 = _optimizer()
    opt2.param_groups[0]["lr"] = expected[0]
    resumed = CosineAnnealingLR(opt2, T_max=1)
    resumed.load_state_dict(saved)
    assert _lrs(resumed, 5) == expected


def test_lambda_state_dict_keeps_callable_objects_state_only():
    class Warmup:
        def __init__(self):
            self.factor = 2.0

        def __call__(self, epoch):
            return self.factor * epoch

    opt = _optimizer()
    scheduler = LambdaLR(opt, [Warmup()])
    scheduler.lr_lambdas[0].factor = 3.0
    saved = scheduler.state_dict()
    assert saved["lr_lambdas"] == [{"factor": 3.0}]
    other = LambdaLR(_optimizer(), Warmup())
    other.load_state_dict(saved)
    assert other.lr_lambdas[0].factor == 3.0
    assert LambdaLR(_optimizer(), lambda e: 1.0).state_dict()["lr_lambdas"] == [None]


def test_epoch_argument_is_deprecated_and_uses_closed_form():
    opt = _optimizer()
    scheduler = StepLR(opt, step_size=3, gamma=0.5)
    opt.step()
    with pytest.warns(UserWarning, match="deprecated"):
        scheduler.step(7)
    assert scheduler.get_last_lr() == [BASE * 0.25]


def test_warns_when_scheduler_steps_before_optimizer():
    scheduler = ExponentialLR(_optimizer(), gamma=0.5)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        scheduler.step()


def test_no_warning_in_the_right_order(recwarn):
    opt = _optimizer()
    scheduler = ExponentialLR(opt, gamma=0.5)
    opt.step()
    scheduler.step()
    assert not [w for w in recwarn if "optimizer.step" in str(w.message)]


def test_resuming_needs_initial_lr():
    with pytest.raises(KeyError, match="initial_lr"):
        StepLR(_optimizer(), step_size=2, last_epoch=3)


def test_bad_arguments():
    with pytest.raises(TypeError, match="is not an Optimizer"):
        StepLR(object(), step_size=2)
    with pytest.raises(ValueError, match="Starting multiplicative factor"):
        LinearLR(_optimizer(), start_factor=0)
    with pytest.raises(ValueError, match="Ending multiplicative factor"):
        LinearLR(_optimizer(), end_factor=1.5)
    with pytest.raises(ValueError, match="Expected 1 lr_lambdas, but got 2"):
        LambdaLR(_optimizer(), [lambda e: 1, lambda e: 1])
    with pytest.raises(ValueError, match=r"Factor should be < 1\.0\."):
        ReduceLROnPlateau(_optimizer(), factor=1.0)
    with pytest.raises(ValueError, match="mode sideways is unknown!"):
        ReduceLROnPlateau(_optimizer(), mode="sideways")


def test_reduce_on_plateau_waits_for_patience_then_cools_down():
    opt = _optimizer()
    scheduler = ReduceLROnPlateau(opt, patience=2, cooldown=1, factor=0.5, min_lr=0.03)
    lrs = []
    for metric in [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]:
        scheduler.step(metric)
        lrs.append(scheduler.get_last_lr()[0])
    # epoch 1 sets the best; epochs 2-4 are bad, and 3 > patience cuts lr at epoch 4;
    # epoch 5 is the cooldown (not counted); epochs 6-8 are bad again; min_lr stops at 0.03
    assert lrs == [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.03, 0.03, 0.03]


def test_reduce_on_plateau_counts_relative_improvements_only():
    opt = _optimizer()
    scheduler = ReduceLROnPlateau(opt, mode="max", patience=0, threshold=0.1)
    scheduler.step(1.0)
    scheduler.step(1.05)  # not 10% better than 1.0: a bad epoch, and patience is 0
    assert scheduler.get_last_lr() == [pytest.approx(0.01)]
    scheduler.step(1.2)
    assert scheduler.best == 1.2 and scheduler.num_bad_epochs == 0

"""autograd/big_graphs.py: the collector is kept off a growing graph, and only while it lives.

The speed itself is measured by benchmarks/deep_graph.py; these tests check the safety
promises: frozen objects are unfrozen when the graph dies (by backward or by being dropped),
cyclic garbage is only delayed, and a program that uses gc.freeze() itself is left alone.
"""

from __future__ import annotations

import gc
import weakref

import pytest

import tinygrad_edu as tg
from tinygrad_edu.autograd import big_graphs
from tinygrad_edu.autograd.big_graphs import BigGraphs


class Cycle:
    """An object in a reference cycle: only the cyclic collector can free it."""

    def __init__(self) -> None:
        self.me = self


@pytest.fixture
def small_freezes(monkeypatch):
    """Freeze every 50 recorded nodes, starting from a clean, unfrozen state."""
    gc.unfreeze()
    monkeypatch.setattr(big_graphs, "FREEZE_EVERY", 50)
    monkeypatch.setattr(BigGraphs, "countdown", 50)
    monkeypatch.setattr(BigGraphs, "frozen", 0)
    monkeypatch.setattr(BigGraphs, "disabled", False)
    yield
    gc.unfreeze()


def chain(n: int) -> tuple[tg.Tensor, tg.Tensor]:
    x = tg.tensor(1.0, dtype=tg.float64, requires_grad=True)
    y = x
    for _ in range(n):
        y = y * 1.0001
    return x, y


def test_a_growing_graph_is_frozen_and_unfrozen_after_backward(small_freezes):
    x, y = chain(30)
    assert gc.get_freeze_count() == 0  # a small graph: nothing happens
    x, y = chain(200)
    assert gc.get_freeze_count() > 0 and BigGraphs.frozen == 4
    y.backward()
    assert gc.get_freeze_count() == 0 and BigGraphs.frozen == 0
    assert x.grad.item() == pytest.approx(1.0001**200)


def test_a_dropped_graph_unfreezes_and_cycles_are_only_delayed(small_freezes):
    garbage = Cycle()
    ref = weakref.ref(garbage)
    del garbage
    _, y = chain(120)  # frozen while the cycle was waiting for the collector
    gc.collect()
    assert ref() is not None  # delayed: it is in the frozen generation
    del y  # the graph dies: everything is unfrozen
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert ref() is None  # ... and the cycle is collected as usual


def test_an_older_graph_kept_alive_does_not_keep_things_frozen(small_freezes):
    _, kept = chain(60)  # frozen once, and kept (like losses.append(loss))
    assert BigGraphs.frozen == 1
    for _ in range(3):
        _, y = chain(60)
        y.backward()  # the latest freeze's graph dies: unfrozen
        assert gc.get_freeze_count() == 0
    assert kept.requires_grad


def test_a_program_that_freezes_itself_is_left_alone(small_freezes):
    mine = Cycle()
    gc.freeze()
    before = gc.get_freeze_count()
    _, y = chain(200)
    assert BigGraphs.disabled and gc.get_freeze_count() == before
    del y
    assert gc.get_freeze_count() == before  # never unfrozen by us
    del mine


def test_collector_switched_off_is_left_alone(small_freezes):
    gc.disable()
    try:
        _, _y = chain(200)
        assert gc.get_freeze_count() == 0 and BigGraphs.frozen == 0
    finally:
        gc.enable()

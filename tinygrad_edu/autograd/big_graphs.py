"""Big graphs in linear time: keep Python's cyclic garbage collector off a growing tape.

Python frees most objects the moment their reference count drops to zero; the tape is freed
that way too (its nodes point only backwards, so it has no reference cycles). A second
mechanism, the *cyclic* garbage collector, looks for unreachable cycles. It is
generational: new objects are checked often, survivors rarely, and a *full* collection
walks every tracked object in the process. Full collections run each time the number of
survivors has grown by a quarter, so while a graph of a million nodes is built, the
collector walks the growing graph again and again: about five visits for each of the
~6 objects a node is made of, most of them cache misses once the graph outgrows the CPU's
caches. That made building a 1e6-node chain cost about twice as much per node as a 1e4 one.

The remedy here is ``gc.freeze()``, made for exactly this (servers use it before fork):
it moves every object tracked so far to a "permanent" generation that collections skip.
Every ``FREEZE_EVERY`` recorded nodes we freeze, so a full collection only ever walks the
objects made since the last freeze: its cost per node no longer grows with the graph.

Safety: freezing delays (never prevents) the collection of cycles that already exist. We
watch the node recorded at the latest freeze (``weakref.finalize``); when it dies (backward
released the graph, or the last reference to it went away) everything is unfrozen, and the
next collection treats those objects as usual again. So objects stay frozen only while the
graph that was growing at the last freeze is alive. If the program itself uses
``gc.freeze()``, or has switched the collector off, nothing is done.
"""

from __future__ import annotations

import gc
import weakref
from typing import Any

#: Recorded nodes between two freezes: small enough that a full collection walks about
#: what it walks for a 1e4-node graph, large enough that the freeze itself costs nothing.
FREEZE_EVERY = 10_000


class BigGraphs:
    """The counter ``Function.apply`` ticks for each recorded node, and the freeze state."""

    countdown = FREEZE_EVERY  # recorded nodes left until the next freeze
    frozen = 0  # how many freezes since the last unfreeze (0: nothing of ours is frozen)
    disabled = False  # the program uses gc.freeze() itself: stay out of its way


def freeze_for(node: Any) -> None:
    """Called by ``Function.apply`` every ``FREEZE_EVERY`` recorded nodes, with the newest."""
    BigGraphs.countdown = FREEZE_EVERY
    if BigGraphs.disabled or not gc.isenabled():
        return
    if BigGraphs.frozen == 0 and gc.get_freeze_count() > 0:
        BigGraphs.disabled = True  # someone else's frozen objects: never unfreeze them
        return
    gc.freeze()
    BigGraphs.frozen += 1
    weakref.finalize(node, _node_died, BigGraphs.frozen)


def _node_died(freeze: int) -> None:
    if freeze == BigGraphs.frozen:  # the node of the latest freeze: that graph is gone
        BigGraphs.frozen = 0
        gc.unfreeze()

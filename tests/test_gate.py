"""turkmood.gate: at most N analyses at once, the rest queued in order and told their place."""

from __future__ import annotations

import queue
import threading

import pytest

from turkmood.gate import AnalysisGate

#: Generous bound for a thread to reach a point (never a measured duration).
PATIENCE_S = 30


class _Holder(threading.Thread):
    """A thread that takes a slot, says so, and keeps it until released."""

    def __init__(self, gate: AnalysisGate, name: str, log: queue.Queue) -> None:
        super().__init__(name=name, daemon=True)
        self.gate, self.log = gate, log
        self.release = threading.Event()
        self.waits: list[tuple[int, int]] = []
        self.error: BaseException | None = None

    def on_wait(self, position: int, running: int) -> None:
        if not self.waits or self.waits[-1] != (position, running):
            self.log.put((self.name, "waits", position, running))
        self.waits.append((position, running))

    def run(self) -> None:
        try:
            with self.gate.slot(self.on_wait):
                self.log.put((self.name, "runs"))
                assert self.release.wait(PATIENCE_S)
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            self.error = exc


def _next(log: queue.Queue) -> tuple:
    return log.get(timeout=PATIENCE_S)


def test_a_third_analysis_waits_first_in_line_and_runs_when_a_slot_frees():
    gate, log = AnalysisGate(2, poll_s=0.01), queue.Queue()
    a, b, c = (_Holder(gate, name, log) for name in "abc")
    a.start()
    assert _next(log) == ("a", "runs")
    b.start()
    assert _next(log) == ("b", "runs")
    assert a.waits == [] and b.waits == []  # a free slot is taken without waiting
    c.start()
    assert _next(log) == ("c", "waits", 1, 2)  # first in line, two running
    assert gate.running == 2 and gate.waiting == 1
    a.release.set()
    assert _next(log) == ("c", "runs")
    b.release.set(), c.release.set()
    for t in (a, b, c):
        t.join(PATIENCE_S)
        assert t.error is None
    assert gate.running == 0 and gate.waiting == 0


def test_waiters_are_served_in_arrival_order_and_see_their_place():
    gate, log = AnalysisGate(1, poll_s=0.01), queue.Queue()
    first, second, third = (_Holder(gate, name, log) for name in ("first", "second", "third"))
    first.start()
    assert _next(log) == ("first", "runs")
    second.start()
    assert _next(log) == ("second", "waits", 1, 1)
    third.start()
    assert _next(log) == ("third", "waits", 2, 1)
    first.release.set()
    events = [_next(log), _next(log)]
    assert ("second", "runs") in events and ("third", "waits", 1, 1) in events
    second.release.set()
    assert _next(log) == ("third", "runs")
    third.release.set()
    for t in (first, second, third):
        t.join(PATIENCE_S)


def test_an_exception_in_the_body_gives_the_slot_back():
    gate = AnalysisGate(1)
    with pytest.raises(RuntimeError), gate.slot():
        raise RuntimeError("a broken song")
    assert gate.running == 0
    with gate.slot():  # would wait forever if the slot had leaked
        assert gate.running == 1


def test_a_waiter_that_gives_up_leaves_the_queue():
    """An exception from on_wait (Streamlit stopping a script whose visitor left) removes the
    waiter: the one behind it moves up and nobody waits for a ghost."""
    gate, log = AnalysisGate(1, poll_s=0.01), queue.Queue()
    holder = _Holder(gate, "holder", log)
    holder.start()
    assert _next(log) == ("holder", "runs")

    def leave(position, running):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt), gate.slot(leave):
        pytest.fail("entered without a free slot")
    assert gate.waiting == 0
    behind = _Holder(gate, "behind", log)
    behind.start()
    assert _next(log) == ("behind", "waits", 1, 1)  # first in line: the ghost is gone
    holder.release.set()
    assert _next(log) == ("behind", "runs")
    behind.release.set()
    for t in (holder, behind):
        t.join(PATIENCE_S)
        assert t.error is None
    assert gate.running == 0


def test_a_limit_below_one_is_refused():
    with pytest.raises(ValueError):
        AnalysisGate(0)

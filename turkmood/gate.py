"""A bound on concurrent audio analyses, with a first-come-first-served queue that knows places.

Heavy but legal uploads (a 20-minute song, a batch of long ones) each keep a core busy; without a
bound a handful of visitors pin every core and all of them wait longer. :class:`AnalysisGate`
lets ``limit`` analyses run at once; the others wait in arrival order and, while waiting, are told
their place (``on_wait(position, running)``) so a page can say "2 analyses ahead of you".

A slot is always given back: the body of :meth:`AnalysisGate.slot` releases it in ``finally``,
and a waiter that is interrupted (an exception from ``on_wait``, e.g. Streamlit stopping the
script because the visitor left) leaves the queue, so nothing behind it waits forever.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from turkmood.constants import QUEUE_POLL_S

#: ``on_wait(position, running)``: 1-based place in the queue and analyses running now.
OnWait = Callable[[int, int], None]


class AnalysisGate:
    """At most ``limit`` holders of :meth:`slot` at once; later callers queue in arrival order."""

    def __init__(self, limit: int, poll_s: float = QUEUE_POLL_S) -> None:
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        self.limit = limit
        self._poll_s = poll_s
        self._cond = threading.Condition()
        self._running = 0
        self._queue: deque[object] = deque()
        #: Waiters a leaving holder handed its slot to (counted in ``_running`` already), so
        #: no one in line ever sees a free slot that is about to be taken.
        self._granted: set[object] = set()

    @property
    def running(self) -> int:
        """Slots held now."""
        with self._cond:
            return self._running

    @property
    def waiting(self) -> int:
        """Callers queued now."""
        with self._cond:
            return len(self._queue)

    def _enter(self, ticket: object) -> bool:
        """Take a slot if one was handed to ``ticket``, or it is first in line and one is free
        (lock held)."""
        if ticket in self._granted:
            self._granted.discard(ticket)
            return True
        if self._running < self.limit and self._queue and self._queue[0] is ticket:
            self._queue.popleft()
            self._running += 1
            self._cond.notify_all()  # the next in line may enter too when slots remain
            return True
        return False

    @contextmanager
    def slot(self, on_wait: OnWait | None = None) -> Iterator[None]:
        """Hold one slot for the body; while none is free, wait in line.

        ``on_wait(position, running)`` is called before waiting and then about every
        ``poll_s`` seconds until the slot is taken (outside the lock; it may raise to give up).
        It is never called when a slot is free at once.
        """
        ticket = object()
        with self._cond:
            self._queue.append(ticket)
        try:
            while True:
                with self._cond:
                    if self._enter(ticket):
                        break
                    position, running = self._queue.index(ticket) + 1, self._running
                if on_wait is not None:
                    on_wait(position, running)
                with self._cond:
                    if self._enter(ticket):
                        break
                    self._cond.wait(self._poll_s)
        except BaseException:
            with self._cond:
                if ticket in self._granted:  # handed a slot while giving up: pass it on
                    self._granted.discard(ticket)
                    self._leave()
                elif ticket in self._queue:
                    self._queue.remove(ticket)
                    self._cond.notify_all()  # the one behind may now be first
            raise
        try:
            yield
        finally:
            with self._cond:
                self._leave()

    def _leave(self) -> None:
        """Give a held slot back: straight to the first in line, else free it (lock held)."""
        if self._queue:
            self._granted.add(self._queue.popleft())
        else:
            self._running -= 1
        self._cond.notify_all()

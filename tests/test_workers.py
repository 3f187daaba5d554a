"""turkmood.workers: a worker can tell whether the owner of its pool is alive."""

from __future__ import annotations

import os
import subprocess
import sys

from turkmood.workers import owner_alive


def test_a_running_process_is_alive():
    assert owner_alive(os.getpid())


def test_a_finished_and_reaped_process_is_not():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()  # reaped: its pid no longer exists
    assert not owner_alive(child.pid)

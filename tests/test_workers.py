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


def test_free_heap_memory_can_be_handed_back_on_glibc():
    import platform

    from turkmood.workers import release_free_memory

    expected = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"
    assert release_free_memory() is expected

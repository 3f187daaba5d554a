"""Keep C-library chatter (libmpg123's "Warning: Xing stream size off…") out of a terminal.

libsndfile's MP3 decoder prints its warnings straight to file descriptor 2 from C, past Python's
``sys.stderr``; on a folder of old MP3s the progress bar drowns in them, and they say nothing the
results table does not (a damaged file gets its own error row). :func:`filtered_stderr` points
fd 2 at a pipe for the duration of a command line run and copies every line to the real stderr
except those a decoder library printed. Worker processes started inside it inherit the pipe, so
their lines are filtered too. Used by the CLI only: a server's stderr (its log) is left alone.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress

__all__ = ["DECODER_NOISE", "filtered_stderr", "is_decoder_noise"]

#: Lines libmpg123 (inside libsndfile) writes to stderr on its own.
DECODER_NOISE = re.compile(
    rb"^(Warning: Xing stream size off|Note: Illegal Audio-MPEG-Header|Note: Trying to resync"
    rb"|Note: Skipped \d+ bytes in input|Big change from first|\[src/libmpg123/|"
    rb"\[[^\]]*mpg123[^\]]*\]|Warning: (?:Encountered|Real sample count|Cannot read next header))"
)


def is_decoder_noise(line: bytes) -> bool:
    """True for a line a decoder library printed on its own (see ``DECODER_NOISE``)."""
    return bool(DECODER_NOISE.match(line.lstrip()))


def _pump(source: int, target: int) -> None:
    """Copy lines from ``source`` to ``target`` until EOF, dropping decoder noise."""
    with os.fdopen(source, "rb", buffering=0) as pipe:
        pending = b""
        while chunk := pipe.read(65536):
            pending += chunk
            *lines, pending = pending.split(b"\n")
            kept = [line + b"\n" for line in lines if not is_decoder_noise(line)]
            if kept:
                os.write(target, b"".join(kept))
            if len(pending) > 65536 or (pending and b"\r" in pending):  # progress bars
                os.write(target, pending)
                pending = b""
        if pending and not is_decoder_noise(pending):
            os.write(target, pending)


@contextmanager
def filtered_stderr() -> Iterator[None]:
    """Filter fd 2 (see the module docstring); a no-op where fd 2 cannot be redirected."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
        read_end, write_end = os.pipe()
    except (OSError, AttributeError, ValueError):
        yield
        return
    os.dup2(write_end, 2)
    os.close(write_end)
    pump = threading.Thread(target=_pump, args=(read_end, saved), daemon=True)
    pump.start()
    try:
        yield
    finally:
        with suppress(OSError, ValueError):
            sys.stderr.flush()
        os.dup2(saved, 2)  # closes this process's write end: the pump sees EOF, unless a
        pump.join(timeout=1.0)  # long-lived child (a forkserver) still holds one; then the
        if not pump.is_alive():  # daemon pump keeps copying for it until the process exits
            os.close(saved)

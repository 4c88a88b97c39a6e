"""One exception type for predictable user errors (bad input, bad config, failed download), and the
one check that an input file can be read.

Scripts let it propagate; the message, not a traceback, is what a user needs, so it must name
the file, key, value or URL at fault and say what to do next.
"""

from __future__ import annotations

import os


class InputError(Exception):
    """A problem with the user's input that they can fix."""


def check_readable_file(path: str | os.PathLike[str], what: str, fix: str) -> None:
    """An InputError "cannot read <what> <path>: <reason> (<fix>)" unless `path` is a regular file
    this process can open; a FIFO or device is refused without opening it (a FIFO would block).
    Called where the workflow first meets an input (an input function or params), before Snakemake
    reads it for its own bookkeeping and fails with a traceback about .snakemake."""
    if not os.path.exists(path):
        raise InputError(f"{what} {path} does not exist ({fix})")
    if not os.path.isfile(path):
        raise InputError(
            f"cannot read {what} {path}: it is not a regular file, but a directory, FIFO or device ({fix})"
        )
    try:
        with open(path, "rb") as handle:
            handle.read(1)
    except OSError as error:
        raise InputError(f"cannot read {what} {path}: {error.strerror or error} ({fix})") from None

"""Run a workflow script with its stderr and logging sent to the rule's log file, on its job's threads.

Snakemake tells a `script:` job its threads but, unlike a `shell:` job, sets no thread variables:
left alone, OpenBLAS, torch and numba each start one thread per core in every job, so two one-thread
jobs on two cores run four or more busy threads, and OpenBLAS's idle threads spin between calls,
slowing the jobs beside them. `run` caps all three at `snakemake.threads` (torch and numba where the
script has imported them).

A predictable error (`InputError`) is reported as one line, both in the log and on the console
that runs Snakemake, so the user sees what to fix without opening the log; anything else keeps
its full traceback in the log (written before stderr is given back, so it cannot miss the log)
and is raised again for Snakemake to report.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import traceback
from collections.abc import Callable, Iterator
from typing import Any

import threadpoolctl

from w2vtheory.errors import InputError


@contextlib.contextmanager
def limited_threads(threads: int) -> Iterator[None]:
    """Cap BLAS/OpenMP pools, and torch's and numba's where imported, at `threads`; restored after."""
    torch, numba = sys.modules.get("torch"), sys.modules.get("numba")
    previous = (torch.get_num_threads() if torch else None, numba.get_num_threads() if numba else None)
    try:
        with threadpoolctl.threadpool_limits(limits=threads):
            if torch:
                torch.set_num_threads(threads)
            if numba:
                numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
            yield
    finally:
        if torch:
            torch.set_num_threads(previous[0])
        if numba:
            numba.set_num_threads(previous[1])


def run(snakemake: Any, main: Callable[[Any], None]) -> None:
    # a job's threads; one for callers that name none (a script run by hand)
    with limited_threads(max(1, int(getattr(snakemake, "threads", 1)))):
        _run_logged(snakemake, main)


def _run_logged(snakemake: Any, main: Callable[[Any], None]) -> None:
    console = sys.stderr
    with open(snakemake.log[0], "w", encoding="utf-8", buffering=1) as log:
        sys.stderr = log
        handler = logging.StreamHandler(log)
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        root = logging.getLogger()
        root.addHandler(handler)
        root.setLevel(logging.INFO)
        try:
            main(snakemake)
        except InputError as error:
            message = f"Error in rule {snakemake.rule}: {error}"
            print(message, file=log)
            print(message, file=console)
            sys.exit(1)
        except (Exception, KeyboardInterrupt) as error:
            # Whatever stops the job (MemoryError, Ctrl-C included), its log says where.
            traceback.print_exc(file=log)
            print(f"Error in rule {snakemake.rule}: {error!r} (traceback in {snakemake.log[0]})", file=console)
            raise
        finally:
            root.removeHandler(handler)
            sys.stderr = console

"""Run a workflow script with its stderr and logging sent to the rule's log file.

A predictable error (`InputError`) is reported as one line, both in the log and on the console
that runs Snakemake, so the user sees what to fix without opening the log; anything else keeps
its full traceback in the log (written before stderr is given back, so it cannot miss the log)
and is raised again for Snakemake to report.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from typing import Any

from w2vtheory.errors import InputError


def run(snakemake: Any, main: Callable[[Any], None]) -> None:
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

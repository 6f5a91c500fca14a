"""What every worker process of Wirewatch does first: die with its parent.

A pool worker blocks on its task queue forever if the process that owns the pool is
killed (SIGKILL runs no clean-up), so parser and NER workers would pile up across
crashes. Each worker starts a thread that waits for its parent and exits with it.
"""

from __future__ import annotations

import multiprocessing
import os
import threading


def exit_with_parent() -> None:
    """Call first in a pool initializer."""
    threading.Thread(target=_wait_for_parent, daemon=True, name="exit-with-parent").start()


def _wait_for_parent() -> None:
    parent = multiprocessing.parent_process()
    if parent is not None:
        parent.join()
        os._exit(0)

"""Limits on one background job: memory for its worker process, time for the job (no Flask).

Jobs work on untrusted files, so a hostile file must fail its own job, never the machine.

- **Memory**: ``limit_memory`` lowers the address-space limit (``RLIMIT_AS``) of a worker
  process; ``flask jobs worker`` runs each job in a worker process of its own (huey's process
  workers, one job at a time each), so the limit is the job's. Past it an allocation fails
  with ``MemoryError``, which the job turns into its failure ("needed more memory").
- **Time**: ``time_limit`` watches one job from a thread. At the limit it raises
  ``TimeLimitExceeded`` in the job's thread (at its next Python instruction); a job stuck
  where that cannot reach it (a C loop, a blocking call) is given ``grace`` seconds more, then
  ``on_overrun`` records the failure and, in a worker process (``hard_exit``), the process
  ends: the consumer starts a fresh one. A CPU-time limit (``RLIMIT_CPU``) backs the watcher
  up should the job never let it run (a C loop holding the GIL): the kernel ends the process.
"""

from __future__ import annotations

import ctypes
import logging
import math
import os
import resource
import signal
import threading
from collections.abc import Callable
from contextlib import ExitStack, contextmanager

log = logging.getLogger(__name__)

EXIT_TIME_LIMIT = 75  # a worker process ended by its job's time limit
PR_SET_PDEATHSIG = 1


class TimeLimitExceeded(Exception):
    """The job ran past its time limit."""


def limit_memory(megabytes: float | None) -> None:
    """Cap this process's address space at ``megabytes`` (None or 0: leave it as it is)."""
    if not megabytes:
        return
    wanted = int(float(megabytes) * 1024 * 1024)
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))


def memory_limit() -> int | None:
    """This process's address-space limit in bytes, None when unlimited."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_AS)
    return None if soft == resource.RLIM_INFINITY else soft


def die_with_parent() -> None:
    """Ask Linux to kill this process when its parent (the consumer) dies, even by SIGKILL, so
    no worker process is left holding a database transaction. Elsewhere: nothing."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        log.debug("prctl(PR_SET_PDEATHSIG) is not available here")


def grace_for(seconds: float) -> float:
    """How long a job past its limit may take to stop by itself: a tenth, 1 to 30 seconds."""
    return max(1.0, min(30.0, seconds / 10))


def _raise_in(thread_id: int, exception: type[BaseException] | None) -> None:
    """Raise ``exception`` in another thread at its next instruction (None: cancel one not yet
    raised)."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exception) if exception else None)


@contextmanager
def _cpu_backstop(seconds: float):
    """The kernel ends this process once it has used ``seconds`` more CPU time."""
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    limit = math.ceil(usage.ru_utime + usage.ru_stime + seconds)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


@contextmanager
def time_limit(seconds: float | None, *, on_overrun: Callable[[], object] | None = None,
               hard_exit: bool = False, grace: float | None = None):
    """Run the block under a time limit of ``seconds`` (None or 0: no limit); see the module."""
    if not seconds:
        yield
        return
    grace = grace_for(seconds) if grace is None else grace
    target = threading.get_ident()
    state = {"done": False, "raised": False}
    lock, wake = threading.Lock(), threading.Event()

    def watch() -> None:
        if wake.wait(seconds):
            return
        with lock:
            if state["done"]:
                return
            state["raised"] = True
            _raise_in(target, TimeLimitExceeded)
        if wake.wait(grace) or state["done"]:
            return
        log.error("a job is still running %g s past its time limit of %g s", grace, seconds)
        if on_overrun is not None:
            try:
                on_overrun()
            except Exception:
                log.exception("could not record the job's time-out")
        if hard_exit and not state["done"]:
            logging.shutdown()
            os._exit(EXIT_TIME_LIMIT)

    watcher = threading.Thread(target=watch, name="job-time-limit", daemon=True)
    watcher.start()
    try:
        with ExitStack() as backstop:
            if hard_exit:
                backstop.enter_context(_cpu_backstop(seconds + 3 * grace))
            try:
                yield
            finally:
                state["done"] = True  # first, and no call: the watcher reads it before acting
    finally:
        wake.set()
        with lock:
            if state["raised"]:
                _raise_in(target, None)  # finished just in time: drop one not yet raised
        watcher.join()

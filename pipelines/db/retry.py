"""Transient database errors retried with exponential backoff, a bounded number of times.

Transient: the connection refused or dropped (a restarted server, a terminated backend), a
serialization failure, a deadlock. Everything else is raised at once. Each writer is one
transaction, so a retry starts from the previous consistent state.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

import psycopg
from psycopg import errors

logger = logging.getLogger(__name__)
T = TypeVar("T")
TRANSIENT: tuple[type[BaseException], ...] = (
    errors.SerializationFailure,
    errors.DeadlockDetected,
    errors.AdminShutdown,
    errors.CannotConnectNow,
    psycopg.OperationalError,
)
ATTEMPTS = 4
FIRST_DELAY_SECONDS = 0.5


def is_transient(exc: BaseException | None) -> bool:
    """Whether an error, or any error it was raised from, is worth a retry."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, TRANSIENT):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def with_retries(
    action: Callable[[], T],
    *,
    attempts: int = ATTEMPTS,
    first_delay: float = FIRST_DELAY_SECONDS,
    what: str = "database work",
) -> T:
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except Exception as exc:
            if attempt == attempts or not is_transient(exc):
                raise
            delay = first_delay * 2 ** (attempt - 1) * (1 + random.random() / 2)  # noqa: S311 - jitter
            logger.warning(
                "%s failed (%s); retry %d of %d in %.1fs", what, exc, attempt, attempts - 1, delay
            )
            time.sleep(delay)
    raise AssertionError("unreachable")

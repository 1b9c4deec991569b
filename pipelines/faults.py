"""Named failpoints: the fault-injection tests make a writer fail at a chosen point.

``JOBSWIPE_FAILPOINT=<name>`` makes the process SIGKILL itself when it reaches ``failpoint(name)``
(no clean-up, no rollback message: the database must recover from the dropped connection
alone). ``<name>:pause=<seconds>`` sleeps there once instead, holding its transaction open, so a
test can terminate the backend or the server meanwhile. Unset, a failpoint costs one lookup.
"""

from __future__ import annotations

import os
import signal
import time

ENVIRONMENT_VARIABLE = "JOBSWIPE_FAILPOINT"
_paused: set[str] = set()


def failpoint(name: str) -> None:
    setting = os.environ.get(ENVIRONMENT_VARIABLE)
    if not setting or not setting.startswith(name):
        return
    if setting == name:
        os.kill(os.getpid(), signal.SIGKILL)
    elif setting.startswith(f"{name}:pause=") and name not in _paused:
        _paused.add(name)
        time.sleep(float(setting.rpartition("=")[2]))

"""What a process has used of the machine's memory (runs and benchmarks report it per phase)."""

from __future__ import annotations

import resource
from pathlib import Path


def peak_rss_mb() -> float:
    """This process's own peak resident set so far (VmHWM), in MB.

    Not getrusage's ru_maxrss where /proc is there: Linux carries that across exec from the
    process that forked, so a spawned child reports at least its parent's size at the fork.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

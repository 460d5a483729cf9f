"""What the reliability tests share: the bench's process helpers on the path, and their markers.

They start a private PostgreSQL cluster (bench/_stack.py), gunicorn web processes and a worker:
slow, one stack at a time (they share the 2 cores), and only where PostgreSQL's server binaries and
root (for runuser) are available, or in CI, which must have them.
"""

from __future__ import annotations

import glob
import os
import shutil
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

HAVE_STACK = bool(glob.glob("/usr/lib/postgresql/*/bin/initdb")) and shutil.which("runuser") and os.geteuid() == 0

STACK_MARKS = [
    pytest.mark.slow,
    pytest.mark.xdist_group("server-stack"),
    pytest.mark.skipif(
        not HAVE_STACK and not os.environ.get("CI"),
        reason="needs PostgreSQL server binaries and root (runuser) for a private cluster",
    ),
]

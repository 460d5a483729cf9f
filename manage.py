#!/usr/bin/env python
"""Django's command-line utility; same as the `convene` console script."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from convene.__main__ import main  # noqa: E402

if __name__ == "__main__":
    main(sys.argv[1:])

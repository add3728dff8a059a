#!/usr/bin/env python3
"""Regenerate the illustrations: every scenario in animations/ into output/ (see --help)."""

import sys
from pathlib import Path

from convanim.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], root=Path(__file__).resolve().parent))

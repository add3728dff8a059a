"""``python -m convanim``: the same CLI as generate.py, relative to the working directory."""

import sys

from .cli import main

sys.exit(main(sys.argv[1:], prog="python -m convanim"))

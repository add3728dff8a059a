"""``python -m convanim``: the ``convanim`` command (build, check, list, schema, new, watch)."""

import sys

from .command import main

sys.exit(main(sys.argv[1:]))

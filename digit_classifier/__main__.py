"""``python -m digit_classifier``: the same as the ``digit-classifier`` command."""

import sys

from .apps.cli import main

if __name__ == "__main__":
    sys.exit(main())

"""``python -m digit_classifier``: the same as the ``digit-classifier`` command."""

from .apps.cli import run

if __name__ == "__main__":
    run()

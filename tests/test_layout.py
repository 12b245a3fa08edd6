"""The package's rooms: what each may import, and doctests that need an extra."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import digit_classifier

ROOT = Path(__file__).parents[1]
PREFIX = "digit_classifier."
# The rooms that must stay NumPy-only (with SciPy, Pillow and safetensors),
# and what no room but model/ may import.
NUMPY_ONLY = [
    "digit_classifier.images",
    "digit_classifier.inference",
    "digit_classifier.numbers",
    "digit_classifier.persistence",
    "digit_classifier.presets",
    "digit_classifier.samples",
]
HEAVY = {"tensorflow", "keras", "scikeras"}
NOT_IN_NUMPY_ONLY = HEAVY | {"sklearn", "matplotlib", "fastapi"}


def imported_by(modules):
    """The top-level packages importing `modules` loads, in a fresh process."""
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(' '.join(sorted({name.split('.')[0] for name in sys.modules})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return set(result.stdout.split())


def test_the_numpy_only_rooms_import_no_framework():
    assert not NOT_IN_NUMPY_ONLY & imported_by(NUMPY_ONLY)


def test_only_the_model_room_imports_tensorflow():
    modules = [
        info.name
        for info in pkgutil.walk_packages(
            digit_classifier.__path__, "digit_classifier."
        )
        # model/ is TensorFlow's room; the tuning name re-exports from it.
        if not info.name.startswith("digit_classifier.model")
        and info.name != "digit_classifier.tuning"
    ]
    assert "digit_classifier.apps.cli" in modules
    assert not HEAVY & imported_by(modules)


@pytest.mark.slow
def test_doctests_that_need_a_missing_extra_are_skipped_with_the_reason():
    code = (
        "import sys, pytest\n"
        "sys.modules['fastapi'] = None  # not installed\n"
        # In this process (-n 0): worker processes would import fastapi.
        "sys.exit(pytest.main(['-q', '-rs', '-p', 'no:cacheprovider', '-n', '0',\n"
        "    'digit_classifier/apps/serve', 'digit_classifier/serving.py',\n"
        "    'digit_classifier/presets.py']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stdout
    assert "needs the serve extra (fastapi is not installed)" in result.stdout
    assert " passed" in result.stdout  # the other doctests still ran

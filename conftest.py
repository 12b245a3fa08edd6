"""pytest's set-up for the package's doctests: those that need an optional
extra are skipped, with the reason, when it is not installed.

(The tests' own set-up is tests/conftest.py.)
"""

import importlib

import pytest

# Modules that cannot be imported without an extra: (a module it brings, extra).
MODULES_NEEDING = {
    "digit_classifier/apps/serve/": ("fastapi", "serve"),
    "digit_classifier/serving.py": ("fastapi", "serve"),
}
# Doctests of modules that import without it, but whose examples need it.
DOCTESTS_NEEDING = {
    "digit_classifier.model.tuning.dask_cluster": ("distributed", "distributed"),
    "digit_classifier.apps.serve._app.make_app": ("httpx", "dev"),
}


def _missing(module, extra):
    """The reason to skip, if `module` cannot be imported; else None."""
    try:
        importlib.import_module(module)
    except ImportError:
        return (
            f"needs the {extra} extra ({module} is not installed): "
            f"pip install -e '.[{extra}]'"
        )
    return None


class _NeedsExtra(pytest.File):
    """A module whose doctests are skipped: it cannot even be imported."""

    def collect(self):
        pytest.skip(self.reason)


@pytest.hookimpl(wrapper=True)
def pytest_collect_file(file_path, parent):
    collectors = yield
    path = file_path.relative_to(parent.config.rootpath).as_posix()
    if file_path.suffix != ".py":
        return collectors
    for prefix, needed in MODULES_NEEDING.items():
        if path.startswith(prefix) and (reason := _missing(*needed)):
            collector = _NeedsExtra.from_parent(parent, path=file_path)
            collector.reason = reason
            return [collector]
    return collectors


def pytest_collection_modifyitems(items):
    for item in items:
        needed = DOCTESTS_NEEDING.get(item.name)
        if needed and (reason := _missing(*needed)):
            item.add_marker(pytest.mark.skip(reason=reason))

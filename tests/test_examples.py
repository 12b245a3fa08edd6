"""Every example script runs top to bottom, and the notebook executes.

They run in fast mode (``DIGIT_CLASSIFIER_FULL`` unset: scikit-learn's 8x8
digits, small settings), so that none of them can rot unnoticed; one script
also runs in full mode, and ``docs/make_figures.py`` makes the README's
pictures, on a slice of MNIST when ``DIGIT_CLASSIFIER_DATA`` is set.
"""

import json
import re
import runpy
import sys
from pathlib import Path

import pytest
from PIL import Image

# Each runs a script or the notebook in a process of its own.
pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).parents[1] / "examples"
DOCS = Path(__file__).parents[1] / "docs"
SCRIPTS = sorted(EXAMPLES.glob("*.py"))
NOTEBOOK = EXAMPLES / "digit_classification.ipynb"
# What each script must print besides its test accuracy, and the pictures it
# must write into the current folder.
EXPECTED = {
    "quickstart.py": (r"true \d: predicted \d \(p = ", ["quickstart_predictions"]),
    "confusion_matrix.py": (
        r"most confused \(true -> predicted\):\n  \d -> \d: ",
        [
            "confusion_matrix_counts",
            "confusion_matrix_normalized",
            "confusion_matrix_mistakes",
        ],
    ),
    "grid_search_hidden_sizes.py": (
        r"best hidden_layer_sizes: \(\d+",
        ["grid_search_results"],
    ),
    "distributed_search_dask.py": (
        r"Dask scheduler at tcp://127\.0\.0\.1:\d+, 2 ",
        ["dask_search_results"],
    ),
    # The photo is drawn from a test digit: the model must read it right.
    "predict_your_handwriting.py": (
        r"photo00000\.jpg: predicted (\d) \(p = [01]\.\d\d\), drawn from a \1\n",
        ["handwriting_prediction"],
    ),
}
# Every example reaches this on the 8x8 digits even in fast mode.
MIN_ACCURACY = 0.85


def run_example(script, monkeypatch, folder):
    """Run a script as ``python script`` would, in this process, from `folder`."""
    # Without arguments: pytest's own would reach the script.
    monkeypatch.setattr(sys, "argv", [str(script)])
    monkeypatch.chdir(folder)
    runpy.run_path(str(script), run_name="__main__")


def printed_accuracy(output):
    match = re.search(r"test accuracy: (\d\.\d+)", output)
    assert match, f"no test accuracy line in:\n{output}"
    return float(match.group(1))


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_example_runs(script, monkeypatch, capsys, tmp_path):
    assert script.name in EXPECTED, f"add what {script.name} prints to EXPECTED"
    if script.name == "distributed_search_dask.py":
        pytest.importorskip("distributed", reason="needs the distributed extra")
    monkeypatch.delenv("DIGIT_CLASSIFIER_FULL", raising=False)
    monkeypatch.delenv("DASK_SCHEDULER_ADDRESS", raising=False)

    run_example(script, monkeypatch, tmp_path)

    output = capsys.readouterr().out
    pattern, pictures = EXPECTED[script.name]
    assert re.search(pattern, output), f"{pattern!r} not in:\n{output}"
    assert printed_accuracy(output) >= MIN_ACCURACY
    written = sorted(path.name for path in tmp_path.iterdir())
    assert written == sorted(f"{name}.png" for name in pictures)
    for name in written:
        assert f"wrote {name}" in output
        with Image.open(tmp_path / name) as picture:
            assert picture.format == "PNG"
            # Not blank: a drawn figure has more than a background colour.
            assert len(picture.convert("L").getcolors(maxcolors=2**16)) > 2


def test_full_mode_reads_mnist(mnist_slice_dir, monkeypatch, capsys, tmp_path):
    # Full mode on 3,000 MNIST images: the same code path as on all of them.
    monkeypatch.setenv("DIGIT_CLASSIFIER_FULL", "1")
    monkeypatch.setenv("DIGIT_CLASSIFIER_DATA", str(mnist_slice_dir))
    run_example(EXAMPLES / "quickstart.py", monkeypatch, tmp_path)
    output = capsys.readouterr().out
    assert "3000 training and 1000 test images, (28, 28)" in output
    assert printed_accuracy(output) >= 0.85


def test_notebook_is_stored_without_outputs():
    notebook = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert code
    assert all(cell["outputs"] == [] for cell in code)
    assert all(cell["execution_count"] is None for cell in code)
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"


def test_notebook_runs(monkeypatch):
    nbclient = pytest.importorskip(
        "nbclient", reason="executing the notebook needs nbclient (the dev extra)"
    )
    import nbformat

    # The kernel inherits this environment: fast mode.
    monkeypatch.delenv("DIGIT_CLASSIFIER_FULL", raising=False)
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(EXAMPLES)}},
    )
    client.execute()

    outputs = [output for cell in notebook.cells for output in cell.get("outputs", [])]
    text = "".join(output.get("text", "") for output in outputs)
    assert printed_accuracy(text) >= MIN_ACCURACY
    assert "same predictions: True" in text
    pictures = [output for output in outputs if "image/png" in output.get("data", {})]
    # Sample digits, training curves, confusion matrix, mistakes, search.
    assert len(pictures) == 5


def test_make_figures_writes_the_readme_pictures(mnist_slice_dir, tmp_path):
    # The script behind the README's pictures, on an MNIST slice and one epoch.
    make_figures = runpy.run_path(str(DOCS / "make_figures.py"))["main"]
    make_figures(
        ["--data-dir", str(mnist_slice_dir), "--out-dir", str(tmp_path)]
        + ["--epochs", "1", "--hidden", "32"]
    )
    names = sorted(path.name for path in tmp_path.iterdir())
    pictures = [
        "confusion_matrix.png",
        "predict_show.png",
        "read_show.png",
        "sample_predictions.png",
    ]
    assert names == pictures
    for name in names:
        with Image.open(tmp_path / name) as picture:
            assert picture.format == "PNG"
            assert picture.width > 400

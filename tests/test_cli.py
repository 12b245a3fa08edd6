"""The digit-classifier command, end to end, and its error paths."""

import gc
import json
import os
import subprocess
import sys
from importlib.metadata import entry_points

import numpy as np
import pytest
from PIL import Image

from digit_classifier import load_digits_split, load_mnist
from digit_classifier.apps import cli

RUN_FILES = {
    "model.zip",
    "metrics.json",
    "confusion_matrix.png",
    "confusion_matrix.csv",
    "classification_report.txt",
    "training_curves.png",
    "sample_predictions.png",
    "misclassified.png",
    "reliability_diagram.png",
}
TRAIN_DIGITS = ["train", "--dataset", "digits", "--epochs", "15", "--hidden", "32"]


def run_cli(*args):
    """Run the installed command in a fresh interpreter, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "digit_classifier", *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
        check=False,
    )


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    assert cli.main([*TRAIN_DIGITS, "--out", str(out), "--quiet"]) == 0
    return out


@pytest.mark.slow
def test_help_does_not_import_tensorflow():
    code = (
        "import sys; from digit_classifier.apps import cli\n"
        "try:\n    cli.main(['--help'])\nexcept SystemExit:\n    pass\n"
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "train" in result.stdout


@pytest.mark.slow
def test_predict_runs_without_tensorflow(digits_run, tmp_path):
    stack = tmp_path / "stack.npy"
    np.save(stack, load_digits_split()[1][0][:2])
    code = (
        "import sys; from digit_classifier.apps import cli\n"
        f"status = cli.main(['predict', {str(digits_run / 'model.zip')!r}, "
        f"{str(stack)!r}])\n"
        "heavy = {'tensorflow', 'keras', 'scikeras', 'sklearn'} & set(sys.modules)\n"
        "assert status == 0 and not heavy, (status, heavy)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{stack}[0]: ")
    assert result.stderr == ""  # no TensorFlow start-up lines


def test_train_writes_the_run_folder(digits_run):
    assert {path.name for path in digits_run.iterdir()} == RUN_FILES
    metrics = json.loads((digits_run / "metrics.json").read_text())
    # 8x8 digits fill their frame, unlike MNIST's: deskewing them, as the
    # default preset does, gains nothing and costs a few points.
    assert metrics["test_accuracy"] > 0.85
    assert metrics["test_loss"] > 0
    assert metrics["epochs_run"] == 15
    assert metrics["members"] == {"digit": {"deskew": True, "aspect": "sqrt"}}
    # A twelfth held out to calibrate the model and choose its threshold.
    assert metrics["n_train"] + metrics["n_calibration"] == 1347
    assert metrics["n_calibration"] == 113
    assert 0 < metrics["temperature"] < 10
    assert 0 <= metrics["test_ece"] < 0.2
    assert metrics["n_test"] == 450
    assert metrics["parameters"]["hidden_layer_sizes"] == [32]
    assert metrics["parameters"]["validation_split"] == 0.1
    assert "scikit-learn" in metrics["versions"]
    for picture in ("confusion_matrix", "training_curves", "sample_predictions"):
        with Image.open(digits_run / f"{picture}.png") as image:
            assert image.width > 300
    rows = (digits_run / "confusion_matrix.csv").read_text().splitlines()
    assert len(rows) == 11
    assert "precision" in (digits_run / "classification_report.txt").read_text()


def test_train_prints_progress_and_summary(tmp_path, capsys):
    status = cli.main(
        ["train", "--dataset", "digits", "--epochs", "2", "--out", str(tmp_path)]
    )
    assert status == 0
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out  # Keras's own line per epoch
    assert "val_loss" in out
    assert "Confusion matrix" in out
    assert "Classification report" in out
    assert "test accuracy" in out.splitlines()[-1]


def test_quiet_prints_only_the_summary(tmp_path, capsys):
    args = ["train", "--dataset", "digits", "--epochs", "1", "--quiet"]
    assert cli.main([*args, "--out", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("test accuracy")


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (
            ["--preset", "fast", "--hidden", "16"],
            {"epochs": 5, "hidden_layer_sizes": [16]},
        ),
        (
            ["--preset", "accurate", "--epochs", "1"],
            {
                "epochs": 1,
                "hidden_layer_sizes": [1024, 1024],
                "augment_rotation": 10.0,
                "augment_elastic": 0.03,
                "augment_low_resolution": 0.5,
            },
        ),
    ],
)
def test_presets_set_the_training_and_options_override_them(
    tmp_path, options, expected
):
    args = ["train", "--dataset", "digits", *options, "--out", tmp_path, "--quiet"]
    assert cli.main(list(map(str, args))) == 0
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["preset"] == options[1]
    assert metrics["epochs_run"] == expected["epochs"]
    for name, value in expected.items():
        assert metrics["parameters"][name] == value


def test_evaluate_reproduces_the_training_metrics(digits_run, tmp_path, capsys):
    model = digits_run / "model.zip"
    assert (
        cli.main(
            ["evaluate", str(model), "--dataset", "digits", "--out", str(tmp_path)]
        )
        == 0
    )
    trained = json.loads((digits_run / "metrics.json").read_text())
    evaluated = json.loads((tmp_path / "metrics.json").read_text())
    assert evaluated["test_accuracy"] == trained["test_accuracy"]
    assert evaluated["test_loss"] == pytest.approx(trained["test_loss"])
    assert RUN_FILES - {"model.zip", "training_curves.png"} <= {
        path.name for path in tmp_path.iterdir()
    }


def test_predict_a_npy_stack_as_json(digits_run, tmp_path, capsys):
    from digit_classifier import load_model

    X_test = load_digits_split()[1][0]
    model = load_model(digits_run / "model.zip")
    stack = tmp_path / "stack.npy"
    np.save(stack, X_test[:3])

    args = ["predict", str(digits_run / "model.zip"), str(stack), "--json"]
    assert cli.main([*args, "--top-k", "3"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert [r["input"] for r in results] == [f"{stack}[{i}]" for i in range(3)]
    assert [r["label"] for r in results] == model.predict(X_test[:3]).tolist()
    assert all(len(r["top_k"]) == 3 for r in results)
    assert all(r["top_k"][0]["probability"] == r["probability"] for r in results)


def test_train_evaluate_predict_on_an_mnist_slice(tmp_path, capsys, mnist_slice_dir):
    out = tmp_path / "run"
    data = ["--data-dir", str(mnist_slice_dir)]
    assert (
        cli.main(["train", *data, "--epochs", "5", "--quiet", "--out", str(out)]) == 0
    )
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["n_train"] + metrics["n_calibration"] == 3000
    assert metrics["n_test"] == 1000
    assert metrics["test_accuracy"] > 0.8

    model = str(out / "model.zip")
    assert cli.main(["evaluate", model, *data, "--out", str(tmp_path / "eval")]) == 0
    evaluated = json.loads((tmp_path / "eval" / "metrics.json").read_text())
    assert evaluated["test_accuracy"] == metrics["test_accuracy"]

    X_test, y_test = load_mnist(mnist_slice_dir)[1]
    pngs = [tmp_path / f"test{i}.png" for i in range(10)]
    for image, png in zip(X_test, pngs, strict=False):
        Image.fromarray(image).save(png)
    capsys.readouterr()
    assert cli.main(["predict", model, *map(str, pngs)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == [str(png) for png in pngs]
    # A label, or "not a digit (best guess ...)": declined counts as wrong.
    answers = [line.split(": ")[1].split(" ")[0] for line in lines]
    predicted = [int(answer) if answer.isdigit() else -1 for answer in answers]
    assert np.mean(np.array(predicted) == y_test[:10]) >= 0.7


def test_predict_goes_on_after_a_bad_input(digits_run, tmp_path, capsys):
    good = tmp_path / "good.npy"
    np.save(good, load_digits_split()[1][0][:1])
    bad = tmp_path / "bad.png"
    bad.write_text("not an image")
    status = cli.main(["predict", str(digits_run / "model.zip"), str(bad), str(good)])
    captured = capsys.readouterr()
    assert status == 1
    # Refused before it is decoded: the model does not take 28x28 images.
    assert f"{bad}: image files are brought to MNIST's 28x28 form" in captured.err
    assert captured.out.startswith(f"{good}[0]: ")


def test_predict_photos_scans_and_arrays_with_show(
    mnist_model_file, mnist_slice_dir, tmp_path, capsys
):
    from digit_classifier import load_digit_image, load_model
    from digit_classifier.datasets import make_photo_digits

    X_test, y_test = load_mnist(mnist_slice_dir)[1]
    photos = make_photo_digits(X_test[:10], tmp_path, random_state=0)
    stack = tmp_path / "stack.npy"
    np.save(stack, X_test[10:13])
    saved_digit = tmp_path / "mnist.png"  # 28x28, light on dark: MNIST's form
    Image.fromarray(X_test[13]).save(saved_digit)
    show = tmp_path / "shown" / "inputs.png"

    inputs = [*photos, stack, saved_digit]
    args = ["predict", mnist_model_file, *inputs, "--json", "--show", show]
    assert cli.main(list(map(str, args))) == 0
    captured = capsys.readouterr()
    results = json.loads(captured.out)
    assert [r["input"] for r in results] == [
        *map(str, photos),
        *(f"{stack}[{i}]" for i in range(3)),
        str(saved_digit),
    ]
    labels = np.array([r["label"] for r in results])
    assert np.mean(labels[:10] == y_test[:10]) >= 0.7
    model = load_model(mnist_model_file)
    assert labels[10:13].tolist() == model.predict(X_test[10:13]).tolist()
    assert labels[13] == model.predict(load_digit_image(saved_digit)[np.newaxis])[0]

    assert f"wrote {show}" in captured.err
    with Image.open(show) as picture:
        assert picture.format == "PNG"
        assert picture.width > 600


def test_evaluate_on_real_digits_by_set(mnist, mnist_model_file, tmp_path, capsys):
    # Two sets of "real" digits in the form load_real_digits reads.
    folder = tmp_path / "real"
    folder.mkdir()
    (_, _), (X_test, y_test) = mnist
    np.savez(folder / "first.npz", x=X_test[:30], y=y_test[:30])
    np.savez(folder / "second.npz", x=X_test[30:50], y=y_test[30:50])
    out = tmp_path / "run"
    args = ["evaluate", mnist_model_file, "--dataset", "real", "--data-dir", folder]
    assert cli.main([*map(str, args), "--out", str(out)]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["dataset"] == "real"
    assert metrics["n_test"] == 50
    by_set = metrics["test_accuracy_by_group"]
    assert set(by_set) == {"first", "second"}
    overall = (30 * by_set["first"] + 20 * by_set["second"]) / 50
    assert metrics["test_accuracy"] == pytest.approx(overall)
    assert "Accuracy by group\nfirst: " in capsys.readouterr().out
    assert {"confusion_matrix.png", "misclassified.png"} <= {
        path.name for path in out.iterdir()
    }


def test_predict_reports_each_bad_image_and_goes_on(
    mnist_model_file, mnist_slice_dir, tmp_path, capsys, png_header
):
    X_test = load_mnist(mnist_slice_dir)[1][0]
    good = tmp_path / "good.png"
    Image.fromarray(255 - X_test[0]).resize((112, 112)).save(good)
    text = tmp_path / "notes.png"
    text.write_text("not an image")
    truncated = tmp_path / "cut.png"
    truncated.write_bytes(good.read_bytes()[:200])
    blank = tmp_path / "blank.png"
    Image.new("L", (90, 60), 255).save(blank)
    animated = tmp_path / "animated.gif"
    frames = [Image.fromarray(X_test[1]), Image.fromarray(X_test[2])]
    frames[0].save(animated, save_all=True, append_images=frames[1:])
    huge = tmp_path / "huge.png"
    huge.write_bytes(png_header(8000, 8000))

    bad = {
        text: "is not an image file of an accepted format",
        truncated: "is truncated or corrupt",
        blank: "no digit found in",
        animated: "holds 2 frames",
        huge: "8000x8000 = 64,000,000 pixels, over the limit",
    }
    args = ["predict", str(mnist_model_file), *map(str, bad), str(good)]
    assert cli.main(args) == 1
    captured = capsys.readouterr()
    errors = captured.err.splitlines()
    assert len(errors) == len(bad)
    for line, (path, problem) in zip(errors, bad.items(), strict=True):
        assert line.startswith(f"{cli.PROG}: error: ")
        assert str(path) in line
        assert problem in line
    assert captured.out.startswith(f"{good}: ")


def test_predict_an_image_file_with_an_8x8_model(digits_run, tmp_path, capsys):
    photo = tmp_path / "photo.png"
    Image.fromarray(load_digits_split()[1][0][0]).resize((50, 50)).save(photo)
    assert cli.main(["predict", str(digits_run / "model.zip"), str(photo)]) == 1
    assert (
        f"{photo}: image files are brought to MNIST's 28x28 form, but this model "
        "takes images of 64 pixels; pass a .npy array of such images instead"
    ) in capsys.readouterr().err


def test_a_bare_classifier_is_refused_rather_than_fed_raw_pixels(tmp_path, capsys):
    from digit_classifier import DigitMLPClassifier, save_model

    (X_train, y_train), (X_test, _) = load_digits_split()
    bare = DigitMLPClassifier(hidden_layer_sizes=(8,), epochs=1, random_state=0)
    model = tmp_path / "bare.zip"
    save_model(bare.fit(X_train.reshape(len(X_train), -1) / 255, y_train), model)
    stack = tmp_path / "stack.npy"
    np.save(stack, X_test[:2])
    refusal = "holds a bare DigitMLPClassifier, which takes the rows it was fitted on"
    for args in (
        ["predict", str(model), str(stack)],
        ["evaluate", str(model), "--dataset", "digits", "--out", str(tmp_path / "e")],
    ):
        assert cli.main(args) == 1
        assert refusal in capsys.readouterr().err


def test_train_into_a_file_leaves_the_file_alone(tmp_path, capsys):
    out = tmp_path / "model.zip"
    out.write_bytes(b"an earlier model")
    args = ["train", "--dataset", "digits", "--epochs", "1", "--quiet"]
    assert cli.main([*args, "--out", str(out)]) == 1
    assert "model.zip is a file, not a folder" in capsys.readouterr().err
    assert out.read_bytes() == b"an earlier model"


def test_the_help_gives_each_presets_settings(capsys):
    from digit_classifier.presets import PRESETS

    with pytest.raises(SystemExit):
        cli.main(["train", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "default: 256,128 (fast), 512,256 (default), 1024,1024 (accurate)" in (
        help_text
    )
    epochs = ", ".join(f"{p['mlp']['epochs']} ({name})" for name, p in PRESETS.items())
    assert f"default: {epochs}" in help_text
    assert "default: 0.3 (fast), 0.2 (default), 0.2 (accurate)" in help_text
    assert "15" not in help_text.split("--epochs")[1].split("--batch-size")[0]


@pytest.mark.parametrize(
    ("header", "body", "message"),
    [
        # A header declaring 10^9 images: refused before any allocation.
        ("{'descr': '|u1', 'fortran_order': False, 'shape': (1000000000, 784), }",
         b"\0" * 784, "its header declares an array of shape (1000000000, 784)"),
        ("{'descr': '|O', 'fortran_order': False, 'shape': (1, 784), }",
         b"", "not numbers"),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 5), }",
         b"\0" * 20, "expected one image of 784 pixels or a stack of them"),
        ("not a dict", b"", "is not a readable .npy file"),
    ],
    ids=["huge", "objects", "shape", "header"],
)  # fmt: skip
def test_npy_headers_are_checked_before_the_array_is_read(
    mnist_model_file, tmp_path, capsys, header, body, message
):
    path = tmp_path / "input.npy"
    header = header.encode("latin-1")
    padded = header + b" " * (-(len(header) + 11) % 64) + b"\n"
    path.write_bytes(b"\x93NUMPY\x01\x00" + len(padded).to_bytes(2, "little")
                     + padded + body)  # fmt: skip
    good = tmp_path / "good.npy"
    np.save(good, np.zeros((1, 28, 28), dtype=np.uint8))
    assert cli.main(["predict", str(mnist_model_file), str(path), str(good)]) == 1
    captured = capsys.readouterr()
    assert f"{path}" in captured.err
    assert message in captured.err
    assert captured.out.startswith(f"{good}[0]: ")


@pytest.mark.parametrize("failure", ["while reporting", "while saving the model"])
def test_failed_run_leaves_earlier_results_intact(digits_run, monkeypatch, failure):
    before = {path.name: path.read_bytes() for path in digits_run.iterdir()}

    def broken(*args, **kwargs):
        raise OSError(f"failed {failure}")

    if failure == "while reporting":
        monkeypatch.setattr("digit_classifier.reporting.plot_misclassified", broken)
    else:  # the reports are done by then: the disk fills up at the model
        monkeypatch.setattr("zipfile.ZipFile.writestr", broken)
    args = [*TRAIN_DIGITS, "--out", str(digits_run), "--quiet"]
    assert cli.main(args) == 1
    assert {path.name: path.read_bytes() for path in digits_run.iterdir()} == before
    assert not list(digits_run.parent.glob(f".{digits_run.name}.*"))  # no staging


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (["train", "--hidden", "64,x"], 2, "invalid hidden layer sizes '64,x'"),
        (["train", "--epochs", "0"], 2, "expected a positive integer, got '0'"),
        (["train", "--dataset", "emnist"], 2, "invalid choice: 'emnist'"),
        (["predict", "absent.zip", "x.png"], 1, "No model file at absent.zip"),
        (
            ["predict", "absent.zip", "x.png", "--show", "out.txt"],
            2,
            "argument --show: out.txt: unsupported picture format 'txt'",
        ),
        (["evaluate", "absent.zip"], 1, "No model file at absent.zip"),
        (["train", "--data-dir", "/nonexistent"], 1, "is not a folder"),
        (["train", "--dataset", "digits", "--data-dir", "."], 1, "--data-dir applies"),
    ],
)
def test_errors_are_one_line_without_traceback(args, status, message, capsys):
    if status == 2:  # usage errors exit from argparse
        with pytest.raises(SystemExit) as raised:
            cli.main(args)
        code = raised.value.code
    else:
        code = cli.main(args)
    stderr = capsys.readouterr().err
    assert code == status
    assert message in stderr
    assert "Traceback" not in stderr
    errors = [line for line in stderr.splitlines() if "error:" in line]
    assert len(errors) == 1


def test_the_console_script_exits_with_the_commands_status(monkeypatch, capsys):
    [script] = entry_points(group="console_scripts", name="digit-classifier")
    assert script.load() is cli.run
    monkeypatch.setattr(sys, "argv", ["digit-classifier", "evaluate", "absent.zip"])
    try:
        with pytest.raises(SystemExit) as raised:
            cli.run()
        # The objects left are frozen: the exit skips the last collection.
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    assert raised.value.code == 1
    assert "No model file at absent.zip" in capsys.readouterr().err


@pytest.mark.slow
def test_debug_shows_the_traceback():
    result = run_cli("--debug", "evaluate", "absent.zip")
    assert result.returncode == 1
    assert "Traceback" in result.stderr

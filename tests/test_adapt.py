"""Writer adaptation: the samples folder, adapt_digits, adapt_model, the
``adapt`` command and the server's corrections."""

import io
import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

from digit_classifier import DigitMLPClassifier, load_predictor
from digit_classifier.images import DigitImageError
from digit_classifier.samples import (
    SampleFolderError,
    count_samples,
    load_samples,
    save_sample,
)

# Small settings, so that each adaptation takes a second on the test model.
QUICK = {"epochs": 3, "repeats": 10, "n_rehearsal": 2000, "n_in_hand": 1000}


def scan(digit):
    """A 28x28 light-on-dark digit as a PNG scan: dark ink on white paper."""
    page = np.full((56, 56), 255, dtype=np.uint8)
    page[14:42, 14:42] = 255 - digit
    buffer = io.BytesIO()
    Image.fromarray(page).save(buffer, format="PNG")
    return buffer.getvalue()


def bold(digits):
    """A hand the test model misreads: strokes made much wider."""
    return np.stack([ndimage.grey_dilation(d, size=(6, 6)) for d in digits])


def write_folder(folder, digits, labels):
    for n, (digit, label) in enumerate(zip(digits, labels, strict=True)):
        (folder / str(label)).mkdir(parents=True, exist_ok=True)
        (folder / str(label) / f"{n}.png").write_bytes(scan(digit))
    return folder


@pytest.fixture(scope="module")
def hand(mnist):
    """Bold digits of MNIST's test split, scanned and read through the input
    path as a user's are: 5 per label as samples, and the others."""
    from digit_classifier import load_digit_image

    _, (X_test, y_test) = mnist
    digits = np.stack([load_digit_image(scan(d)) for d in bold(X_test[:1000])])
    labels = y_test[:1000]
    samples = np.concatenate([np.flatnonzero(labels == c)[:5] for c in range(10)])
    others = np.setdiff1d(np.arange(len(labels)), samples)
    return digits, labels, samples, others


# The samples folder.


def test_a_samples_folder_is_read_through_the_input_path(tmp_path):
    digit = np.zeros((28, 28), dtype=np.uint8)
    digit[4:24, 12:16] = 255
    write_folder(tmp_path, [digit] * 4, [1, 1, 7, 7])
    (tmp_path / ".DS_Store").write_bytes(b"junk")  # hidden: left out
    (tmp_path / "7" / ".partial.png").write_bytes(b"junk")
    (tmp_path / "notes.txt").write_text("beside the label folders: left out")
    samples = load_samples(tmp_path, classes=np.arange(10))
    assert samples.images.shape == (4, 28, 28)
    assert samples.images.dtype == np.uint8
    assert samples.labels.tolist() == [1, 1, 7, 7]
    assert samples.files == ["1/0.png", "1/1.png", "7/2.png", "7/3.png"]
    assert samples.counts() == {1: 2, 7: 2}
    assert count_samples(tmp_path, range(10)) == {
        label: 2 if label in (1, 7) else 0 for label in range(10)
    }


def test_a_samples_folder_with_problems_is_refused_naming_each(tmp_path):
    digit = np.zeros((28, 28), dtype=np.uint8)
    digit[4:24, 12:16] = 255
    write_folder(tmp_path, [digit] * 3, [1, 1, 3])  # one 3: too few
    (tmp_path / "seven").mkdir()  # not a label
    (tmp_path / "12").mkdir()  # a label the model does not have
    (tmp_path / "1" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    (tmp_path / "1" / "blank.png").write_bytes(scan(np.zeros((28, 28), np.uint8)))
    with pytest.raises(SampleFolderError) as raised:
        load_samples(tmp_path, classes=np.arange(10))
    problems = raised.value.problems
    assert isinstance(raised.value, ValueError)
    assert "5 problems" in str(raised.value)
    assert problems[0].startswith("1/blank.png: ")
    assert "no digit" in problems[0]
    assert problems[1].startswith("1/broken.png: ")
    assert problems[2].startswith("12/: not a label of the model (its labels: 0, 1")
    assert problems[3].startswith("3/: 1 readable digit, fewer than the 2")
    assert problems[4].startswith("seven/: not a label of the model")
    # The same folder for a model of the labels 0 to 2: 3 is not one either.
    with pytest.raises(SampleFolderError, match=r"3/: not a label of the model"):
        load_samples(tmp_path, classes=[0, 1, 2])


def test_an_empty_missing_or_wrong_samples_folder_is_refused(tmp_path):
    with pytest.raises(SampleFolderError, match="holds no digits"):
        load_samples(tmp_path, classes=range(10))
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_samples(tmp_path / "missing", classes=range(10))
    (tmp_path / "file").write_text("x")
    with pytest.raises(SampleFolderError, match="is not a folder"):
        load_samples(tmp_path / "file", classes=range(10))


def test_save_sample_writes_whole_files_under_its_own_names_within_bounds(tmp_path):
    digit = np.zeros((28, 28), dtype=np.uint8)
    digit[4:24, 12:16] = 255
    data = scan(digit)
    first = save_sample(tmp_path, 1, data, max_per_label=2)
    second = save_sample(tmp_path, 1, data, max_per_label=2)
    assert first != second
    assert first.parent == tmp_path / "1"
    assert first.read_bytes() == data
    assert first.suffix == ".png"
    with pytest.raises(ValueError, match="already holds 2 digits of label 1"):
        save_sample(tmp_path, 1, data, max_per_label=2)
    with pytest.raises(ValueError, match="would grow past"):
        save_sample(tmp_path, 2, data, max_folder_bytes=3 * len(data) - 1)
    with pytest.raises(DigitImageError):
        save_sample(tmp_path, 2, b"not an image")
    assert sorted(p.name for p in tmp_path.rglob("*")) == sorted(
        ["1", first.name, second.name]
    )


# The library.


@pytest.mark.parametrize(
    ("hand", "strokes", "turns", "aspects"),
    [
        ((1, 0.0, 1.0), (1, 3), (-10, 0, 10), (0.85, 1.15)),  # MNIST's own
        ((7, 0.0, 1.0), (5, 7, 9), (-10, 0, 10), (0.8, 1.2)),  # bold
        ((1, 20.0, 1.0), (1, 3), (10, 20, 30), (0.8, 1.2)),  # turned
        ((1, 0.0, 0.6), (1, 3), (-10, 0, 10), (0.5, 0.75)),  # narrow
    ],
)
def test_a_hand_is_measured_from_digits_written_in_it(
    mnist, mnist_model, hand, strokes, turns, aspects
):
    from digit_classifier.images._hands import Hand, write_in_hand
    from digit_classifier.model import user_hand

    (X_train, y_train), _ = mnist
    written = write_in_hand(X_train[-60:], Hand(*hand))
    assert written.shape == (60, 28, 28)
    assert written.dtype == np.uint8
    measured = user_hand(mnist_model, written, y_train[-60:], X_train, y_train)
    assert measured.stroke in strokes
    assert measured.turn in turns
    assert aspects[0] < measured.aspect < aspects[1]


def test_warm_started_fit_keeps_the_classes():
    # scikeras's fit forgets classes_ when warm_start keeps the network.
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    clf = DigitMLPClassifier(hidden_layer_sizes=(8,), epochs=1, random_state=0)
    clf.fit(X / 16, y)
    clf.set_params(warm_start=True)
    clf.fit(X[:100] / 16, y[:100])
    assert clf.classes_.tolist() == list(range(10))
    assert clf.predict(X[:5] / 16).shape == (5,)


def test_adapting_learns_a_hand_and_keeps_mnist(mnist, mnist_model, hand):
    from digit_classifier.model import adapt_digits

    (X_train, y_train), (X_test, y_test) = mnist
    digits, labels, samples, others = hand
    params = mnist_model[-1].get_params()
    before = mnist_model.predict_proba(X_test[1000:1500])
    adapted = adapt_digits(
        mnist_model,
        digits[samples],
        labels[samples],
        X_train[:15000],
        y_train[:15000],
        random_state=0,
        **QUICK,
    )
    original_hand = mnist_model.score(digits[others], labels[others])
    adapted_hand = adapted.score(digits[others], labels[others])
    # Measured here: 55% -> 71%, MNIST 96.9% -> 96.3%.
    assert adapted_hand >= original_hand + 0.08
    mnist_loss = mnist_model.score(X_test[1000:], y_test[1000:]) - adapted.score(
        X_test[1000:], y_test[1000:]
    )
    assert mnist_loss < 0.02
    # The original is as it was, parameters and all; the copy's parameters too.
    assert (mnist_model.predict_proba(X_test[1000:1500]) == before).all()
    assert mnist_model[-1].get_params() == params
    assert adapted[-1].get_params() == params


def test_adapting_refuses_labels_the_model_does_not_have(mnist, mnist_model):
    from digit_classifier.model import adapt_digits

    (X_train, y_train), _ = mnist
    with pytest.raises(ValueError, match="labels the model does not have: 11"):
        adapt_digits(mnist_model, X_train[:3], [1, 11, 2], X_train, y_train)
    with pytest.raises(ValueError, match="one label per digit"):
        adapt_digits(mnist_model, X_train[:3], [1, 2], X_train, y_train)
    with pytest.raises(TypeError, match="not DigitMLPClassifier"):
        adapt_digits(mnist_model[-1], X_train[:3], [1, 1, 2], X_train, y_train)


def test_cross_validation_needs_two_digits_of_each_label(mnist, mnist_model):
    from digit_classifier.model import cross_validate_adaptation

    (X_train, y_train), _ = mnist
    with pytest.raises(ValueError, match="2 digits or more of each label"):
        cross_validate_adaptation(mnist_model, X_train[:3], [1, 1, 2], X_train, y_train)


# The command.


def run_cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "digit_classifier", *map(str, args)],
        capture_output=True,
        text=True,
    )


@pytest.mark.slow
def test_adapt_command_reports_then_writes_a_model_that_records_its_origin(
    mnist_model_file, rehearsal_dir, hand, tmp_path, capsys
):
    from digit_classifier.apps.cli import main

    digits, labels, samples, others = hand
    samples = samples[np.arange(len(samples)) % 5 < 2]  # 2 per label: 2 folds
    folder = write_folder(tmp_path / "samples", digits[samples], labels[samples])
    out = tmp_path / "adapted.zip"
    status = main(
        ["adapt", *map(str, (mnist_model_file, folder, "--out", out)),
         "--data-dir", str(rehearsal_dir)]
    )  # fmt: skip
    output = capsys.readouterr()
    assert status == 0, output.err
    lines = output.out.splitlines()
    assert lines[1].startswith("Your hand: strokes widened by ")
    assert "Cross-validated on your 20 digits (2 folds" in lines[2]
    assert lines[3].split() == ["label", "digits", "original", "adapted"]
    assert lines[-1].startswith("your digits, cross-validated: ")
    assert lines[-1].endswith(f"wrote {out}")
    adapted = load_predictor(out)
    info = adapted.info
    assert info["adapted_from"]["file"] == "model.zip"
    assert len(info["adapted_from"]["sha256"]) == 64
    assert info["adapted_from"]["info"]["n_train"] == 15000
    assert info["samples_per_label"] == {str(c): 2 for c in range(10)}
    assert info["cv_folds"] == 2
    assert info["cv_gain"] == info["cv_accuracy_adapted"] - info["cv_accuracy_original"]
    # Each sample read by a model adapted to the other fold's: the original's
    # accuracy is its own on the samples as the folder's files read (the
    # input path does not give back the digits it wrote exactly), and every
    # sample is in the table by label.
    read = load_samples(folder, classes=np.arange(10))
    original_samples = load_predictor(mnist_model_file).score(
        read.images.reshape(len(read.images), -1), read.labels
    )
    assert info["cv_accuracy_original"] == pytest.approx(original_samples)
    table = [line.split() for line in lines[4:14]]
    assert [int(row[1]) for row in table] == [2] * 10
    assert info["adaptation"]["epochs"] >= 1
    assert set(info["hand"]) == {"stroke", "turn", "aspect"}
    assert info["hand"]["stroke"] > 1  # the bold hand's strokes are wide
    original = load_predictor(mnist_model_file)
    flat = digits[others].reshape(len(others), -1)
    # Measured here: 55% -> 66%.
    assert (
        adapted.score(flat, labels[others])
        > original.score(flat, labels[others]) + 0.05
    )


@pytest.mark.slow
def test_adapt_command_refuses_a_bad_folder_one_problem_per_line(
    mnist_model_file, tmp_path
):
    folder = tmp_path / "samples"
    (folder / "4").mkdir(parents=True)
    (folder / "4" / "a.png").write_bytes(b"not an image")
    (folder / "4" / "b.png").write_bytes(b"not one either")
    (folder / "four").mkdir()
    out = tmp_path / "adapted.zip"
    result = run_cli("adapt", mnist_model_file, folder, "--out", out)
    assert result.returncode == 1
    errors = result.stderr.splitlines()
    assert errors[0].startswith("digit-classifier: error: The samples folder ")
    assert [line.split(":")[0].strip() for line in errors[1:]] == [
        "4/a.png",
        "4/b.png",
        "4/",
        "four/",
    ]
    assert not out.exists()
    missing = run_cli("adapt", mnist_model_file, tmp_path / "none", "--out", out)
    assert missing.returncode == 1
    assert missing.stderr.count("\n") == 1
    assert "does not exist" in missing.stderr


# The server's corrections.


def test_the_server_saves_corrections_into_the_samples_folder(
    mnist_model_file, tmp_path
):
    from fastapi.testclient import TestClient

    from digit_classifier.serving import make_app

    folder = tmp_path / "samples"
    client = TestClient(make_app(mnist_model_file, samples=folder))
    digit = np.zeros((28, 28), dtype=np.uint8)
    digit[4:24, 12:16] = 255
    data = scan(digit)
    collected = client.get("/samples").json()
    assert collected["counts"] == {str(c): 0 for c in range(10)}
    assert collected["command"].startswith("digit-classifier adapt ")
    assert collected["command"].endswith(f"{folder} --out adapted.zip")

    raw = client.post("/samples/7", content=data, headers={"content-type": "image/png"})
    assert raw.status_code == 201
    form = client.post("/samples/7", files={"file": ("../../evil.png", data)})
    assert form.status_code == 201
    assert form.json()["counts"]["7"] == 2
    assert form.json()["label"] == 7
    saved = sorted((folder / "7").iterdir())
    assert [p.read_bytes() for p in saved] == [data, data]
    assert {raw.json()["file"], form.json()["file"]} == {p.name for p in saved}
    assert not (tmp_path / "evil.png").exists()

    bad = {
        "/samples/12": (data, "image/png"),
        "/samples/seven": (data, "image/png"),
        "/samples/3": (b"not an image", "image/png"),
    }
    for route, (body, kind) in bad.items():
        answer = client.post(route, content=body, headers={"content-type": kind})
        assert answer.status_code == 422
        assert answer.json()["detail"]
    text = client.post(
        "/samples/3", content=b"x", headers={"content-type": "text/plain"}
    )
    assert text.status_code == 415
    assert count_samples(folder, range(10))[3] == 0
    page = client.get("/").text
    assert 'id="correct"' in page
    assert 'id="adapt-command"' in page

    plain = TestClient(make_app(mnist_model_file))  # off by default
    assert plain.get("/samples").status_code == 404
    posted = plain.post(
        "/samples/7", content=data, headers={"content-type": "image/png"}
    )
    assert posted.status_code in (404, 405)
    assert json.loads(posted.text)["detail"]

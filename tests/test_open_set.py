"""Knowing when not to read: non-digits, several digits, calibration."""

import io
import json

import numpy as np
import pytest
from PIL import Image, ImageDraw
from sklearn.calibration import CalibratedClassifierCV
from sklearn.datasets import load_digits
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import roc_auc_score

from digit_classifier import (
    DigitMLPClassifier,
    load_model,
    load_predictor,
    make_digit_committee,
    make_digit_pipeline,
    save_model,
)
from digit_classifier.apps import cli
from digit_classifier.apps._answers import NOT_A_DIGIT, SEVERAL_DIGITS, answer_input
from digit_classifier.datasets import make_non_digits
from digit_classifier.images import read_digit_inputs
from digit_classifier.images._mnist_form import bounding_box, count_marks
from digit_classifier.inference import digit_likeness
from digit_classifier.model import calibrate_digits
from digit_classifier.model._classifier import _resized
from digit_classifier.reporting import (
    expected_calibration_error,
    plot_reliability_diagram,
)
from digit_classifier.runs import evaluate_run


@pytest.fixture(scope="module")
def digits_8x8():
    X, y = load_digits(return_X_y=True)
    return X.reshape(-1, 8, 8) * 255 / 16, y


def drawing(strokes, size=280, width=14):
    """A canvas drawing, black strokes on white, as PNG bytes."""
    image = Image.new("L", (size, size), 255)
    draw = ImageDraw.Draw(image)
    for stroke in strokes:
        draw.line(stroke, fill=0, width=width)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def number(digits, gap):
    """MNIST digits side by side, `gap` pixels apart, dark on white."""
    parts = []
    for digit in digits:
        cols = np.flatnonzero(digit.any(axis=0))
        parts += [digit[:, cols[0] : cols[-1] + 1], np.zeros((28, gap), np.uint8)]
    return 255 - np.pad(np.hstack(parts[:-1]), 10)


# --- the synthesised non-digits -------------------------------------------------


def test_non_digits_are_in_mnist_form_and_reproducible():
    images = make_non_digits(60, random_state=1)
    assert images.shape == (60, 28, 28)
    assert images.dtype == np.uint8
    np.testing.assert_array_equal(images, make_non_digits(60, random_state=1))
    assert not np.array_equal(images, make_non_digits(60, random_state=2))
    for image in images:
        rows, cols = bounding_box(image > 0)
        longer = max(rows.stop - rows.start, cols.stop - cols.start)
        assert 19 <= longer <= 21, "the longer side is MNIST's 20 pixels"
        # Nothing thin and tall: that would be a 1.
        assert rows.stop - rows.start <= 2.5 * (cols.stop - cols.start) + 1


def test_non_digits_with_digits_draw_pairs_of_them(mnist):
    (X_train, _), _ = mnist
    with_pairs = make_non_digits(50, digits=X_train[:100], random_state=0)
    without = make_non_digits(50, random_state=0)
    assert not np.array_equal(with_pairs, without)


# --- outlier exposure and score_samples --------------------------------------------


def test_outlier_exposure_scores_non_digits_lower(digits_8x8):
    X, y = digits_8x8
    rows = X.reshape(len(X), -1) / 255
    non_digits = _resized(make_non_digits(300, random_state=5), 8).reshape(300, -1)
    auroc = {}
    for exposure in (0.0, 0.1):
        clf = DigitMLPClassifier(
            (64,), outlier_exposure=exposure, epochs=30, random_state=0
        ).fit(rows[:1200], y[:1200])
        digits = clf.score_samples(rows[1200:])
        others = clf.score_samples(non_digits / 255)
        truth = np.r_[np.ones(len(digits)), np.zeros(len(others))]
        auroc[exposure] = roc_auc_score(truth, np.r_[digits, others])
        assert clf.score(rows[1200:], y[1200:]) > 0.9
    # 0.80-0.88 without, 0.96-0.98 with, over three seeds on this machine.
    assert auroc[0.1] > auroc[0.0] + 0.05, auroc
    assert auroc[0.1] > 0.93, auroc


def test_outlier_exposure_accuracy_counts_only_digits(digits_8x8):
    X, y = digits_8x8
    rows = X.reshape(len(X), -1) / 255
    clf = DigitMLPClassifier((32,), outlier_exposure=1.0, epochs=3, random_state=0)
    clf.fit(rows, y)
    # Half the rows are non-digits, never right: counted, accuracy would
    # stay below 0.5.
    assert clf.history_["accuracy"][-1] > 0.6
    again = DigitMLPClassifier((32,), outlier_exposure=1.0, epochs=3, random_state=0)
    np.testing.assert_array_equal(clf.coefs_[0], again.fit(rows, y).coefs_[0])


def test_outlier_exposure_refuses_what_it_cannot_do():
    X, y = np.random.default_rng(0).random((40, 10)), np.arange(40) % 2
    with pytest.raises(ValueError, match="outlier_exposure needs square images"):
        DigitMLPClassifier(outlier_exposure=0.1, epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="Leave the default loss"):
        DigitMLPClassifier(
            outlier_exposure=0.1, loss="categorical_crossentropy", epochs=1
        ).fit(X[:, :9], y)
    with pytest.raises(ValueError, match="outlier_exposure"):
        DigitMLPClassifier(outlier_exposure=1.5).fit(X[:, :9], y)


def test_score_samples_is_the_energy_of_the_logits(digits_8x8, tmp_path):
    X, y = digits_8x8
    pipe = make_digit_pipeline("fast", hidden_layer_sizes=(16,), random_state=0)
    pipe.fit(X, y)
    scores = pipe.score_samples(X[:50])
    # Energy from the probabilities: log-sum-exp is the top logit plus the
    # log of the top probability's inverse.
    assert scores.shape == (50,)
    save_model(pipe, tmp_path / "model.zip")
    predictor = load_predictor(tmp_path / "model.zip")
    np.testing.assert_allclose(predictor.score_samples(X[:50]), scores, rtol=1e-6)
    one_by_one = [predictor.score_samples(X[i : i + 1])[0] for i in range(5)]
    np.testing.assert_allclose(one_by_one, scores[:5], rtol=1e-12)
    assert predictor.threshold is None
    assert predictor.is_digit(X[:5]).all()
    np.testing.assert_allclose(
        digit_likeness(np.array([[0.0, 0.0], [10.0, -10.0]])),
        [np.log(2), 10 + np.log1p(np.exp(-20))],
    )


def test_committee_scores_are_its_members_mean(digits_8x8, tmp_path):
    X, y = digits_8x8
    committee = make_digit_committee(
        "fast",
        members={"plain": {"deskew": False, "aspect": "keep"}, "up": {"deskew": True}},
        hidden_layer_sizes=(16,),
        epochs=2,
        random_state=0,
    ).fit(X, y)
    calibrated, threshold = calibrate_digits(
        committee, X[:300], y[:300], random_state=0
    )
    save_model(calibrated, tmp_path / "committee.zip", threshold=threshold)
    predictor = load_predictor(tmp_path / "committee.zip")
    expected = np.mean([m.score_samples(X[:20]) for m in committee.estimators_], axis=0)
    np.testing.assert_allclose(predictor.score_samples(X[:20]), expected, rtol=1e-6)
    np.testing.assert_allclose(
        predictor.predict_proba(X[:20]), calibrated.predict_proba(X[:20]), atol=1e-6
    )
    assert predictor.threshold == pytest.approx(threshold)


# --- calibration ----------------------------------------------------------------


def test_calibrated_model_files_keep_temperature_and_threshold(calibrated_file, mnist):
    path, calibrated, threshold = calibrated_file
    _, (X_test, _) = mnist
    predictor = load_predictor(path)
    temperature = 1 / calibrated.calibrated_classifiers_[0].calibrators[0].beta_
    assert predictor.temperature == pytest.approx(temperature)
    assert predictor.threshold == pytest.approx(threshold)
    np.testing.assert_allclose(
        predictor.predict_proba(X_test[:200]),
        calibrated.predict_proba(X_test[:200]),
        atol=1e-6,
    )
    loaded = load_model(path)
    assert isinstance(loaded, CalibratedClassifierCV)
    np.testing.assert_allclose(
        loaded.predict_proba(X_test[:200]),
        calibrated.predict_proba(X_test[:200]),
        atol=1e-6,
    )
    # Labels are the uncalibrated model's: a temperature keeps the order.
    np.testing.assert_array_equal(
        predictor.predict(X_test[:200]), calibrated.predict(X_test[:200])
    )


def test_threshold_accepts_the_chosen_share_of_validation_digits(
    calibrated_file, mnist, mnist_model
):
    path, _, threshold = calibrated_file
    (X_train, _), (X_test, _) = mnist
    accepted = mnist_model.score_samples(X_train[15000:17000]) >= threshold
    assert 0.99 <= accepted.mean() < 0.995
    # On digits neither trained nor calibrated on, about as many.
    assert load_predictor(path).is_digit(X_test[:2000]).mean() > 0.97


def test_save_model_refuses_other_calibrations(digits_8x8, tmp_path):
    X, y = digits_8x8
    pipe = make_digit_pipeline("fast", hidden_layer_sizes=(8,), epochs=1).fit(X, y)
    sigmoid = CalibratedClassifierCV(FrozenEstimator(pipe), method="sigmoid").fit(X, y)
    with pytest.raises(TypeError, match='method="temperature"'):
        save_model(sigmoid, tmp_path / "model.zip")
    with pytest.raises(ValueError, match="threshold must be a finite number"):
        save_model(pipe, tmp_path / "model.zip", threshold=float("nan"))
    assert not (tmp_path / "model.zip").exists()


def test_expected_calibration_error_by_hand():
    rng = np.random.default_rng(0)
    proba = rng.dirichlet(np.ones(3) * 0.3, size=500)
    y = rng.integers(0, 3, size=500)
    confidence, right = proba.max(axis=1), proba.argmax(axis=1) == y
    bins = np.minimum((confidence * 15).astype(int), 14)
    expected = sum(
        np.sum(bins == b)
        / 500
        * abs(right[bins == b].mean() - confidence[bins == b].mean())
        for b in np.unique(bins)
    )
    assert expected_calibration_error(y, proba) == pytest.approx(expected)
    # Labels other than the column numbers, through classes.
    labels = np.array(["a", "b", "c"])
    assert expected_calibration_error(labels[y], proba, labels) == pytest.approx(
        expected
    )
    display = plot_reliability_diagram(y, proba)
    assert f"{expected:.2%}" in display.ax_.get_title()


# --- several digits -----------------------------------------------------------------


def test_count_marks_tells_numbers_from_digits(mnist):
    (X_train, _), (X_test, _) = mnist
    singles = [
        read_digit_inputs(255 - np.pad(d, 10), 784).marks[0] for d in X_test[:300]
    ]
    assert np.mean(np.array(singles) == 1) > 0.99
    for gap in (4, 10):
        marks = read_digit_inputs(number(X_train[:3], gap), 784).marks[0]
        assert marks == 3, gap
    # A dot or a dash beside a digit is no second digit.
    ink = np.zeros((40, 60), dtype=bool)
    ink[5:35, 10:14] = True
    ink[30:34, 30:34] = True
    assert count_marks(ink) == 1


# --- the answers people read ------------------------------------------------------


def test_answers_decline_non_digits_and_numbers(calibrated_file, mnist):
    path, _, _ = calibrated_file
    (X_train, _), (X_test, _) = mnist
    predictor = load_predictor(path)
    [digit] = answer_input(predictor, 255 - np.pad(X_test[0], 10))
    assert digit["reason"] is None
    assert digit["label"] == 7
    [several] = answer_input(predictor, number(X_train[:4], 8))
    assert several["reason"] == SEVERAL_DIGITS
    assert several["label"] is None
    assert several["probability"] is None
    assert len(several["top_k"]) == 1
    hatching = [[(x, 20), (x + 60, 260)] for x in range(20, 240, 40)]
    hatching += [[(20, y), (260, y + 30)] for y in range(30, 240, 50)]
    [scribble] = answer_input(predictor, drawing(hatching), top_k=3)
    assert scribble["reason"] == NOT_A_DIGIT
    assert scribble["label"] is None
    assert len(scribble["top_k"]) == 3
    assert scribble["image"].shape == (28, 28)


def test_predict_prints_declined_inputs_and_exits_0(
    calibrated_file, mnist, tmp_path, capsys
):
    path, _, _ = calibrated_file
    (X_train, _), _ = mnist
    Image.fromarray(number(X_train[:3], 8)).save(tmp_path / "number.png")
    Image.fromarray(255 - np.pad(X_train[0], 10)).save(tmp_path / "five.png")
    files = [str(tmp_path / "number.png"), str(tmp_path / "five.png")]
    assert cli.main(["predict", str(path), *files]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(
        f"{files[0]}: several digits (use `digit-classifier read`) (best guess "
    )
    assert lines[1].startswith(f"{files[1]}: 5 (")
    assert cli.main(["predict", str(path), "--json", "--top-k", "2", *files]) == 0
    entries = json.loads(capsys.readouterr().out)
    assert entries[0]["label"] is None
    assert entries[0]["reason"] == SEVERAL_DIGITS
    assert len(entries[0]["top_k"]) == 2
    assert entries[1]["label"] == 5
    assert entries[1]["reason"] is None


def test_web_api_answers_declined_inputs_with_200(calibrated_file, mnist):
    from fastapi.testclient import TestClient

    from digit_classifier.serving import make_app

    path, _, _ = calibrated_file
    (X_train, _), _ = mnist
    buffer = io.BytesIO()
    Image.fromarray(number(X_train[:2], 8)).save(buffer, format="PNG")
    client = TestClient(make_app(path))
    response = client.post(
        "/predict", content=buffer.getvalue(), headers={"content-type": "image/png"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["label"] is None
    assert body["reason"] == SEVERAL_DIGITS
    assert len(body["top_k"]) == 3
    assert len(body["image_28x28"]) == 28
    files = [("files", ("n.png", buffer.getvalue(), "image/png"))]
    [item] = client.post("/predict/batch", files=files).json()["results"]
    assert item["status"] == 200
    assert item["reason"] == SEVERAL_DIGITS


def test_evaluate_reports_calibration_and_declined_digits(calibrated_file, mnist):
    path, _, _ = calibrated_file
    _, (X_test, y_test) = mnist
    run = evaluate_run(load_predictor(path), X_test[:500], y_test[:500])
    assert 0 <= run.metrics["test_declined"] < 0.05
    assert 0 <= run.metrics["test_ece"] < 0.1
    assert "reliability_diagram.png" in run.files
    assert "would be declined" in run.report

"""Runs: train, tune and evaluate in Python, and all-or-nothing run folders."""

import json

import numpy as np
import pytest
from matplotlib.figure import Figure
from sklearn.metrics import log_loss

from digit_classifier import load_digits_split, load_predictor
from digit_classifier.runs import Run, evaluate_run, new_run_folder, train_run

(X_TRAIN, Y_TRAIN), (X_TEST, Y_TEST) = load_digits_split()
QUICK = {"hidden_layer_sizes": (16,), "epochs": 2, "random_state": 0}


@pytest.fixture(scope="module")
def trained():
    return train_run(X_TRAIN, Y_TRAIN, X_TEST, Y_TEST, dataset="digits", **QUICK)


def siblings(folder):
    return sorted(path.name for path in folder.parent.iterdir())


def test_train_run_records_the_test_metrics_and_the_model(trained):
    assert trained.metrics["epochs_run"] == 2
    assert trained.metrics["parameters"]["hidden_layer_sizes"] == [16]
    accuracy = trained.model.score(X_TEST, Y_TEST)
    assert trained.metrics["test_accuracy"] == pytest.approx(accuracy)
    loss = log_loss(Y_TEST, trained.model.predict_proba(X_TEST))
    assert trained.metrics["test_loss"] == pytest.approx(loss)
    assert "training_curves.png" in trained.files
    assert "Confusion matrix" in trained.report
    assert trained.summary().startswith(f"test accuracy {accuracy:.4f}, test loss ")


def test_write_puts_every_file_and_the_model_in_the_folder(trained, tmp_path):
    folder = tmp_path / "runs" / "first"
    trained.write(folder)
    names = {path.name for path in folder.iterdir()}
    assert names == {*trained.files, "metrics.json", "model.zip"}
    assert json.loads((folder / "metrics.json").read_text()) == json.loads(
        json.dumps(trained.metrics, default=str)
    )
    predictor = load_predictor(folder / "model.zip")
    np.testing.assert_array_equal(
        predictor.predict(X_TEST), trained.model.predict(X_TEST)
    )
    assert predictor.info["test_accuracy"] == trained.metrics["test_accuracy"]
    assert predictor.info["dataset"] == "digits"
    assert siblings(folder) == ["first"]  # no staging folder left behind


def test_a_new_run_replaces_an_earlier_one_whole(tmp_path):
    folder = tmp_path / "run"
    Run({"test_accuracy": 0.1, "test_loss": 2.0}, {"cv_results.csv": "a,b"}).write(
        folder
    )
    Run({"test_accuracy": 0.9, "test_loss": 0.2}, {"report.txt": "new"}).write(folder)
    assert sorted(path.name for path in folder.iterdir()) == [
        "metrics.json",
        "report.txt",
    ]
    assert json.loads((folder / "metrics.json").read_text())["test_accuracy"] == 0.9
    assert siblings(folder) == ["run"]


def broken_figure():
    figure = Figure()

    def fail(*args, **kwargs):
        raise OSError("disk full")

    figure.savefig = fail
    return figure


def test_a_failed_write_leaves_the_earlier_run_as_it_was(trained, tmp_path):
    folder = tmp_path / "run"
    trained.write(folder)
    before = {path.name: path.read_bytes() for path in folder.iterdir()}
    failing = Run(
        {"test_accuracy": 1.0, "test_loss": 0.0},
        {"a.txt": "written first", "z.png": broken_figure()},
        model=trained.model,
    )
    with pytest.raises(OSError, match="disk full"):
        failing.write(folder)
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before
    assert siblings(folder) == ["run"]


def test_a_folder_that_is_not_a_run_is_never_replaced(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    run = Run({"test_accuracy": 1.0, "test_loss": 0.0}, {"report.txt": "x"})
    with pytest.raises(ValueError, match="holds files but no metrics.json"):
        run.write(tmp_path)
    assert [path.name for path in tmp_path.iterdir()] == ["notes.txt"]
    run.write(tmp_path / "empty")  # a new folder is fine, and so is an empty one
    (tmp_path / "blank").mkdir()
    run.write(tmp_path / "blank")
    assert (tmp_path / "blank" / "report.txt").read_text() == "x\n"


def test_a_file_where_the_folder_should_be_is_left_alone(tmp_path):
    model = tmp_path / "model.zip"
    model.write_bytes(b"an earlier model")
    run = Run(metrics={"test_accuracy": 0.5, "test_loss": 0.7})
    with pytest.raises(ValueError, match="model.zip is a file, not a folder"):
        run.write(model)
    assert model.read_bytes() == b"an earlier model"
    assert siblings(model) == ["model.zip"]


def test_train_run_keeps_the_users_callbacks_and_verbose(capsys):
    import keras

    epochs = []
    callback = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: epochs.append(epoch)
    )
    run = train_run(
        X_TRAIN, Y_TRAIN, X_TEST, Y_TEST, callbacks=[callback], verbose=0,
        progress="lines", **QUICK,
    )  # fmt: skip
    assert epochs == [0, 1]
    assert "Epoch 2/2" in capsys.readouterr().out  # the progress of this run
    mlp = run.model.estimator.estimator["mlp"]
    assert mlp.callbacks == [callback]
    assert mlp.verbose == 0
    quiet = train_run(X_TRAIN, Y_TRAIN, X_TEST, Y_TEST, verbose=2, **QUICK)
    assert "Epoch 2/2" in capsys.readouterr().out  # the model's own verbose
    assert quiet.model.estimator.estimator["mlp"].verbose == 2


def test_evaluate_run_of_a_saved_model_matches_the_training_run(trained, tmp_path):
    trained.write(tmp_path / "run")
    predictor = load_predictor(tmp_path / "run" / "model.zip")
    run = evaluate_run(predictor, X_TEST, Y_TEST, model_path="model.zip")
    assert run.metrics["test_accuracy"] == trained.metrics["test_accuracy"]
    assert run.metrics["test_loss"] == pytest.approx(trained.metrics["test_loss"])
    assert set(run.files) == set(trained.files) - {"training_curves.png"}
    run.write(tmp_path / "evaluated")
    written = {path.name for path in (tmp_path / "evaluated").iterdir()}
    assert written == {*run.files, "metrics.json"}  # no model: it made none


def test_new_run_folders_do_not_collide(tmp_path):
    first = new_run_folder(tmp_path)
    first.mkdir()
    second = new_run_folder(tmp_path)
    assert second != first
    assert second.parent == first.parent == tmp_path

"""Searching hidden sizes: the API, parallel and Dask backends, the command."""

import csv
import io
import json

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from digit_classifier import (
    DigitMLPClassifier,
    load_digits_split,
    load_predictor,
    make_digit_pipeline,
)
from digit_classifier.apps import cli
from digit_classifier.reporting import (
    cv_results_csv,
    format_cv_results,
    plot_cv_results,
)
from digit_classifier.tuning import cv_results_table, dask_cluster, tune_hidden_sizes

(X_TRAIN, Y_TRAIN), (X_TEST, Y_TEST) = load_digits_split()
X_SMALL, Y_SMALL = X_TRAIN[:600], Y_TRAIN[:600]
GRID = [(8,), (32,)]
# The fast preset trains without augmentation: the searches are about search.
QUICK = {"preset": "fast", "epochs": 5, "learning_rate": 0.01, "random_state": 0}


@pytest.fixture(scope="module")
def serial_search():
    return tune_hidden_sizes(X_SMALL, Y_SMALL, GRID, cv=3, **QUICK)


def test_search_is_stratified_and_refits_the_best(serial_search):
    assert isinstance(serial_search, GridSearchCV)
    assert isinstance(serial_search.cv, StratifiedKFold)
    assert serial_search.cv.shuffle
    scores = serial_search.cv_results_["mean_test_score"]
    assert serial_search.best_score_ == scores.max()
    # The refitted pipeline is the best candidate trained on all the data.
    best = serial_search.best_params_["mlp__hidden_layer_sizes"]
    alone = make_digit_pipeline(hidden_layer_sizes=best, **QUICK)
    alone.fit(X_SMALL, Y_SMALL)
    np.testing.assert_allclose(
        serial_search.best_estimator_.predict_proba(X_TEST),
        alone.predict_proba(X_TEST),
        atol=1e-6,
    )
    assert serial_search.score(X_TEST, Y_TEST) > 0.5


def test_results_table_plot_and_text(serial_search):
    rows = cv_results_table(serial_search)
    assert [row["rank"] for row in rows] == [1, 2]
    assert {row["hidden_layer_sizes"] for row in rows} == set(GRID)
    assert rows[0]["mean_score"] == pytest.approx(serial_search.best_score_)
    assert all(row["mean_fit_time"] > 0 for row in rows)
    lines = format_cv_results(rows).splitlines()
    assert len(lines) == 3
    assert lines[1].split()[:2] == [
        "1",
        ",".join(map(str, rows[0]["hidden_layer_sizes"])),
    ]
    parsed = list(csv.DictReader(io.StringIO(cv_results_csv(rows))))
    assert [row["rank"] for row in parsed] == ["1", "2"]
    assert float(parsed[0]["mean_score"]) == pytest.approx(
        rows[0]["mean_score"], abs=1e-6
    )
    fig = plot_cv_results(rows)
    bars = fig.axes[0].patches
    assert [bar.get_height() for bar in bars] == pytest.approx(
        [row["mean_score"] for row in rows]
    )


@pytest.mark.slow
def test_parallel_workers_give_the_same_choice(serial_search):
    parallel = tune_hidden_sizes(X_SMALL, Y_SMALL, GRID, cv=3, n_jobs=2, **QUICK)
    assert parallel.best_params_ == serial_search.best_params_
    np.testing.assert_allclose(
        parallel.cv_results_["mean_test_score"],
        serial_search.cv_results_["mean_test_score"],
        atol=0.02,
    )


@pytest.mark.slow
def test_dask_local_cluster_gives_the_same_choice(serial_search):
    with dask_cluster(n_workers=2) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        on_dask = tune_hidden_sizes(X_SMALL, Y_SMALL, GRID, cv=3, n_jobs=-1, **QUICK)
    assert client.status == "closed"
    assert on_dask.best_params_ == serial_search.best_params_
    np.testing.assert_allclose(
        on_dask.cv_results_["mean_test_score"],
        serial_search.cv_results_["mean_test_score"],
        atol=0.02,
    )
    # The refitted pipeline, Keras model included, came back usable.
    assert on_dask.best_estimator_.score(X_TEST, Y_TEST) > 0.5


@pytest.mark.slow
def test_halving_search_grows_the_training_samples():
    candidates = [(8,), (16,), (32,)]
    search = tune_hidden_sizes(
        X_SMALL, Y_SMALL, candidates, cv=2, halving=True, **QUICK
    )
    assert type(search).__name__ == "HalvingGridSearchCV"
    assert search.n_resources_[0] < search.n_resources_[-1] == len(X_SMALL)
    # The table ranks each candidate by the last round it reached.
    rows = cv_results_table(search)
    assert {row["hidden_layer_sizes"] for row in rows} == set(candidates)
    assert (
        rows[0]["hidden_layer_sizes"] == search.best_params_["mlp__hidden_layer_sizes"]
    )
    assert rows[0]["mean_score"] == pytest.approx(search.best_score_)


@pytest.mark.parametrize(
    ("candidates", "message"),
    [
        ([], "hidden_layer_sizes is empty"),
        ([(64,), (0,)], r"hidden_layer_sizes must be > 0, got \(0,\)"),
        ([("64",)], r"hidden_layer_sizes must contain integers, got \('64',\)"),
    ],
)
def test_bad_candidates(candidates, message):
    with pytest.raises(ValueError, match=message):
        tune_hidden_sizes(X_SMALL, Y_SMALL, candidates, **QUICK)


def test_a_failing_candidate_is_named(monkeypatch):
    build = DigitMLPClassifier._keras_build_fn

    def fail_for_32(self, compile_kwargs):
        if self.hidden_layer_sizes == (32,):
            raise RuntimeError("out of memory")
        return build(self, compile_kwargs)

    monkeypatch.setattr(DigitMLPClassifier, "_keras_build_fn", fail_for_32)
    with pytest.raises(
        ValueError, match=r"hidden_layer_sizes \[\(32,\)\]: .*out of memory"
    ):
        tune_hidden_sizes(X_SMALL, Y_SMALL, GRID, **QUICK)


def assert_best_candidate_saved(metrics, run):
    """The run's model is the candidate ranked first in its own results."""
    top = metrics["cv_results"][0]
    assert top["rank"] == 1
    assert top["mean_score"] == max(r["mean_score"] for r in metrics["cv_results"])
    assert metrics["best_hidden_layer_sizes"] == top["hidden_layer_sizes"]
    model = load_predictor(run / "model.zip")
    assert [coef.shape[1] for coef in model.coefs_[:-1]] == top["hidden_layer_sizes"]


@pytest.mark.slow
def test_tune_command_searches_the_training_split_only(tmp_path, monkeypatch, capsys):
    import digit_classifier.model.tuning as tuning

    received = {}
    original = tuning.tune_hidden_sizes

    def recording(X, y, *args, **kwargs):
        received["X"], received["y"] = X, y
        return original(X, y, *args, **kwargs)

    monkeypatch.setattr(tuning, "tune_hidden_sizes", recording)
    args = ["tune", "--dataset", "digits", "--hidden", "8", "32", "--epochs", "3"]
    assert cli.main([*args, "--cv", "2", "--out", str(tmp_path)]) == 0

    metrics = json.loads((tmp_path / "metrics.json").read_text())
    # The search sees the training split but the twelfth that calibrates.
    assert len(received["X"]) + metrics["n_calibration"] == len(X_TRAIN) == 1347
    test_rows = {image.tobytes() for image in X_TEST}
    assert not test_rows & {image.tobytes() for image in received["X"]}

    out = capsys.readouterr().out
    assert "Fitting 2 folds for each of 2 candidates, totalling 4 fits" in out
    assert out.count("[CV 2/2] END") == 2
    assert "Candidates, best first" in out
    assert_best_candidate_saved(metrics, tmp_path)
    assert metrics["n_train"] == len(received["X"])
    assert metrics["n_test"] == 450
    csv_lines = (tmp_path / "cv_results.csv").read_text().splitlines()
    assert (
        csv_lines[0] == "rank,hidden_layer_sizes,mean_score,std_score,mean_fit_time_s"
    )
    assert len(csv_lines) == 3
    assert {"model.zip", "cv_results.png", "confusion_matrix.png"} <= {
        path.name for path in tmp_path.iterdir()
    }


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (["--hidden"], 2, "expected at least one argument"),
        (["--hidden", "64,x"], 2, "invalid hidden layer sizes '64,x'"),
        (["--hidden", "64", "--cv", "500"], 1, "cv=500 is larger than the smallest"),
        pytest.param(
            ["--hidden", "64", "--dask", "tcp://127.0.0.1:1"],
            1,
            "cannot reach the Dask",
            marks=pytest.mark.slow,  # waits for the connection to time out
        ),
        (
            ["--hidden", "64", "--n-jobs", "2", "--dask-local", "2"],
            2,
            "not allowed with",
        ),
    ],
)
def test_tune_command_errors(args, status, message, capsys):
    argv = ["tune", "--dataset", "digits", *args, "--quiet"]
    if status == 2:  # usage errors exit from argparse
        with pytest.raises(SystemExit) as raised:
            cli.main(argv)
        assert raised.value.code == 2
    else:
        assert cli.main(argv) == status
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("where", "n_jobs", "halving", "cluster"),
    [
        (["--n-jobs", "2"], 2, False, None),
        (["--halving"], 1, True, None),
        (["--dask-local", "2"], -1, False, (None, 2)),
        (["--dask", "tcp://10.0.0.5:8786"], -1, False, ("tcp://10.0.0.5:8786", 1)),
    ],
    ids=str,
)
def test_tune_command_sends_the_search_where_asked(
    where, n_jobs, halving, cluster, serial_search, tmp_path, monkeypatch
):
    """The options reach the search; the search itself is tested above."""
    import contextlib

    import digit_classifier.model.tuning as tuning

    calls = {"cluster": None}

    def search(X, y, candidates, **kwargs):
        calls["search"] = kwargs
        return serial_search

    @contextlib.contextmanager
    def fake_cluster(address=None, *, n_workers=2):
        calls["cluster"] = (address, n_workers)
        yield

    monkeypatch.setattr(tuning, "tune_hidden_sizes", search)
    monkeypatch.setattr(tuning, "dask_cluster", fake_cluster)
    args = ["tune", "--dataset", "digits", "--hidden", "8", "32", *where]
    assert cli.main([*args, "--cv", "2", "--quiet", "--out", str(tmp_path)]) == 0
    assert calls["search"]["n_jobs"] == n_jobs
    assert calls["search"]["halving"] is halving
    assert calls["search"]["cv"] == 2
    assert calls["cluster"] == cluster
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert_best_candidate_saved(metrics, tmp_path)


def test_tune_run_trains_every_candidate_with_its_own_preset():
    from digit_classifier.presets import PRESETS
    from digit_classifier.runs import tune_run

    run = tune_run(
        X_SMALL, Y_SMALL, X_TEST, Y_TEST, [(8,)], cv=2, preset="fast", epochs=1,
        random_state=0,
    )  # fmt: skip
    params = run.metrics["parameters"]
    assert params["dropout"] == PRESETS["fast"]["mlp"]["dropout"]
    assert params["epochs"] == 1
    # The fast preset trains without augmentation: none of the default's.
    assert not any(value for name, value in params.items() if "augment_" in name)


def test_tensorflow_threads_follow_joblibs_count_of_workers_and_cores(monkeypatch):
    import os

    import joblib

    from digit_classifier.model._workers import tensorflow_threads

    for name in ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
        monkeypatch.delenv(name, raising=False)
    asked = []
    monkeypatch.setattr(joblib, "effective_n_jobs", lambda n: asked.append(n) or 3)
    monkeypatch.setattr(joblib, "cpu_count", lambda: 8)
    with tensorflow_threads(-2):  # all cores but one: joblib's rule
        assert os.environ["TF_NUM_INTRAOP_THREADS"] == "2"
        assert os.environ["TF_NUM_INTEROP_THREADS"] == "1"
    assert asked == [-2]
    assert "TF_NUM_INTRAOP_THREADS" not in os.environ
    monkeypatch.undo()
    # A machine that cannot count its cores: os.cpu_count() is None.
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    with tensorflow_threads(-1):
        pass


def test_the_search_also_tunes_the_digits_aspect_ratio():
    search = tune_hidden_sizes(
        X_SMALL, Y_SMALL, [(8,)], aspects=["keep", "fill"], cv=2, **QUICK
    )
    rows = cv_results_table(search)
    assert sorted(row["aspect"] for row in rows) == ["fill", "keep"]
    assert search.best_estimator_["digit"].aspect == rows[0]["aspect"]
    assert format_cv_results(rows).splitlines()[1].split()[1:3] == [
        "8",
        rows[0]["aspect"],
    ]
    with pytest.raises(ValueError, match="aspect must be one of 'keep', 'sqrt'"):
        tune_hidden_sizes(X_SMALL, Y_SMALL, [(8,)], aspects=["wide"], **QUICK)


def test_tune_command_passes_the_aspect_ratios(serial_search, tmp_path, monkeypatch):
    import digit_classifier.model.tuning as tuning

    calls = {}

    def search(X, y, candidates, **kwargs):
        calls.update(kwargs)
        return serial_search

    monkeypatch.setattr(tuning, "tune_hidden_sizes", search)
    args = ["tune", "--dataset", "digits", "--hidden", "8", "--aspect", "keep", "fill"]
    assert cli.main([*args, "--quiet", "--out", str(tmp_path)]) == 0
    assert calls["aspects"] == ["keep", "fill"]
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["best_aspect"] == serial_search.best_estimator_["digit"].aspect

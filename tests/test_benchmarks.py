"""The side-by-side benchmark runs end to end on a slice of MNIST."""

import json
import math
import runpy
from pathlib import Path

import numpy as np
import pytest

# Each runs a benchmark script end to end.
pytestmark = pytest.mark.slow

SCRIPT = Path(__file__).parents[1] / "benchmarks" / "compare_alternatives.py"


def test_compare_alternatives_runs(mnist_slice_dir, tmp_path):
    main = runpy.run_path(str(SCRIPT))["main"]
    out = tmp_path / "compare.json"
    lines = []
    main(
        [
            "--data-dir", str(mnist_slice_dir), "--n-train", "600", "--epochs", "1",
            "--repeats-1", "3", "--warmup-1", "2", "--fit-repeats", "1",
            "--json", str(out),
        ],
        sink=lines.append,
    )  # fmt: skip

    report = json.loads(out.read_text())
    assert report["settings"]["warmup_1"] == 2
    names = [r["name"] for r in report["contenders"]]
    assert names == [
        "ours",
        "ours-augmented",
        "keras",
        "scikeras",
        "keras-sklearn",
        "sklearn",
    ]
    for result in report["contenders"]:
        assert result["status"] == "ok", result
        assert result["test_accuracy"] > 0.3  # chance is 0.1
        for key in ("fit_s", "predict_all_ms", "predict_1_median_ms", "peak_rss_mib"):
            assert math.isfinite(result[key]), (key, result)
            assert result[key] > 0, (key, result)
        assert result["fit_s_runs"] == [result["fit_s"]]
    check = report["predict_proba_check"]
    assert check["max_abs_diff_vs_model_predict"] <= 1e-5
    assert check["max_abs_diff_single_image"] <= 1e-5
    predictor, ours = report["predictor"], report["contenders"][0]
    assert predictor["test_accuracy"] == ours["test_accuracy"]
    assert predictor["predict_1_median_ms"] > 0
    assert [row["value"] > 0 for row in report["ratios"]] == [True] * 4
    assert "| digit_classifier pipeline |" in lines[0]


def test_compare_alternatives_fits_each_contender_in_turn(mnist_slice_dir):
    main = runpy.run_path(str(SCRIPT))["main"]
    report = main(
        [
            "--data-dir", str(mnist_slice_dir), "--n-train", "300", "--epochs", "1",
            "--repeats-1", "3", "--fit-repeats", "3", "--only", "sklearn",
        ],
        sink=lambda text: None,
    )  # fmt: skip
    [sklearn] = report["contenders"]
    assert len(sklearn["fit_s_runs"]) == 3
    assert sklearn["fit_s"] == np.median(sklearn["fit_s_runs"])


def test_predict_command_benchmark_runs(mnist_slice_dir, tmp_path):
    from digit_classifier import load_mnist, make_digit_pipeline, save_model

    X_train, y_train = load_mnist(mnist_slice_dir)[0]
    model = tmp_path / "model.zip"
    pipe = make_digit_pipeline(hidden_layer_sizes=(16,), epochs=1, random_state=0)
    save_model(pipe.fit(X_train[:500], y_train[:500]), model)
    main = runpy.run_path(str(SCRIPT.with_name("predict_command.py")))["main"]
    lines = []
    args = [str(model), "--data-dir", str(mnist_slice_dir), "--repeats", "1"]
    results = main(args, sink=lines.append)

    assert set(results) == {"one.png", "phone.jpg"}
    for result in results.values():
        assert result["failed_runs"] == 0
        assert result["stderr"] == [""]  # no TensorFlow start-up lines
        assert result["median_s"] > 0
        assert result["peak_rss_mib"] > 0
    assert len(lines) == 3


def test_normalize_digits_benchmark_runs(mnist_slice_dir):
    script = SCRIPT.parent / "normalize_digits.py"
    lines = []
    report = runpy.run_path(str(script))["main"](
        ["--data-dir", str(mnist_slice_dir), "--n", "5000", "--n-jobs", "2",
         "--repeats", "1"],
        sink=lines.append,
    )  # fmt: skip
    assert report["identical"]
    assert report["n_images"] == 5000
    for key in ("one_process_s", "workers_first_s", "workers_s"):
        assert 0 < report[key] < 60, key
    assert "5,000 MNIST digits" in lines[0]


def test_real_digits_benchmark_runs(mnist_model_file, real_digits_dir):
    main = runpy.run_path(str(SCRIPT.with_name("real_digits.py")))["main"]
    lines = []
    args = [str(mnist_model_file), "--data-dir", real_digits_dir, "--n", "40"]
    report = main(args, sink=lines.append)

    assert set(report) == {"optdigits_8x8", "pyclustering_32x32"}
    for result in report.values():
        assert result["images"] == 40
        # A model of 15,000 MNIST digits reads most of them, whichever way.
        assert result["scans"] > 0.6
        assert result["textbook"] > 0.6
        assert result["tight crops refused"] == 0
        assert np.sum(result["confusion"]) == 40
    assert lines[1] == "| set | images | scans | tight crops | textbook |"


def test_serve_load_benchmark_runs(mnist_model_file, mnist_slice_dir):
    main = runpy.run_path(str(SCRIPT.with_name("serve_load.py")))["main"]
    lines = []
    args = [str(mnist_model_file), "--data-dir", str(mnist_slice_dir)]
    args += [
        "--clients",
        "2",
        "--requests",
        "20",
        "--photo-requests",
        "4",
        "--warmup",
        "2",
    ]
    report = main(args, sink=lines.append)

    assert 0 < report["start_to_first_answer_s"] < 60
    for kind, n_requests in [("canvas PNG, 280x280", 20), ("photo JPEG, 1200x900", 4)]:
        result = report[kind]
        assert (result["requests"], result["errors"]) == (n_requests, 0)
        assert result["per_second"] > 0
        assert 0 < result["p50_ms"] <= result["p99_ms"]
    # Shared pages counted once: one process's PSS is at most its RSS.
    assert 0 < report["peak_pss_mib"] <= report["peak_rss_mib"]
    assert len(lines) == 4


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--clients", "0", "expected a positive integer, got '0'"),
        ("--requests", "-1", "expected 0 or more, got '-1'"),
        ("--workers", "0", "expected a positive integer, got '0'"),
    ],
)
def test_serve_load_refuses_counts_below_their_minimum(option, value, message, capsys):
    main = runpy.run_path(str(SCRIPT.with_name("serve_load.py")))["main"]
    with pytest.raises(SystemExit) as raised:
        main(["model.zip", option, value])
    assert raised.value.code == 2
    assert f"argument {option}: {message}" in capsys.readouterr().err


def test_hostile_inputs_check_runs(tmp_path, capsys):
    script = Path(__file__).parents[1] / "benchmarks" / "hostile_inputs_check.py"
    main = runpy.run_path(str(script))["main"]
    assert main(["--sample", "40", "--cli", "12"]) == 0
    out = capsys.readouterr().out
    assert "5xx or non-JSON answers: 0" in out
    assert "OK: no 5xx, every answer JSON, the CLI clean" in out


def test_input_memory_benchmark_runs(capsys):
    script = Path(__file__).parents[1] / "benchmarks" / "input_memory.py"
    main = runpy.run_path(str(script))["main"]
    main(["--megapixels", "0.1", "--formats", "PNG", "JPEG"])
    rows = capsys.readouterr().out.splitlines()[2:]
    assert [row.split(" | ")[0] for row in rows] == ["| PNG", "| JPEG"]
    assert all(float(row.split(" | ")[3].split()[0]) >= 0 for row in rows)


def test_open_set_benchmark_runs(mnist_slice_dir, real_digits_dir, tmp_path):
    from digit_classifier import load_mnist, make_digit_pipeline, save_model

    X_train, y_train = load_mnist(mnist_slice_dir)[0]
    model = tmp_path / "model.zip"
    pipe = make_digit_pipeline(
        "fast", hidden_layer_sizes=(16,), epochs=1, outlier_exposure=0.1
    )
    save_model(pipe.fit(X_train[:1000], y_train[:1000]), model)
    main = runpy.run_path(str(SCRIPT.with_name("open_set.py")))["main"]
    lines = []
    args = [str(model), "--n", "4", "--data-dir", str(mnist_slice_dir)]
    results = main([*args, "--real-dir", real_digits_dir], sink=lines.append)

    families = {"drawn", "photos", "text", "patterns", "non-digits"}
    assert families <= set(results["declined"])
    assert all(0 <= value <= 1 for value in results["declined"].values())
    # With no threshold in the file, the one that accepts 99% of the digits.
    assert results["declined"]["MNIST validation"] == pytest.approx(0.01, abs=0.002)
    assert all(0 <= value <= 1 for value in results["auroc"].values())
    assert {candidate for candidate, _ in results["auroc"]} == {
        "model",
        "max probability",
        "mahalanobis",
    }
    assert any("AUROC" in line for line in lines)


def test_read_numbers_benchmark_runs(
    mnist_slice_dir, mnist_model_file, real_digits_dir
):
    main = runpy.run_path(str(SCRIPT.with_name("read_numbers.py")))["main"]
    lines = []
    args = [str(mnist_model_file), "--test", "--n", "3", "--non-digits", "2"]
    args += ["--runs", "1", "--data-dir", str(mnist_slice_dir)]
    results = main([*args, "--real-dir", real_digits_dir], sink=lines.append)

    sources = {source for source, _ in results["exact"]}
    assert sources == {"MNIST test", "optdigits_8x8", "pyclustering_32x32"}
    assert {spacing for _, spacing in results["exact"]} == {
        "spaced",
        "tight",
        "touching",
    }
    assert all(0 <= value <= 1 for value in results["exact"].values())
    assert set(results["no_number"]) == {"drawn", "photos", "text", "patterns"}
    assert results["photo_ms"] > 0
    assert any("6-digit number in a photo" in line for line in lines)

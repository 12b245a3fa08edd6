"""The side-by-side benchmark runs end to end on a slice of MNIST."""

import json
import math
import runpy
from pathlib import Path

SCRIPT = Path(__file__).parents[1] / "benchmarks" / "compare_alternatives.py"


def test_compare_alternatives_runs(mnist_slice_dir, tmp_path):
    main = runpy.run_path(str(SCRIPT))["main"]
    out = tmp_path / "compare.json"
    lines = []
    main(
        [
            "--data-dir", str(mnist_slice_dir), "--n-train", "600", "--epochs", "1",
            "--repeats-1", "3", "--json", str(out),
        ],
        sink=lines.append,
    )  # fmt: skip

    report = json.loads(out.read_text())
    names = [r["name"] for r in report["contenders"]]
    assert names == ["ours", "keras", "scikeras", "keras-sklearn", "sklearn"]
    for result in report["contenders"]:
        assert result["status"] == "ok", result
        assert 0 <= result["test_accuracy"] <= 1
        for key in ("fit_s", "predict_all_ms", "predict_1_median_ms", "peak_rss_mib"):
            assert math.isfinite(result[key]), (key, result)
            assert result[key] > 0, (key, result)
        assert result["predict_1_p99_ms"] >= result["predict_1_median_ms"]
    check = report["predict_proba_check"]
    assert check["equal_to_model_predict"] is True
    assert check["equal_to_model_predict_single_image"] is True
    assert [row["value"] > 0 for row in report["ratios"]] == [True] * 3
    assert "| digit_classifier pipeline |" in lines[0]

"""Wall time of one hidden-size search: serial, two local workers, Dask.

Runs ``digit-classifier tune`` on MNIST (DIGIT_CLASSIFIER_DATA or --data-dir)
with 4 configurations x 3 folds and a few epochs, once per way of running the
fits, and prints a Markdown table. Usage::

    python benchmarks/tune_parallel.py [--epochs 2] [--data-dir DIR]
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HIDDEN = ["64", "128", "128,64", "256,128"]
MODES = {
    "serial": [],
    "--n-jobs 2": ["--n-jobs", "2"],
    "--dask-local 2": ["--dask-local", "2"],
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--data-dir")
    args = parser.parse_args()
    data = ["--data-dir", args.data_dir] if args.data_dir else []

    rows = []
    for name, extra in MODES.items():
        with tempfile.TemporaryDirectory() as out:
            command = [
                sys.executable, "-m", "digit_classifier", "tune", *data,
                "--hidden", *HIDDEN, "--cv", "3", "--epochs", str(args.epochs),
                "--quiet", "--out", out, *extra,
            ]  # fmt: skip
            start = time.perf_counter()
            subprocess.run(command, check=True, stderr=subprocess.DEVNULL)
            wall = time.perf_counter() - start
            metrics = json.loads((Path(out) / "metrics.json").read_text())
        rows.append((name, wall, metrics["search_time_s"], metrics))
        print(f"{name}: {wall:.1f} s", file=sys.stderr, flush=True)

    serial_search = rows[0][2]
    print(f"\n{len(HIDDEN)} configurations x 3 folds, {args.epochs} epochs, MNIST\n")
    print(
        "| fits run | whole command (s) | search (s) | speed-up of the search | best |"
    )
    print("|---|---|---|---|---|")
    for name, wall, search, metrics in rows:
        best = ",".join(map(str, metrics["best_hidden_layer_sizes"]))
        print(
            f"| {name} | {wall:.1f} | {search:.1f} | {serial_search / search:.2f}x "
            f"| {best} |"
        )


if __name__ == "__main__":
    main()

"""Send the hostile-input corpus through the web app and the CLI; report crashes.

Every item of ``tests/hostile_inputs.py``'s corpus goes to the app of
:func:`digit_classifier.serving.make_app`, in process (FastAPI's TestClient,
server errors answered 500 instead of raised):

- ``POST /predict`` with the item as the raw body, with its content type;
- ``POST /predict`` as a multipart upload of one file;
- ``POST /predict/batch``, up to 16 items a request;
- ``POST /read`` with the item as the raw body;
- ``POST /samples/1`` with the item as the raw body (the app collects
  corrections into a temporary folder);

and every malformed multipart body goes raw to each route. The app should
answer every request with JSON, and never with a 5xx: a bad file is the
client's error (4xx), and a bad file of a batch is one entry of its answer.

With ``--cli N``, a stratified sample of N items is written to a temporary
folder and read by ``digit-classifier predict MODEL FILE... --json``, in
process: it should neither raise nor stop before the last file, print JSON
on standard output, and write nothing to standard error but one
``digit-classifier: error: ...`` line per bad file. The files of a run that
fails are then read one at a time, to name the ones at fault.

Prints the answers per route and status, the statuses per family of inputs
and per malformed multipart body, the items answered 5xx with what
``load_digit_image`` raises on them, every 5xx or non-JSON answer, every
batch entry whose status is 5xx or missing, what the CLI did, the time taken
and the peak resident memory. Exits with 1 if anything went wrong (a 5xx, a
non-JSON body, a bad batch entry, a CLI that raised, stopped early, printed
no JSON or wrote other lines to standard error), else 0. Without
``--model``, a tiny model is trained first (seconds). Usage::

    python benchmarks/hostile_inputs_check.py [--model MODEL] [--cli 200]
"""

import argparse
import contextlib
import io
import json
import os
import re
import resource
import sys
import tempfile
import time
import traceback
import warnings
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))

import hostile_inputs  # noqa: E402

BATCH_SIZE = 16
ROUTES = ("/predict", "/predict/batch", "/read", "/samples/1")
ERROR_LINE = re.compile(r"digit-classifier: error: \S.*")
SHOWN = 200  # characters of a body or message shown
SLOW_S = 0.5


def main(argv=None):
    args = _parser().parse_args(argv)
    start = time.perf_counter()
    if args.sample:
        items = hostile_inputs.sample(args.sample, args.seed)
    else:
        items = hostile_inputs.corpus(args.seed)
    bodies = hostile_inputs.multipart_bodies(args.seed)
    mib = sum(len(item.data) for item in items) / 2**20
    kinds = len({item.kind for item in items})
    print(
        f"generated {len(items)} items ({mib:.1f} MiB, {kinds} kinds) and "
        f"{len(bodies)} multipart bodies in {time.perf_counter() - start:.2f} s",
        flush=True,
    )
    report = _Report()
    with tempfile.TemporaryDirectory() as folder:
        model = args.model or _tiny_model(Path(folder) / "model.zip")
        with _fd_stderr() as c_stderr:
            _check_app(model, items, bodies, report, Path(folder) / "samples")
        report.c_stderr = c_stderr.lines
        if args.diagnose:
            _diagnose(report)
        if args.cli:
            _check_cli(
                model, hostile_inputs.sample(args.cli, args.seed), folder, report
            )
    report.print(time.perf_counter() - start)
    return 1 if report.failed() else 0


def _parser():
    parser = argparse.ArgumentParser(
        description="Send hostile inputs through the web app and the CLI."
    )
    parser.add_argument("--model", help="a model.zip (default: train a tiny one)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--sample",
        type=int,
        default=0,
        metavar="N",
        help="send a stratified sample of N items, not the whole corpus",
    )
    parser.add_argument(
        "--cli",
        type=int,
        default=0,
        metavar="N",
        help="also read a sample of N items with digit-classifier predict",
    )
    parser.add_argument(
        "--no-diagnose",
        dest="diagnose",
        action="store_false",
        help="do not read the items answered 5xx with load_digit_image again "
        "to name the exceptions",
    )
    return parser


def _tiny_model(path):
    import numpy as np

    from digit_classifier import make_digit_pipeline, save_model

    print("training a tiny model ...", flush=True)
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, (60, 28, 28))
    y = np.arange(60) % 3
    save_model(make_digit_pipeline("fast", epochs=1).fit(X, y), path)
    return str(path)


class _Report:
    """What the checks saw; `print` shows it."""

    def __init__(self):
        self.counts = Counter()  # (route label, status)
        self.by_family = defaultdict(Counter)  # family -> status (multipart)
        self.multipart = defaultdict(dict)  # body kind -> route -> status
        self.problems = []  # 5xx or non-JSON: (label, kind, filename, status, body)
        self.batch_problems = []
        self.client_errors = []
        self.server_error_items = []  # items answered 5xx on a single route
        self.diagnoses = Counter()  # (exception, where) -> items
        self.examples = {}  # (exception, where) -> a message
        self.diagnosed_kinds = defaultdict(Counter)
        self.slow = []
        self.c_stderr = []
        self.cli = []
        self.cli_failed = False
        self.requests = 0
        self.app_seconds = 0.0

    def failed(self):
        return bool(self.problems or self.batch_problems or self.cli_failed)

    def print(self, total_seconds):
        print()
        print("Answers per route and status")
        statuses = sorted({status for _, status in self.counts})
        routes = list(dict.fromkeys(route for route, _ in self.counts))
        _print_rows(
            ["route", *map(str, statuses), "total"],
            [_counts_row(route, self.counts, statuses) for route in routes],
        )
        print()
        print("Statuses per family of inputs (POST /predict, multipart upload)")
        statuses = sorted({s for counts in self.by_family.values() for s in counts})
        _print_rows(
            ["family", *map(str, statuses), "total"],
            [
                [family, *(counts[s] for s in statuses), sum(counts.values())]
                for family, counts in sorted(self.by_family.items())
            ],
        )
        print()
        print("Malformed multipart bodies, sent raw: status per route")
        _print_rows(
            ["body", *ROUTES],
            [
                [kind, *(r.get(route) for route in ROUTES)]
                for kind, r in self.multipart.items()
            ],
        )
        if self.server_error_items:
            print()
            print("Items answered 5xx, per kind")
            kinds = Counter(item.kind for item in self.server_error_items)
            _print_rows(["kind", "items"], kinds.most_common())
        if self.diagnoses:
            print()
            print("What load_digit_image raises on the items answered 5xx")
            for key, n in self.diagnoses.most_common():
                name, where = key
                kinds = self.diagnosed_kinds[key].most_common(6)
                print(f"  {n:5d}  {name} at {where}, e.g. {self.examples[key]!r}")
                print("         " + ", ".join(f"{k} {c}" for k, c in kinds))
        print()
        print(f"5xx or non-JSON answers: {len(self.problems)}")
        for label, kind, filename, status, body in self.problems:
            print(f"  {label} | {kind} | {filename!r:.60} | {status} | {body!r}")
        print(
            "failed batches, and batch entries whose status is 5xx or missing: "
            f"{len(self.batch_problems)}"
        )
        for line in self.batch_problems:
            print(f"  {line}")
        if self.client_errors:
            print(f"requests the test client could not send: {len(self.client_errors)}")
            for line in self.client_errors[:20]:
                print(f"  {line}")
        if self.slow:
            print(f"answers slower than {SLOW_S} s: {len(self.slow)}")
            for seconds, label, kind, filename in sorted(self.slow, reverse=True)[:10]:
                print(f"  {seconds:6.2f} s  {label} | {kind} | {filename!r:.60}")
        if self.c_stderr:
            print(
                f"lines written to the process's standard error while serving "
                f"(Pillow's warnings, libtiff, python-multipart): {len(self.c_stderr)}"
            )
            for line, n in Counter(self.c_stderr).most_common(5):
                print(f"  {n:5d}x {line!r:.150}")
        if self.cli:
            print()
            print("CLI: digit-classifier predict MODEL FILE... --json")
            for line in self.cli:
                print(f"  {line}")
        print()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{self.requests} requests in {self.app_seconds:.1f} s; total "
            f"{total_seconds:.1f} s; peak RSS {rss:.0f} MiB"
        )
        if self.failed():
            print(
                f"FAILED: {len(self.problems)} 5xx or non-JSON answers, "
                f"{len(self.batch_problems)} bad batches or entries, CLI "
                f"{'failed' if self.cli_failed else 'clean'}"
            )
        else:
            print("OK: no 5xx, every answer JSON, the CLI clean")


def _counts_row(route, counts, statuses):
    values = [counts[(route, status)] for status in statuses]
    return [route, *values, sum(values)]


def _print_rows(header, rows):
    rows = [[str(cell) for cell in row] for row in [header, *rows]]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        cells = [row[0].ljust(widths[0])]
        cells += [
            cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)
        ]
        print("  " + "  ".join(cells))


# ---------------------------------------------------------------------------
# The web app


def _check_app(model, items, bodies, report, samples):
    from fastapi.testclient import TestClient

    from digit_classifier.serving import make_app

    client = TestClient(make_app(model, samples=samples), raise_server_exceptions=False)
    start = time.perf_counter()

    def send(route, label, kind, filename, **request):
        """(status, JSON body or None), or None if the client failed."""
        report.requests += 1
        began = time.perf_counter()
        try:
            response = client.post(route, **request)
        except Exception as exc:  # the client's own failure: reported apart
            report.client_errors.append(f"{label} | {kind} | {exc!r:.150}")
            return None
        seconds = time.perf_counter() - began
        if seconds > SLOW_S:
            report.slow.append((seconds, label, kind, filename))
        report.counts[(label, response.status_code)] += 1
        body = _json_body(response)
        if response.status_code >= 500 or body is None:
            report.problems.append(
                (label, kind, filename, response.status_code, response.text[:SHOWN])
            )
        return response.status_code, body

    failed = set()
    for index, item in enumerate(items):
        # The raw bytes to each route that reads one image, and an upload.
        raws = [
            send(
                route,
                f"POST {route} (raw body)",
                item.kind,
                item.filename,
                content=item.data,
                headers={"content-type": item.content_type},
            )
            for route in ("/predict", "/read", "/samples/1")
        ]
        upload = send(
            "/predict",
            "POST /predict (multipart)",
            item.kind,
            item.filename,
            files={"file": (item.filename, item.data, item.content_type)},
        )
        if upload is not None:
            report.by_family[hostile_inputs.family(item.kind)][upload[0]] += 1
        answers = (*raws, upload)
        if any(answer is not None and answer[0] >= 500 for answer in answers):
            failed.add(index)
            report.server_error_items.append(item)
        if (index + 1) % 500 == 0:
            seconds = time.perf_counter() - start
            print(f"  {index + 1} items sent, {seconds:.0f} s", flush=True)

    for first in range(0, len(items), BATCH_SIZE):
        batch = items[first : first + BATCH_SIZE]
        last = first + len(batch) - 1
        answer = send(
            "/predict/batch",
            "POST /predict/batch",
            f"batch of {len(batch)}",
            f"items {first}..{last}",
            files=[("files", (i.filename, i.data, i.content_type)) for i in batch],
        )
        if answer is not None:
            _check_batch(batch, first, answer, failed, report)

    for kind, content_type, body in bodies:
        for route in ROUTES:
            answer = send(
                route,
                f"POST {route} (raw multipart)",
                kind,
                "",
                content=body,
                headers={"content-type": content_type},
            )
            report.multipart[kind][route] = "error" if answer is None else answer[0]
    report.app_seconds = time.perf_counter() - start


def _check_batch(batch, first, answer, failed, report):
    """Record a failed batch, or its entries with a 5xx or no status."""
    status, body = answer
    last = first + len(batch) - 1
    if status >= 500:
        culprits = [
            f"{item.kind} {item.filename!r:.40}"
            for index, item in enumerate(batch, first)
            if index in failed
        ]
        report.batch_problems.append(
            f"batch {first}..{last} answered {status} as a whole; of its items, "
            f"these are answered 5xx alone: {culprits or 'none'}"
        )
        return
    if status != 200 or not isinstance(body, dict):
        return
    results = body.get("results")
    if not isinstance(results, list) or len(results) != len(batch):
        count = len(results) if isinstance(results, list) else results
        report.batch_problems.append(
            f"batch {first}..{last}: {count} results for {len(batch)} files"
        )
        return
    for item, entry in zip(batch, results, strict=True):
        entry_status = entry.get("status") if isinstance(entry, dict) else None
        if not isinstance(entry_status, int) or entry_status >= 500:
            report.batch_problems.append(
                f"batch entry {item.kind} {item.filename!r:.40}: status "
                f"{entry_status!r}: {str(entry)[:SHOWN]}"
            )


def _json_body(response):
    """The JSON body of a response, or None if it has none."""
    if not response.headers.get("content-type", "").startswith("application/json"):
        return None
    try:
        return response.json()
    except ValueError:
        return None


def _diagnose(report):
    """What load_digit_image raises on each item answered 5xx."""
    from digit_classifier.apps.serve._app import MAX_PIXELS
    from digit_classifier.images import load_digit_image

    for item in report.server_error_items:
        upload = io.BytesIO(item.data)
        upload.name = "upload"
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                load_digit_image(upload, max_pixels=MAX_PIXELS)
        except Exception as exc:  # naming it is the point
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            key = (type(exc).__name__, f"{Path(frame.filename).name}:{frame.lineno}")
            message = " ".join(str(exc).split())[:SHOWN]
        else:
            key = ("nothing", "-")
            message = "load_digit_image reads it: the 5xx comes later"
        report.diagnoses[key] += 1
        report.examples.setdefault(key, message)
        report.diagnosed_kinds[key][item.kind] += 1


# ---------------------------------------------------------------------------
# The CLI


def _check_cli(model, items, folder, report):
    from digit_classifier.apps import cli

    inputs = Path(folder) / "cli"
    inputs.mkdir()
    paths = []
    for index, item in enumerate(items):
        kind = re.sub(r"[^A-Za-z0-9_.-]", "_", item.kind)
        path = inputs / f"{index:04d}-{kind}{_suffix(item.filename)}"
        path.write_bytes(item.data)
        paths.append(path)
    print(f"reading {len(paths)} files with digit-classifier predict ...", flush=True)
    argv = ["predict", str(model), *map(str, paths), "--json"]
    if not _cli_run_ok(_run_cli(cli, argv), paths, report):
        report.cli_failed = True
        report.cli.append("the files at fault, read one at a time:")
        at_fault = Counter()
        for path, item in zip(paths, items, strict=True):
            why = _cli_faults(
                _run_cli(cli, ["predict", str(model), str(path), "--json"])
            )
            if why:
                at_fault[item.kind] += 1
                report.cli.append(f"  {path.name}: {'; '.join(why)}")
        kinds = ", ".join(f"{k} {n}" for k, n in at_fault.most_common()) or "none"
        report.cli.append(f"files at fault per kind: {kinds}")


def _suffix(filename):
    """The item's file name's extension, if a tame one (.npy matters)."""
    suffix = Path(filename.replace("\\", "/")).suffix if filename else ""
    return suffix if re.fullmatch(r"\.[A-Za-z0-9]{1,5}", suffix) else ".bin"


def _run_cli(cli, argv):
    """(exit status, exception, stdout, stderr, C-level stderr lines)."""
    stdout, stderr = io.StringIO(), io.StringIO()
    raised = status = None
    with (
        _fd_stderr() as c_stderr,
        contextlib.redirect_stdout(stdout),
        contextlib.redirect_stderr(stderr),
    ):
        try:
            status = cli.main(argv)
        except BaseException as exc:  # SystemExit too
            raised = exc
    return status, raised, stdout.getvalue(), stderr.getvalue(), c_stderr.lines


def _parse_json(text):
    try:
        return json.loads(text)
    except ValueError:
        return None


def _cli_run_ok(outcome, paths, report):
    """Report on a run of the CLI over `paths`; whether it went well."""
    status, raised, stdout, stderr, c_lines = outcome
    results = _parse_json(stdout)
    lines = stderr.splitlines()
    errors = [line for line in lines if ERROR_LINE.fullmatch(line)]
    others = [line for line in lines if not ERROR_LINE.fullmatch(line)]
    entries = results if isinstance(results, list) else []
    named = {
        re.sub(r"\[\d+\]$", "", str(entry.get("input")))
        for entry in entries
        if isinstance(entry, dict)
    }
    named.update(str(p) for p in paths if any(str(p) in error for error in errors))
    # Files after the last one named in the output were never reported on:
    # the CLI stopped at the first of them.
    last = max((i for i, p in enumerate(paths) if str(p) in named), default=-1)
    unread = paths[last + 1 :]
    n_results = len(results) if isinstance(results, list) else "no"
    report.cli += [
        f"{len(paths)} files at once: exit status {status}, raised {raised!r:.100}",
        f"stdout: {n_results} JSON results; stderr: {len(errors)} error lines, "
        f"{len(others)} other lines",
    ]
    report.cli += [f"  stderr: {line!r:.{SHOWN}}" for line in others[:20]]
    if results is None:
        report.cli.append(
            "no JSON on standard output: the predictions of the files read "
            "before it stopped are lost"
        )
    if unread:
        report.cli.append(
            f"stopped at {unread[0].name}: it and the {len(unread) - 1} files "
            f"after it were never reported on; its line: {(errors or ['-'])[-1]!r}"
        )
    if c_lines:
        report.cli.append(f"C-level stderr lines (libtiff, ...): {len(c_lines)}")
    return not (raised is not None or results is None or others or unread)


def _cli_faults(outcome):
    """What is wrong with a run of the CLI over one file."""
    status, raised, stdout, stderr, _ = outcome
    why = []
    if raised is not None:
        why.append(f"raised {raised!r:.100}")
    if status not in (0, 1):
        why.append(f"exit status {status}")
    if _parse_json(stdout) is None:
        why.append("no JSON on stdout")
    lines = stderr.splitlines()
    others = [line for line in lines if not ERROR_LINE.fullmatch(line)]
    if others:
        why.append(f"{len(others)} other stderr lines, e.g. {others[0]!r:.120}")
    if why and lines:
        why.append(f"last stderr line {lines[-1]!r:.160}")
    return why


class _Lines:
    lines = ()


@contextlib.contextmanager
def _fd_stderr():
    """Standard error at the file-descriptor level, where C libraries such
    as libtiff write (and Python's, while not redirected), as lines, kept out
    of the report."""
    capture = _Lines()
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield capture
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            capture.lines = sink.read().decode("utf-8", "replace").splitlines()


if __name__ == "__main__":
    sys.exit(main())

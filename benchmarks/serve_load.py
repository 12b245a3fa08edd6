"""Load on ``digit-classifier serve``: requests per second, latency, memory.

Starts the server for a model file on a free port of 127.0.0.1 (as a user
does, ``python -m digit_classifier serve MODEL``), measures the time from
its start to its first answer, then sends a bounded number of POST /predict
requests from several concurrent clients, one kind of image at a time, after
a few unmeasured ones (``--warmup``):

- canvas PNGs: MNIST test digits drawn black on a white 280x280 canvas, as
  the page sends them;
- photo JPEGs: MNIST test digits drawn as photos (``make_photo_digits``)
  enlarged to 1200x900, about a megapixel.

Prints, for each kind, the requests, errors, requests per second, median and
99th-percentile latency, and the server's memory over the whole run: the peak
resident memory of each of its processes (VmHWM), added up, and the peak of
their proportional set sizes added up, sampled every second (PSS: a page that
several processes share, such as a library's code, is counted once in all,
not once in each, so that several workers are not charged for it several
times). The clients run in this process, on the same cores as the
server: the figures include their cost, kept small with the standard
library's keep-alive connections (a third of httpx's time per request).
It stops the server when done.
Usage::

    DIGIT_CLASSIFIER_DATA=../shared/data/mnist python benchmarks/serve_load.py MODEL
"""

import argparse
import http.client
import io
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np
from PIL import Image

from digit_classifier import load_mnist
from digit_classifier.apps._argtypes import positive_int
from digit_classifier.datasets import make_photo_digits

CANVAS_SIDE = 280
PHOTO_SIZE = (1200, 900)
START_TIMEOUT_S = 60


def canvas_pngs(digits):
    """Black strokes on a white 280x280 canvas, as RGBA PNG bytes."""
    images = []
    for digit in digits:
        canvas = Image.fromarray(255 - digit).resize(
            (CANVAS_SIDE, CANVAS_SIDE), Image.Resampling.BILINEAR
        )
        canvas = canvas.convert("RGBA")  # as a browser encodes its canvas
        buffer = io.BytesIO()
        canvas.save(buffer, format="PNG")
        images.append(buffer.getvalue())
    return images


def photo_jpegs(digits):
    """Photo-like images of about a megapixel, as JPEG bytes."""
    images = []
    with tempfile.TemporaryDirectory() as folder:
        for path in make_photo_digits(digits, folder, random_state=0):
            buffer = io.BytesIO()
            Image.open(path).resize(PHOTO_SIZE).save(buffer, format="JPEG", quality=85)
            images.append(buffer.getvalue())
    return images


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(model, port, workers):
    """The server process and the seconds from its start to its first answer."""
    start = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "digit_classifier", "serve", str(model)]
        + ["--port", str(port), "--workers", str(workers)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    while time.perf_counter() - start < START_TIMEOUT_S:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200:
                return server, time.perf_counter() - start
        except httpx.TransportError:
            if server.poll() is not None:
                sys.exit(f"the server stopped: {server.stderr.read().decode()}")
            time.sleep(0.02)
    server.kill()
    sys.exit("the server did not answer")


def server_processes(pid):
    """The server's process and its children (uvicorn's workers)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [pid, *map(int, children)]


def _field_mib(path, field):
    """A ``field: N kB`` line of a /proc file, in MiB (0 once the process is gone)."""
    try:
        with open(path) as lines:
            for line in lines:
                if line.startswith(field):
                    return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0.0


def peak_rss_mib(pid):
    """The peak resident memory of a process and of its children, added up."""
    return sum(
        _field_mib(f"/proc/{process}/status", "VmHWM:")
        for process in server_processes(pid)
    )


class PeakPss:
    """The peak of a process's and its children's PSS, added up, sampled in a
    thread while the block runs."""

    # A sample reads every page table of the server's processes: about 10 ms
    # of kernel time, taken from the server's cores.
    def __init__(self, pid, interval_s=1.0):
        self.pid, self.interval_s, self.peak_mib = pid, interval_s, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self):
        while True:
            try:
                processes = server_processes(self.pid)
            except FileNotFoundError:
                return  # the server stopped: its error is reported elsewhere
            total = sum(
                _field_mib(f"/proc/{process}/smaps_rollup", "Pss:")
                for process in processes
            )
            self.peak_mib = max(self.peak_mib, total)
            if self._stop.wait(self.interval_s):
                return

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join()


def load(port, images, content_type, n_requests, n_clients):
    """Send n_requests, spread over n_clients; latencies and status codes."""

    def client(worker):
        results = []
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for i in range(worker, n_requests, n_clients):
            start = time.perf_counter()
            connection.request(
                "POST",
                "/predict",
                body=images[i % len(images)],
                headers={"content-type": content_type},
            )
            response = connection.getresponse()
            response.read()
            results.append((time.perf_counter() - start, response.status))
        connection.close()
        return results

    start = time.perf_counter()
    with ThreadPoolExecutor(n_clients) as pool:
        results = [r for rs in pool.map(client, range(n_clients)) for r in rs]
    elapsed = time.perf_counter() - start
    latencies = np.array([latency for latency, _ in results])
    return {
        "requests": len(results),
        "errors": sum(status != 200 for _, status in results),
        "per_second": len(results) / elapsed,
        "p50_ms": 1000 * float(np.median(latencies)),
        "p99_ms": 1000 * float(np.percentile(latencies, 99)),
    }


def _count(text):
    """An argparse type: a number of requests, 0 (none of that kind) or more."""
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {text!r}")
    return value


def main(argv=None, sink=print):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path, help="a model.zip written by train")
    parser.add_argument("--data-dir", help="MNIST (default: as load_mnist finds it)")
    parser.add_argument("--clients", type=positive_int, default=8)
    parser.add_argument(
        "--requests", type=_count, default=1000, help="canvas PNGs (0: none)"
    )
    parser.add_argument(
        "--photo-requests", type=_count, default=200, help="photo JPEGs (0: none)"
    )
    parser.add_argument(
        "--workers", type=positive_int, default=1, help="server processes"
    )
    parser.add_argument(
        "--warmup",
        type=_count,
        default=50,
        help="unmeasured requests first, per kind",
    )
    args = parser.parse_args(argv)

    _, (X_test, _) = load_mnist(args.data_dir)
    kinds = [
        ("canvas PNG, 280x280", canvas_pngs(X_test[:50]), "image/png", args.requests),
        (
            "photo JPEG, 1200x900",
            photo_jpegs(X_test[:20]),
            "image/jpeg",
            args.photo_requests,
        ),
    ]
    port = free_port()
    server, start_s = start_server(args.model, port, args.workers)
    report = {"start_to_first_answer_s": start_s, "clients": args.clients}
    try:
        sink(
            f"server ({args.workers} worker process(es)) started and answered in "
            f"{start_s:.2f} s"
        )
        with PeakPss(server.pid) as pss:
            for name, images, content_type, n_requests in kinds:
                if n_requests == 0:  # this kind not asked for
                    continue
                # Not measured: the first requests load Pillow's decoders and
                # the like once, and the server would start its count warm
                # anyway.
                if args.warmup:
                    load(port, images, content_type, args.warmup, args.clients)
                result = load(port, images, content_type, n_requests, args.clients)
                report[name] = result
                sink(
                    f"- {name}, {args.clients} clients: {result['requests']} "
                    f"requests, {result['errors']} errors, "
                    f"{result['per_second']:.0f}/s, p50 {result['p50_ms']:.1f} ms, "
                    f"p99 {result['p99_ms']:.1f} ms"
                )
        report["peak_rss_mib"] = peak_rss_mib(server.pid)
        report["peak_pss_mib"] = pss.peak_mib
        sink(
            f"server memory, all its processes: peak RSS {report['peak_rss_mib']:.0f}"
            f" MiB added up, peak PSS {report['peak_pss_mib']:.0f} MiB (shared pages"
            " once)"
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
    return report


if __name__ == "__main__":
    main()

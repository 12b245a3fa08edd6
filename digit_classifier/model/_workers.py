"""Worker processes that train networks: TensorFlow's share of the cores."""

import contextlib
import os

import joblib


@contextlib.contextmanager
def tensorflow_threads(n_jobs):
    """Give TensorFlow in each local worker its share of the cores.

    Worker processes read these variables when TensorFlow starts in them;
    the caller's own, already running TensorFlow is not affected. joblib
    counts the workers as it will start them (``n_jobs=-2``: all cores but
    one) and the cores as it sees them (at least 1).
    """
    workers = joblib.effective_n_jobs(n_jobs)
    if workers <= 1:
        yield
        return
    threads = str(max(1, joblib.cpu_count() // workers))
    names = ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update(TF_NUM_INTRAOP_THREADS=threads, TF_NUM_INTEROP_THREADS="1")
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

"""Running the web app under uvicorn, in one process or several."""

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

from ._settings import (
    MAX_UPLOAD_BYTES,
    MAX_UPLOAD_ENV_VAR,
    MODEL_ENV_VAR,
    SAMPLES_ENV_VAR,
)


def run_server(
    model_path, *, host="127.0.0.1", port=8000, max_upload_bytes=MAX_UPLOAD_BYTES,
    workers=1, samples=None,
):  # fmt: skip
    """Serve the web app of a model with uvicorn until interrupted.

    Parameters
    ----------
    model_path : str or os.PathLike
        The model file, checked before the server starts.

    host : str, default="127.0.0.1"
        The address to listen on; the API has no authentication.

    port : int, default=8000
        The port to listen on.

    max_upload_bytes : int, default=10 MiB
        Larger request bodies are refused.

    workers : int, default=1
        Server processes, each with its own copy of the model.

    samples : str or os.PathLike, default=None
        A folder to collect the user's corrections in, for
        ``digit-classifier adapt``; None collects none.
    """
    import uvicorn

    options = {}
    if workers == 1:
        from ._app import make_app

        # Checks the model before the server starts.
        app = make_app(model_path, max_upload_bytes=max_upload_bytes, samples=samples)
    else:
        # The app is checked in a process of its own: this one only hands the
        # connections to the workers, and need not hold a model, FastAPI and
        # the image libraries for that (50 MiB).
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(1, mp_context=context) as checker:
            checker.submit(_check_app, model_path, max_upload_bytes, samples).result()
        # Each worker process builds its own app from these.
        os.environ[MODEL_ENV_VAR] = str(model_path)
        os.environ[MAX_UPLOAD_ENV_VAR] = str(max_upload_bytes)
        os.environ[SAMPLES_ENV_VAR] = "" if samples is None else str(samples)
        app = "digit_classifier.serving:app_from_environment"
        options = {"factory": True, "workers": workers}
    print(f"Serving {model_path} at http://{host}:{port}/ (Ctrl+C stops)", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", **options)


def _check_app(model_path, max_upload_bytes, samples):
    """Build the app once, for its errors only."""
    from ._app import make_app

    make_app(model_path, max_upload_bytes=max_upload_bytes, samples=samples)

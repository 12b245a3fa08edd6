"""The web app of ``digit-classifier serve``: draw or upload a digit, see what the
model reads, and a JSON API.

:func:`make_app` returns an ASGI application (FastAPI) for a saved model:

- ``GET /``: a page to draw a digit (mouse, pen or finger) or upload a photo or
  scan, which shows the 28x28 image the model saw and its three most probable
  labels, or, in its "number" mode, several digits and each one's box and
  label; plain HTML, CSS and JavaScript shipped with the package, nothing
  fetched from the internet;
- ``POST /predict``: one image, as a multipart upload or as the raw bytes of
  a PNG, JPEG, ... body: ``{"label", "probability", "reason", "top_k",
  "image_28x28"}``; an image that holds several digits, or that does not
  look like a digit to the model, is answered (200) with ``"label": null``
  and the ``reason``, and still its guesses and 28x28 image;
- ``POST /predict/batch``: several images as a multipart upload, each
  answered on its own: a bad image does not fail the others;
- ``POST /read``: one image of a number, as ``/predict`` takes it, read
  digit by digit: ``{"input", "text", "reason", "digits": [{"label",
  "probability", "box"}], "not_digits": [{"box", "reason"}], "size"}``,
  the boxes ``[x0, y0, x1, y1]`` in the image's pixels; ``"text": null``
  with the ``reason`` when nothing in it is read as a digit (200);
- ``GET /health`` and ``GET /model``; the OpenAPI schema at
  ``/openapi.json``;
- with a samples folder (``make_app(path, samples=DIR)``, ``serve
  --samples DIR``): ``POST /samples/{label}``, one image as ``/predict``
  takes it, saved as the user sent it into ``DIR/<label>/`` under a name
  the server chooses (201: ``{"label", "file", "counts"}``), and ``GET
  /samples``: ``{"counts", "command"}``, the digits collected per label and
  the ``digit-classifier adapt`` command that learns them. The page then
  offers "Not right? It is: 0 1 ... 9" under each answer.

The handlers only parse the request and call the library: an upload goes
through the same input path and predictor as ``digit-classifier predict``
(NumPy, no TensorFlow). Bad input gets a 4xx JSON error with a message: a
body over the size limit 413 before it is read whole, a body that is not an
image 415, an image that cannot be read or holds no digit 422 (and a label
the model does not have), a full samples folder 409.
"""

import os
import shlex
import threading
import warnings
from importlib.resources import files

import anyio.to_thread
from anyio import CapacityLimiter
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel

from ... import __version__
from ...images import DigitImageError
from ...samples import count_samples, save_sample
from .._answers import answer_input, load_pixel_predictor, read_input
from ._http import MULTIPART, BodySizeLimit, is_raw_image, media_type, unsupported
from ._settings import (
    MAX_UPLOAD_BYTES,
    MAX_UPLOAD_ENV_VAR,
    MODEL_ENV_VAR,
    SAMPLES_ENV_VAR,
)

# A phone's photo passes, a decompression bomb does not, and a few at once
# stay within a small server's memory (the README gives the figures).
MAX_PIXELS = 16_000_000
MAX_BATCH_FILES = 64
TOP_K = 3


class Label(BaseModel):
    """A label and the probability the model gives it."""

    label: int | str
    probability: float


class Prediction(BaseModel):
    """What the model reads in an image: a label, or why it reads none."""

    label: int | str | None
    probability: float | None
    reason: str | None = None
    top_k: list[Label]
    image_28x28: list[list[int]]


class BatchItem(BaseModel):
    """One image of a batch: its prediction (status 200) or its error."""

    filename: str
    status: int
    label: int | str | None = None
    probability: float | None = None
    reason: str | None = None
    top_k: list[Label] | None = None
    image_28x28: list[list[int]] | None = None
    error: str | None = None


class BatchResult(BaseModel):
    results: list[BatchItem]


class ReadDigit(BaseModel):
    """One digit of a number: its label, probability and box in the image."""

    label: int | str
    probability: float
    box: list[int]


class NotADigit(BaseModel):
    """A part of the image that is not read as a digit, and why."""

    box: list[int]
    reason: str


class NumberReading(BaseModel):
    """The number in an image, digit by digit, left to right."""

    input: str
    text: str | None
    reason: str | None
    digits: list[ReadDigit]
    not_digits: list[NotADigit]
    size: list[int]


class Network(BaseModel):
    """One network of the model: its layers' sizes and digit normalization."""

    layers: list[int]
    normalizer: dict | None


class ModelDescription(BaseModel):
    """The model being served: one network, or a committee of them."""

    classes: list[int | str]
    n_pixels: int
    layers: list[int]
    members: list[Network]
    info: dict
    digit_classifier: str
    max_upload_bytes: int


class Health(BaseModel):
    status: str


class SampleCounts(BaseModel):
    """The digits collected per label, and the command that learns them."""

    counts: dict[str, int]
    command: str


class SavedSample(BaseModel):
    """A correction saved: its label, its file's name, the counts now."""

    label: int | str
    file: str
    counts: dict[str, int]


def make_app(
    model_path,
    *,
    max_upload_bytes=MAX_UPLOAD_BYTES,
    max_pixels=MAX_PIXELS,
    max_batch_files=MAX_BATCH_FILES,
    samples=None,
):
    """The web page and JSON API for a saved model, as an ASGI application.

    Run it with any ASGI server (``uvicorn.run(make_app(path))``, or
    ``digit-classifier serve``), or mount it in a FastAPI or Starlette app
    (``app.mount("/digits", make_app(path))``). The model is read-only: the
    app serves parallel requests, in one process or in several workers.

    Parameters
    ----------
    model_path : str or os.PathLike
        A model file of 28x28 images written by
        :func:`~digit_classifier.save_model`, as ``digit-classifier train``
        writes them (a pipeline, which takes raw pixels).

    max_upload_bytes : int, default=10 MiB
        Larger request bodies get 413, before they are read whole.

    max_pixels : int, default=16_000_000
        Larger images get 422 before they are decoded (decompression bombs).

    max_batch_files : int, default=64
        Most images in one ``/predict/batch`` request.

    samples : str or os.PathLike, default=None
        A samples folder to collect the user's corrections in
        (``POST /samples/{label}``), as :func:`~digit_classifier.samples.save_sample`
        writes them: up to 500 per label and 200 MiB in all. None serves
        no such route.

    Returns
    -------
    app : fastapi.FastAPI
        The application.

    Raises
    ------
    ValueError
        If the model does not take 28x28 images (784 pixels) as raw pixels.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from fastapi.testclient import TestClient
    >>> from digit_classifier import make_digit_pipeline, save_model
    >>> from digit_classifier.serving import make_app
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.integers(0, 256, (40, 28, 28)), np.arange(40) % 2
    >>> path = os.path.join(tempfile.mkdtemp(), "model.zip")
    >>> save_model(make_digit_pipeline("fast", epochs=1).fit(X, y), path)
    >>> client = TestClient(make_app(path))
    >>> client.get("/health").json()
    {'status': 'ok'}
    >>> client.post("/predict", content=b"not an image",
    ...             headers={"content-type": "image/png"}).status_code
    422
    """
    predictor = load_pixel_predictor(model_path, image_files=True)
    # Images are read in as many threads as there are cores: more would only
    # take turns at Python's interpreter lock.
    limiter = CapacityLimiter(os.cpu_count() or 1)
    app = FastAPI(
        title="digit_classifier",
        version=__version__,
        summary="Read handwritten digits in images with a model trained on MNIST.",
        # The interactive docs load their scripts from a CDN: not offline.
        docs_url=None,
        redoc_url=None,
    )
    app.add_middleware(BodySizeLimit, max_bytes=max_upload_bytes)
    app.mount(
        "/static",
        StaticFiles(packages=[("digit_classifier.apps.serve", "static")]),
        "static",
    )
    page_html = (files(__package__) / "static" / "index.html").read_text(
        encoding="utf-8"
    )

    async def read(data, name):
        """The answer to one image's bytes, or its error, as a status and JSON."""
        try:
            [answer] = await anyio.to_thread.run_sync(
                lambda: answer_input(
                    predictor, data, name=name, top_k=TOP_K, max_pixels=max_pixels
                ),
                limiter=limiter,
            )
        except DigitImageError as exc:
            return 422, {"error": str(exc)}
        return 200, {
            "label": answer["label"],
            "probability": answer["probability"],
            "reason": answer["reason"],
            "top_k": answer["top_k"],
            "image_28x28": answer["image"].tolist(),
        }

    @app.get("/", include_in_schema=False)
    def page():
        return HTMLResponse(page_html)

    @app.get("/health", summary="Whether the server answers")
    def health() -> Health:
        return {"status": "ok"}

    networks = [
        {"layers": [c.shape[1] for c in net.coefs_], "normalizer": net.normalizer}
        for net in getattr(predictor, "members_", [predictor])
    ]

    @app.get("/model", summary="The model being served")
    def model() -> ModelDescription:
        return {
            "classes": predictor.classes_.tolist(),
            "n_pixels": predictor.n_features_in_,
            "layers": networks[0]["layers"],
            "members": networks,
            "info": predictor.info,
            "digit_classifier": __version__,
            "max_upload_bytes": max_upload_bytes,
        }

    @app.post(
        "/predict",
        summary="Read the digit in one image",
        openapi_extra={"requestBody": _IMAGE_BODY},
        responses=_ERRORS,
    )
    async def predict(request: Request) -> Prediction:
        name, data = await _one_image(request)
        status, result = await read(data, name)
        if status != 200:
            raise HTTPException(status, result["error"])
        return result

    @app.post(
        "/read",
        summary="Read the number in one image, digit by digit",
        openapi_extra={"requestBody": _IMAGE_BODY},
        responses=_ERRORS,
    )
    async def read_a_number(request: Request) -> NumberReading:
        name, data = await _one_image(request)
        try:
            return await anyio.to_thread.run_sync(
                lambda: read_input(predictor, data, name=name, max_pixels=max_pixels),
                limiter=limiter,
            )
        except DigitImageError as exc:
            raise HTTPException(422, str(exc)) from exc

    @app.post(
        "/predict/batch",
        summary="Read the digits in several images, each on its own",
        openapi_extra={"requestBody": _BATCH_BODY},
        responses=_ERRORS,
    )
    async def predict_batch(request: Request) -> BatchResult:
        media = media_type(request)
        if media != MULTIPART:
            raise unsupported(media, batch=True)
        parts = await _form_parts(request, max_parts=max_batch_files)
        if not parts:
            raise HTTPException(422, "send at least one image file in the form.")
        results = []
        for name, data in parts:  # each part its own answer, in order
            if data is None:
                status, result = 422, {"error": _NOT_A_FILE.format(name=name)}
            else:
                status, result = await read(data, name)
            results.append({"filename": name, "status": status, **result})
        return {"results": results}

    if samples is not None:
        _add_sample_routes(app, predictor, model_path, samples, limiter, max_pixels)
    return app


def _add_sample_routes(app, predictor, model_path, folder, limiter, max_pixels):
    """``GET /samples`` and ``POST /samples/{label}`` on a samples folder."""
    labels = {str(label): label for label in predictor.classes_.tolist()}
    command = shlex.join(
        [
            "digit-classifier",
            "adapt",
            str(model_path),
            str(folder),
            "--out",
            "adapted.zip",
        ]
    )
    # One correction at a time, so that the folder's bounds hold.
    saving = threading.Lock()

    def counts():
        return {
            str(k): v for k, v in count_samples(folder, list(labels.values())).items()
        }

    @app.get("/samples", summary="The corrections collected, per label")
    def collected() -> SampleCounts:
        return {"counts": counts(), "command": command}

    @app.post(
        "/samples/{label}",
        status_code=201,
        summary="Save one image as a digit of this label",
        openapi_extra={"requestBody": _IMAGE_BODY},
        responses={**_ERRORS, 409: {"description": "The samples folder is full."}},
    )
    async def save(label: str, request: Request) -> SavedSample:
        if label not in labels:
            raise HTTPException(
                422,
                f"{label!r} is not a label of the model; it has {', '.join(labels)}.",
            )
        _, data = await _one_image(request)

        def write():
            with saving:
                path = save_sample(folder, labels[label], data, max_pixels=max_pixels)
                return path, counts()

        try:
            path, counted = await anyio.to_thread.run_sync(write, limiter=limiter)
        except DigitImageError as exc:
            raise HTTPException(422, str(exc)) from exc
        except ValueError as exc:  # the folder's bounds
            raise HTTPException(409, str(exc)) from exc
        return {"label": labels[label], "file": path.name, "counts": counted}


def app_from_environment():
    """make_app for the model named by ``DIGIT_CLASSIFIER_SERVE_MODEL``.

    An application factory for ASGI servers that start several worker
    processes, each importing the app by name, e.g.
    ``uvicorn --factory digit_classifier.serving:app_from_environment
    --workers 2``; ``DIGIT_CLASSIFIER_SERVE_MAX_UPLOAD_BYTES`` sets the
    upload limit and ``DIGIT_CLASSIFIER_SERVE_SAMPLES`` the samples folder.
    ``digit-classifier serve --workers N`` uses it.

    Returns
    -------
    app : fastapi.FastAPI
        As from :func:`make_app`.
    """
    if not os.environ.get(MODEL_ENV_VAR):
        raise ValueError(f"set {MODEL_ENV_VAR} to the model file to serve.")
    # A worker process serves this app alone: Pillow's warnings about the
    # files it reads would only fill its log (their errors are the answers).
    warnings.filterwarnings("ignore", module=r"PIL\.")
    limit = int(os.environ.get(MAX_UPLOAD_ENV_VAR, MAX_UPLOAD_BYTES))
    samples = os.environ.get(SAMPLES_ENV_VAR) or None
    return make_app(os.environ[MODEL_ENV_VAR], max_upload_bytes=limit, samples=samples)


async def _one_image(request):
    """The (name, bytes) of the one image of a request: a multipart upload of
    one file, or an image's raw bytes as the body."""
    media = media_type(request)
    if media == MULTIPART:
        parts = await _form_parts(request, max_parts=1)
        if len(parts) != 1 or parts[0][1] is None:
            raise HTTPException(422, "send one image file in the form.")
        return parts[0]
    if is_raw_image(media):
        return "image", await request.body()
    raise unsupported(media)


async def _form_parts(request, max_parts):
    """(name, bytes) of each part of a multipart request, in order.

    A file's name is its file name (or its field's name without one); a part
    that is a plain form field, not a file, comes as (its name, None).
    """
    form = await request.form(max_files=max_parts, max_fields=max_parts)
    parts = [
        (value.filename or key, await value.read())
        if hasattr(value, "read")
        else (key, None)
        for key, value in form.multi_items()
    ]
    await form.close()
    return parts


_NOT_A_FILE = (
    "{name} is a form field, not a file: upload each image as a file (for "
    "example curl -F files=@digit.png)."
)
_ERRORS = {
    413: {"description": "The request body is over the size limit."},
    415: {"description": "The body is not an image or a multipart upload."},
    422: {"description": "The image cannot be read, or holds no digit."},
}
_IMAGE_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            }
        },
        "image/png": {"schema": {"type": "string", "format": "binary"}},
        "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
    },
}
_BATCH_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    "files": {
                        "type": "array",
                        "items": {"type": "string", "format": "binary"},
                    }
                },
                "required": ["files"],
            }
        }
    },
}

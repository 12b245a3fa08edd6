"""Hostile inputs: no file, upload or request body crashes the input path, the
web app or the command line.

A seeded corpus of our own (``hostile_inputs.py``: valid files of every
format, their mutations, truncations and header extremes, decompression
bombs, non-images, malformed multipart bodies) and Hypothesis's mutations of
valid files go through each door. Every answer must be a digit or a clear
refusal: a DigitImageError naming the input, a 4xx JSON error, one line on
standard error; never a 5xx, a traceback or another exception.
``benchmarks/hostile_inputs_check.py`` runs the whole corpus.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import hostile_inputs
import numpy as np
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digit_classifier import (
    DigitImageError,
    load_predictor,
    make_digit_pipeline,
    read_number,
    save_model,
)
from digit_classifier.apps import cli
from digit_classifier.images import read_digit_inputs
from digit_classifier.serving import make_app

# Pillow warns about some of the files it reads (corrupt EXIF, short tags);
# warnings are not what is tested here.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:PIL")

# Every family of the corpus at least once, and most kinds.
SAMPLE = hostile_inputs.sample(300, seed=0)
VALID = hostile_inputs.valid_images(0)
# The signatures of the accepted formats and of others Pillow would open.
SIGNATURES = hostile_inputs.SIGNATURES
BATCH_SIZE = 16
FUZZ = settings(
    max_examples=250,
    deadline=None,
    derandomize=True,  # the same examples on every run and machine
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    rng = np.random.default_rng(0)
    X, y = rng.integers(0, 256, (60, 28, 28)), np.arange(60) % 3
    path = tmp_path_factory.mktemp("fuzz") / "model.zip"
    save_model(make_digit_pipeline("fast", epochs=1).fit(X, y), path)
    return path


@pytest.fixture(scope="module")
def predictor(model_file):
    return load_predictor(model_file)


@pytest.fixture(scope="module")
def client(model_file):
    # Server errors as 500 answers, as a client would see them, not raised.
    return TestClient(make_app(model_file), raise_server_exceptions=False)


def read(data, name):
    """The input path on bytes: digits, or its one error; nothing else."""
    try:
        inputs = read_digit_inputs(data, 784, name=name)
    except DigitImageError as exc:
        message = str(exc)
        assert message
        assert "\n" not in message, repr(message)
        return message
    assert inputs.images.shape == (1, 28, 28)
    assert inputs.images.dtype == np.uint8
    return inputs.images


def seen(predictor, images):
    """The image the network reads for a digit in MNIST's form."""
    rows = predictor.network_images(images.reshape(len(images), -1))
    return rows.reshape(28, 28).astype(np.uint8)


def assert_answered(response):
    """A JSON answer, never a server error: a prediction or a 4xx detail."""
    assert response.status_code < 500, response.text[:300]
    body = response.json()
    if response.status_code == 200:
        return body
    detail = body["detail"]
    assert isinstance(detail, str), body
    assert detail
    assert "\n" not in detail, body
    return body


def test_the_input_path_raises_only_its_own_error():
    answers = [read(item.data, "upload.bin") for item in SAMPLE]
    refused = [a for a in answers if isinstance(a, str)]
    assert 0 < len(refused) < len(answers)  # both kinds are in the sample
    # Each refusal names the input it is about.
    assert all("upload.bin" in message for message in refused)


def test_every_upload_gets_a_json_answer(client, predictor):
    for item in SAMPLE:
        raw = client.post(
            "/predict", content=item.data, headers={"content-type": item.content_type}
        )
        assert_answered(raw)
        upload = {"file": (item.filename or "x", item.data, item.content_type)}
        response = client.post("/predict", files=upload)
        answer = assert_answered(response)
        # The web app reads an upload as the input path reads its bytes.
        single = read(item.data, "x")
        if isinstance(single, str):
            assert response.status_code == 422, answer
        else:
            assert response.status_code == 200, answer
            np.testing.assert_array_equal(
                answer["image_28x28"], seen(predictor, single)
            )


def test_every_upload_of_a_number_gets_a_json_answer(client):
    for item in SAMPLE:
        upload = {"file": (item.filename or "x", item.data, item.content_type)}
        response = client.post("/read", files=upload)
        answer = assert_answered(response)
        # A number is read from the same image a single digit would be.
        single = read(item.data, "x")
        assert response.status_code == (422 if isinstance(single, str) else 200)
        if response.status_code == 200:
            assert len(answer["digits"]) + len(answer["not_digits"]) >= 1


def test_every_correction_is_saved_whole_or_refused(model_file, tmp_path):
    folder = tmp_path / "samples"
    client = TestClient(
        make_app(model_file, samples=folder), raise_server_exceptions=False
    )
    saved = 0
    for item in SAMPLE:
        response = client.post(
            "/samples/1", content=item.data, headers={"content-type": item.content_type}
        )
        if response.status_code == 201:
            saved += 1
            assert (folder / "1" / response.json()["file"]).read_bytes() == item.data
        else:
            assert_answered(response)
        if response.status_code != 201 and item.content_type.startswith("image/"):
            # What the input path refuses is refused, and nothing else.
            assert response.status_code in (413, 422), response.json()
            assert isinstance(read(item.data, "x"), str), response.json()
    assert 0 < saved < len(SAMPLE)
    # Only whole files, under the server's names: no temporary file left.
    assert sorted(p.name for p in folder.rglob("*")) == sorted(
        ["1", *(p.name for p in (folder / "1").iterdir() if not p.name.startswith("."))]
    )
    assert len(list((folder / "1").iterdir())) == saved


@settings(FUZZ, max_examples=60)
@given(
    shape=st.tuples(st.integers(1, 90), st.integers(1, 90)),
    seed=st.integers(0, 2**32 - 1),
    ink=st.floats(0, 1),
)
def test_arrays_of_numbers_are_read_or_refused(predictor, shape, seed, ink):
    rng = np.random.default_rng(seed)
    image = np.where(rng.random(shape) < ink, rng.integers(0, 256, shape), 255)
    try:
        reading = read_number(predictor, image.astype(np.uint8))
    except DigitImageError as exc:
        reading, message = None, str(exc)
    if reading is None:
        assert "\n" not in message
    else:
        assert (reading.text is None) == (not reading.digits)
        width, height = reading.size
        for part in [*reading.digits, *reading.not_digits]:
            x0, y0, x1, y1 = part.box if hasattr(part, "box") else part["box"]
            assert 0 <= x0 < x1 <= width
            assert 0 <= y0 < y1 <= height


def test_each_file_of_a_batch_gets_its_own_answer(client, predictor):
    for start in range(0, len(SAMPLE), BATCH_SIZE):
        items = SAMPLE[start : start + BATCH_SIZE]
        files = [("files", (i.filename or "x", i.data, i.content_type)) for i in items]
        results = assert_answered(client.post("/predict/batch", files=files))["results"]
        assert len(results) == len(items)
        for item, result in zip(items, results, strict=True):
            single = read(item.data, "x")
            if isinstance(single, str):
                assert result["status"] == 422, result
                assert result["error"]
            else:
                assert result["status"] == 200
                np.testing.assert_array_equal(
                    result["image_28x28"], seen(predictor, single)
                )


def test_malformed_multipart_bodies_get_a_4xx(client):
    statuses = set()
    for _kind, content_type, body in hostile_inputs.multipart_bodies(0):
        for route in ("/predict", "/predict/batch", "/read"):
            headers = {"content-type": content_type}
            response = client.post(route, content=body, headers=headers)
            assert_answered(response)
            statuses.add(response.status_code)
    assert {200, 400, 415, 422} <= statuses


@FUZZ
@given(
    base=st.sampled_from(VALID),
    cut=st.floats(0, 1),
    edits=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=12),
)
def test_mutated_images_are_read_or_refused(base, cut, edits):
    data = bytearray(base.data[: max(1, round(len(base.data) * cut))])
    for where, value in edits:
        data[min(len(data) - 1, int(where * len(data)))] = value
    read(bytes(data), base.filename)


@FUZZ
@given(data=st.binary(max_size=2000), prefix=st.sampled_from(SIGNATURES))
def test_bytes_after_a_format_signature_are_read_or_refused(data, prefix):
    read(prefix + data, "signed.bin")


@FUZZ
@given(header=st.binary(max_size=300), body=st.binary(max_size=800))
def test_npy_files_are_read_or_refused(tmp_path_factory, header, body):
    path = tmp_path_factory.mktemp("npy") / "input.npy"
    length = len(header).to_bytes(2, "little")
    path.write_bytes(b"\x93NUMPY\x01\x00" + length + header + body)
    try:
        inputs = read_digit_inputs(path, 784)
    except DigitImageError as exc:
        message = str(exc)
    else:
        message = "input.npy"
        assert inputs.images.shape[1:] == (28, 28)
    assert "input.npy" in message


def cli_files(folder, items):
    """The items as files for the command line, named as users might, and the
    names of the answers each should get (its digits', or its own)."""
    paths, names = [], []
    for i, item in enumerate(items):
        suffix = Path(item.filename).suffix if item.filename.isprintable() else ""
        name = f"in {i:03d}{suffix[:8]}" if i % 7 else f"odd\nname {i}.png"
        path = folder / name
        path.write_bytes(item.data)
        paths.append(path)
        try:
            names += read_digit_inputs(path, 784).names
        except DigitImageError:
            names.append(None)  # an error, named by the path itself
    return paths, names


def test_the_command_line_answers_every_file(model_file, tmp_path, capsys):
    paths, names = cli_files(tmp_path, SAMPLE[:80])
    status = cli.main(["predict", str(model_file), *map(str, paths), "--json"])
    captured = capsys.readouterr()
    results = json.loads(captured.out)
    errors = captured.err.splitlines()
    failed = [r for r in results if "error" in r]
    assert 0 < len(failed) < len(results)
    assert status == 1
    # One answer per digit or unreadable file, in order, each error on a line.
    assert [r["input"] if "error" not in r else None for r in results] == names
    assert len(errors) == len(failed)
    for line, result in zip(errors, failed, strict=True):
        assert line == f"{cli.PROG}: error: {result['error']}"
    assert all("label" in r for r in results if "error" not in r)


@pytest.mark.slow
def test_the_command_in_a_fresh_process(model_file, tmp_path):
    paths, names = cli_files(tmp_path, SAMPLE[:40])
    result = subprocess.run(
        [sys.executable, "-m", "digit_classifier", "predict", str(model_file)]
        + [str(path) for path in paths],
        capture_output=True,
        text=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    # One line per digit on stdout, one per unreadable file on stderr (libtiff
    # may add C-level notes of its own there, which Python cannot silence).
    errors = [line for line in result.stderr.splitlines() if line.startswith(cli.PROG)]
    assert all(line.startswith(f"{cli.PROG}: error: ") for line in errors)
    assert len(errors) == names.count(None)
    assert len(result.stdout.splitlines()) == len(names) - names.count(None)

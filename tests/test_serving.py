"""The web app of digit-classifier serve: its JSON API and page, and bad input."""

import io
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from digit_classifier import (
    load_digit_image,
    load_predictor,
    make_digit_pipeline,
    save_model,
)
from digit_classifier.apps import cli
from digit_classifier.datasets import make_photo_digits
from digit_classifier.serving import make_app


@pytest.fixture(scope="module")
def small_model_file(tmp_path_factory):
    """A model of 28x28 images that needs no MNIST: for the error paths."""
    rng = np.random.default_rng(0)
    X, y = rng.integers(0, 256, (60, 28, 28)), np.arange(60) % 3
    path = tmp_path_factory.mktemp("small") / "model.zip"
    save_model(make_digit_pipeline("fast", epochs=1).fit(X, y), path, info={"n": 60})
    return path


@pytest.fixture(scope="module")
def client(small_model_file):
    return TestClient(make_app(small_model_file, max_upload_bytes=50_000))


@pytest.fixture(scope="module")
def photos(mnist, tmp_path_factory):
    """Photo-like JPEG files of MNIST test digits, and their labels."""
    _, (X_test, y_test) = mnist
    folder = tmp_path_factory.mktemp("photos")
    return make_photo_digits(X_test[:12], folder, random_state=0), y_test[:12]


@pytest.fixture(scope="module")
def mnist_client(mnist_model_file):
    return TestClient(make_app(mnist_model_file))


def png(array):
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(array, dtype=np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def post_image(client, data, content_type="image/png", path="/predict"):
    return client.post(path, content=data, headers={"content-type": content_type})


def test_health_and_model(client):
    assert client.get("/health").json() == {"status": "ok"}
    model = client.get("/model").json()
    assert model["classes"] == [0, 1, 2]
    assert model["n_pixels"] == 784
    assert model["layers"] == [256, 128, 3]
    assert model["info"] == {"n": 60}
    assert model["max_upload_bytes"] == 50_000


def test_the_page_and_its_files_are_served(client):
    page = client.get("/")
    assert page.headers["content-type"].startswith("text/html")
    assert '<canvas id="pad"' in page.text
    script = client.get("/static/app.js")
    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]
    assert (
        client.get("/static/style.css").headers["content-type"].startswith("text/css")
    )
    # Nothing is fetched from elsewhere: the page works offline.
    assert "http" not in page.text.replace('href="openapi.json"', "")
    assert "//" not in script.text.split("\n", 3)[3].replace("// ", "")


def test_the_openapi_schema_describes_both_kinds_of_upload(client):
    schema = client.get("/openapi.json").json()
    body = schema["paths"]["/predict"]["post"]["requestBody"]["content"]
    assert {"multipart/form-data", "image/png", "image/jpeg"} <= set(body)
    assert "/predict/batch" in schema["paths"]
    assert client.get("/docs").status_code == 404  # its scripts are not offline


def test_a_photo_is_read_as_predict_reads_it(mnist_client, mnist_model_file, photos):
    paths, labels = photos
    data = paths[0].read_bytes()
    answer = post_image(mnist_client, data, "image/jpeg")
    assert answer.status_code == 200
    result = answer.json()
    assert result["label"] == labels[0]
    assert [entry["label"] for entry in result["top_k"]][0] == result["label"]
    probabilities = [entry["probability"] for entry in result["top_k"]]
    assert probabilities == sorted(probabilities, reverse=True)
    assert len(probabilities) == 3
    assert result["probability"] == probabilities[0]
    # The image the network read: the digit in MNIST's form, normalized as
    # the model normalizes digits.
    digit = load_digit_image(paths[0])[np.newaxis]
    seen = load_predictor(mnist_model_file).network_images(digit)
    np.testing.assert_array_equal(result["image_28x28"], seen.reshape(28, 28))
    # The same as a multipart upload.
    uploaded = mnist_client.post(
        "/predict", files={"file": ("a.jpg", data, "image/jpeg")}
    )
    assert uploaded.json() == result


def test_most_photos_are_read_right(mnist_client, photos):
    paths, labels = photos
    read = [
        post_image(mnist_client, p.read_bytes(), "image/jpeg").json() for p in paths
    ]
    assert np.mean([r["label"] for r in read] == labels) >= 0.75


def test_a_batch_is_answered_image_by_image(mnist_client, photos):
    paths, labels = photos
    files = [("files", (p.name, p.read_bytes(), "image/jpeg")) for p in paths[:3]]
    files.insert(1, ("files", ("notes.txt", b"not an image", "text/plain")))
    answer = mnist_client.post("/predict/batch", files=files)
    assert answer.status_code == 200
    results = answer.json()["results"]
    assert [r["filename"] for r in results] == [
        paths[0].name,
        "notes.txt",
        paths[1].name,
        paths[2].name,
    ]
    assert [r["status"] for r in results] == [200, 422, 200, 200]
    assert "not an image file of an accepted format" in results[1]["error"]
    single = post_image(mnist_client, paths[1].read_bytes(), "image/jpeg").json()
    assert {key: results[2][key] for key in single} == single


def blank():
    return png(np.full((100, 100), 255))


def truncated():
    noise = np.random.default_rng(0).integers(0, 256, (100, 100))
    return png(noise)[:3000]  # of about 10,000 bytes


def animated():
    buffer = io.BytesIO()
    frames = [Image.new("L", (40, 40), level) for level in (0, 255)]
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:])
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("make", "content_type", "status", "message"),
    [
        (lambda: b"not an image", "image/png", 422, "not an image file of an accepted"),
        (lambda: b"", "image/png", 422, "not an image file of an accepted"),
        (truncated, "image/png", 422, "is truncated or corrupt"),
        (blank, "image/png", 422, "no digit found in image: the image is blank"),
        (animated, "image/gif", 422, "holds 2 frames"),
        (lambda: blank(), "text/plain", 415, "expected an image"),
        (lambda: b"{}", "application/json", 415, "not application/json"),
    ],
    ids=["not-an-image", "empty", "truncated", "blank", "animated", "text", "json"],
)
def test_bad_images_get_a_4xx_json_error(client, make, content_type, status, message):
    answer = post_image(client, make(), content_type)
    assert answer.status_code == status
    assert message in answer.json()["detail"]


def test_a_decompression_bomb_is_refused_before_it_is_decoded(client, png_header):
    answer = post_image(client, png_header(5000, 5000))  # 25 megapixels, 60 bytes
    assert answer.status_code == 422
    assert "over the limit of 16,000,000" in answer.json()["detail"]


def test_a_body_over_the_limit_gets_413_unread(client):
    too_large = b"x" * 60_000
    answer = post_image(client, too_large)  # Content-Length says so
    assert answer.status_code == 413
    assert "over the limit of 50,000 bytes" in answer.json()["detail"]

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(10):
            yield b"x" * 10_000

    answer = client.post(
        "/predict", content=chunks(), headers={"content-type": "image/png"}
    )
    assert answer.status_code == 413
    big_form = {"file": ("big.png", too_large, "image/png")}
    assert client.post("/predict", files=big_form).status_code == 413
    assert client.get("/health").status_code == 200  # and it goes on serving


def test_multipart_mistakes(client):
    two = [("file", ("a.png", blank(), "image/png"))] * 2
    answer = client.post("/predict", files=two)
    assert answer.status_code in (400, 422)
    answer = client.post("/predict", files={"name": (None, "no file")})
    assert answer.status_code == 422
    assert "send one image file" in answer.json()["detail"]
    answer = client.post(
        "/predict/batch", content=blank(), headers={"content-type": "image/png"}
    )
    assert answer.status_code == 415


@pytest.mark.slow
def test_parallel_requests_are_answered_independently(live_server, photos):
    import httpx

    paths, _ = photos
    images = [p.read_bytes() for p in paths]

    def ask(data):
        with httpx.Client(base_url=live_server) as http:
            answer = http.post(
                "/predict", content=data, headers={"content-type": "image/jpeg"}
            )
            return answer.status_code, answer.json()

    alone = [ask(data) for data in images]
    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(ask, images * 4))
    assert together == alone * 4


def test_serve_command_warns_when_not_only_local(small_model_file, monkeypatch, capsys):
    import uvicorn

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.append(kwargs))
    args = ["serve", str(small_model_file), "--host", "0.0.0.0", "--port", "8123"]
    assert cli.main(args) == 0
    assert calls == [{"host": "0.0.0.0", "port": 8123, "log_level": "warning"}]
    captured = capsys.readouterr()
    assert "warning: the API has no authentication" in captured.err
    assert "http://0.0.0.0:8123/" in captured.out
    assert cli.main(["serve", str(small_model_file)]) == 0
    assert "warning" not in capsys.readouterr().err  # 127.0.0.1 by default


@pytest.mark.slow  # a process to check the model in
def test_serve_with_workers_checks_the_model_before_handing_it_over(
    small_model_file, tmp_path, monkeypatch, capsys
):
    import uvicorn

    from digit_classifier.serving import (
        MAX_UPLOAD_ENV_VAR,
        MODEL_ENV_VAR,
        SAMPLES_ENV_VAR,
        app_from_environment,
    )

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.append(app))
    for name in (MODEL_ENV_VAR, MAX_UPLOAD_ENV_VAR, SAMPLES_ENV_VAR):
        monkeypatch.setenv(name, "")  # restored after the test
    other = tmp_path / "other.zip"
    save_model(
        make_digit_pipeline("fast", epochs=1, augment_low_resolution=0).fit(
            np.random.default_rng(0).integers(0, 256, (20, 8, 8)), np.arange(20) % 2
        ),
        other,
    )
    for bad, message in [
        (tmp_path / "absent.zip", "No model file at"),
        (other, "is a model of 64 pixels"),
    ]:
        assert cli.main(["serve", str(bad), "--workers", "2"]) == 1
        assert message in capsys.readouterr().err
    assert calls == []  # no server started for a bad model

    args = ["serve", str(small_model_file), "--workers", "2", "--max-upload-mb", "1"]
    assert cli.main(args) == 0
    assert calls == ["digit_classifier.serving:app_from_environment"]
    # Each worker builds the app the supervisor checked, from the environment.
    client = TestClient(app_from_environment())
    assert client.get("/model").json()["max_upload_bytes"] == 2**20

    # The supervisor itself holds neither the app nor the image libraries.
    code = (
        "import sys, uvicorn\n"
        "from digit_classifier.apps import cli\n"
        "uvicorn.run = lambda app, **kwargs: None\n"
        "assert cli.main(['serve', sys.argv[1], '--workers', '2']) == 0\n"
        "print(sorted({'fastapi', 'PIL', 'scipy'} & set(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(small_model_file)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.splitlines()[-1] == "[]"


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (["absent.zip"], 1, "No model file at absent.zip"),
        (["model.zip", "--max-upload-mb", "0"], 2, "expected a positive number"),
        (["model.zip", "--max-upload-mb", "nan"], 2, "expected a positive number"),
    ],
)
def test_serve_command_errors(
    small_model_file, args, status, message, capsys, monkeypatch
):
    monkeypatch.chdir(small_model_file.parent)
    if status == 2:  # usage errors exit from argparse
        with pytest.raises(SystemExit) as raised:
            cli.main(["serve", *args])
        assert raised.value.code == 2
    else:
        assert cli.main(["serve", *args]) == 1
    assert message in capsys.readouterr().err


def test_a_model_of_other_images_is_refused(tmp_path):
    model = make_digit_pipeline("fast", epochs=1, augment_low_resolution=0)
    rng = np.random.default_rng(0)
    save_model(
        model.fit(rng.integers(0, 256, (20, 8, 8)), np.arange(20) % 2),
        tmp_path / "m.zip",
    )
    with pytest.raises(ValueError, match="is a model of 64 pixels"):
        make_app(tmp_path / "m.zip")


def test_the_app_works_mounted_in_another(small_model_file):
    from fastapi import FastAPI

    service = FastAPI()
    service.mount("/digits", make_app(small_model_file))
    client = TestClient(service)
    page = client.get("/digits")  # redirected to /digits/
    assert '<canvas id="pad"' in page.text
    # The page's relative URLs resolve under the mount point.
    assert 'href="static/style.css"' in page.text
    assert client.get("/digits/static/app.js").status_code == 200
    assert client.get("/digits/model").json()["classes"] == [0, 1, 2]
    digit = np.zeros((28, 28))
    digit[4:24, 12:16] = 255
    answer = post_image(client, png(digit), path="/digits/predict")
    assert answer.status_code == 200
    assert answer.json()["label"] in (0, 1, 2)
    assert client.get("/digits/openapi.json").status_code == 200


def test_media_types_are_read_whatever_their_case(client):
    digit = np.zeros((28, 28))
    digit[4:24, 12:16] = 255
    data = png(digit)
    lower = post_image(client, data, "image/png").json()
    assert post_image(client, data, "Image/PNG").json() == lower
    assert post_image(client, data, "IMAGE/png; charset=binary").json() == lower
    boundary = "x0x0x0"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="d.png"\r\nContent-Type: image/png\r\n\r\n'
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    headers = {"content-type": f"Multipart/Form-Data; Boundary={boundary}"}
    assert client.post("/predict", content=body, headers=headers).json() == lower


def test_a_form_field_in_a_batch_gets_its_own_answer(client):
    files = [
        ("files", ("blank.png", blank(), "image/png")),
        ("note", (None, "not a file")),
    ]
    results = client.post("/predict/batch", files=files).json()["results"]
    assert [(r["filename"], r["status"]) for r in results] == [
        ("blank.png", 422),
        ("note", 422),
    ]
    assert "note is a form field, not a file" in results[1]["error"]


def test_a_bare_classifier_is_refused(tmp_path):
    from digit_classifier import DigitMLPClassifier

    rng = np.random.default_rng(0)
    bare = DigitMLPClassifier(hidden_layer_sizes=(4,), epochs=1)
    save_model(bare.fit(rng.random((20, 784)), np.arange(20) % 2), tmp_path / "b.zip")
    with pytest.raises(ValueError, match="holds a bare DigitMLPClassifier"):
        make_app(tmp_path / "b.zip")

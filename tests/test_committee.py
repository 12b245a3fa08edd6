"""Committees of digit pipelines: training, voting, model files, NumPy prediction."""

import io
import json
import zipfile

import numpy as np
import pytest
import safetensors.numpy
from fastapi.testclient import TestClient
from PIL import Image
from sklearn.ensemble import VotingClassifier
from sklearn.model_selection import GridSearchCV

from digit_classifier import (
    DigitCommittee,
    load_digits_split,
    load_model,
    load_predictor,
    make_digit_committee,
    make_digit_pipeline,
    save_model,
)
from digit_classifier.runs import train_run
from digit_classifier.serving import make_app

(X_TRAIN, Y_TRAIN), (X_TEST, Y_TEST) = load_digits_split()
MEMBERS = {
    "plain": {"deskew": False, "aspect": "keep"},
    "upright": {"deskew": True, "aspect": "sqrt"},
}
QUICK = {"hidden_layer_sizes": (16,), "epochs": 3, "random_state": 0}


@pytest.fixture(scope="module")
def committee():
    return make_digit_committee("fast", members=MEMBERS, **QUICK).fit(X_TRAIN, Y_TRAIN)


@pytest.fixture(scope="module")
def saved(committee, tmp_path_factory):
    path = tmp_path_factory.mktemp("committee") / "model.zip"
    save_model(committee, path, info={"preset": "fast"})
    return path


def test_members_read_the_digits_their_own_way_and_are_seeded_apart(committee):
    assert isinstance(committee, VotingClassifier)
    assert committee.voting == "soft"
    members = committee.named_estimators_
    assert list(members) == ["plain", "upright"]
    for name, member in members.items():
        assert member["digit"].get_params() == {**MEMBERS[name], "n_jobs": None}
    assert [member["mlp"].random_state for member in members.values()] == [0, 1]


def test_the_committee_averages_its_members_probabilities(committee):
    probas = [member.predict_proba(X_TEST) for member in committee.estimators_]
    np.testing.assert_allclose(
        committee.predict_proba(X_TEST), np.mean(probas, axis=0), rtol=1e-12
    )
    assert committee.score(X_TEST, Y_TEST) > 0.5


def test_a_committee_round_trips_as_data(committee, saved):
    with zipfile.ZipFile(saved) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        weights = safetensors.numpy.load(archive.read("weights.safetensors"))
    assert [member["name"] for member in manifest["members"]] == list(MEMBERS)
    assert manifest["committee"]["classes_"] == list(range(10))
    assert {name.split("/")[0] for name in weights} == set(MEMBERS)
    loaded = load_model(saved)
    assert isinstance(loaded, VotingClassifier)
    assert list(loaded.named_estimators_) == list(MEMBERS)
    np.testing.assert_array_equal(loaded.classes_, committee.classes_)
    np.testing.assert_array_equal(
        loaded.predict_proba(X_TEST), committee.predict_proba(X_TEST)
    )
    # Trainable again: scikit-learn refits the loaded committee's members.
    refitted = loaded.set_params(plain__mlp__epochs=1).fit(X_TRAIN, Y_TRAIN)
    assert refitted.named_estimators_["plain"]["mlp"].n_iter_ == 1


def test_numpy_predicts_what_the_committee_does(committee, saved):
    predictor = load_predictor(saved)
    assert isinstance(predictor, DigitCommittee)
    assert predictor.info == {"preset": "fast"}
    assert [m.normalizer for m in predictor.members_] == list(MEMBERS.values())
    np.testing.assert_array_equal(
        predictor.predict_proba(X_TEST), committee.predict_proba(X_TEST)
    )
    np.testing.assert_array_equal(predictor.predict(X_TEST), committee.predict(X_TEST))
    assert predictor.score(X_TEST, Y_TEST) == committee.score(X_TEST, Y_TEST)
    # One pass gives the answers and the first member's images, as apart.
    proba, scores, images = predictor.predict_proba_and_score(
        X_TEST, return_images=True
    )
    np.testing.assert_array_equal(proba, predictor.predict_proba(X_TEST))
    np.testing.assert_array_equal(scores, predictor.score_samples(X_TEST))
    np.testing.assert_array_equal(images, predictor.network_images(X_TEST))
    first = predictor.members_[0]
    np.testing.assert_array_equal(images, first.network_images(X_TEST))
    np.testing.assert_array_equal(
        first.predict_proba_and_score(X_TEST, return_images=True)[2], images
    )


def test_string_labels_and_weights_come_back(tmp_path):
    names = np.array(["zero", "one", "two", "three", "four"] * 2)[Y_TRAIN]
    weighted = make_digit_committee("fast", members=MEMBERS, **QUICK)
    weighted.set_params(weights=[2.0, 1.0]).fit(X_TRAIN, names)
    save_model(weighted, tmp_path / "named.zip")
    loaded, predictor = (
        f(tmp_path / "named.zip") for f in (load_model, load_predictor)
    )
    assert loaded.weights == [2.0, 1.0]
    np.testing.assert_array_equal(predictor.classes_, weighted.classes_)
    np.testing.assert_array_equal(predictor.predict(X_TEST), weighted.predict(X_TEST))
    np.testing.assert_array_equal(
        predictor.predict_proba(X_TEST), weighted.predict_proba(X_TEST)
    )


def test_grid_search_tunes_a_committee():
    search = GridSearchCV(
        make_digit_committee("fast", members=MEMBERS, **{**QUICK, "epochs": 1}),
        {"weights": [[1, 3]], "upright__digit__aspect": ["sqrt", "fill"]},
        cv=2,
        error_score="raise",
    )
    search.fit(X_TRAIN[:300], Y_TRAIN[:300])
    assert len(search.cv_results_["params"]) == 2
    assert isinstance(search.best_estimator_, VotingClassifier)


def test_save_model_refuses_what_it_cannot_rebuild(committee, tmp_path):
    hard = make_digit_committee("fast", members=MEMBERS, **QUICK)
    hard.set_params(voting="hard").fit(X_TRAIN[:300], Y_TRAIN[:300])
    with pytest.raises(TypeError, match="saves soft-voting committees"):
        save_model(hard, tmp_path / "hard.zip")
    nested = VotingClassifier([("x", committee)], voting="soft").fit(X_TEST, Y_TEST)
    with pytest.raises(TypeError, match="expects a DigitMLPClassifier, a make_digit"):
        save_model(nested, tmp_path / "nested.zip")


def edited(saved, tmp_path, edit):
    with zipfile.ZipFile(saved) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(entries["manifest.json"])
    edit(manifest)
    entries["manifest.json"] = json.dumps(manifest).encode()
    path = tmp_path / "edited.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda m: m["committee"].update(weights=[1.0]),
            "weights must be None or a non-negative number per member",
        ),
        (
            lambda m: m["committee"].update(weights=[-1.0, 2.0]),
            "weights must be None or a non-negative number per member",
        ),
        (
            lambda m: m["members"][1]["steps"][-1]["fitted"].update(classes_=[3, 4]),
            "member 'upright' must have the classes 0-9",
        ),
        (lambda m: m.update(committee=None), "several members need a committee"),
        (
            lambda m: m["members"][1].update(name="plain"),
            "member names must differ",
        ),
        (
            lambda m: m["members"][1].update(name="../evil"),
            "member name '../evil' is not a plain name",
        ),
        (
            lambda m: m["members"][0]["steps"][0]["params"].update(aspect="wide"),
            "The 'aspect' parameter of DigitNormalizer must be a str among",
        ),
        (
            lambda m: m["members"][0]["steps"][0]["params"].update(evil=1),
            "DigitNormalizer takes deskew and aspect",
        ),
    ],
)
@pytest.mark.parametrize("load", [load_model, load_predictor])
def test_a_tampered_committee_is_refused(saved, tmp_path, edit, message, load):
    with pytest.raises(ValueError, match=message):
        load(edited(saved, tmp_path, edit))


def test_files_of_format_version_2_still_load(tmp_path):
    """One network, its steps at the top of the manifest, arrays unprefixed."""
    pipe = make_digit_pipeline(deskew=False, aspect="keep", **QUICK)
    pipe = pipe[1:].fit(X_TRAIN, Y_TRAIN)  # version 2 had no DigitNormalizer
    save_model(pipe, tmp_path / "new.zip")
    with zipfile.ZipFile(tmp_path / "new.zip") as archive:
        manifest = json.loads(archive.read("manifest.json"))
        arrays = {
            name: safetensors.numpy.load(archive.read(name))
            for name in ("weights.safetensors", "optimizer.safetensors")
        }
    [member] = manifest.pop("members")
    del manifest["committee"]
    manifest.update(
        format_version=2,
        pipeline=True,
        steps=member["steps"],
        optimizer=member["optimizer"],
    )
    with zipfile.ZipFile(tmp_path / "old.zip", "w") as archive:
        archive.writestr("manifest.json", json.dumps(manifest))
        for name, entries in arrays.items():
            unprefixed = {key.removeprefix("model/"): v for key, v in entries.items()}
            archive.writestr(name, safetensors.numpy.save(unprefixed))
    for load in (load_model, load_predictor):
        np.testing.assert_array_equal(
            load(tmp_path / "old.zip").predict_proba(X_TEST), pipe.predict_proba(X_TEST)
        )


def test_a_committee_preset_trains_a_committee_and_writes_its_run(tmp_path):
    run = train_run(
        X_TRAIN, Y_TRAIN, X_TEST, Y_TEST, preset="accurate", hidden_layer_sizes=(8,),
        epochs=1, random_state=0,
    )  # fmt: skip
    # Calibrated as a whole, the committee frozen inside.
    assert isinstance(run.model.estimator.estimator, VotingClassifier)
    assert set(run.metrics["members"]) == {"plain", "sqrt", "fill"}
    assert run.metrics["epochs_run"] == 1
    run.write(tmp_path / "run")
    predictor = load_predictor(tmp_path / "run" / "model.zip")
    assert len(predictor.members_) == 3
    assert predictor.score(X_TEST, Y_TEST) == pytest.approx(
        run.metrics["test_accuracy"], abs=1e-12
    )


def test_the_web_app_serves_a_committee(tmp_path):
    rng = np.random.default_rng(0)
    X, y = rng.integers(0, 256, (60, 28, 28)), np.arange(60) % 3
    committee = make_digit_committee("fast", members=MEMBERS, epochs=1).fit(X, y)
    save_model(committee, tmp_path / "model.zip")
    client = TestClient(make_app(tmp_path / "model.zip"))
    model = client.get("/model").json()
    assert [m["normalizer"] for m in model["members"]] == list(MEMBERS.values())
    assert model["layers"] == [256, 128, 3]
    digit = np.zeros((28, 28), np.uint8)
    digit[4:24, 12:16] = 255
    png = io.BytesIO()
    Image.fromarray(digit).save(png, format="PNG")
    answer = client.post(
        "/predict", content=png.getvalue(), headers={"content-type": "image/png"}
    )
    assert answer.status_code == 200
    assert answer.json()["label"] in (0, 1, 2)

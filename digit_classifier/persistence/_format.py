"""The model file: a zip archive of a JSON manifest and safetensors arrays.

This module reads and writes the archive and checks its arrays against
what the manifest implies; it knows nothing of estimators and imports
neither TensorFlow nor scikit-learn.
"""

import json
import zipfile

import numpy as np
import safetensors.numpy
from safetensors import SafetensorError

from .._io import atomic_write
from ..inference import weight_shapes
from ._manifest import MANIFEST, check_manifest

WEIGHTS = "weights.safetensors"
OPTIMIZER = "optimizer.safetensors"
# Manifests are a few kilobytes; refuse to read a huge one into memory.
MAX_MANIFEST_BYTES = 1 << 20
# A safetensors file is an 8-byte length, a JSON header of about 80 bytes a
# tensor, and the tensors' bytes; the header is allowed far more than that.
MAX_HEADER_BYTES = 1 << 16


def write_model_file(path, manifest, weights, optimizer_state=None):
    """Write a model file atomically: the manifest and the arrays.

    Parameters
    ----------
    path : str or os.PathLike
        Where to write it.

    manifest : dict
        The manifest, as JSON data; its ``optimizer`` entry lists
        `optimizer_state`'s arrays.

    weights : dict of str to ndarray
        The network's arrays by name.

    optimizer_state : dict of str to ndarray, default=None
        The optimizer's arrays by name, if saved.
    """
    entries = {WEIGHTS: weights}
    if optimizer_state:
        entries[OPTIMIZER] = optimizer_state
    with atomic_write(path) as file, zipfile.ZipFile(file, "w") as archive:
        archive.writestr(MANIFEST, json.dumps(manifest, indent=2))
        for name, arrays in entries.items():
            # Raw float buffers barely compress: store them as they are.
            archive.writestr(
                name, safetensors.numpy.save(arrays), compress_type=zipfile.ZIP_STORED
            )


def read_model_file(path, *, with_optimizer):
    """The checked manifest and, for each member, its weights and optimizer state.

    Parameters
    ----------
    path : pathlib.Path
        A model file.

    with_optimizer : bool
        Whether to read the optimizers' arrays too, if the file has them.

    Returns
    -------
    manifest : dict
        In this version's form (see :func:`._manifest.check_manifest`).

    weights : list of dict of str to ndarray
        Each member's arrays, by their names in the network
        (``hidden_1/kernel``, ...).

    optimizer_states : list of (dict of str to ndarray or None)
        Each member's optimizer arrays, if asked and saved.

    Raises
    ------
    FileNotFoundError
        If there is no file at `path`.

    ValueError
        If it is not a model file of a version this one reads, or is
        damaged: the message names the file and the problem.
    """
    if not path.is_file():
        raise FileNotFoundError(f"No model file at {path}.")
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = _read_manifest(archive, path)
            members = manifest["members"]
            weights = _read_members(archive, WEIGHTS, members, _weight_entries, path)
            optimizer_states = [None] * len(members)
            if with_optimizer and any(member["optimizer"] for member in members):
                optimizer_states = _read_members(
                    archive, OPTIMIZER, members, _optimizer_entries, path
                )
    except ValueError:
        raise
    # zipfile raises BadZipFile, OSError, EOFError, zlib.error,
    # NotImplementedError (an unknown compression) and others on a bad file.
    except Exception as exc:
        raise ValueError(
            f"{path} is not a readable digit_classifier model file ({exc})."
        ) from exc
    return manifest, weights, optimizer_states


def array_prefix(member):
    """The prefix of a member's array names in the file: its name and a slash."""
    return f"{member['name']}/" if member["name"] else ""


def _weight_entries(member):
    """A member's network arrays: {name: (shape, dtype)}, as its steps imply."""
    fitted = member["steps"][-1]["fitted"]
    shapes = weight_shapes(
        fitted["n_features_in_"],
        member["steps"][-1]["params"]["hidden_layer_sizes"],
        len(fitted["classes_"]),
    )
    return {name: (shape, "float32") for name, shape in shapes.items()}


def _optimizer_entries(member):
    """A member's optimizer arrays: {name: (shape, dtype)}, as listed."""
    return {
        entry["name"]: (tuple(entry["shape"]), entry["dtype"])
        for entry in member["optimizer"] or ()
    }


def _read_members(archive, entry, members, entries_of, path):
    """Each member's arrays of one safetensors entry, by their own names."""
    expected = {
        array_prefix(member) + name: shape_and_dtype
        for member in members
        for name, shape_and_dtype in entries_of(member).items()
    }
    arrays = _read_arrays(archive, entry, expected, path)
    return [
        {name: arrays[array_prefix(member) + name] for name in entries_of(member)}
        or None
        for member in members
    ]


def _read_manifest(archive, path):
    names = archive.namelist()
    if MANIFEST not in names:
        raise ValueError(
            f"{path} is not a digit_classifier model file: it has no {MANIFEST} "
            f"(found {sorted(names)[:5]})."
        )
    if archive.getinfo(MANIFEST).file_size > MAX_MANIFEST_BYTES:
        raise ValueError(f"{path}: {MANIFEST} is implausibly large.")
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: {MANIFEST} is not valid JSON ({exc}).") from exc
    manifest = check_manifest(manifest, path)
    has_optimizer = any(member["optimizer"] for member in manifest["members"])
    expected = {MANIFEST, WEIGHTS} | ({OPTIMIZER} if has_optimizer else set())
    if len(names) != len(set(names)) or set(names) != expected:
        raise ValueError(
            f"{path} is not a digit_classifier model file: expected "
            f"{sorted(expected)}, found {sorted(names)}."
        )
    return manifest


def _read_arrays(archive, entry, expected, path):
    """The arrays of one safetensors entry, checked against `expected`.

    `expected` maps each name to its (shape, dtype). The entry's size is
    checked against them before it is read, so a file cannot make this read
    more into memory than the manifest's model needs.
    """
    where = f"{path}: {entry}"
    n_bytes = sum(
        int(np.prod(shape)) * np.dtype(dtype).itemsize
        for shape, dtype in expected.values()
    )
    size = archive.getinfo(entry).file_size
    if size > 8 + MAX_HEADER_BYTES + n_bytes:
        raise ValueError(
            f"{where} holds {size:,} bytes, far more than the {n_bytes:,} bytes "
            "of arrays the manifest implies; the file was altered or damaged."
        )
    try:
        arrays = safetensors.numpy.load(archive.read(entry))
    except SafetensorError as exc:
        raise ValueError(f"{where} is not a valid safetensors file ({exc}).") from exc
    missing = [name for name in expected if name not in arrays]
    extra = sorted(set(arrays) - set(expected))
    if missing or extra:
        raise ValueError(
            f"{where} does not hold the arrays the manifest implies: missing "
            f"{missing}, unexpected {extra}."
        )
    for name, (shape, dtype) in expected.items():
        array = arrays[name]
        if array.dtype != dtype or array.shape != tuple(shape):
            raise ValueError(
                f"{where}: array {name!r} is {array.dtype} of shape {array.shape}, "
                f"expected {dtype} of shape {tuple(shape)}."
            )
        if array.dtype.kind == "f" and not np.isfinite(array).all():
            raise ValueError(f"{where}: array {name!r} holds NaN or infinity.")
    return {name: arrays[name] for name in expected}


def array_entry(name, array):
    return {"name": name, "shape": list(array.shape), "dtype": array.dtype.name}

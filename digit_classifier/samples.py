"""A user's labelled digits in a samples folder: read, counted and added to.

The folder has the class-folder layout of Keras's
``image_dataset_from_directory``: ``SAMPLES/<label>/<file>``, one folder per
label named by it (``SAMPLES/7/``), each holding image files of one digit of
that label, of any format the input path reads. Names starting with a dot
are left out (``.DS_Store``, files being written), and so are files beside
the label folders, as Keras leaves them.

- :func:`load_samples` reads every file through the input path of
  ``digit-classifier predict`` (:func:`~digit_classifier.load_digit_image`),
  for ``digit-classifier adapt``; it refuses a folder with any problem,
  naming all of them;
- :func:`count_samples` and :func:`save_sample` serve the web page that
  collects corrections: how many digits of each label the folder holds, and
  one more, written atomically under a name this module chooses.

NumPy-only, as the input path: the web server, which never imports
TensorFlow, uses it.
"""

import io
import os
import uuid
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

import numpy as np
from PIL import Image

from .images import IMAGE_FORMATS, MAX_PIXELS, DigitImageError, load_digit_image

# Fewer digits of a label than this cannot be cross-validated.
MIN_PER_LABEL = 2
# What save_sample lets a folder grow to, by default.
MAX_PER_LABEL = 500
MAX_FOLDER_BYTES = 200 * 2**20
# The file suffix of each format the input path reads (Pillow opens a JPEG
# of several pictures, as cameras write them, as MPO).
SUFFIXES = {
    "PNG": ".png",
    "JPEG": ".jpg",
    "MPO": ".jpg",
    "GIF": ".gif",
    "BMP": ".bmp",
    "TIFF": ".tif",
    "WEBP": ".webp",
}


class SampleFolderError(ValueError):
    """A samples folder that cannot be used, and each of its problems.

    Attributes
    ----------
    problems : list of str
        One line per problem: a file that cannot be read, a folder that is
        not a label, a label with too few digits.
    """

    def __init__(self, message, problems):
        super().__init__(message + "\n" + "\n".join(problems))
        self.summary = message
        self.problems = problems


class Samples(NamedTuple):
    """The digits of a samples folder, in MNIST's form, with their labels."""

    images: np.ndarray
    """Shape ``(n_samples, 28, 28)``, uint8, as ``load_digit_image`` gives."""
    labels: np.ndarray
    """Shape ``(n_samples,)``: each digit's label, of the model's type."""
    files: list
    """Each digit's file, relative to the folder."""

    def counts(self):
        """The number of digits of each label, as a dict."""
        labels, counts = np.unique(self.labels, return_counts=True)
        return {
            label.item(): int(count)
            for label, count in zip(labels, counts, strict=True)
        }


def load_samples(
    folder, classes, *, min_per_label=MIN_PER_LABEL, max_pixels=MAX_PIXELS
):
    """Read a samples folder: each label folder's images, in MNIST's form.

    Parameters
    ----------
    folder : str or os.PathLike
        A folder of label folders, ``folder/<label>/<file>`` (files in
        folders below a label folder count as that label's).

    classes : array-like
        The labels a folder may be named by: the model's ``classes_``. A
        label folder is one whose name is a class as text (``"7"``).

    min_per_label : int, default=2
        The fewest digits of a label that has any.

    max_pixels : int, default=MAX_PIXELS
        Refuse image files with more pixels than this, before decoding them.

    Returns
    -------
    samples : Samples
        The digits, sorted by label folder and file name.

    Raises
    ------
    FileNotFoundError
        If `folder` does not exist.
    SampleFolderError
        A ValueError, if `folder` is not a folder, holds no digits, or has
        problems: folders that are not labels of the model, files that
        cannot be read as a digit, labels with fewer than `min_per_label`
        digits; its ``problems`` name each, one per line.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from PIL import Image
    >>> from digit_classifier.samples import load_samples
    >>> folder = tempfile.mkdtemp()
    >>> for label in ("1", "7"):
    ...     os.makedirs(os.path.join(folder, label))
    ...     for n in range(2):
    ...         page = np.full((60, 60), 255, dtype=np.uint8)
    ...         page[10:50, 28 + n:32 + n] = 0  # a stroke, for the sake of it
    ...         Image.fromarray(page).save(os.path.join(folder, label, f"{n}.png"))
    >>> samples = load_samples(folder, classes=range(10))
    >>> samples.images.shape, samples.counts()
    ((4, 28, 28), {1: 2, 7: 2})
    >>> os.makedirs(os.path.join(folder, "seven"))
    >>> load_samples(folder, classes=range(10))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    digit_classifier.samples.SampleFolderError: ... cannot be used to adapt ...
    seven/: not a label of the model (its labels: 0, 1, 2, 3, 4, 5, 6, 7, 8, 9)
    """
    root = _checked_folder(folder)
    by_name = {str(label): label for label in np.asarray(classes).tolist()}
    names = ", ".join(by_name)
    problems, images, labels, files = [], [], [], []
    for entry in sorted(_visible(root.iterdir())):
        if not entry.is_dir():
            continue
        if entry.name not in by_name:
            problems.append(
                f"{entry.name}/: not a label of the model (its labels: {names})"
            )
            continue
        paths = sorted(p for p in _visible(entry.rglob("*")) if p.is_file())
        read = 0
        for path in paths:
            relative = path.relative_to(root).as_posix()
            try:
                images.append(load_digit_image(path, max_pixels=max_pixels))
            except (DigitImageError, OSError) as exc:
                problems.append(f"{relative}: {' '.join(str(exc).split())}")
                continue
            labels.append(by_name[entry.name])
            files.append(relative)
            read += 1
        if paths and read < min_per_label:
            problems.append(
                f"{entry.name}/: {read} readable digit{'s' * (read != 1)}, fewer "
                f"than the {min_per_label} each label needs; add more, or remove "
                "the folder"
            )
    if problems:
        raise SampleFolderError(
            f"The samples folder {folder} cannot be used to adapt a model: "
            f"{len(problems)} problem{'s' * (len(problems) > 1)}, each on a line "
            "below; fix them and try again.",
            problems,
        )
    if not images:
        raise SampleFolderError(
            f"The samples folder {folder} holds no digits to adapt a model to.",
            [
                f"put image files of each label into {Path(folder) / '<label>'}/, "
                f"e.g. {Path(folder) / '7'}/ (labels: {names})"
            ],
        )
    return Samples(np.stack(images), np.asarray(labels), files)


def count_samples(folder, classes):
    """How many files each label folder of a samples folder holds.

    Parameters
    ----------
    folder : str or os.PathLike
        A samples folder, which need not exist yet.

    classes : array-like
        The labels to count.

    Returns
    -------
    counts : dict
        Label to number of files (0 for a missing folder).

    Examples
    --------
    >>> import tempfile
    >>> from digit_classifier.samples import count_samples
    >>> count_samples(tempfile.mkdtemp(), classes=[0, 1])
    {0: 0, 1: 0}
    """
    root = Path(folder)
    return {
        label: sum(1 for _ in _files(root / str(label)))
        for label in np.asarray(classes).tolist()
    }


def save_sample(
    folder,
    label,
    data,
    *,
    max_per_label=MAX_PER_LABEL,
    max_folder_bytes=MAX_FOLDER_BYTES,
    max_pixels=MAX_PIXELS,
):
    """Add one image to a samples folder, under a name chosen here.

    The file is written to a hidden temporary name in the label's folder
    and renamed into place, so a reader of the folder never sees half an
    image.

    Parameters
    ----------
    folder : str or os.PathLike
        The samples folder; it and the label folder are created as needed.

    label : int or str
        The digit's label: the folder is ``folder/<label>/``.

    data : bytes
        The image file, as the user sent it: it must read as a digit
        (:func:`~digit_classifier.load_digit_image`), and its format names
        the file's suffix.

    max_per_label : int, default=500
        Refuse the image if the label's folder already holds this many.

    max_folder_bytes : int, default=200 MiB
        Refuse the image if the folder's files would then take more.

    max_pixels : int, default=MAX_PIXELS
        Refuse an image file with more pixels than this, before decoding it.

    Returns
    -------
    path : pathlib.Path
        The new file.

    Raises
    ------
    DigitImageError
        A ValueError, if `data` is not an image the input path reads as a
        digit.
    ValueError
        If the label's folder is full, or the folder would grow past its
        size bound.

    Examples
    --------
    >>> import io, tempfile
    >>> import numpy as np
    >>> from PIL import Image
    >>> from digit_classifier.samples import count_samples, save_sample
    >>> page = np.full((60, 60), 255, dtype=np.uint8)
    >>> page[10:50, 28:32] = 0  # a "1"
    >>> png = io.BytesIO()
    >>> Image.fromarray(page).save(png, format="PNG")
    >>> folder = tempfile.mkdtemp()
    >>> path = save_sample(folder, 1, png.getvalue())
    >>> path.parent.name, path.suffix, count_samples(folder, [0, 1])
    ('1', '.png', {0: 0, 1: 1})
    """
    data = bytes(data)
    # A DigitImageError if it is not a digit's image.
    load_digit_image(data, max_pixels=max_pixels)
    with Image.open(io.BytesIO(data), formats=IMAGE_FORMATS) as image:
        suffix = SUFFIXES.get(image.format, f".{image.format.lower()}")
    root = Path(folder)
    label_folder = root / str(label)
    if sum(1 for _ in _files(label_folder)) >= max_per_label:
        raise ValueError(
            f"The samples folder already holds {max_per_label} digits of label "
            f"{label}, as many as it takes; adapt the model with them, or move "
            "some out."
        )
    used = sum(path.stat().st_size for path in _files(root, recursive=True))
    if used + len(data) > max_folder_bytes:
        raise ValueError(
            f"The samples folder would grow past {max_folder_bytes / 2**20:.0f} MiB "
            "with this image; adapt the model with its digits, or move some out."
        )
    label_folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    path = label_folder / f"{stamp}-{uuid.uuid4().hex[:8]}{suffix}"
    staging = label_folder / f".{path.name}.tmp"
    try:
        with open(staging, "xb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(staging, path)
    except BaseException:
        staging.unlink(missing_ok=True)
        raise
    return path


def _checked_folder(folder):
    root = Path(folder)
    if not root.exists():
        raise FileNotFoundError(
            f"The samples folder {folder} does not exist; make it, with a folder "
            "of image files per label (e.g. 7/ holding sevens)."
        )
    if not root.is_dir():
        raise SampleFolderError(
            f"{folder} is not a folder.",
            [f"give a folder of label folders ({folder}/<label>/<file>)"],
        )
    return root


def _visible(paths):
    return (path for path in paths if not path.name.startswith("."))


def _files(folder, recursive=False):
    """The visible files of a folder (none if it is missing)."""
    if not folder.is_dir():
        return
    paths = folder.rglob("*") if recursive else folder.iterdir()
    for path in paths:
        if path.is_file() and not any(
            part.startswith(".") for part in path.relative_to(folder).parts
        ):
            yield path

"""The one error of the input path, and how its messages name an input."""

# Longer names are shortened in the middle: a message stays one readable line.
MAX_NAME_LENGTH = 120


class DigitImageError(ValueError):
    """An input that cannot be read as handwritten digits.

    Raised by every step of the input path (:func:`read_image`,
    :func:`load_digit_image`, :func:`read_digit_inputs` and
    :class:`~digit_classifier.DigitImagePreprocessor`) for any file, upload
    or array that is not an image they accept, cannot be decoded, is over a
    size limit or holds no digit. Its message names the input and says what
    is wrong, on one line. A subclass of :class:`ValueError`, so code that
    catches scikit-learn's input errors catches it too.

    Examples
    --------
    >>> import io
    >>> from digit_classifier import DigitImageError, load_digit_image
    >>> upload = io.BytesIO(b"GIF89a, or not")
    >>> upload.name = "drawing.gif"
    >>> try:
    ...     load_digit_image(upload)
    ... except DigitImageError as error:
    ...     print(error)  # doctest: +ELLIPSIS
    drawing.gif is not an image file of an accepted format (PNG, JPEG, ...).
    """


def display_name(name):
    """`name` as a message shows it: control characters escaped, not too long.

    Parameters
    ----------
    name : object
        A file name, a path or a label such as ``"X[3]"``.

    Returns
    -------
    text : str
        One line of at most about ``MAX_NAME_LENGTH`` characters.

    Examples
    --------
    >>> display_name("two\\nlines.png")
    'two\\\\nlines.png'
    """
    text = "".join(
        char if char.isprintable() else repr(char)[1:-1] for char in str(name)
    )
    if len(text) > MAX_NAME_LENGTH:
        half = MAX_NAME_LENGTH // 2
        text = f"{text[:half]}...{text[-half:]}"
    return text

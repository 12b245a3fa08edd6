"""Image files and uploads to 8-bit pixels: the formats, the limits, one error.

Everything that comes in as a file goes through :func:`open_image`: only the
formats of ``IMAGE_FORMATS`` are opened (Pillow is told so, and refuses the
others before any of their decoders runs), the pixel count is checked from
the header before anything is decoded, and every exception that opening,
decoding or converting can raise becomes a :class:`DigitImageError` naming
the input.
"""

import contextlib
import io
import os

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .._checks import check_max_pixels
from ._errors import DigitImageError, display_name

# What users send: photos (JPEG; Pillow opens a camera's MPO, a JPEG with
# extra views, as one), screenshots and drawings (PNG, GIF, BMP, WebP) and
# scans (TIFF).
# Other formats Pillow reads (ICO, PCX, JPEG 2000, DDS, ...) are refused
# before they are decoded: they add decoders to attack and no digits.
IMAGE_FORMATS = ("PNG", "JPEG", "GIF", "BMP", "TIFF", "WEBP")
FORMAT_NAMES = "PNG, JPEG, GIF, BMP, TIFF or WebP"
# Refuse larger images before decoding them (decompression bombs). 50
# megapixels is more than phones' default photos.
MAX_PIXELS = 50_000_000
# The key, in a decoded image's `info`, of how many of the file's pixels
# each of its pixels stands for, each way (a JPEG decoded at a reduced scale).
DRAFT_SCALE = "digit_classifier.draft_scale"
SIXTEEN_BIT_MODES = {"I;16", "I;16L", "I;16B", "I;16N"}
UINT8_MAX, UINT16_MAX, INT32_MAX = 255, 65535, 2**31 - 1
# Samples of more than 8 bits are scaled this many rows at a time.
SCALED_ROWS = 256


def read_image(source, *, max_pixels=MAX_PIXELS, name=None):
    """Read an image file as it looks, as an 8-bit array.

    The EXIF orientation is applied, transparent parts are composited on
    white and samples of more than 8 bits are scaled to 8 bits; the digit
    is not touched.

    Parameters
    ----------
    source : str, os.PathLike, bytes or binary file object
        An image file (PNG, JPEG, GIF, BMP, TIFF or WebP) holding a single
        image: its path, its bytes, or an open binary file such as an
        upload's ``io.BytesIO``.

    max_pixels : int, default=MAX_PIXELS
        Refuse images with more pixels than this, before decoding them, so
        that a small file cannot fill the memory (a decompression bomb).

    name : str, default=None
        The input's name in error messages; by default its path, an open
        file's ``name``, or "image".

    Returns
    -------
    image : ndarray of shape (height, width) or (height, width, 3), dtype uint8
        Grayscale images as 2D arrays, colour ones as RGB.

    Raises
    ------
    DigitImageError
        If the input is not an image of an accepted format, is truncated or
        corrupt, has more than `max_pixels` pixels, or holds several frames
        (an animation or a multi-page file). The message names the input.

    OSError
        If a path cannot be opened (missing, unreadable).

    See Also
    --------
    load_digit_image : The image brought to MNIST's form.

    Examples
    --------
    >>> import io
    >>> from PIL import Image
    >>> png = io.BytesIO()
    >>> Image.new("RGBA", (40, 30), (255, 0, 0, 255)).save(png, format="PNG")
    >>> image = read_image(png.getvalue())
    >>> image.shape, image.dtype, image[0, 0].tolist()
    ((30, 40, 3), dtype('uint8'), [255, 0, 0])
    """
    check_max_pixels(max_pixels, "read_image")
    with open_image(source, name_of(source, name), max_pixels) as image:
        return np.asarray(image)


@contextlib.contextmanager
def open_image(source, name, max_pixels, least_side=None):
    """The decoded, upright image of a file, in mode "L" or "RGB".

    Parameters
    ----------
    source : str, os.PathLike, bytes or binary file object
        The file.

    name : str
        Its name for messages.

    max_pixels : int
        The most pixels an image may have; checked before decoding.

    least_side : int, default=None
        A JPEG larger than this each way may be decoded at a reduced scale
        (by 2, 4 or 8), no smaller than this: an eighth of the time and
        memory for a phone's photo that would be shrunk anyway.

    Yields
    ------
    image : PIL.Image.Image
        Closed when the block ends. Errors raised inside the block are not
        the decoder's and pass unchanged. ``image.info[DRAFT_SCALE]`` is
        the reduced scale's factor (1.0 for none).
    """
    name = display_name(name)
    with contextlib.ExitStack() as stack:
        if isinstance(source, (str, os.PathLike)):
            source = stack.enter_context(open(source, "rb"))  # OSError: as it is
        elif isinstance(source, (bytes, bytearray, memoryview)):
            source = io.BytesIO(source)
        image = stack.enter_context(_open(source, name))
        try:
            _check_single_image(image, name, max_pixels)
            full_width = image.size[0]
            if least_side is not None:
                image.draft(None, (least_side, least_side))
            image.load()
            # How many of the file's pixels each decoded one stands for.
            draft_scale = full_width / image.size[0]
            _turn_upright(image)
            pixels = _as_8bit(image)
        except DigitImageError:
            raise
        except MemoryError as exc:
            raise _too_large(name, exc) from exc
        # Pillow's decoders raise OSError ("image file is truncated"),
        # SyntaxError ("broken PNG file"), EOFError, ValueError, TypeError,
        # struct.error and more on bad data: all mean the same here.
        except Exception as exc:
            raise _corrupt(name, exc) from exc
        if pixels is not image:
            image.close()  # the decoded copy is not needed any more
            stack.enter_context(pixels)
        pixels.info[DRAFT_SCALE] = draft_scale
        yield pixels


def _open(source, name):
    """Image.open for the accepted formats: the header only, not the pixels."""
    try:
        return Image.open(source, formats=IMAGE_FORMATS)
    except UnidentifiedImageError as exc:
        raise DigitImageError(
            f"{name} is not an image file of an accepted format ({FORMAT_NAMES})."
        ) from exc
    except Image.DecompressionBombError as exc:
        raise _too_large(name, exc) from exc
    except Exception as exc:  # what a format's header parsing raised
        raise _corrupt(name, exc) from exc


def _turn_upright(image):
    """Apply the EXIF orientation in place, as photo viewers do."""
    try:
        ImageOps.exif_transpose(image, in_place=True)
    except Exception:  # noqa: BLE001
        # Unreadable EXIF data: the orientation is unknown; keep the pixels
        # as they are stored rather than refuse an image that decoded.
        return


def name_of(source, name=None):
    """A source's name for messages: `name`, its path, a file's name, or "image"."""
    if name is not None:
        return str(name)
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    return str(getattr(source, "name", "image"))


def _check_single_image(image, name, max_pixels):
    """Refuse, from the header, images too large or of several frames."""
    width, height = image.size
    if width * height > max_pixels:
        raise DigitImageError(
            f"{name} is {width}x{height} = {width * height:,} pixels, over the "
            f"limit of {max_pixels:,} (max_pixels) that guards against "
            "decompression bombs. Send a smaller image, or pass a larger "
            "max_pixels if you trust the file."
        )
    # An MPO file is a JPEG followed by extra views or a depth map; its first
    # frame is the photo. Other frames are ambiguous.
    n_frames = getattr(image, "n_frames", 1)
    if n_frames > 1 and image.format != "MPO":
        raise DigitImageError(
            f"{name} holds {n_frames} frames (an animation or a multi-page "
            "file); save the frame with the digit as an image of its own."
        )


def _as_8bit(image):
    """A decoded image as an 8-bit grayscale ("L") or colour ("RGB") one."""
    if image.mode in SIXTEEN_BIT_MODES or image.mode in ("I", "F"):
        return Image.fromarray(_samples_as_8bit(np.asarray(image), image.mode))
    if image.mode == "LAB":  # its lightness channel is the grey level
        return image.getchannel("L")
    palette = getattr(image, "palette", None)
    grayscale = image.mode in {"1", "L", "LA", "La"} or (
        image.mode in {"P", "PA"} and palette is not None and palette.mode == "L"
    )
    if image.has_transparency_data and not _is_opaque(image):
        image = on_white_paper(image)
    mode = "L" if grayscale else "RGB"
    return image if image.mode == mode else image.convert(mode)


def _is_opaque(image):
    """Whether an image with an alpha band has every pixel fully opaque (a
    canvas filled with white before it was drawn on): nothing to composite."""
    return "A" in image.getbands() and image.getchannel("A").getextrema() == (255, 255)


def on_white_paper(image):
    """Transparent parts show what is behind them: take it to be white paper.

    Returns the image composited on white, in mode "RGB".
    """
    rgba = image if image.mode == "RGBA" else image.convert("RGBA")
    paper = Image.new("RGB", image.size, "white")
    # Pasting through the alpha channel blends as compositing on an opaque
    # background does, with a third of alpha_composite's copies.
    paper.paste(rgba, mask=rgba.getchannel("A"))
    return paper


def _samples_as_8bit(samples, mode):
    """Samples of more than 8 bits scaled to [0, 255], as uint8.

    16-bit modes are divided by 257. Pillow's 32-bit integer mode "I" holds
    images of any depth, so its scale is the smallest of 8, 16 and 31 bits
    that holds its samples; float images ("F") are taken to be in [0, 1]
    when none is above 1, else in [0, 255]. NaN is 0.
    """
    peak = np.fmax.reduce(samples.ravel(), initial=0)
    if mode in SIXTEEN_BIT_MODES:
        scale = UINT8_MAX / UINT16_MAX
    elif mode == "F":
        scale = UINT8_MAX if peak <= 1 else 1
    elif peak <= UINT8_MAX:
        scale = 1
    else:
        scale = UINT8_MAX / (UINT16_MAX if peak <= UINT16_MAX else INT32_MAX)
    pixels = np.empty(samples.shape, dtype=np.uint8)
    # A band of rows at a time: a large scan never exists as float32 whole.
    for top in range(0, len(samples), SCALED_ROWS):
        band = samples[top : top + SCALED_ROWS].astype(np.float32)
        np.nan_to_num(band, copy=False, nan=0.0)
        band *= scale
        np.clip(band, 0, UINT8_MAX, out=band)
        pixels[top : top + SCALED_ROWS] = np.round(band, out=band)
    return pixels


def _too_large(name, exc):
    return DigitImageError(
        f"{name} is too large to decode safely ({_reason(exc)}); send a smaller image."
    )


def _corrupt(name, exc):
    return DigitImageError(f"{name} is truncated or corrupt: {_reason(exc)}.")


def _reason(exc):
    """An exception's message, on one line and short."""
    reason = " ".join(str(exc).split()).removesuffix(".") or type(exc).__name__
    return reason if len(reason) <= 200 else reason[:200] + "..."

"""A seeded generator of hostile and odd inputs for an image-reading path.

For fuzz tests of code that reads uploaded or user-given image files (a small
:func:`sample`, fast) and for a standalone check that sends the whole
:func:`corpus` (``benchmarks/hostile_inputs_check.py``). Everything is made
here with NumPy, Pillow and the standard library: nothing is downloaded and
no file is read.

- :func:`valid_images`: valid files of a drawn digit in every format and mode
  Pillow writes that a user might send, animations and multi-page files, and
  formats a reader may want to refuse (ICO, PCX, PPM, TGA, JPEG 2000, ...);
- :func:`mutations`: those files damaged: bits flipped, bytes overwritten,
  truncated, chunks duplicated or dropped, junk appended, and format-aware
  header fields (sizes, depths, compressions, offsets) set to extremes;
- :func:`bombs`: small files that claim (or decode to) huge images;
- :func:`non_images`: empty, random, text, archives, polyglots, ``.npy``;
- :func:`multipart_bodies`: malformed ``multipart/form-data`` requests.

Each item is a :class:`HostileInput`: its ``kind`` (a family, such as
``"truncated-webp"``; :func:`family` gives the broader one, ``"truncated"``),
a file name to upload it as (sometimes odd: unicode, very long, a newline,
path traversal, empty), the content type a client would send (sometimes wrong
or oddly written) and its bytes. The same seed gives the same items, byte for
byte; no global random state is used or changed. No item is over about 2 MB.
"""

import base64
import functools
import io
import itertools
import json
import math
import pickle
import random
import re
import struct
import warnings
import zipfile
import zlib
from typing import NamedTuple

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

__all__ = [
    "SIGNATURES",
    "HostileInput",
    "bombs",
    "corpus",
    "family",
    "multipart_bodies",
    "mutations",
    "non_images",
    "sample",
    "valid_images",
]


class HostileInput(NamedTuple):
    """One input file: what it is, and how a client would upload it."""

    kind: str
    """Its family, e.g. ``"valid-png"``, ``"bitflip-jpeg"``, ``"bomb-png"``."""
    filename: str
    """A file name to upload it as (some odd on purpose)."""
    content_type: str
    """The content type a client would send (sometimes wrong or odd)."""
    data: bytes


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Pixels of the drawn digits' images, a side: log-uniform in this range.
MIN_SIDE, MAX_SIDE = 28, 400
# Uncompressed files (BMP, TIFF) are drawn no larger than this, so that
# the corpus stays small.
UNCOMPRESSED_SIDE = 200
# Formats slow to encode or decode are drawn no larger than this.
SMALL_SIDE = 128
# Generic mutations per valid file (header mutations come on top).
PER_BASE = 28
EXTREMES_32 = (0, 1, 2**16, 2**31 - 1)


# Each format: Pillow's name for it, the extension and the MIME type of its
# files.
_FORMATS = {
    "png": ("PNG", "png", "image/png"),
    "apng": ("PNG", "png", "image/apng"),
    "jpeg": ("JPEG", "jpg", "image/jpeg"),
    "gif": ("GIF", "gif", "image/gif"),
    "bmp": ("BMP", "bmp", "image/bmp"),
    "dib": ("DIB", "dib", "image/bmp"),
    "tiff": ("TIFF", "tif", "image/tiff"),
    "webp": ("WEBP", "webp", "image/webp"),
    "ico": ("ICO", "ico", "image/x-icon"),
    "pcx": ("PCX", "pcx", "image/x-pcx"),
    "ppm": ("PPM", "ppm", "image/x-portable-pixmap"),
    "pgm": ("PPM", "pgm", "image/x-portable-graymap"),
    "pbm": ("PPM", "pbm", "image/x-portable-bitmap"),
    "tga": ("TGA", "tga", "image/x-tga"),
    "jp2": ("JPEG2000", "jp2", "image/jp2"),
    "j2k": ("JPEG2000", "j2k", "image/jp2"),
    "dds": ("DDS", "dds", "image/vnd-ms.dds"),
    "sgi": ("SGI", "sgi", "image/sgi"),
    "im": ("IM", "im", "application/octet-stream"),
    "xbm": ("XBM", "xbm", "image/x-xbitmap"),
    "mpo": ("MPO", "mpo", "image/jpeg"),
    "qoi": ("QOI", "qoi", "image/qoi"),
    "avif": ("AVIF", "avif", "image/avif"),
    "blp": ("BLP", "blp", "application/octet-stream"),
    "icns": ("ICNS", "icns", "image/icns"),
    "msp": ("MSP", "msp", "application/octet-stream"),
    "spider": ("SPIDER", "spi", "application/octet-stream"),
    "palm": ("PALM", "palm", "application/octet-stream"),
}
MIME = {name: mime for name, (_, _, mime) in _FORMATS.items()}


# Names a client may well send, or an attacker would.
ODD_FILENAMES = (
    "",
    "../../etc/passwd.png",
    "..\\..\\windows\\win.ini.png",
    "/absolute/path/digit.png",
    "C:\\fakepath\\digit.png",
    "%2e%2e%2fescape.png",
    "数字٣цифра.png",
    "emoji-\U0001f642.png",
    "\u202egnp.exe",
    "a" * 300 + ".png",
    "x" * 4096,
    "new\nline.png",
    "carriage\r\nContent-Type: text/html.png",
    "tab\tname.png",
    'quote"d.png',
    "semi;colon=1.png",
    "nul\x00byte.png",
    "CON.png",
    ".hidden",
    "no_extension",
    "double.png.exe",
    "trailing-dot.png.",
    "spaces   .png  ",
)


# ---------------------------------------------------------------------------
# Small helpers


def _rng(*parts):
    """A random.Random seeded by `parts` (a string seed: stable everywhere)."""
    return random.Random(":".join(map(str, parts)))


def _np_rng(rng):
    return np.random.default_rng(rng.getrandbits(64))


def _filename(rng, stem, ext, odd=0.12):
    """``stem.ext``, or now and then an odd name."""
    if rng.random() < odd:
        return rng.choice(ODD_FILENAMES)
    return f"{stem}.{ext}" if ext else stem


# Content types a client may send for any file.
_ODD_TYPES = [
    "",
    "text/plain",
    "image/*",
    "image",
    "image/svg+xml",
    "application/json",
    "multipart/form-data",
    "application/x-www-form-urlencoded",
]


def _content_type(rng, mime):
    """What a client would send for a file of type `mime`: mostly right."""
    draw = rng.random()
    if draw < 0.70:
        return mime
    if draw < 0.80:
        return "application/octet-stream"
    if draw < 0.85:
        return rng.choice(["image/png", "image/jpeg", "image/gif", "image/webp"])
    if draw < 0.90:
        return rng.choice([mime.upper(), mime.title(), "Image/PNG"])
    if draw < 0.95:
        return rng.choice([f"{mime}; charset=binary", f"{mime};q=0.9", f"{mime} ;x=1"])
    return rng.choice(_ODD_TYPES)


def _item(rng, kind, stem, ext, mime, data, odd=0.12):
    """An item with a drawn file name (`odd` of them odd) and content type."""
    filename = _filename(rng, stem, ext, odd)
    return HostileInput(kind, filename, _content_type(rng, mime), data)


def _encode(image, fmt, **options):
    """The bytes of `image` saved as `fmt`, or None where Pillow cannot."""
    buffer = io.BytesIO()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            image.save(buffer, fmt, **options)
    except (OSError, ValueError, KeyError, TypeError, ImportError):
        return None
    return buffer.getvalue()


def _stem(filename, fallback):
    """A tame stem of a file name for a derived file's name."""
    stem = filename.rsplit(".", 1)[0] if "." in filename else filename
    if not stem or len(stem) > 60 or not re.fullmatch(r"[A-Za-z0-9_.;-]+", stem):
        return fallback
    return stem


def _extension(filename):
    ext = filename.rsplit(".", 1)[-1] if "." in filename else ""
    return ext if re.fullmatch(r"[A-Za-z0-9]{1,5}", ext) else "bin"


def _put(data, offset, fmt, *values):
    """`data` with `values` packed in at `offset` (`fmt` as for struct, its
    byte order first)."""
    out = bytearray(data)
    out[offset : offset + struct.calcsize(fmt)] = struct.pack(fmt, *values)
    return bytes(out)


def _edits(data, order, rows):
    """(name, bytes) of edits of `data`, one or more a row of `rows`.

    A row is a (name, bytes) pair, kept as it is, or (name, offset, format,
    values): `data` with the field at `offset` set to each value in turn (a
    tuple sets a run of fields), named ``name.format(*value)``. `order` is
    the byte order, ``"<"`` or ``">"``.
    """
    out = []
    for row in rows:
        if len(row) == 2:
            out.append(row)
            continue
        name, offset, fmt, values = row
        for value in values:
            value = value if isinstance(value, tuple) else (value,)
            out.append((name.format(*value), _put(data, offset, order + fmt, *value)))
    return out


# ---------------------------------------------------------------------------
# Drawn digits


def _arc(cx, cy, rx, ry, start, end, n=20):
    angles = np.radians(np.linspace(start, end, n))
    return list(zip(cx + rx * np.cos(angles), cy + ry * np.sin(angles), strict=True))


# Each digit as polylines in the unit square (y downwards).
_DIGIT_STROKES = {
    0: [_arc(0.5, 0.5, 0.28, 0.4, 0, 360, 28)],
    1: [[(0.36, 0.25), (0.55, 0.1), (0.55, 0.9)]],
    2: [_arc(0.5, 0.32, 0.26, 0.22, 170, 400) + [(0.22, 0.88), (0.8, 0.88)]],
    3: [_arc(0.5, 0.3, 0.24, 0.2, 200, 450), _arc(0.5, 0.7, 0.27, 0.2, 270, 520)],
    4: [[(0.62, 0.9), (0.62, 0.1), (0.18, 0.62), (0.82, 0.62)]],
    5: [
        [(0.75, 0.12), (0.32, 0.12), (0.28, 0.45)]
        + _arc(0.5, 0.64, 0.26, 0.24, 215, 495)
    ],
    6: [[(0.68, 0.1), (0.34, 0.5)] + _arc(0.5, 0.67, 0.21, 0.21, 200, 560)],
    7: [[(0.2, 0.12), (0.8, 0.12), (0.42, 0.9)]],
    8: [_arc(0.5, 0.3, 0.2, 0.19, 0, 360), _arc(0.5, 0.7, 0.25, 0.21, 0, 360)],
    9: [_arc(0.5, 0.32, 0.24, 0.21, 0, 360), [(0.74, 0.34), (0.66, 0.9)]],
}


class _Drawing:
    """A digit drawn by hand, as ink coverage over paper, in any mode."""

    def __init__(self, rng, max_side=MAX_SIDE, light_on_dark=None):
        nrng = _np_rng(rng)
        side = round(math.exp(rng.uniform(math.log(MIN_SIDE), math.log(max_side))))
        height = side
        width = min(max_side, max(MIN_SIDE, round(side * rng.uniform(0.7, 1.3))))
        self.size = (width, height)
        self.light_on_dark = (
            rng.random() < 0.3 if light_on_dark is None else light_on_dark
        )
        box = min(width, height) * rng.uniform(0.5, 0.8)
        left = rng.uniform(0.05, 0.95) * (width - box)
        top = rng.uniform(0.05, 0.95) * (height - box)
        skew = rng.uniform(-0.2, 0.2)
        mask = Image.new("L", self.size, 0)
        draw = ImageDraw.Draw(mask)
        stroke = max(2, round(box * rng.uniform(0.06, 0.13)))
        for line in _DIGIT_STROKES[rng.randrange(10)]:
            jitter = nrng.normal(0, 0.015, (len(line), 2))
            points = [
                (left + (x + dx + skew * (y - 0.5)) * box, top + (y + dy) * box)
                for (x, y), (dx, dy) in zip(line, jitter, strict=True)
            ]
            draw.line(points, fill=255, width=stroke, joint="curve")
        mask = mask.filter(ImageFilter.GaussianBlur(max(0.5, stroke / 6)))
        self.coverage = np.asarray(mask, dtype=np.float32) / 255
        paper = rng.uniform(200, 250)
        ink = rng.uniform(10, 70)
        if self.light_on_dark:
            paper, ink = 255 - paper, 255 - ink
        self.paper_rgb = np.array([paper, paper - rng.uniform(0, 12), paper - 15])
        self.ink_rgb = np.array([ink, ink + rng.uniform(0, 20), ink + 60])
        self.noise = nrng.normal(0, rng.uniform(0, 5), (height, width, 1))
        self.clean = rng.random() < 0.3

    def rgb_float(self):
        cover = self.coverage[..., np.newaxis]
        pixels = self.paper_rgb * (1 - cover) + self.ink_rgb * cover
        if not self.clean:
            pixels = pixels + self.noise
        return np.clip(pixels, 0, 255)

    def gray_float(self):
        return self.rgb_float() @ np.array([0.299, 0.587, 0.114])

    def image(self, mode):
        """The drawing as a PIL image of `mode` (plus a few pseudo-modes)."""
        gray = np.round(self.gray_float()).astype(np.uint8)
        rgb = np.round(self.rgb_float()).astype(np.uint8)
        alpha = np.round(self.coverage * 255).astype(np.uint8)
        if mode == "1":
            threshold = 128
            return Image.fromarray(gray > threshold)
        if mode == "L":
            return Image.fromarray(gray)
        if mode == "LA":  # ink on transparent paper, as a drawing canvas
            ink = np.full_like(gray, round(self.ink_rgb.mean()))
            return Image.fromarray(np.dstack([ink, alpha]), "LA")
        if mode == "RGB":
            return Image.fromarray(rgb)
        if mode == "RGBA":  # ink on transparent paper
            ink = np.broadcast_to(np.uint8(self.ink_rgb), rgb.shape)
            return Image.fromarray(np.dstack([ink, alpha]), "RGBA")
        if mode == "RGBA-opaque":
            return Image.fromarray(np.dstack([rgb, np.full_like(alpha, 255)]), "RGBA")
        if mode in ("P", "P-trns"):
            levels = np.round(self.coverage * 15).astype(np.uint8)
            image = Image.fromarray(levels, "P")
            steps = np.linspace(0, 1, 16)[:, np.newaxis]
            palette = self.paper_rgb * (1 - steps) + self.ink_rgb * steps
            image.putpalette(np.round(palette).astype(np.uint8).ravel().tolist())
            if mode == "P-trns":
                image.info["transparency"] = 0
            return image
        if mode == "I;16":
            return Image.fromarray(gray.astype(np.uint16) * 257)
        if mode == "I":
            return Image.fromarray(gray.astype(np.int32) * 257)
        if mode == "F-unit":
            return Image.fromarray((gray / 255).astype(np.float32))
        if mode == "F":
            return Image.fromarray(gray.astype(np.float32))
        if mode == "CMYK":
            return Image.fromarray(rgb).convert("CMYK")
        raise ValueError(mode)

    def frames(self, mode, n, rng):
        """`n` frames: the digit drawn again, shifted, for animations."""
        first = self.image(mode)
        out = [first]
        for _ in range(n - 1):
            dx, dy = rng.randint(-3, 3), rng.randint(-3, 3)
            out.append(
                first.transform(
                    first.size, Image.Transform.AFFINE, (1, 0, dx, 0, 1, dy)
                )
            )
        return out


# ---------------------------------------------------------------------------
# Hand-made files (struct): PNG, TIFF, BMP, ICO, GIF, JPEG, WebP


def _png_chunk(ctype, body):
    crc = zlib.crc32(ctype + body)
    return struct.pack(">I", len(body)) + ctype + body + struct.pack(">I", crc)


def _ihdr(width, height, bit_depth=8, colour_type=0, interlace=0):
    fields = (width, height, bit_depth, colour_type, 0, 0, interlace)
    return _png_chunk(b"IHDR", struct.pack(">IIBBBBB", *fields))


def _png_file(width, height, idat, bit_depth=8, colour_type=0, interlace=0, extra=b""):
    return (
        PNG_SIGNATURE
        + _ihdr(width, height, bit_depth, colour_type, interlace)
        + extra
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def _filtered(rows):
    """The bytes of `rows` (a 2-D uint8 array), each led by PNG filter 0: none."""
    return np.hstack([np.zeros((len(rows), 1), np.uint8), rows]).tobytes()


def _png_array(array, bit_depth, colour_type):
    """A PNG of a (height, width[, channels]) array of `bit_depth` bits."""
    height, width = array.shape[:2]
    dtype = ">u2" if bit_depth == 16 else np.uint8
    rows = np.ascontiguousarray(array.astype(dtype)).reshape(height, -1).view(np.uint8)
    idat = zlib.compress(_filtered(rows))
    return _png_file(width, height, idat, bit_depth, colour_type)


def _png_packed(bits, bit_depth):
    """A grey PNG of `bit_depth` < 8 bits from an array of levels."""
    height, width = bits.shape
    per_byte = 8 // bit_depth
    padded = np.zeros((height, -(-width // per_byte) * per_byte), np.uint8)
    padded[:, :width] = bits
    grouped = padded.reshape(height, -1, per_byte).astype(np.uint16)
    shifts = (8 - bit_depth * (np.arange(per_byte) + 1)).astype(np.uint16)
    packed = (grouped << shifts).sum(axis=2).astype(np.uint8)
    return _png_file(width, height, zlib.compress(_filtered(packed)), bit_depth, 0)


def _png_interlaced(gray):
    """An Adam7-interlaced 8-bit grey PNG (Pillow writes none)."""
    passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4)]
    passes += [(1, 0, 2, 2), (0, 1, 1, 2)]
    subs = [gray[y0::dy, x0::dx] for x0, y0, dx, dy in passes]
    idat = zlib.compress(b"".join(_filtered(sub) for sub in subs if sub.size))
    height, width = gray.shape
    return _png_file(width, height, idat, 8, 0, interlace=1)


def _png_chunks(data):
    """(type, body) of a PNG's chunks, as far as they are whole."""
    chunks = []
    pos = len(PNG_SIGNATURE)
    while pos + 12 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        end = pos + 12 + length
        if end > len(data):
            break
        chunks.append((data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]))
        pos = end
    return chunks


def _png_join(chunks):
    return PNG_SIGNATURE + b"".join(_png_chunk(ctype, body) for ctype, body in chunks)


def _png_insert(png, *new, before=None):
    """A PNG with chunks `new` put before its first `before` chunk, or right
    after IHDR."""
    chunks = _png_chunks(png)
    types = [ctype for ctype, _ in chunks]
    i = types.index(before) if before in types else 1
    return _png_join(chunks[:i] + list(new) + chunks[i:])


def _png_ihdr_edits(png, rows):
    """(name, bytes) of a PNG with its IHDR (its first chunk) edited as by
    :func:`_edits`, offsets counted in the chunk's body, the CRC recomputed."""
    chunks = _png_chunks(png)
    edited = _edits(chunks[0][1], ">", rows)
    return [(name, _png_join([(b"IHDR", body), *chunks[1:]])) for name, body in edited]


_TIFF_SHORT_TAGS = {258, 259, 262, 274, 277, 284, 296, 338, 339}


def _tiff_header(order):
    """A TIFF's first 8 bytes: byte order, 42 and the first IFD's offset, 8."""
    return (b"II" if order == "<" else b"MM") + struct.pack(order + "HI", 42, 8)


def _tiff_entry(order, tag, typ, value, count=1):
    """A 12-byte IFD entry, its value inline (a SHORT in the first half)."""
    if typ == 3:
        return struct.pack(order + "HHIHH", tag, 3, count, value & 0xFFFF, 0)
    return struct.pack(order + "HHII", tag, typ, count, value & 0xFFFFFFFF)


def _tiff_ifd(order, entries, next_ifd=0, count=None):
    """An IFD of packed `entries`: their number (or `count`), the entries and
    the next IFD's offset."""
    number = struct.pack(order + "H", len(entries) if count is None else count)
    return number + b"".join(entries) + struct.pack(order + "I", next_ifd & 0xFFFFFFFF)


def _tiff_tags(
    width,
    height,
    size,
    offset=0,
    *,
    bits=8,
    samples=1,
    compression=1,
    photometric=1,
    rows_per_strip=None,
):
    """{tag: (type, value)} of a one-strip image of `size` bytes at `offset`."""
    rows = height if rows_per_strip is None else rows_per_strip
    return {
        256: (4, width),
        257: (4, height),
        258: (3, bits),
        259: (3, compression),
        262: (3, photometric),
        273: (4, offset),
        277: (3, samples),
        278: (4, rows),
        279: (4, size),
    }


def _tiff_pack(order, tags):
    """The entries of {tag: (type, value)} `tags`, packed, in tag order."""
    return [_tiff_entry(order, tag, *tags[tag]) for tag in sorted(tags)]


def _tiff_file(width, height, pixels=b"", *, next_ifd=0, extra=(), order="<", **fields):
    """A minimal one-strip TIFF written by hand (`fields` as for
    :func:`_tiff_tags`); `extra` are (tag, type, value) entries, replacing the
    defaults; `next_ifd` None points at the IFD itself."""
    tags = _tiff_tags(width, height, len(pixels), **fields)
    tags.update((tag, (typ, value)) for tag, typ, value in extra)
    tags[273] = (4, 8 + 2 + 12 * len(tags) + 4)  # the strip, right after the IFD
    ifd = _tiff_ifd(order, _tiff_pack(order, tags), 8 if next_ifd is None else next_ifd)
    return _tiff_header(order) + ifd + pixels


def _tiff_chain(n):
    """A TIFF of `n` 1x1 pages, one IFD after another."""
    page = 2 + 12 * 9 + 4 + 2  # an IFD of 9 entries, then its pixel, padded
    out = [_tiff_header("<")]
    for i in range(n):
        start = 8 + page * i
        entries = _tiff_pack("<", _tiff_tags(1, 1, 1, start + page - 2))
        following = start + page if i < n - 1 else 0
        out.append(_tiff_ifd("<", entries, following) + b"\x80\x00")
    return b"".join(out)


def _tiff_parse(data):
    """Byte order, first IFD's offset, {tag: entry offset}, next-IFD pointer's
    offset of a TIFF; None if it cannot be parsed."""
    if len(data) < 8 or data[:2] not in (b"II", b"MM"):
        return None
    order = "<" if data[:2] == b"II" else ">"
    (ifd,) = struct.unpack(order + "I", data[4:8])
    if ifd + 2 > len(data):
        return None
    (count,) = struct.unpack(order + "H", data[ifd : ifd + 2])
    if ifd + 2 + 12 * count + 4 > len(data):
        return None
    entries = {}
    for offset in range(ifd + 2, ifd + 2 + 12 * count, 12):
        (tag,) = struct.unpack(order + "H", data[offset : offset + 2])
        entries[tag] = offset
    return order, ifd, entries, ifd + 2 + 12 * count


def _tiff_set(data, tag, value, count=1):
    """A TIFF with one tag's entry rewritten, its value inline (a SHORT where
    the tag is one and the value fits); None if the tag is absent."""
    parsed = _tiff_parse(data)
    if parsed is None or tag not in parsed[2]:
        return None
    order, _, entries, _ = parsed
    typ = 3 if tag in _TIFF_SHORT_TAGS and 0 <= value <= 0xFFFF else 4
    return _put(data, entries[tag], "12s", _tiff_entry(order, tag, typ, value, count))


def _tiff_with(data, tag, typ=None, value=0):
    """A TIFF with its first IFD rewritten at the end of the file, `tag` set
    (to `value` of `typ`) or, with no `typ`, dropped; None if it cannot be
    parsed."""
    parsed = _tiff_parse(data)
    if parsed is None:
        return None
    order, _, offsets, next_at = parsed
    entries = {t: data[offset : offset + 12] for t, offset in offsets.items()}
    if typ is None:
        entries.pop(tag, None)
    else:
        entries[tag] = _tiff_entry(order, tag, typ, value)
    (next_ifd,) = struct.unpack(order + "I", data[next_at : next_at + 4])
    new_ifd = len(data) + (len(data) & 1)
    body = _put(data, 4, order + "I", new_ifd).ljust(new_ifd, b"\x00")
    return body + _tiff_ifd(order, [entries[t] for t in sorted(entries)], next_ifd)


def _exif_tiff(entries, order="<", count=None):
    """TIFF-structured EXIF bytes: one IFD of (tag, type, count, value)
    entries, in the order given."""
    packed = [_tiff_entry(order, tag, typ, value, n) for tag, typ, n, value in entries]
    return _tiff_header(order) + _tiff_ifd(order, packed, 0, count)


# (name, EXIF bytes without the ``Exif\0\0`` prefix) of hostile EXIF blocks.
_EXIFS = [
    *[
        (f"orientation-{value}", _exif_tiff([(0x0112, 3, 1, value)], order))
        for value, order in ((0, "<"), (9, "<"), (65535, ">"))
    ],
    ("orientation-long", _exif_tiff([(0x0112, 4, 1, 2**31 + 6)])),
    ("orientation-count-1000", _exif_tiff([(0x0112, 3, 1000, 6)])),
    ("ifd-past-end", b"II*\x00" + struct.pack("<I", 0xFFFF)),
    ("entries-65535", _exif_tiff([(0x0112, 3, 1, 6)], count=65535)),
    ("exif-ifd-loop", _exif_tiff([(0x8769, 4, 1, 8), (0x0112, 3, 1, 6)])),
    ("gps-ifd-past-end", _exif_tiff([(0x8825, 4, 1, 2**31), (0x0112, 3, 1, 6)])),
    ("bad-type", _exif_tiff([(0x0112, 99, 1, 6)])),
    ("random", _rng("exif").randbytes(64)),
    ("magic-only", b"II*\x00"),
]


def _bmp_file(width, height, bpp, pixels, *, compression=0, palette=b"", colours=0):
    """A BMP (BITMAPINFOHEADER) written by hand."""
    offset = 14 + 40 + len(palette)
    header = struct.pack("<IiiHHI", 40, width, height, 1, bpp, compression)
    header += struct.pack("<IiiII", len(pixels), 2835, 2835, colours, 0)
    size = offset + len(pixels)
    return b"BM" + struct.pack("<IHHI", size, 0, 0, offset) + header + palette + pixels


def _bmp_rle8_file(width, height, pixels):
    """An 8-bit BMP of RLE8 `pixels`."""
    palette = bytes(range(256)) * 4
    return _bmp_file(
        width, height, 8, pixels, compression=1, palette=palette, colours=256
    )


def _bmp_rle8(width, height):
    """A BMP of `width` x `height` zeros in RLE8: 34 bytes a row."""
    full, rest = divmod(width, 255)
    row = b"\xff\x00" * full + (bytes([rest, 0]) if rest else b"") + b"\x00\x00"
    return _bmp_rle8_file(width, height, row * height + b"\x00\x01")


def _ico_file(entries):
    """An ICO of (width, height, bits per pixel, payload) entries."""
    out = [struct.pack("<HHH", 0, 1, len(entries))]
    offset = 6 + 16 * len(entries)
    for width, height, bpp, payload in entries:
        entry = (width % 256, height % 256, 0, 0, 1, bpp, len(payload), offset)
        out.append(struct.pack("<BBBBHHII", *entry))
        offset += len(payload)
    out.extend(payload for *_, payload in entries)
    return b"".join(out)


def _ico_entries(data):
    """(width, height, bits per pixel, payload) of an ICO's images."""
    (count,) = struct.unpack("<H", data[4:6])
    entries = []
    for at in range(6, 6 + 16 * count, 16):
        width, height, _, _, _, bpp, size, offset = struct.unpack(
            "<BBBBHHII", data[at : at + 16]
        )
        entries.append((width or 256, height or 256, bpp, data[offset : offset + size]))
    return entries


def _gif_file(width, height, frame=None, frames=1):
    """A GIF of `frames` tiny frames in a `width` x `height` screen; each frame
    (x, y, w, h) one LZW block of a clear and an end code."""
    frame = frame or (0, 0, min(width, 1), min(height, 1))
    palette = b"\x00\x00\x00\xff\xff\xff"
    header = b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0) + palette
    # Code size 2, then clear (4) and end (5) in 3-bit codes: 0x4C 0x01.
    image = b"\x2c" + struct.pack("<HHHHB", *frame, 0) + b"\x02\x02\x4c\x01\x00"
    control = b"\x21\xf9\x04\x00\x01\x00\x00\x00"
    return header + (control + image) * frames + b"\x3b"


def _gif_table_size(flags):
    """Bytes of the colour table that a GIF's `flags` byte announces."""
    return 3 << ((flags & 7) + 1) if flags & 0x80 else 0


def _skip_sub_blocks(data, pos):
    while pos < len(data) and data[pos]:
        pos += 1 + data[pos]
    return pos + 1


def _gif_blocks(data):
    """(start, end) of each image of a GIF: its control extension, if any,
    its descriptor, colour table and data."""
    if len(data) < 13:
        return []
    pos = 13 + _gif_table_size(data[10])
    blocks = []
    start = None
    while pos < len(data):
        byte = data[pos]
        if byte == 0x21:
            if data[pos + 1 : pos + 2] == b"\xf9":
                start = pos
            pos = _skip_sub_blocks(data, pos + 2)
        elif byte == 0x2C:
            begin = pos if start is None else start
            flags = data[pos + 9] if pos + 9 < len(data) else 0
            pos = _skip_sub_blocks(data, pos + 11 + _gif_table_size(flags))
            blocks.append((begin, min(pos, len(data))))
            start = None
        else:
            break
    return blocks


def _gif_descriptor(data):
    """The offset of a GIF's first image descriptor (its ``,``), or None."""
    for start, end in _gif_blocks(data):
        found = data.find(b"\x2c", start, end)
        if found >= 0:
            return found
    return None


def _jpeg_segments(data):
    """(marker, start, end) of a JPEG's segments up to and including SOS."""
    segments = []
    pos = 2
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7 or marker == 0xFF:
            pos += 1 if marker == 0xFF else 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        segments.append((marker, pos, pos + 2 + length))
        if marker == 0xDA:
            break
        pos += 2 + length
    return segments


def _is_sof(marker):
    return 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC)


def _jpeg_sof(data):
    """The offset of a JPEG's first start-of-frame segment, or None."""
    sofs = (start for marker, start, _ in _jpeg_segments(data) if _is_sof(marker))
    return next(sofs, None)


def _jpeg_insert(jpeg, marker, payload):
    """A JPEG with a `marker` segment of `payload` put right after SOI."""
    segment = bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload
    return jpeg[:2] + segment + jpeg[2:]


def _riff_chunk(fourcc, body):
    """A RIFF chunk: its four-character code, size, body and padding."""
    return fourcc + struct.pack("<I", len(body)) + body + b"\x00" * (len(body) & 1)


def _riff_chunks(data):
    """(fourcc, start, end) of a RIFF file's top-level chunks."""
    chunks = []
    pos = 12
    while pos + 8 <= len(data):
        (size,) = struct.unpack("<I", data[pos + 4 : pos + 8])
        end = min(len(data), pos + 8 + size + (size & 1))
        chunks.append((data[pos : pos + 4], pos, end))
        pos = end
    return chunks


# A VP8X canvas of 16383x16383: two 24-bit sizes less one.
_CANVAS_16383 = b"\xfe\x3f\x00\xfe\x3f\x00"


def _webp_zeros(side):
    """A real lossless WebP of `side` x `side` black pixels, in 34 bytes.

    libwebp codes a uniform image with one-symbol Huffman codes, 0 bits a
    pixel: the bitstream of a 16x16 one, its size changed, decodes to any
    size. Nothing of that size is ever encoded here.
    """
    small = _encode(Image.new("L", (16, 16), 0), "WEBP", lossless=True)
    if small is None or small[12:16] != b"VP8L":
        return b""
    (bits,) = struct.unpack("<I", small[21:25])
    bits = (bits & ~(2**28 - 1)) | (side - 1) | ((side - 1) << 14)
    return _put(small, 21, "<I", bits)


# ---------------------------------------------------------------------------
# Valid files


_BIG, _RAW, _SMALL = MAX_SIDE, UNCOMPRESSED_SIDE, SMALL_SIDE


# (kind, drawing mode, save options, largest side, light on dark: None
# draws it); the kind's second word is the format.
_VALID_SPECS = [
    ("valid-png", "L", {}, _BIG, False),
    ("valid-png", "L", {}, _BIG, True),
    ("valid-png", "RGB", {}, _BIG, False),
    ("mode-png-1", "1", {}, _BIG, None),
    ("mode-png-LA", "LA", {}, _BIG, False),
    ("mode-png-P", "P", {}, _BIG, None),
    ("mode-png-P-trns", "P-trns", {}, _BIG, False),
    ("mode-png-RGBA", "RGBA", {}, _BIG, False),
    ("mode-png-RGBA", "RGBA-opaque", {}, _BIG, True),
    ("mode-png-I;16", "I;16", {}, _BIG, None),
    ("mode-png-I", "I", {}, _BIG, None),  # Pillow 13 cannot: left out
    ("valid-jpeg", "L", {"quality": 85}, _BIG, False),
    ("valid-jpeg", "RGB", {"quality": 90}, _BIG, True),
    ("valid-jpeg", "RGB", {"quality": 75}, _BIG, False),
    ("mode-jpeg-CMYK", "CMYK", {}, _BIG, None),
    ("variant-jpeg-progressive", "RGB", {"progressive": True}, _BIG, None),
    ("variant-jpeg-q1", "L", {"quality": 1}, _BIG, None),
    ("variant-jpeg-444", "RGB", {"subsampling": 0}, _BIG, None),
    ("valid-gif", "L", {}, _BIG, False),
    ("valid-gif", "P", {}, _BIG, True),
    ("variant-gif-transparency", "P-trns", {}, _BIG, False),
    ("valid-bmp", "RGB", {}, _RAW, False),
    ("mode-bmp-1", "1", {}, _RAW, None),
    ("mode-bmp-L", "L", {}, _RAW, None),
    ("mode-bmp-P", "P", {}, _RAW, None),
    ("mode-bmp-RGBA", "RGBA-opaque", {}, _RAW, None),
    ("valid-tiff", "L", {}, _RAW, False),
    ("valid-tiff", "RGB", {}, _RAW, True),
    ("mode-tiff-1", "1", {}, _RAW, None),
    ("mode-tiff-I;16", "I;16", {}, _RAW, None),
    ("mode-tiff-I", "I", {}, _RAW, None),
    ("mode-tiff-F-unit", "F-unit", {}, _RAW, None),
    ("mode-tiff-F", "F", {}, _RAW, None),
    ("mode-tiff-CMYK", "CMYK", {}, _RAW, None),
    ("mode-tiff-RGBA", "RGBA", {}, _RAW, False),
    ("compress-tiff-tiff_lzw", "L", {"compression": "tiff_lzw"}, _BIG, None),
    ("compress-tiff-tiff_deflate", "RGB", {"compression": "tiff_deflate"}, _BIG, None),
    ("compress-tiff-packbits", "L", {"compression": "packbits"}, _BIG, None),
    ("compress-tiff-jpeg", "RGB", {"compression": "jpeg"}, _BIG, None),
    ("compress-tiff-group4", "1", {"compression": "group4"}, _BIG, None),
    ("variant-tiff-bigtiff", "L", {"big_tiff": True}, _RAW, None),
    ("valid-webp", "RGB", {"quality": 80}, _BIG, False),
    ("valid-webp", "L", {"quality": 60}, _BIG, True),
    ("variant-webp-lossless", "RGB", {"lossless": True}, _BIG, None),
    ("mode-webp-RGBA", "RGBA", {"quality": 80}, _BIG, False),
    ("mode-webp-RGBA", "RGBA", {"lossless": True}, _BIG, False),
    ("format-ico", "RGBA", {}, 256, False),
    ("format-ico-bmp", "RGBA", {"bitmap_format": "bmp"}, 64, False),
    ("format-pcx", "L", {}, _BIG, None),
    ("format-pcx", "RGB", {}, _BIG, None),
    ("format-ppm", "RGB", {}, _SMALL, None),
    ("format-pgm", "L", {}, _SMALL, None),
    ("format-pbm", "1", {}, _SMALL, None),
    ("format-tga", "RGB", {}, _SMALL, None),
    ("format-tga-rle", "L", {"compression": "tga_rle"}, _SMALL, None),
    ("format-jp2", "RGB", {}, _SMALL, None),
    ("format-j2k", "L", {"no_jp2": True}, _SMALL, None),
    ("format-dds", "RGBA-opaque", {}, _SMALL, None),
    ("format-sgi", "L", {}, _SMALL, None),
    ("format-im", "L", {}, _SMALL, None),
    ("format-xbm", "1", {}, _SMALL, None),
    ("format-qoi", "RGB", {}, _SMALL, None),
    ("format-avif", "RGB", {"speed": 10}, _SMALL, None),
    ("format-blp", "P", {}, _SMALL, None),
    ("format-icns", "1", {}, 64, False),  # 1-bit: small files
    ("format-msp", "1", {}, _SMALL, None),
    ("format-spider", "F", {}, _SMALL, None),
    ("format-dib", "RGB", {}, _SMALL, None),
    ("format-palm", "1", {}, _SMALL, None),  # Pillow writes, cannot read
]

# (kind, writer, mode, frames, save options).
_ANIMATED_SPECS = [
    ("animated-gif", "gif", "P", 4, {"duration": 100, "loop": 0}),
    ("animated-webp", "webp", "RGB", 3, {"duration": 100}),
    ("animated-png", "apng", "RGBA", 3, {"duration": 100}),
    ("multipage-tiff", "tiff", "L", 3, {}),
    ("format-mpo", "mpo", "RGB", 2, {}),
]


def valid_images(seed=0):
    """Valid files of a drawn digit, in every format and mode Pillow writes.

    Dark strokes on light paper and light on dark, 28 to 400 pixels a side:
    PNG, JPEG, GIF, BMP, TIFF (modes, compressions, BigTIFF) and WebP;
    animations (GIF, WebP, APNG), a multi-page TIFF and an MPO; formats a
    reader may well refuse (``format-*``: ICO, PCX, PPM, TGA, JPEG 2000, DDS,
    SGI, IM, XBM, QOI, AVIF, ...). Hand-written PNGs Pillow does not write
    (16-bit grey, grey with alpha and RGB; 2-bit grey; interlaced), and a
    JPEG with an EXIF orientation of 6, complete the set. A mode or format
    this Pillow cannot write is left out.
    """
    items = []
    for index, (kind, mode, options, side, light) in enumerate(_VALID_SPECS):
        writer = kind.split("-")[1]
        rng = _rng("valid", seed, index, kind)
        drawing = _Drawing(rng, side, light)
        polarity = "light" if drawing.light_on_dark else "dark"
        stem = f"{kind}-{mode}-{polarity}-{drawing.size[0]}x{drawing.size[1]}"
        ext = "tiff" if kind == "valid-tiff" and light else None  # both spellings
        image = drawing.image(mode)
        items.append(_encoded(rng, kind, writer, image, stem, ext, **options))
    for index, (kind, writer, mode, n, options) in enumerate(_ANIMATED_SPECS):
        rng = _rng("animated", seed, index, kind)
        frames = _Drawing(rng, SMALL_SIDE, False).frames(mode, n, rng)
        more = {"save_all": True, "append_images": frames[1:], **options}
        items.append(
            _encoded(rng, kind, writer, frames[0], f"{kind}-{n}-frames", **more)
        )
    items += _hand_made_valid(seed)
    return [item for item in items if item is not None]


def _encoded(rng, kind, writer, image, stem, ext=None, **options):
    """An item of `image` saved in a format of :data:`_FORMATS` (with its
    extension, unless `ext`); None where this Pillow cannot write it."""
    fmt, default_ext, mime = _FORMATS[writer]
    data = _encode(image, fmt, **options)
    if data is None:
        return None
    return _item(rng, kind, stem, ext or default_ext, mime, data)


def _hand_made_valid(seed):
    """PNGs Pillow does not write, and files with an EXIF orientation."""
    rng = _rng("hand-made", seed)
    drawing = _Drawing(rng, MAX_SIDE, False)
    gray = np.round(drawing.gray_float()).astype(np.uint8)
    rgb = np.round(drawing.rgb_float()).astype(np.uint16)
    alpha = np.round(drawing.coverage * 65535).astype(np.uint16)
    ink16 = np.full_like(alpha, 3000)
    made = [
        ("mode-png-16bit-grey", _png_array(gray.astype(np.uint16) * 257, 16, 0)),
        ("mode-png-16bit-grey-alpha", _png_array(np.dstack([ink16, alpha]), 16, 4)),
        ("mode-png-16bit-rgb", _png_array(rgb * 257, 16, 2)),
        ("mode-png-2bit-grey", _png_packed(gray >> 6, 2)),
        ("variant-png-interlaced", _png_interlaced(gray)),
    ]
    stem = f"-{drawing.size[0]}"
    items = [
        _item(rng, kind, kind + stem, "png", MIME["png"], data) for kind, data in made
    ]
    # EXIF orientation 6: stored rotated, shown upright.
    exif = Image.Exif()
    exif[0x0112] = 6
    upright = _Drawing(rng, MAX_SIDE, False).image("RGB")
    stored = upright.transpose(Image.Transpose.ROTATE_90)
    stem = "exif-orientation-6"
    return items + [
        _encoded(rng, "variant-jpeg-exif6", "jpeg", stored, stem, exif=exif),
        _encoded(rng, "variant-png-exif6", "png", stored.convert("L"), stem, exif=exif),
    ]


# ---------------------------------------------------------------------------
# Mutations


# The families of valid files: the second word of their kinds is the format.
_VALID = {"valid", "mode", "variant", "compress", "animated", "multipage", "format"}


# The leading bytes of the formats of other files.
_FORMAT_MAGICS = [
    (PNG_SIGNATURE, "png"),
    (b"\xff\xd8", "jpeg"),
    (b"GIF8", "gif"),
    (b"BM", "bmp"),
    (b"II", "tiff"),
    (b"MM", "tiff"),
    (b"RIFF", "webp"),
    (b"\x00\x00\x01\x00", "ico"),
    (b"\x0a", "pcx"),
]


def _format_of(item):
    """The format of a file, from its kind (``valid-png``) or its bytes."""
    parts = item.kind.split("-")
    if len(parts) >= 2 and parts[0] in _VALID:
        return {"tif": "tiff", "jpg": "jpeg"}.get(parts[1], parts[1])
    found = (name for magic, name in _FORMAT_MAGICS if item.data.startswith(magic))
    return next(found, "bin")


def mutations(base, seed=0, per_base=PER_BASE):
    """Each file of `base` damaged in many ways.

    Per file, `per_base` generic mutations: bit flips (1, 8 and 64 random
    bits, and 4 in the first 64 bytes), byte runs overwritten with 0x00, 0xFF
    or random bytes, truncations (at 0, 1 and all but one byte, at random
    points and every few percent of the length), chunks or segments
    duplicated or removed, junk appended or prepended. On top, for the first
    file of each format and mode, format-aware header mutations (``header-*``)
    set sizes, depths, compressions, offsets and counts to extremes with
    checksums recomputed, so that the header itself stays valid: PNG, BMP,
    GIF, TIFF, JPEG, WebP, ICO, PCX, TGA, PPM and DDS. Identical outputs are
    kept once.
    """
    out = []
    seen = set()
    header_modes = {}
    for index, item in enumerate(base):
        fmt = _format_of(item)
        rng = _rng("mutations", seed, index, item.kind, len(item.data))
        generic = _generic_mutations(item.data, fmt, rng, per_base)
        changed = [(f"{op}-{fmt}", f"{op}-{what}", data) for op, what, data in generic]
        if _takes_header_mutations(item, fmt, header_modes):
            headers = _HEADER_MUTATORS[fmt](item.data)
            changed += [
                (f"header-{fmt}", f"header-{what}", data)
                for what, data in headers
                if data is not None and data != item.data
            ]
        stem, ext = _stem(item.filename, item.kind), _extension(item.filename)
        mime = MIME.get(fmt, "application/octet-stream")
        for kind, what, data in changed:
            # Drawn for a duplicate too, so that the names after it stay put.
            mutated = _item(rng, kind, f"{what}-{stem}", ext, mime, data, odd=0.08)
            if (data, kind) not in seen:
                seen.add((data, kind))
                out.append(mutated)
    return out


# How many header-mutated files per format: the first of each mode.
_HEADER_BASES = {"png": 4, "bmp": 5, "gif": 2, "tiff": 4, "jpeg": 3, "webp": 3}


def _takes_header_mutations(item, fmt, modes):
    """Whether `item` is the first of its mode in `fmt` (and one of the first
    few modes) to have header mutations; `modes` ({format: modes}) is kept
    up to date."""
    if fmt not in _HEADER_MUTATORS:
        return False
    mode = _header_mode(item, fmt)
    taken = modes.setdefault(fmt, set())
    if mode is None or mode in taken or len(taken) >= _HEADER_BASES.get(fmt, 2):
        return False
    taken.add(mode)
    return True


def _header_mode(item, fmt):
    """The mode of a file, for header mutations of one file of each; None
    for animations and what Pillow cannot open."""
    if item.kind.startswith(("animated", "multipage")):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(item.data)) as image:
                mode = image.mode
    except Exception:  # whatever it is, it is not a base
        return None
    if fmt == "webp":  # VP8, VP8L or VP8X
        return item.data[12:16].decode("latin-1") + mode
    if fmt == "ico":  # PNG or BMP images inside
        return mode + ("-png" if PNG_SIGNATURE in item.data else "-bmp")
    return mode


def _generic_mutations(data, fmt, rng, per_base):
    """(operation, detail, bytes) for `per_base` generic mutations of `data`."""
    n = len(data)
    fixed = []
    if n:
        for bits in (1, 8, 64):
            fixed.append(("bitflip", f"{bits}bits", _flip(data, rng, bits, n)))
        fixed.append(("bitflip", "header4bits", _flip(data, rng, 4, min(n, 64))))
        for fill in ("00", "ff", "random"):
            fixed.append(("overwrite", fill, _overwrite(data, rng, fill)))
    fixed += [("chunk", *mutation) for mutation in _chunk_mutations(data, fmt, rng)]
    junk = rng.randbytes(rng.choice([1, 7, 100, 1000]))
    fixed.append(("junk", "appended", data + junk))
    fixed.append(("junk", "twice", data + data))
    fixed.append(("junk", "prepended", junk[:3] + data))
    if len(fixed) > per_base:
        fixed = rng.sample(fixed, per_base)
    cuts = _cuts(n, rng, max(0, per_base - len(fixed)))
    return fixed + [("truncated", f"at{c}-{100 * c // n}pct", data[:c]) for c in cuts]


def _flip(data, rng, bits, span):
    out = bytearray(data)
    for _ in range(bits):
        position = rng.randrange(span * 8)
        out[position // 8] ^= 1 << (position % 8)
    return bytes(out)


def _overwrite(data, rng, fill):
    n = len(data)
    length = min(n, rng.choice([1, 4, 16, 64, max(1, n // 10)]))
    start = rng.randrange(n - length + 1)
    run = rng.randbytes(length) if fill == "random" else bytes.fromhex(fill) * length
    return data[:start] + run + data[start + length :]


def _cuts(n, rng, most):
    """Up to `most` points to truncate `n` bytes at: 0, 1 and all but one
    byte, two random points, then evenly spaced ones."""
    cuts = [0, 1, n - 1, rng.randrange(n), rng.randrange(n)] if n else []
    spaced = max(1, most - len(cuts))
    cuts += [round(n * k / (spaced + 1)) for k in range(1, spaced + 1)]
    return list(dict.fromkeys(cut for cut in cuts if 0 <= cut < n))[:most]


def _chunk_mutations(data, fmt, rng):
    """Chunks (segments, blocks) duplicated or removed, format-aware where
    the format has chunks, plus a random slice of the file."""
    magic, mutate = _CHUNKED.get(fmt, (None, None))
    out = mutate(data) if magic and data.startswith(magic) else []
    n = len(data)
    if n >= 4:
        start = rng.randrange(n)
        end = start + rng.randint(1, max(1, min(n - start, n // 4)))
        out += [
            ("dup-slice", _twice(data, start, end)),
            ("drop-slice", _without(data, start, end)),
        ]
    return out


def _without(data, start, end):
    return data[:start] + data[end:]


def _twice(data, start, end):
    """`data` with its bytes from `start` to `end` twice over."""
    return data[:end] + data[start:]


def _png_chunk_mutations(data):
    chunks = _png_chunks(data)
    types = [ctype for ctype, _ in chunks]
    out = [
        (f"drop-{drop.decode()}", _png_join([c for c in chunks if c[0] != drop]))
        for drop in (b"IHDR", b"IDAT", b"IEND", b"PLTE", b"tRNS", b"acTL")
        if drop in types
    ]
    for dup in (b"IHDR", b"IDAT", b"PLTE"):
        if dup in types:
            i = types.index(dup)
            out.append((f"dup-{dup.decode()}", _png_join(chunks[: i + 1] + chunks[i:])))
    if len(chunks) > 2:
        out.append(("swap-first", _png_join([chunks[1], chunks[0], *chunks[2:]])))
    return out


def _jpeg_chunk_mutations(data):
    out = []
    for marker, start, end in _jpeg_segments(data):
        name = "SOF" if _is_sof(marker) else f"{marker:02X}"
        if marker == 0xDA:
            out.append(("drop-SOS", data[:start] + b"\xff\xd9"))
            continue
        out.append((f"drop-{name}-{start}", _without(data, start, end)))
        if _is_sof(marker) or marker in (0xDB, 0xC4):
            out.append((f"dup-{name}-{start}", _twice(data, start, end)))
    eoi = data[:-2] if data.endswith(b"\xff\xd9") else data + b"\x00"
    return [*out, ("drop-EOI", eoi)]


def _webp_chunk_mutations(data):
    out = []
    for i, (fourcc, start, end) in enumerate(_riff_chunks(data)):
        name = fourcc.decode("latin-1").strip()
        out.append((f"drop-{name}-{i}", _without(data, start, end)))
        out.append((f"dup-{name}-{i}", _twice(data, start, end)))
    return out


def _gif_chunk_mutations(data):
    out = []
    for start, end in _gif_blocks(data)[:1]:
        out.append(("drop-frame", _without(data, start, end)))
        out.append(("dup-frame", _twice(data, start, end)))
    return [*out, ("drop-trailer", data.rstrip(b";"))]


# The leading bytes and chunk mutations of formats made of chunks.
_CHUNKED = {
    "png": (PNG_SIGNATURE, _png_chunk_mutations),
    "apng": (PNG_SIGNATURE, _png_chunk_mutations),
    "jpeg": (b"\xff\xd8", _jpeg_chunk_mutations),
    "mpo": (b"\xff\xd8", _jpeg_chunk_mutations),
    "webp": (b"RIFF", _webp_chunk_mutations),
    "gif": (b"GIF8", _gif_chunk_mutations),
}


# ---------------------------------------------------------------------------
# Header mutations: format-aware, each a list of (detail, bytes or None)


# Edits of a PNG's IHDR body: width, height, depth, colour type, compression,
# filter method and interlace method.
_IHDR_EDITS = [
    *[
        (name, offset, "I", [value])
        for value in EXTREMES_32
        for name, offset in (("width-{}", 0), ("height-{}", 4))
    ],
    ("size-{}x{}", 0, "II", [(0, 0)]),
    ("size-max", 0, "II", [(2**31 - 1, 2**31 - 1)]),
    ("width-2**32-1", 0, "I", [2**32 - 1]),
    ("depth-{}", 8, "B", [0, 3, 5, 32, 255]),
    ("colour-type-{}", 9, "B", [1, 5, 7, 255]),
    ("depth-16-palette", 8, "BB", [(16, 3)]),
    ("compression-{}", 10, "B", [1]),
    ("filter-method-{}", 11, "B", [1]),
    ("interlace-{}", 12, "B", [1, 2]),
]


# (name, chunks put before IDAT) of odd or hostile ancillary chunks.
_PNG_INSERTS = [
    ("plte-0", (b"PLTE", b"")),
    ("plte-1", (b"PLTE", b"\x00\x00\x00")),
    ("plte-257", (b"PLTE", bytes(771))),
    ("plte-not-3n", (b"PLTE", bytes(10))),
    ("trns-300", (b"tRNS", bytes(300))),
    ("trns-1", (b"tRNS", b"\x00")),
    ("unknown-critical", (b"XYZW", b"data")),
    ("non-ascii-type", (b"\xc3\xa9A\x00", b"data")),
    ("iccp-garbage", (b"iCCP", b"icc\x00\x00" + zlib.compress(b"not a profile"))),
    ("iccp-not-zlib", (b"iCCP", b"icc\x00\x00garbage")),
    ("text-no-nul", (b"tEXt", b"no separator here")),
    ("ztxt-bad-method", (b"zTXt", b"key\x00\x05" + zlib.compress(b"x"))),
    ("itxt-garbage", (b"iTXt", b"k\x00\x01\x00\xff\x00\x00garbage")),
    ("phys-extreme", (b"pHYs", b"\xff" * 8 + b"\x05")),
    ("gama-0", (b"gAMA", bytes(4))),
    ("actl-2**31-1", (b"acTL", struct.pack(">II", 2**31 - 1, 0))),
    ("actl-0", (b"acTL", struct.pack(">II", 0, 0))),
    (
        "fctl-extreme",
        (b"acTL", struct.pack(">II", 1, 0)),
        (b"fcTL", struct.pack(">IIIIIHHBB", 0, 2**31, 2**31, 2**31, 2**31, 0, 0, 9, 9)),
    ),
    *[(f"exif-{name}", (b"eXIf", exif)) for name, exif in _EXIFS],
]


def _header_png(data):
    chunks = _png_chunks(data)
    if not chunks or chunks[0][0] != b"IHDR" or len(chunks[0][1]) != 13:
        return []
    width, height = struct.unpack(">II", chunks[0][1][:8])
    rows = [*_png_ihdr_edits(data, _IHDR_EDITS), ("ihdr-bad-crc", 29, "I", [0])]
    idat_at = data.find(b"IDAT")
    if idat_at >= 4:
        rows.append(("idat-length-2**31-1", idat_at - 4, "I", [2**31 - 1]))
        rows.append(("idat-length-2**32-1", idat_at - 4, "I", [2**32 - 1]))
    for name, idat in _odd_idats(width, height):
        new = [(ctype, idat if ctype == b"IDAT" else body) for ctype, body in chunks]
        rows.append((name, _png_join(new)))
    for name, *new in _PNG_INSERTS:
        rows.append((name, _png_insert(data, *new, before=b"IDAT")))
    return _edits(data, ">", rows)


def _odd_idats(width, height):
    """(name, IDAT data) that do not fit a PNG of `width` x `height`."""
    filter_7 = bytes([7]) + bytes(min(width, 4096) * 4)
    extra_rows = b"\x00" * (min(width, 1024) * 8 + 1) * (min(height, 1024) + 50)
    return [
        ("idat-not-zlib", b"not zlib at all"),
        ("idat-empty", b""),
        ("idat-empty-zlib", zlib.compress(b"")),
        ("idat-filter-7", zlib.compress(filter_7 * 4)),
        ("idat-extra-rows", zlib.compress(extra_rows)),
    ]


# Run-length data that runs past the image, and a delta escape off it.
_BMP_RLE8 = [
    ("rle8-overrun", b"\xff\x01" * 2000 + b"\x00\x01"),
    ("rle8-delta-far", b"\x00\x02\xff\xff" * 10 + b"\x00\x01"),
    ("rle8-absolute-past-end", b"\x00\xff\x01\x02"),
]


def _header_bmp(data):
    if len(data) < 54 or not data.startswith(b"BM"):
        return []
    (height,) = struct.unpack("<i", data[22:26])
    rows = [
        ("width-{}", 18, "i", [0, -1, 1, 65535, 2**31 - 1, -(2**31)]),
        ("height-{}", 22, "i", [0, -1, -height, 65535, 2**31 - 1, -(2**31)]),
        ("bpp-{}", 28, "H", [0, 2, 3, 7, 9, 48, 64, 65535]),
        ("compression-{}", 30, "I", [1, 2, 3, 4, 5, 6, 11, 2**32 - 1]),
        ("palette-count-{}", 46, "I", [1, 257, 2**20, 2**32 - 1]),
        ("header-size-{}", 14, "I", [0, 12, 16, 64, 2**32 - 1]),
        ("data-offset-{}", 10, "I", [0, len(data) + 10, 2**32 - 1]),
        ("planes-{}", 26, "H", [0]),
        ("file-size-{}", 2, "I", [0]),
    ]
    rle = [(name, _bmp_rle8_file(16, 16, pixels)) for name, pixels in _BMP_RLE8]
    return _edits(data, "<", rows) + _bmp_bitfields(data) + rle


# (name, masks, compression) of bit-field BMPs.
_BMP_MASKS = [
    ("zero", (0, 0, 0), 3),
    ("all-ones", (2**32 - 1,) * 3, 3),
    ("overlapping", (0xFF00, 0xFFF0, 0x0FFF), 3),
    ("rgb565", (0xF800, 0x07E0, 0x001F), 3),
    ("rgb-alpha", (0xFF0000, 0xFF00, 0xFF, 0xFF000000), 6),
    ("one-bit", (1, 2, 4), 3),
]


def _bmp_bitfields(data):
    """Bit-field masks put after the 40-byte header (the pixel offset moved
    on), at the file's depth and, where that is not 16 or 32, at 32 bits."""
    (offset,) = struct.unpack("<I", data[10:14])
    (bpp,) = struct.unpack("<H", data[28:30])
    out = []
    for name, masks, compression in _BMP_MASKS:
        inserted = struct.pack(f"<{len(masks)}I", *masks)
        body = _put(data[:54] + inserted + data[54:], 10, "<I", offset + len(inserted))
        body = _put(body, 30, "<I", compression)
        out.append((f"bitfields-{name}-{bpp}bpp", body))
        if bpp not in (16, 32):
            out.append((f"bitfields-{name}-32bpp", _put(body, 28, "<H", 32)))
    return out


def _header_gif(data):
    if len(data) < 13 or not data.startswith(b"GIF8"):
        return []
    rows = [
        *_gif_size_rows("screen", 6),
        ("version-87a-x", b"GIF87x" + data[6:]),
        ("gct-flag-flipped", 10, "B", [data[10] ^ 0x80]),
        ("gct-size-7", 10, "B", [data[10] | 0x87]),
        ("no-trailer-no-frames", data[:13]),
    ]
    at = _gif_descriptor(data)
    if at is not None:
        rows += _gif_frame_rows(data, at)
    control = data.find(b"\x21\xf9\x04")
    if control >= 0:
        disposal = _put(_put(data, control + 6, "<B", 255), control + 3, "<B", 0x1D)
        rows.append(("disposal-7-transparent-255", disposal))
    netscape = b"\x21\xff\x0bNETSCAPE2.0\x03\x01\xff\xff\x00"
    rows += [
        ("extension-huge-block", data[:13] + b"\x21\xff\xff" + bytes(20) + data[13:]),
        ("netscape-loop-garbage", data[:13] + netscape + data[13:]),
    ]
    return _edits(data, "<", rows)


def _gif_size_rows(name, at):
    """Edits of a GIF's width and height (the screen's or a frame's)."""
    return [
        (f"{name}-width-{{}}", at, "H", [65535]),
        (f"{name}-height-{{}}", at + 2, "H", [65535]),
        (f"{name}-{{}}x{{}}", at, "HH", [(65535, 65535), (0, 0)]),
    ]


def _gif_frame_rows(data, at):
    """Edits of the GIF image whose descriptor is at `at`."""
    rows = [
        *_gif_size_rows("frame", at + 5),
        ("frame-left-{}", at + 1, "H", [65535]),
        ("frame-top-{}", at + 3, "H", [65535]),
        ("local-table-flag", at + 9, "B", [data[at + 9] | 0x87]),
        ("interlace-flag", at + 9, "B", [data[at + 9] | 0x40]),
    ]
    code_at = at + 10 + _gif_table_size(data[at + 9])
    if code_at < len(data):
        rows.append(("lzw-code-size-{}", code_at, "B", [0, 1, 12, 255]))
    if code_at + 1 < len(data):
        past_end = _put(data, code_at + 1, "<B", 255)[: code_at + 20]
        rows.append(("sub-block-255-past-end", past_end))
    return rows


# (name, tag, type, value) of tags added to a TIFF.
_TIFF_ADDED = [
    ("planar-2", 284, 3, 2),
    ("orientation-9", 274, 3, 9),
    ("extra-samples-5", 338, 3, 5),
    ("sample-format-3", 339, 3, 3),
    ("sample-format-99", 339, 3, 99),
    ("fill-order-2", 266, 3, 2),
    ("colormap-count-1", 320, 3, 0),
    ("exif-ifd-past-end", 34665, 4, 2**31),
]
_TIFF_REQUIRED = [
    (256, "width"),
    (273, "strip-offsets"),
    (258, "bits-per-sample"),
    (262, "photometric"),
]


def _header_tiff(data):
    parsed = _tiff_parse(data)
    if parsed is None:
        return []
    order, ifd, _, next_at = parsed
    n = len(data)
    out = [
        (f"{name}-{value}", _tiff_set(data, tag, value))
        for tag, name, values in _tiff_values(n)
        for value in values
    ]
    out.append(("bits-per-sample-count-3", _tiff_set(data, 258, 8, count=3)))
    out.append(("strip-offsets-count-2**30", _tiff_set(data, 273, 8, count=2**30)))
    out += [(name, _tiff_with(data, *added)) for name, *added in _TIFF_ADDED]
    next_ifds = [
        ("past-end", n + 10),
        ("2**32-1", 2**32 - 1),
        ("self", ifd),
        ("1", 1),
        ("last-bytes", n - 2),
        ("header", 4),
    ]
    rows = [(f"next-ifd-{name}", next_at, "I", [value]) for name, value in next_ifds]
    rows += [
        ("first-ifd-past-end", 4, "I", [n + 100]),
        ("first-ifd-{}", 4, "I", [0]),
        ("entry-count-{}", ifd, "H", [0, 65535]),
        ("magic-43-bigtiff", 2, "H", [43]),
        ("magic-{}", 2, "H", [0]),
        ("byte-order-swapped", (b"MM" if order == "<" else b"II") + data[2:]),
    ]
    out += _edits(data, order, rows)
    out += [(f"missing-{name}", _tiff_with(data, tag)) for tag, name in _TIFF_REQUIRED]
    return out + _tiff_hand_made()


def _tiff_values(n):
    """(tag, name, values) of fields to set to extremes in a TIFF of `n` bytes."""
    return [
        (256, "width", (0, 1, 65535, 2**32 - 1)),
        (257, "height", (0, 1, 65535, 2**32 - 1)),
        (258, "bits-per-sample", (0, 3, 12, 24, 64, 65535)),
        (277, "samples-per-pixel", (0, 2, 5, 65535)),
        (273, "strip-offsets", (0, n, n + 1000, 2**32 - 1)),
        (279, "strip-byte-counts", (0, 2**32 - 1)),
        (278, "rows-per-strip", (0, 2**32 - 1)),
        (259, "compression", (2, 3, 4, 6, 7, 99, 32773, 34712, 50000)),
        (262, "photometric", (3, 5, 6, 8, 32844, 99)),
    ]


def _tiff_hand_made():
    """(name, bytes) of 8x8 TIFFs holding values Pillow's own never do."""
    tiff = functools.partial(_tiff_file, 8, 8)
    pixels = bytes(64)
    floats = [(339, 3, 3)]  # SampleFormat: IEEE floating point
    tiles = [(322, 4, 0), (323, 4, 0), (324, 4, 8), (325, 4, 64)]
    infinities = b"\x00\x00\x80\x7f" * 32 + b"\x00\x00\x80\xff" * 32
    return [
        ("hand-big-endian", tiff(pixels, order=">")),
        ("hand-next-ifd-past-end", tiff(pixels, next_ifd=10_000)),
        ("hand-next-ifd-into-data", tiff(pixels, next_ifd=130)),
        ("hand-next-ifd-self", tiff(pixels, next_ifd=None)),
        ("hand-palette-no-colormap", tiff(pixels, photometric=3)),
        ("hand-ycbcr", tiff(pixels * 3, samples=3, photometric=6)),
        ("hand-lab", tiff(pixels * 3, samples=3, photometric=8)),
        ("hand-logluv", tiff(pixels, compression=34676, photometric=32845)),
        ("hand-deflate-garbage", tiff(b"garbage" * 8, compression=8)),
        ("hand-lzw-garbage", tiff(b"\xff" * 64, compression=5)),
        ("hand-jpeg-garbage", tiff(b"\xff\xd8" + bytes(62), compression=7)),
        ("hand-ccitt-garbage", tiff(b"\xaa" * 64, bits=1, compression=3)),
        ("hand-bits-7", tiff(pixels, bits=7)),
        ("hand-bits-32-int", tiff(pixels * 4, bits=32, extra=[(339, 2, 2)])),
        ("hand-float-64", tiff(pixels * 8, bits=64, extra=floats)),
        ("hand-float-nan", tiff(b"\x00\x00\xc0\x7f" * 64, bits=32, extra=floats)),
        ("hand-float-inf", tiff(infinities, bits=32, extra=floats)),
        ("hand-tile-no-offsets", tiff(pixels, extra=[(322, 4, 16), (323, 4, 16)])),
        ("hand-tile-0", tiff(pixels, extra=tiles)),
        ("hand-rows-per-strip-0", tiff(pixels, rows_per_strip=0)),
        ("hand-samples-2", tiff(pixels * 2, samples=2)),
        ("hand-cmyk-1-sample", tiff(pixels, photometric=5)),
    ]


# An MPF index (of a multi-picture JPEG) that claims 65535 images.
_MPF_65535 = _exif_tiff(
    [(0xB000, 7, 4, 0x30303130), (0xB001, 4, 1, 65535), (0xB002, 7, 65535 * 16, 50)]
)


# (name, marker, payload) of segments a JPEG may carry, hostile.
_JPEG_SEGMENTS = [
    ("icc-garbage", 0xE2, b"ICC_PROFILE\x00\x01\x01" + b"not a profile" * 4),
    ("icc-bad-sequence", 0xE2, b"ICC_PROFILE\x00\x05\x02" + bytes(8)),
    ("mpf-garbage", 0xE2, b"MPF\x00II*\x00\x08\x00\x00\x00\x03\x00" + bytes(40)),
    ("mpf-65535-images", 0xE2, b"MPF\x00" + _MPF_65535),
    ("adobe-transform-7", 0xEE, b"Adobe\x00\x64\x00\x00\x00\x00\x07"),
]


def _header_jpeg(data):
    at = _jpeg_sof(data)
    if at is None:
        return []
    rows = [
        ("height-{}", at + 5, "H", [0]),
        ("width-{}", at + 7, "H", [0]),
        ("height-{}", at + 5, "H", [65535]),
        ("width-{}", at + 7, "H", [65535]),
        ("size-{}x{}", at + 5, "HH", [(65535, 65535), (1, 1)]),
        ("length-{}", at + 2, "H", [0, 65535]),
        ("precision-{}", at + 4, "B", [0, 12, 16, 255]),
        ("components-{}", at + 9, "B", [0, 2, 4, 255]),
        ("sampling-{:x}", at + 11, "B", [0, 0xFF]),
        ("quant-table-{}", at + 12, "B", [15]),
        ("sof-{:02X}", at + 1, "B", [0xC3, 0xC5, 0xCF, 0xCC]),
    ]
    exifs = [(f"exif-{name}", 0xE1, b"Exif\x00\x00" + exif) for name, exif in _EXIFS]
    for name, marker, payload in exifs + _JPEG_SEGMENTS:
        rows.append((name, _jpeg_insert(data, marker, payload)))
    rows += [
        ("marker-length-1", data[:2] + b"\xff\xe0\x00\x01" + data[2:]),
        ("com-past-end", data[:2] + b"\xff\xfe\xff\xff" + b"comment"),
    ]
    return _edits(data, ">", rows)


def _header_webp(data):
    if len(data) < 20 or not data.startswith(b"RIFF"):
        return []
    rows = [
        ("riff-size-0", 4, "I", [0]),
        ("riff-size-2**32-1", 4, "I", [2**32 - 1]),
        ("riff-size-past-end", 4, "I", [len(data) + 100]),
        ("chunk-size-0", 16, "I", [0]),
        ("chunk-size-2**32-1", 16, "I", [2**32 - 1]),
        ("webx", data[:8] + b"WEBX" + data[12:]),
    ]
    for fourcc, start, end in _riff_chunks(data):
        rows += _webp_chunk_rows(data, fourcc, start, end - start)
    if data[12:16] != b"VP8X":
        for name, canvas in [("16383x16383", _CANVAS_16383), ("1x1", bytes(6))]:
            wrapped = b"WEBP" + _riff_chunk(b"VP8X", bytes(4) + canvas) + data[12:]
            rows.append((f"vp8x-wrap-{name}", _riff_chunk(b"RIFF", wrapped)))
    else:
        for name, exif in _EXIFS[:6]:
            body = bytearray(data[8:] + _riff_chunk(b"EXIF", exif))
            body[12] |= 0x08  # the EXIF flag of VP8X
            rows.append((f"exif-{name}", _riff_chunk(b"RIFF", bytes(body))))
    return _edits(data, "<", rows)


def _webp_chunk_rows(data, fourcc, start, size):
    """Edits of the VP8, VP8L or VP8X chunk of a WebP at `start`."""
    flags = data[start + 8] if size > 8 else 0
    if fourcc == b"VP8 " and size >= 18:
        at = start + 8 + 6  # after the frame tag and the start code
        return [
            ("vp8-{}x{}", at, "HH", [(16383, 16383)]),
            ("vp8-scale-3", at, "H", [0xC000 | 100]),
            ("vp8-{}x{}", at, "HH", [(0, 0)]),
            ("vp8-bad-start-code", start + 11, "B", [0]),
            ("vp8-keyframe-bit", start + 8, "B", [flags | 1]),
        ]
    if fourcc == b"VP8L" and size >= 13:
        version = data[start + 12]
        bits = (16383 - 1) | ((16383 - 1) << 14) | (version & 0xF0) << 24
        return [
            ("vp8l-16383x16383", start + 9, "I", [bits]),
            ("vp8l-version-7", start + 12, "B", [version | 0xE0]),
            ("vp8l-bad-signature", start + 8, "B", [0x2E]),
        ]
    if fourcc == b"VP8X" and size >= 18:
        return [
            ("vp8x-16383x16383", start + 12, "6s", [_CANVAS_16383]),
            ("vp8x-animation-flag", start + 8, "B", [flags | 0x02]),
            ("vp8x-icc-flag", start + 8, "B", [flags | 0x20]),
            ("vp8x-2**24x2**24", start + 12, "6s", [b"\xff" * 6]),
        ]
    return []


def _header_ico(data):
    if len(data) < 22 or data[:4] != b"\x00\x00\x01\x00":
        return []
    rows = [
        ("count-{}", 4, "H", [0, 255, 65535]),
        ("entry-offset-past-end", 18, "I", [len(data) + 10]),
        ("entry-offset-0", 18, "I", [0]),
        ("entry-size-2**31", 14, "I", [2**31]),
        ("entry-size-0", 14, "I", [0]),
        ("entry-bpp-{}", 12, "H", [0, 255]),
        ("type-2-cursor", 2, "H", [2]),
        ("type-3", 2, "H", [3]),
    ]
    entries = _ico_entries(data)
    for index, (*_, payload) in enumerate(entries[:2]):
        for name, broken in _broken_ico_images(payload):
            changed = list(entries)
            changed[index] = (*entries[index][:3], broken)
            rows.append((f"entry{index}-{name}", _ico_file(changed)))
    return _edits(data, "<", rows)


# Edits of the IHDR of a PNG in an ICO.
_ICO_IHDR_EDITS = [
    ("png-{}x{}", 0, "IIBB", [(9000, 9000, 8, 6), (0, 0, 8, 6)]),
    ("png-depth-{}", 8, "B", [3]),
]


def _broken_ico_images(payload):
    """(name, bytes) of an ICO's PNG or BMP image, damaged."""
    if payload.startswith(PNG_SIGNATURE):
        rows = [
            ("png-truncated", payload[: len(payload) // 2]),
            ("png-bad-ihdr-crc", 29, "I", [0]),
            ("png-garbage-after-signature", PNG_SIGNATURE + b"garbage" * 4),
            *_png_ihdr_edits(payload, _ICO_IHDR_EDITS),
            ("png-only-signature", PNG_SIGNATURE),
        ]
    else:
        rows = [
            ("dib-truncated", payload[: len(payload) // 3]),
            ("dib-bpp-{}", 14, "H", [3, 0]),
            ("dib-compression-{}", 16, "I", [3, 99]),
            ("dib-height-0", 8, "I", [0]),
            ("dib-header-size-0", 0, "I", [0]),
        ]
    return _edits(payload, "<", rows)


def _header_pcx(data):
    if len(data) < 128 or data[0] != 0x0A:
        return []
    rows = [
        ("bpp-{}", 3, "B", [0, 2, 3, 16, 255]),
        ("planes-{}", 65, "B", [0, 2, 5, 255]),
        ("bytes-per-line-{}", 66, "H", [0, 1, 65535]),
        ("xmax-below-xmin", 4, "H", [1000]),
        ("xmax-{}", 8, "H", [65535]),
        ("ymax-{}", 10, "H", [65535]),
        ("version-{}", 1, "B", [99]),
        ("encoding-{}", 2, "B", [0, 7]),
        ("palette-info-{}", 68, "H", [2]),
        ("no-palette-marker", data[:-769] if len(data) > 897 else data[:128]),
    ]
    return _edits(data, "<", rows)


def _header_tga(data):
    if len(data) < 18:
        return []
    rows = [
        ("image-type-{}", 2, "B", [0, 1, 3, 9, 11, 32, 99]),
        ("depth-{}", 16, "B", [0, 7, 15, 64]),
        ("colormap-type-{}", 1, "B", [1]),
        ("colormap-length-{}", 5, "H", [65535]),
        ("width-{}", 12, "H", [0, 65535]),
        ("height-{}", 14, "H", [65535]),
        ("id-length-{}", 0, "B", [255]),
        ("descriptor-{:x}", 17, "B", [255]),
    ]
    return _edits(data, "<", rows)


def _header_ppm(data):
    match = re.match(rb"(P[1-7])\s+(\d+)\s+(\d+)\s+(?:(\d+)\s)?", data)
    if match is None:
        return []
    magic, width, height, maxval = match.groups()
    pixels = data[match.end() :]

    def header(m=magic, w=width, h=height, v=maxval):
        return b"%s\n%s %s\n" % (m, w, h) + (b"" if v is None else v + b"\n") + pixels

    out = [
        ("width-0", header(w=b"0")),
        ("height-0", header(h=b"0")),
        ("width-99999999", header(w=b"99999999")),
        ("size-65535x65535", header(w=b"65535", h=b"65535")),
        ("width-negative", header(w=b"-1")),
        ("width-non-decimal", header(w=b"\xd9\xa3")),
        ("width-huge-digits", header(w=b"9" * 200)),
        ("comment-huge", header(m=magic + b"\n#" + b"c" * 10_000, v=maxval or b"")),
        ("magic-P7", header(m=b"P7")),
        ("magic-Pf", header(m=b"Pf")),
    ]
    maxvals = [] if maxval is None else [b"0", b"65535", b"65536", b"1"]
    return out + [(f"maxval-{v.decode()}", header(v=v)) for v in maxvals]


def _header_dds(data):
    if len(data) < 128 or not data.startswith(b"DDS "):
        return []
    fourcc = _put(data, 80, "<I", 0x4)  # DDPF_FOURCC
    dx10 = _put(fourcc, 84, "<4s", b"DX10")
    dx10 = dx10[:128] + struct.pack("<IIIII", 999, 3, 0, 1, 0) + dx10[128:]
    rows = [
        ("pixel-flags-{:x}", 80, "I", [0, 0xFFFF]),
        ("fourcc-ABCD", _put(fourcc, 84, "<4s", b"ABCD")),
        ("fourcc-DX10-format-999", dx10),
        ("fourcc-DXT1-truncated", _put(fourcc, 84, "<4s", b"DXT1")[:140]),
        ("height-{}", 12, "I", [0]),
        ("width-{}", 16, "I", [65535]),
        ("size-2**31-square", 12, "II", [(2**31, 2**31)]),
        ("bit-count-{}", 88, "I", [0, 7, 64]),
        ("header-size-{}", 4, "I", [0]),
        ("pixel-format-size-{}", 76, "I", [0]),
    ]
    return _edits(data, "<", rows)


_HEADER_MUTATORS = {
    "dds": _header_dds,
    "png": _header_png,
    "bmp": _header_bmp,
    "gif": _header_gif,
    "tiff": _header_tiff,
    "jpeg": _header_jpeg,
    "webp": _header_webp,
    "ico": _header_ico,
    "pcx": _header_pcx,
    "tga": _header_tga,
    "ppm": _header_ppm,
    "pgm": _header_ppm,
}


# ---------------------------------------------------------------------------
# Bombs


def bombs():
    """Small files that claim huge images, or really decode to them.

    PNG headers claiming 5000x5000, 20000x20000 and 65535x65535 (a valid
    zlib IDAT of a few zero rows); a real 9000x9000 PNG of zeros and a real
    4000x4000 one of a drawn "1" (16 megapixels), compressed row by row; a
    zTXt chunk that inflates to 20 MB; a GIF claiming 65535x65535 and one of
    3000 frames; ICOs whose embedded PNG claims, or is, 9000x9000; TIFFs
    claiming 100000x100000, a real 4000x4000 deflated one and a chain of
    2000 IFDs; a WebP VP8X claiming 16383x16383, and real lossless WebPs of
    4000x4000, 9000x9000 and 16383x16383 black pixels in 34 bytes each;
    JPEGs claiming 65500x65500, or really 4000x4000; a BMP of 4000x4000 in
    RLE8. Every file is under 2 MB.
    """
    return list(_bombs())


@functools.lru_cache(maxsize=1)
def _bombs():
    return tuple(
        HostileInput(f"bomb-{fmt}", name, MIME[fmt], data)
        for fmt, files in _BOMBS.items()
        for name, data in files()
    )


def _png_bombs():
    """(name, bytes) of PNGs that claim, or are, huge."""
    out = []
    for side in (5000, 20000, 65535):
        idat = zlib.compress(bytes(side + 1) * 4)
        out.append((f"claims-{side}x{side}.png", _png_file(side, side, idat)))
    rgba16 = _png_file(30000, 30000, zlib.compress(bytes(30000 * 8 + 1) * 2), 16, 6)
    zeros = _png_file(9000, 9000, _deflate(itertools.repeat(bytes(9001) * 100, 90)))
    digit = _png_file(4000, 4000, _deflate(_one_rows(4000)))
    eight = zlib.compress(bytes(9) * 8)  # the IDAT of 8x8 zeros
    tiny = _png_file(8, 8, eight)
    inflated_20mb = _deflate(itertools.repeat(bytes(2**20), 20))
    xmp = zlib.compress(b"<x>" * 3_000_000, 9)
    empty_idats = _png_file(8, 8, eight, extra=_png_chunk(b"IDAT", b"") * 50_000)
    frames = struct.pack(">II", 2**31 - 1, 0)
    return out + [
        ("claims-30000x30000-rgba16.png", rgba16),
        ("real-9000x9000-zeros.png", zeros),
        ("real-4000x4000-digit.png", digit),
        (
            "ztxt-20MB.png",
            _png_insert(tiny, (b"zTXt", b"Comment\x00\x00" + inflated_20mb)),
        ),
        (
            "itxt-9MB.png",
            _png_insert(
                tiny, (b"iTXt", b"XML:com.adobe.xmp\x00\x01\x00\x00\x00" + xmp)
            ),
        ),
        ("iccp-20MB.png", _png_insert(tiny, (b"iCCP", b"icc\x00\x00" + inflated_20mb))),
        ("50000-empty-idat-chunks.png", empty_idats),
        ("apng-2**31-1-frames.png", _png_insert(tiny, (b"acTL", frames))),
    ]


def _gif_bombs():
    screen = _gif_file(4000, 4000, (0, 0, 1, 1), frames=3000)
    return [
        ("claims-65535x65535.gif", _gif_file(65535, 65535, (0, 0, 65535, 65535))),
        ("frames-3000.gif", _gif_file(1, 1, frames=3000)),
        ("frames-3000-screen-4000x4000.gif", screen),
    ]


def _ico_bombs():
    claim = _png_file(9000, 9000, zlib.compress(bytes(9000 * 4 + 1) * 2), 8, 6)
    rows = itertools.repeat(bytes(9000 // 8 + 1) * 100, 90)
    real = _png_file(9000, 9000, _deflate(rows), bit_depth=1)
    return [
        ("png-claims-9000x9000.ico", _ico_file([(0, 0, 32, claim)])),
        ("png-real-9000x9000-1bit.ico", _ico_file([(0, 0, 32, real)])),
        ("png-real-9000x9000-as-16x16.ico", _ico_file([(16, 16, 32, real)])),
    ]


def _tiff_bombs():
    deflated = _deflate(itertools.repeat(bytes(4000 * 1000), 4))
    lzw = b"\x80" + bytes(63)
    return [
        ("claims-100000x100000.tif", _tiff_file(100_000, 100_000, bytes(64))),
        ("real-4000x4000-deflate.tif", _tiff_file(4000, 4000, deflated, compression=8)),
        ("claims-65535x65535-lzw.tif", _tiff_file(65535, 65535, lzw, compression=5)),
        ("ifd-chain-2000.tif", _tiff_chain(2000)),
    ]


def _webp_bombs():
    pixel = _encode(Image.new("RGB", (1, 1)), "WEBP", lossless=True)
    vp8x = _riff_chunk(b"VP8X", bytes(4) + _CANVAS_16383)
    claim = _riff_chunk(b"RIFF", b"WEBP" + vp8x + pixel[12:])
    real = [
        (f"real-{n}x{n}-lossless.webp", _webp_zeros(n)) for n in (4000, 9000, 16383)
    ]
    return [("vp8x-claims-16383x16383.webp", claim), *real]


def _jpeg_bombs():
    jpeg = _encode(Image.new("L", (16, 16), 255), "JPEG")
    at = _jpeg_sof(jpeg) + 5  # the height, then the width
    big = Image.new("L", (4000, 4000), 230)
    ImageDraw.Draw(big).line([(2000, 800), (2000, 3200)], fill=20, width=300)
    return [
        ("claims-65500x65500.jpg", _put(jpeg, at, ">HH", 65500, 65500)),
        ("claims-3999x4000.jpg", _put(jpeg, at, ">HH", 3999, 4000)),
        ("real-4000x4000-digit.jpg", _encode(big, "JPEG", quality=50)),
    ]


def _bmp_bombs():
    claim = _bmp_file(50_000, -50_000, 8, bytes(64), palette=bytes(1024))
    return [
        ("real-4000x4000-rle8.bmp", _bmp_rle8(4000, 4000)),
        ("claims-2**31-1-square.bmp", _bmp_file(2**31 - 1, 2**31 - 1, 24, b"")),
        ("claims-50000x-50000.bmp", claim),
    ]


_BOMBS = {
    "png": _png_bombs,
    "gif": _gif_bombs,
    "ico": _ico_bombs,
    "tiff": _tiff_bombs,
    "webp": _webp_bombs,
    "jpeg": _jpeg_bombs,
    "bmp": _bmp_bombs,
}


def _deflate(blocks):
    """zlib data of `blocks` (bytes), compressed as they come: a huge whole
    is never in memory."""
    compressor = zlib.compressobj(9)
    return b"".join([*map(compressor.compress, blocks), compressor.flush()])


def _one_rows(side):
    """Rows (filter byte first) of a light "1" on black, `side` square."""
    blank = bytes(side + 1)
    stroke = bytearray(blank)
    stroke[1 + side * 45 // 100 : 1 + side * 53 // 100] = b"\xff" * (side * 8 // 100)
    stroke = bytes(stroke)
    for row in range(side):
        yield stroke if side // 5 <= row < side * 4 // 5 else blank


# ---------------------------------------------------------------------------
# Not images


_TEXTS = {
    "hello": b"hello",
    "json": json.dumps(
        {"image": "digit.png", "label": 7, "pixels": [[0, 255]]}
    ).encode(),
    "json-array": b"[[0, 0, 255], [255, 0, 0]]",
    "html": b"<!DOCTYPE html><html><body><img src=x onerror=alert(1)></body></html>",
    "svg": b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="28" '
    b'height="28"><text x="4" y="24" font-size="24">7</text></svg>',
    "csv": b"label,pixel0,pixel1,pixel2\n7,0,0,255\n1,255,0,0\n",
    "xml-entities": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaa">'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><x>&b;&b;&b;</x>',
    "utf16": "\ufeffhello, digit".encode("utf-16-le"),
    "shell": b"#!/bin/sh\nrm -rf --no-preserve-root /\n",
    "multipart-text": b"--boundary\r\nContent-Disposition: form-data; name=file\r\n"
    b"\r\nx\r\n--boundary--\r\n",
    "long-line": b"7" * 100_000,
}


_MAGICS = {
    "png": PNG_SIGNATURE,
    "jpeg": b"\xff\xd8\xff\xe0",
    "gif87a": b"GIF87a",
    "gif89a": b"GIF89a",
    "bmp": b"BM",
    "tiff-ii": b"II*\x00",
    "tiff-mm": b"MM\x00*",
    "bigtiff": b"II+\x00\x08\x00\x00\x00",
    "webp": b"RIFF\x00\x01\x00\x00WEBPVP8 ",
    "webp-vp8x": b"RIFF\x00\x01\x00\x00WEBPVP8X",
    "ico": b"\x00\x00\x01\x00\x01\x00",
    "cur": b"\x00\x00\x02\x00\x01\x00",
    "pcx": b"\x0a\x05\x01\x08",
    "ppm": b"P6\n",
    "pgm": b"P5\n",
    "pam": b"P7\n",
    "pfm": b"Pf\n",
    "jp2": b"\x00\x00\x00\x0cjP  \r\n\x87\n",
    "j2k": b"\xffO\xffQ",
    "dds": b"DDS \x7c\x00\x00\x00",
    "qoi": b"qoif",
    "avif": b"\x00\x00\x00\x1cftypavif",
    "heic": b"\x00\x00\x00\x18ftypheic",
    "icns": b"icns",
    "psd": b"8BPS\x00\x01",
    "fits": b"SIMPLE  =                    T",
    "eps": b"%!PS-Adobe-3.0 EPSF-3.0\n",
    "eps-binary": b"\xc5\xd0\xd3\xc6",
    "wmf": b"\xd7\xcd\xc6\x9a",
    "emf": b"\x01\x00\x00\x00",
    "xbm": b"#define im_width ",
    "xpm": b"/* XPM */\n",
    "sgi": b"\x01\xda",
    "sun": b"\x59\xa6\x6a\x95",
    "im": b"Image type: L image\r\n",
    "fli": b"\x00\x00\x00\x00\x11\xaf",
    "gbr": b"\x00\x00\x00\x1c\x00\x00\x00\x02",
    "blp": b"BLP2",
    "ftex": b"FTEX",
    "dcx": b"\xb1\x68\xde\x3a",
    "msp": b"DanM",
    "pixar": b"\x80\xe8\x00\x00",
    "mic": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    "mpeg": b"\x00\x00\x01\xb3",
    "xvthumb": b"P7 332",
    "imt": b"name: x\r\n",
}
# The leading bytes of the formats above, to build files that start right.
SIGNATURES = tuple(sorted(set(_MAGICS.values())))


def non_images(seed=0):
    """Bytes that are not images, though a client may call them one.

    Empty and one-byte bodies, random bytes of many lengths, texts (JSON,
    HTML, SVG, CSV, XML, UTF-16, a data URL), archives (zip, gzip, zlib),
    a PDF, polyglots (a PNG with a zip appended, ``GIF89a<script>``, ...),
    ``.npy`` files (good ones, a pickled one, one claiming a huge shape), the
    signatures of some 45 formats followed by garbage or zeros, and a few
    tiny hand-made files of formats Pillow reads but does not write (FITS,
    EPS, XPM).
    """
    rng = _rng("non-images", seed)
    nrng = _np_rng(rng)
    items = [
        HostileInput("empty", _filename(rng, "empty", "png"), content_type, b"")
        for content_type in ("image/png", "application/octet-stream", "image/jpeg", "")
    ]
    for draft in _non_image_drafts(rng, nrng):
        lied = rng.random() < draft.lie
        content_type = _content_type(rng, "image/png") if lied else draft.mime
        filename = _filename(rng, draft.stem, draft.ext)
        items.append(HostileInput(draft.kind, filename, content_type, draft.data))
    return items


class _Draft(NamedTuple):
    """A file of :func:`non_images` before its name and content type."""

    kind: str
    stem: str
    ext: str
    mime: str
    data: bytes
    lie: float = 0.6
    """The chance that its content type is an image's, not `mime`."""


def _non_image_drafts(rng, nrng):
    """The drafts of :func:`non_images`, made lazily: some draw from `rng`,
    between the draws for the names and content types of the ones before."""
    yield from _byte_drafts(rng, nrng)
    png = _small_png(rng)
    yield from _text_drafts(rng, png)
    stored_zip = _zip(("digit.png", png, zipfile.ZIP_STORED))
    yield from _archive_drafts(png, stored_zip)
    yield from _polyglot_drafts(png, stored_zip)
    for name, data in _npy_files(rng):
        kind = "npy-bad" if name.startswith("bad") else "npy"
        yield _Draft(kind, f"array-{name}", "npy", "application/octet-stream", data)
    yield from _magic_drafts(rng)
    for kind, ext, data in _hand_made_readable():
        mime = MIME.get(ext, "application/octet-stream")
        yield _Draft(kind, kind, ext, mime, data, 0.3)


def _magic_drafts(rng):
    """The signatures of many formats, then garbage or zeros."""
    for name, magic in _MAGICS.items():
        mime = MIME.get(name.split("-")[0], "application/octet-stream")
        for filler, rest in (("garbage", rng.randbytes(64)), ("zeros", bytes(64))):
            stem = f"magic-{name}-{filler}"
            yield _Draft(f"magic-{name}", stem, "bin", mime, magic + rest, 0.3)
    ihdr_only = PNG_SIGNATURE + _ihdr(28, 28)
    yield _Draft(
        "magic-png", "png-signature-ihdr-only", "png", "image/png", ihdr_only, 0
    )


# Lengths of random files, from 2 bytes to a megabyte.
_RANDOM_LENGTHS = (2, 3, 4, 7, 8, 16, 31, 64, 100, 255, 1000, 4096)
_RANDOM_LENGTHS += (10_000, 65_536, 100_000, 1_000_000)


def _byte_drafts(rng, nrng):
    for byte in (b"\x00", b"\xff", b"\x89", b"P", b"B", b"I", b"\n"):
        yield _Draft("one-byte", f"one-byte-{byte.hex()}", "png", "image/png", byte, 1)
    octets = "application/octet-stream"
    for length in _RANDOM_LENGTHS:
        data = rng.randbytes(length)
        yield _Draft("random-bytes", f"random-{length}", "png", octets, data)
    yield _Draft("random-bytes", "zeros-1000", "png", "image/png", bytes(1000))
    yield _Draft("random-bytes", "ones-1000", "png", "image/png", b"\xff" * 1000)
    noise = bytes(nrng.integers(32, 127, 2000, dtype=np.uint8))
    yield _Draft("random-bytes", "ascii-noise", "jpg", "image/jpeg", noise)


_TEXT_MIMES = {"json": "application/json", "html": "text/html", "svg": "image/svg+xml"}


def _text_drafts(rng, png):
    encoded = base64.b64encode(png)
    texts = {
        **_TEXTS,
        "data-url": b"data:image/png;base64," + encoded,
        "base64": encoded,
    }
    for name, data in texts.items():
        ext = "png" if rng.random() < 0.5 else "txt"
        mime = _TEXT_MIMES.get(name, "text/plain")
        yield _Draft("text", f"text-{name}", ext, mime, data)


def _archive_drafts(png, stored_zip):
    traversal = _zip(
        ("digit.png", png, zipfile.ZIP_DEFLATED),
        ("../../evil.txt", b"x" * 1000, zipfile.ZIP_DEFLATED),
    )
    gzip = zlib.compressobj(9, zlib.DEFLATED, 31)
    pdf = (
        b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
        b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )
    return [
        _Draft("zip", "stored-png", "zip", "application/zip", stored_zip),
        _Draft("zip", "deflated-traversal", "zip", "application/zip", traversal),
        _Draft("zip", "empty", "zip", "application/zip", b"PK\x05\x06" + bytes(18)),
        _Draft(
            "gzip",
            "png",
            "png.gz",
            "application/gzip",
            gzip.compress(png) + gzip.flush(),
        ),
        _Draft("gzip", "zlib-png", "png", "image/png", zlib.compress(png)),
        _Draft("pdf", "pdf", "pdf", "application/pdf", pdf),
    ]


def _polyglot_drafts(png, stored_zip):
    """Files that are an image and something else, sent as the image."""
    html = b"<html><script>alert(1)</script></html>"
    jpeg = _encode(Image.open(io.BytesIO(png)).convert("RGB"), "JPEG")
    files = [
        ("png-plus-zip", "png", png + stored_zip),
        ("gif-script", "gif", b"GIF89a<script>alert(1)</script>"),
        (
            "gif-header-script",
            "gif",
            b"GIF89a/*\x01\x00\x01\x00\x00\x00\x00*/=alert(1);",
        ),
        ("bmp-html", "bmp", b"BM" + html),
        ("html-then-png", "png", b"<html></html>" + png),
        ("zip-then-png", "png", stored_zip + png),
        ("png-text-html", "png", _png_insert(png, (b"tEXt", b"Comment\x00" + html))),
        ("jpeg-comment-html", "jpeg", _jpeg_insert(jpeg, 0xFE, html)),
        ("jpeg-then-png", "jpeg", jpeg + png),
    ]
    return [
        _Draft("polyglot", stem, _FORMATS[fmt][1], MIME[fmt], data, 0)
        for stem, fmt, data in files
    ]


def _zip(*members):
    """A zip of (name, bytes, compression) members with a fixed date: the
    same bytes every time."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data, compression in members:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            archive.writestr(info, data, compression)
    return buffer.getvalue()


def _small_png(rng):
    return _encode(_Drawing(rng, 64, False).image("L"), "PNG")


def _digit_28():
    """A 28x28 grey "1", light on black."""
    pixels = np.zeros((28, 28), np.uint8)
    pixels[4:24, 12:16] = 255
    return pixels


def _npy(array, allow_pickle=False):
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=allow_pickle)
    return buffer.getvalue()


def _npy_raw(header, body=b""):
    """A version 1.0 ``.npy`` file written by hand: `header`, then `body`."""
    text = (header.ljust(118) + "\n").encode()
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text + body


def _npy_files(rng):
    """(name, bytes) of ``.npy`` files: good, odd and hostile (``bad-*``)."""
    nrng = _np_rng(rng)
    digit = _digit_28()
    arrays = [
        ("digit-28x28-uint8", digit),
        ("stack-3x784-float32", nrng.random((3, 784), dtype=np.float32) * 255),
        ("flat-784", digit.ravel()),
        ("fortran-order", np.asfortranarray(np.dstack([digit] * 2)[:, :, 0])),
        ("empty-0x28x28", np.zeros((0, 28, 28), np.uint8)),
        ("bool", digit > 0),
        ("complex", digit.astype(np.complex64)),
        ("strings", np.array(["7"] * 784).reshape(28, 28)),
        ("structured", np.zeros((28, 28), dtype=[("a", "u1"), ("b", "f4")])),
        ("nan-inf", np.where(digit > 0, np.inf, np.nan).astype(np.float32)),
        ("scalar", np.float64(7)),
        ("wrong-size-10x10", np.zeros((10, 10), np.uint8)),
    ]
    objects = np.array([{"a": 1}, None], dtype=object)
    huge = "{'descr': '|u1', 'fortran_order': False, 'shape': (1099511627776,), }"
    huge_2d = "{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 100000), }"
    return [(name, _npy(array)) for name, array in arrays] + [
        ("bad-pickled-object", _npy(objects, allow_pickle=True)),
        ("bad-huge-shape", _npy_raw(huge, bytes(16))),
        ("bad-huge-2d", _npy_raw(huge_2d, bytes(64))),
        ("bad-code-header", _npy_raw("__import__('os').system('true')")),
        ("bad-version-9", b"\x93NUMPY\x09\x00" + bytes(20)),
        ("bad-magic-only", b"\x93NUMPY"),
        ("bad-header-length-65535", b"\x93NUMPY\x01\x00\xff\xff{'descr'"),
        ("bad-pickle", pickle.dumps({"pixels": [0] * 784}, protocol=4)),
    ]


def _fits(bitpix, data):
    """A 28x28 FITS file of `bitpix` bits a pixel: its header, then `data`."""
    cards = [
        "SIMPLE  =                    T",
        f"BITPIX  = {bitpix:>20}",
        "NAXIS   =                    2",
        "NAXIS1  =                   28",
        "NAXIS2  =                   28",
        "END",
    ]
    return "".join(card.ljust(80) for card in cards).ljust(2880).encode() + data


def _hand_made_readable():
    """(kind, extension, bytes) of tiny files Pillow reads but cannot write."""
    xpm = (
        b'/* XPM */\nstatic char *d[] = {\n"4 4 2 1",\n"  c #FFFFFF",\n". c #000000",\n'
        b'" .. ",\n" .. ",\n" .. ",\n" .. "};\n'
    )
    return [
        ("format-fits", "fits", _fits(8, _digit_28().tobytes().ljust(2880, b"\x00"))),
        ("format-fits", "fits", _fits(-64, bytes(2880))),
        (
            "format-eps",
            "eps",
            b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 28 28\n"
            b"newpath 14 4 moveto 14 24 lineto stroke\nshowpage\n%%EOF\n",
        ),
        (
            "format-eps",
            "eps",
            b"%!PS-Adobe-3.0 EPSF-3.0\n%%Title: no bounding box\nshowpage\n",
        ),
        ("format-xpm", "xpm", xpm),
        ("format-xpm", "xpm", xpm.replace(b'"4 4 2 1"', b'"40000 40000 2 1"')),
    ]


# ---------------------------------------------------------------------------
# The corpus and samples of it


def corpus(seed=0):
    """Every item: valid files, their mutations, bombs and non-images.

    In a stable order, the same for the same `seed`: about 3,500 items.
    """
    return list(_corpus(seed))


@functools.lru_cache(maxsize=2)
def _corpus(seed):
    valid = valid_images(seed)
    return tuple(valid + mutations(valid, seed) + bombs() + non_images(seed))


# Kinds that are a family of their own.
_WHOLE_KINDS = {"one-byte", "random-bytes"}


def family(kind):
    """The broader family of a kind: ``"truncated-webp"`` -> ``"truncated"``."""
    return kind if kind in _WHOLE_KINDS else kind.split("-", 1)[0]


def sample(n, seed=0):
    """`n` items of the corpus of `seed`, stratified.

    Every family first (in a seeded order), then every kind, then more of
    each kind in turn.
    """
    by_kind = {}
    for item in corpus(seed):
        by_kind.setdefault(item.kind, []).append(item)
    rng = _rng("sample", seed)
    for items in by_kind.values():
        rng.shuffle(items)
    kinds = sorted(by_kind)
    rng.shuffle(kinds)
    first_of_family = {}
    for kind in kinds:
        first_of_family.setdefault(family(kind), kind)
    leaders = list(first_of_family.values())
    order = leaders + [kind for kind in kinds if kind not in set(leaders)]
    # The first of each kind (in that order), then the second, and so on.
    rounds = itertools.zip_longest(*(by_kind[kind] for kind in order))
    items = filter(None, itertools.chain.from_iterable(rounds))  # None: none left
    return list(itertools.islice(items, n))


# ---------------------------------------------------------------------------
# Multipart requests


def multipart_bodies(seed=0):
    """(kind, content type, body) of malformed ``multipart/form-data`` requests.

    For ``/predict`` and ``/predict/batch`` alike, with a few valid ones
    (``multipart-valid*``) that check the generator itself. A boundary
    missing, empty, absent from the body, 200 characters long or of odd
    characters; no closing boundary; bodies truncated; a part without
    Content-Disposition, or with a filename but no name; a field instead of
    a file; 65 and 1000 files (over the batch limit of 64) and two for
    /predict; 5000 fields and 10000 empty parts; header lines of 20 kB; LF
    or CR instead of CRLF; non-UTF-8 and CRLF-injecting file names; a
    mixed-case ``Multipart/Form-Data; Boundary=...``; base64 and
    quoted-printable transfer encodings; a nested multipart/mixed part.
    """
    rng = _rng("multipart", seed)
    png = _small_png(rng)
    form = _Form(png, b"hostile" + rng.randbytes(8).hex().encode())
    out = []
    for requests in _REQUESTS:
        # (kind, body), and a content type where it is not the form's own.
        for kind, body, *content_type in requests(form):
            content_type = content_type[0] if content_type else form.content_type
            out.append((f"multipart-{kind}", content_type, body))
    out.append(("multipart-form-data-bare-junk", form.content_type, rng.randbytes(500)))
    return out


class _Form:
    """What the requests share: a small PNG, a boundary, its content type,
    the PNG's part (its headers) and a valid body of it alone."""

    def __init__(self, png, boundary):
        self.png = png
        self.boundary = boundary
        self.name = boundary.decode()
        self.content_type = f"multipart/form-data; boundary={self.name}"
        self.one = _file_part(png)
        self.headers = self.one[0]
        self.valid = self.body(self.one)

    def body(self, *parts, **options):
        """A body of (header lines, body) `parts` (options as for _form)."""
        return _form(self.boundary, list(parts), **options)

    def file(self, **fields):
        """A body of the PNG alone, its part's `fields` as for _file_part."""
        return self.body(_file_part(self.png, **fields))

    def headed(self, *headers):
        """A body of the PNG alone, under these header lines."""
        return self.body((list(headers), self.png))

    def disposed(self, value):
        """A body of the PNG alone, its Content-Disposition `value`."""
        return self.headed(b"Content-Disposition: " + value)

    def files(self, n, data=None):
        """`n` file parts of the PNG (or `data`), in a ``files`` field."""
        data = self.png if data is None else data
        return [_file_part(data, b"files", f"{i}.png".encode()) for i in range(n)]


def _form(boundary, parts, *, eol=b"\r\n", close=True, preamble=b"", epilogue=b""):
    """A multipart body of (header lines, body) parts."""
    out = [preamble]
    for headers, body in parts:
        out += [b"--", boundary, eol]
        out += [line + eol for line in headers]
        out += [eol, body, eol]
    if close:
        out += [b"--", boundary, b"--", eol]
    out.append(epilogue)
    return b"".join(out)


def _file_part(data, name=b"file", filename=b"digit.png", content_type=b"image/png"):
    disposition = b'Content-Disposition: form-data; name="' + name + b'"'
    if filename is not None:
        disposition += b'; filename="' + filename + b'"'
    headers = [disposition]
    if content_type is not None:
        headers.append(b"Content-Type: " + content_type)
    return headers, data


def _valid_requests(form):
    start = b"--" + form.boundary
    padded = form.valid.replace(start + b"\r\n", start + b" \t\r\n")
    lookalike = form.png + b"\r\n--" + form.boundary[:-1] + b"x\r\n" + form.png
    quoted = f'{form.content_type.split("=")[0]}="{form.name}"'
    return [
        ("valid", form.valid),
        ("valid-batch", form.body(*form.files(3))),
        ("valid-quoted-boundary", form.valid, quoted),
        ("valid-transport-padding", padded),
        ("valid-boundary-in-data", form.body(_file_part(lookalike))),
        ("valid-64-files", form.body(*form.files(64))),
    ]


def _framing_requests(form):
    """Boundaries missing or wrong, bodies cut short."""
    valid = form.valid
    cut = [
        (f"truncated-{round(part * 100)}pct", valid[: round(len(valid) * part)])
        for part in (0.05, 0.5, 0.9)
    ]
    return [
        ("no-boundary", valid, "multipart/form-data"),
        ("empty-boundary", valid, "multipart/form-data; boundary="),
        ("boundary-absent", _form(b"other" + form.boundary, [form.one])),
        ("no-closing", form.body(form.one, close=False)),
        *cut,
        ("truncated-in-headers", valid[: len(form.boundary) + 30]),
        ("empty-body", b""),
        ("only-closing", b"--" + form.boundary + b"--\r\n"),
    ]


def _part_requests(form):
    """Parts with no name or no file, and too many parts."""
    label = _file_part(b"7", b"label", None, None)
    second = _file_part(form.png, filename=b"second.png")
    fields = [_file_part(b"1", f"f{i}".encode(), None, None) for i in range(5000)]
    return [
        ("no-disposition", form.headed(b"Content-Type: image/png")),
        ("filename-no-name", form.disposed(b'form-data; filename="a.png"')),
        ("field-not-file", form.file(filename=None, content_type=None)),
        ("field-and-file", form.body(label, form.one)),
        ("65-files", form.body(*form.files(65))),
        ("1000-files", form.body(*form.files(1000, b"x"))),
        ("two-files", form.body(form.one, second)),
        ("5000-fields", form.body(*fields, form.one)),
        ("10000-empty-parts", form.body(*[([], b"")] * 10_000)),
    ]


def _header_requests(form):
    """Part headers long, many, malformed or repeated."""
    headers = form.headers
    many = [f"X-H{i}: v".encode() for i in range(200)]
    other = b'Content-Disposition: form-data; name="other"'
    attachment = b'attachment; name="file"; filename="a.png"'
    return [
        ("header-20kB", form.file(content_type=b"image/png; x=" + b"a" * 20_000)),
        ("filename-20kB", form.file(filename=b"f" * 20_000 + b".png")),
        ("200-headers", form.headed(*headers, *many)),
        ("header-no-colon", form.headed(*headers, b"no colon here")),
        ("duplicate-disposition", form.headed(headers[0], other)),
        ("unquoted-params", form.disposed(b"form-data; name=file; filename=a.png")),
        ("disposition-attachment", form.disposed(attachment)),
    ]


def _boundary_requests(form):
    """Boundaries long or odd, lines ended by LF or CR alone."""
    long = b"b" * 200
    odd = b"'()+_,-./:=?"
    return [
        (
            "boundary-200",
            _form(long, [form.one]),
            f"multipart/form-data; boundary={long.decode()}",
        ),
        (
            "boundary-odd-chars",
            _form(odd, [form.one]),
            f'multipart/form-data; boundary="{odd.decode()}"',
        ),
        ("lf-only", form.body(form.one, eol=b"\n")),
        ("cr-only", form.body(form.one, eol=b"\r")),
    ]


def _filename_requests(form):
    star = b"form-data; name=\"file\"; filename*=UTF-8''%E6%95%B0.png"
    return [
        ("non-utf8-filename", form.file(filename=b"\xff\xfe\xc3(.png")),
        ("latin1-name", form.file(name=b"f\xe9le")),
        ("filename-star", form.disposed(star)),
        ("filename-traversal", form.file(filename=b"../../etc/passwd")),
        ("filename-empty", form.file(filename=b"")),
        (
            "filename-crlf-injection",
            form.file(filename=b"a.png\r\nContent-Type: text/html"),
        ),
    ]


def _encoding_requests(form):
    """Content types and transfer encodings odd or wrong, odd parts."""
    name = form.name
    encoded = [*form.headers, b"Content-Transfer-Encoding: base64"]
    printable = [*form.headers, b"Content-Transfer-Encoding: quoted-printable"]
    nested = [
        b'Content-Disposition: form-data; name="file"',
        b"Content-Type: multipart/mixed; boundary=inner",
    ]
    junk = {"preamble": b"junk before\r\n" * 100, "epilogue": b"junk after" * 100}
    big = _file_part(b"a" * 1_500_000, b"big", None, None)
    return [
        ("mixed-case", form.valid, f"Multipart/Form-Data; Boundary={name}"),
        (
            "charset-utf16",
            form.valid,
            f"multipart/form-data; charset=utf-16; boundary={name}",
        ),
        (
            "two-boundaries",
            form.valid,
            f"multipart/form-data; boundary=zzz; boundary={name}",
        ),
        ("base64-encoding", form.body((encoded, base64.b64encode(form.png)))),
        ("quoted-printable", form.body((printable, b"=89PNG=0D=0A=1A=0A=ZZ"))),
        ("nested-mixed", form.body((nested, _form(b"inner", [form.one])))),
        ("zero-byte-file", form.body(_file_part(b""))),
        ("preamble-epilogue", form.body(form.one, **junk)),
        ("field-1.5MB", form.body(big, form.one)),
        ("urlencoded", b"file=%89PNG", "application/x-www-form-urlencoded"),
        ("related", form.valid, f"multipart/related; boundary={name}"),
    ]


# The requests of multipart_bodies, in order.
_REQUESTS = (
    _valid_requests,
    _framing_requests,
    _part_requests,
    _header_requests,
    _boundary_requests,
    _filename_requests,
    _encoding_requests,
)

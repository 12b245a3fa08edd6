"""How much memory one input takes on its way in: peak RSS per format and size.

For each accepted format, an image of a digit of the given size is written to
a temporary file, then read by ``load_digit_image`` in a fresh Python process
that has already imported the library and read a small image: the figure is
that process's peak resident memory (``ru_maxrss``) less what it held before
the read, in MiB and in bytes per pixel of the image. The README's memory
bound for ``digit-classifier predict`` and ``serve`` comes from this.

    python benchmarks/input_memory.py [--megapixels 16 50] [--formats PNG ...]
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

FORMATS = {
    "PNG": {"mode": "RGB"},
    "PNG (RGBA)": {"mode": "RGBA", "format": "PNG"},
    "JPEG": {"mode": "RGB", "quality": 90},
    "GIF": {"mode": "P"},
    "BMP": {"mode": "RGB"},
    "TIFF": {"mode": "RGB", "compression": "tiff_deflate"},
    "TIFF (16-bit)": {"mode": "I;16", "format": "TIFF", "compression": "tiff_deflate"},
    "WEBP": {"mode": "RGB", "lossless": True, "method": 0},
    "WEBP (RGBA)": {"mode": "RGBA", "format": "WEBP", "lossless": True, "method": 0},
}
SUFFIXES = {"PNG": ".png", "JPEG": ".jpg", "GIF": ".gif", "BMP": ".bmp"}
SUFFIXES |= {"TIFF": ".tif", "WEBP": ".webp"}

# The reading process's own peak: VmHWM, which exec resets (ru_maxrss keeps
# the peak of the process it was forked from).
READER = """
import io, json, sys
import numpy as np
from PIL import Image
from digit_classifier import load_digit_image

def kib(field):
    with open("/proc/self/status") as status:
        return [int(line.split()[1]) for line in status if line.startswith(field)][0]

small = np.full((60, 60), 235, dtype=np.uint8)
small[10:50, 25:35] = 20
png = io.BytesIO()
Image.fromarray(small).save(png, format="PNG")
load_digit_image(png.getvalue())  # every step once, on a small file
before = kib("VmRSS")
load_digit_image(sys.argv[1], max_pixels=int(sys.argv[2]))
print(json.dumps({"peak_kib": kib("VmHWM"), "rss_kib": before}))
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megapixels", type=float, nargs="+", default=[16])
    parser.add_argument("--formats", nargs="+", default=list(FORMATS))
    args = parser.parse_args(argv)
    print("| format | image | file | peak RSS added | per pixel | read in |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for megapixels in args.megapixels:
            side = int((megapixels * 1e6) ** 0.5)
            for name in args.formats:
                path = _write(name, side, Path(folder))
                result = _measure(path, side * side)
                added = (result["peak_kib"] - result["rss_kib"]) / 1024
                print(
                    f"| {name} | {side}x{side} ({side * side / 1e6:.1f} MP) | "
                    f"{path.stat().st_size / 2**20:.1f} MiB | {added:.0f} MiB | "
                    f"{added * 2**20 / (side * side):.1f} B | {result['s']:.2f} s |",
                    flush=True,
                )
                path.unlink()


def _write(name, side, folder):
    """A dark digit "7" on light paper, as a file of this format and size."""
    options = dict(FORMATS[name])
    mode = options.pop("mode")
    file_format = options.pop("format", name)
    paper = Image.new("L", (side, side), 235)
    draw = ImageDraw.Draw(paper)
    width = max(2, side // 40)
    draw.line([(side // 4, side // 4), (3 * side // 4, side // 4)], 20, width)
    draw.line([(3 * side // 4, side // 4), (side // 2, 3 * side // 4)], 20, width)
    noise = np.random.default_rng(0).integers(-8, 9, (side, side), dtype=np.int16)
    pixels = np.clip(np.asarray(paper, dtype=np.int16) + noise, 0, 255)
    if mode == "I;16":
        image = Image.fromarray(pixels.astype(np.uint16) * 257)
    else:
        image = Image.fromarray(pixels.astype(np.uint8)).convert(mode)
    path = folder / f"digit{SUFFIXES[file_format]}"
    image.save(path, format=file_format, **options)
    return path


def _measure(path, pixels):
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", READER, str(path), str(pixels)],
        capture_output=True,
        text=True,
        check=True,
    )
    return {**json.loads(result.stdout), "s": time.perf_counter() - start}


if __name__ == "__main__":
    main()

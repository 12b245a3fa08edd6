"""Segmentation: the pieces of a handwritten number, and digits made of them.

A number is one line of digits. Its ink (the mask that MNIST's form computes,
see :mod:`._mnist_form`) falls into connected parts; a part is a digit, a
piece of one (a 5's detached bar, a 7's crossbar, a broken stroke), or
several digits that touch. So the parts are over-segmented into *pieces*:
a part wide enough to hold two digits is cut at regular intervals, each cut
along the path from its top to its bottom that crosses the fewest strokes
near its column (weighing a stroke's faint edges little, where touching
digits meet). Pieces are ordered left to right, and a digit is a run of
consecutive pieces (:attr:`NumberPieces.runs`): which runs are the digits is
the classifier's choice (see :func:`digit_classifier.read_number`), as in
the recognition-based segmentation of Casey and Lecolinet (1996).

Marks much shorter than the digits, beside none of them (a dot, a dash), are
set apart: they are reported, not read.
"""

from typing import NamedTuple

import numpy as np
from scipy import ndimage

from ._mnist_form import (
    MIN_MARK_HEIGHT,
    digit_form,
    ink_of,
    stroke_margin,
)

# A part wider than this many line heights may hold touching digits: it is
# cut. (MNIST's widest digits are about as wide as they are tall.)
CUT_WIDTH = 0.7
# Cuts stay this many line heights from a part's ends: a 1 is about as
# narrow as a digit gets.
MIN_CUT_SPACING = 0.2
# A wide part is cut every this many line heights, each cut along the path
# of least ink within a reach of its column: 0.3 line heights, far enough to
# follow a slanted digit's edge, in one over-segmentation, and 0.15 in
# another (see number_segmentations).
CUT_STEP = 0.12
CUT_REACHES = (0.3, 0.15)
# Only parts wider than this many line heights, two digits more often than
# one, are cut the second way.
TWO_DIGITS_WIDTH = 1.0
# What straying the reach from its column all the way down costs a cut, in
# strokes crossed.
DRIFT = 1.0
# A cut leaves at least this fraction of the part's ink on either side.
MIN_PIECE_INK = 0.1
# A cut's cost in each pixel is its ink's grey level (1 for a stroke's core)
# to this power: where two digits touch, their strokes' soft edges meet, and
# the path goes through them rather than through a core.
INK_POWER = 3
# A path that crosses more strokes than this cuts through a digit.
MAX_CUT_STROKES = 3
# A digit is a run of at most this many pieces, at most this many line
# heights wide.
MAX_RUN_PIECES = 12
MAX_DIGIT_WIDTH = 1.5


class NumberPieces(NamedTuple):
    """The pieces of a number's ink, left to right; see
    :func:`number_segmentations`."""

    ink: np.ndarray
    """The ink, light on 0, float32, in the frame of :func:`ink_of`."""
    labels: np.ndarray
    """The piece of each ink pixel: 1 for the leftmost, ...; 0 for none."""
    n_pieces: int
    boxes: list
    """Each piece's rows and columns, as slices (``ndimage.find_objects``)."""
    keys: list
    """Each piece's identity: ``(part,)`` for a whole part, which is the same
    in every segmentation of the image, ``(part, segmentation, i)`` for a
    piece cut from one."""
    line_height: int
    """The digits' height: the median height of the tall parts, in pixels."""
    cut: np.ndarray
    """For each piece, whether it was cut from its left neighbour."""
    cut_strokes: np.ndarray
    """For each piece, how many strokes the cut on its left crossed (0 where
    it is not cut): the cost of separating there."""
    marks: list
    """The boxes, ``(row slice, column slice)``, of marks too small for a digit."""
    frame: int
    """The background :func:`ink_of` added around a tight crop, in pixels."""
    to_image: float
    """The input image's pixels per pixel of `ink`, each way."""

    @property
    def runs(self):
        """Each run of consecutive pieces that may be one digit, ``(first,
        stop)`` with pieces ``first + 1`` to ``stop`` (labels), in order."""
        boxes = self.boxes
        widest = MAX_DIGIT_WIDTH * self.line_height
        runs = []
        for first in range(self.n_pieces):
            left, right = np.inf, -np.inf
            for stop in range(
                first + 1, min(first + MAX_RUN_PIECES, self.n_pieces) + 1
            ):
                cols = boxes[stop - 1][1]
                left, right = min(left, cols.start), max(right, cols.stop)
                if stop > first + 1 and right - left > widest:
                    break
                runs.append((first, stop))
        return runs

    @property
    def left_overlap(self):
        """For each piece, how much its columns overlap those of the piece on
        its left, as a fraction of the narrower's width (0 for the first).

        Neighbouring digits overlap little, if at all; pieces of one digit (a
        5's bar above its body) much."""
        boxes = self.boxes
        overlap = np.zeros(self.n_pieces, dtype=np.float32)
        for i in range(1, self.n_pieces):
            left, right = boxes[i - 1][1], boxes[i][1]
            shared = min(left.stop, right.stop) - max(left.start, right.start)
            narrower = min(left.stop - left.start, right.stop - right.start)
            overlap[i] = max(0, shared) / narrower
        return overlap

    def digit(self, run):
        """The 28x28 MNIST form of the digit that a run of pieces makes."""
        rows, cols = self.box(run)
        labels = self.labels[rows, cols]
        first, stop = run
        digit = (labels > first) & (labels <= stop)
        # Its soft edges, but no pixel of another piece's strokes.
        margin = stroke_margin(max(rows.stop - rows.start, cols.stop - cols.start))
        near = ndimage.maximum_filter(digit, size=2 * margin + 1) & ~(
            (labels > 0) & ~digit
        )
        ink = self.ink[rows, cols] * near
        if not ink.any():  # a sliver of faint edge pixels, cut from a stroke
            ink = digit * np.float32(255)
        return digit_form(ink, digit)

    def image_box(self, box):
        """A box of :meth:`box` (or of ``marks``) in the input image's pixels:
        ``[x0, y0, x1, y1]``, the columns ``x0`` to ``x1`` and rows ``y0`` to
        ``y1``, ends excluded, as Pillow's boxes."""
        rows, cols = box
        height, width = (side - 2 * self.frame for side in self.labels.shape)
        corners = [cols.start, rows.start, cols.stop, rows.stop]
        limits = [width, height, width, height]
        return [
            int(
                np.clip(
                    round((corner - self.frame) * self.to_image),
                    0,
                    limit * self.to_image,
                )
            )
            for corner, limit in zip(corners, limits, strict=True)
        ]

    def box(self, run):
        """The rows and columns, as slices, of a run's pieces and their edges."""
        first, stop = run
        boxes = self.boxes[first:stop]
        top = min(rows.start for rows, _ in boxes)
        bottom = max(rows.stop for rows, _ in boxes)
        left = min(cols.start for _, cols in boxes)
        right = max(cols.stop for _, cols in boxes)
        margin = stroke_margin(max(bottom - top, right - left))
        height, width = self.labels.shape
        return (
            slice(max(0, top - margin), min(height, bottom + margin)),
            slice(max(0, left - margin), min(width, right + margin)),
        )


def number_segmentations(gray, name, to_image=1.0):
    """The pieces of the digits of a number in a grayscale image, in one or
    more over-segmentations.

    Where no part is wider than ``TWO_DIGITS_WIDTH`` line heights, there is
    one; else one for each of ``CUT_REACHES``, whose cuts of those parts
    differ: cuts that may stray far follow a slanted digit's edge, cuts that
    stay near their column do not wander round a stroke, and which is right
    differs from one pair of touching digits to the next. The reader keeps
    the segmentation whose digits its classifier reads best.

    Parameters
    ----------
    gray : ndarray of shape (height, width), dtype float32
        Grey levels in [0, 255], from :func:`working_grayscale`.

    name : str
        The image's name for messages.

    to_image : float, default=1.0
        The input image's pixels per pixel of `gray`, each way, for
        :meth:`NumberPieces.image_box`.

    Returns
    -------
    segmentations : list of NumberPieces

    Raises
    ------
    DigitImageError
        If the image holds no ink (as for one digit).
    """
    ink, mask, frame = ink_of(gray, name)
    parts, _ = ndimage.label(mask, structure=np.ones((3, 3)))
    boxes = ndimage.find_objects(parts)
    heights = np.array([rows.stop - rows.start for rows, _ in boxes])
    line_height = int(np.median(heights[heights >= MIN_MARK_HEIGHT * heights.max()]))
    kept, marks = [], []
    for cluster in _column_clusters(boxes):
        top = min(boxes[i][0].start for i in cluster)
        bottom = max(boxes[i][0].stop for i in cluster)
        if bottom - top < MIN_MARK_HEIGHT * line_height:
            # A dot or a dash, with nothing above or below it.
            marks += [boxes[i] for i in cluster]
        else:
            kept += cluster
    # Parts wide enough for two digits are cut each way; the others, single
    # wide digits more often than not, the first way only.
    two_wide = {
        i
        for i in kept
        if boxes[i][1].stop - boxes[i][1].start > TWO_DIGITS_WIDTH * line_height
    }
    # The pieces of each part cut each way, found once.
    cuts = {}
    segmentations = []
    for number in range(len(CUT_REACHES) if two_wide else 1):
        pieces = []
        for i in kept:
            way = number if i in two_wide else 0
            if (i, way) not in cuts:
                cuts[i, way] = _part_pieces(parts, ink, boxes[i], i, way, line_height)
            pieces += cuts[i, way]
        pieces.sort(key=lambda piece: piece[0])  # left to right
        labels = np.zeros(mask.shape, dtype=np.int32)
        for label, (_, piece_rows, piece_cols, _, _) in enumerate(pieces, start=1):
            labels[piece_rows, piece_cols] = label
        crossed = [piece[3] for piece in pieces]
        segmentations.append(
            NumberPieces(
                ink,
                labels,
                len(pieces),
                ndimage.find_objects(labels),
                [piece[4] for piece in pieces],
                line_height,
                np.array([strokes is not None for strokes in crossed]),
                np.array([strokes or 0.0 for strokes in crossed], dtype=np.float32),
                marks,
                frame,
                to_image,
            )
        )
    return segmentations


def _part_pieces(parts, ink, box, i, way, line_height):
    """The pieces of part `i` cut the `way`-th way: for each, its mean column,
    its pixels' rows and columns, the strokes its left cut crossed and its
    key (the same piece in every segmentation has the same key)."""
    rows, cols = box
    part = parts[rows, cols] == i + 1
    weight = (ink[rows, cols] * part / np.float32(255)) ** INK_POWER
    cut = _cut(part, weight, line_height, CUT_REACHES[way])
    pieces = []
    for j, (piece, strokes) in enumerate(cut):
        piece_rows, piece_cols = np.nonzero(piece)
        key = (i,) if len(cut) == 1 else (i, way, j)
        pieces.append(
            (
                piece_cols.mean() + cols.start,
                piece_rows + rows.start,
                piece_cols + cols.start,
                strokes,
                key,
            )
        )
    return pieces


def _column_clusters(boxes):
    """The parts, by index, grouped where their columns overlap, left to right."""
    order = sorted(range(len(boxes)), key=lambda i: boxes[i][1].start)
    clusters, end = [], -1
    for i in order:
        cols = boxes[i][1]
        if cols.start < end:
            clusters[-1].append(i)
            end = max(end, cols.stop)
        else:
            clusters.append([i])
            end = cols.stop
    return clusters


def _cut(part, weight, line_height, reach):
    """A part of the ink as pieces, each with the strokes that the cut on its
    left crossed (None for the first): itself, or cut where digits may touch."""
    height, width = part.shape
    if width <= CUT_WIDTH * line_height:
        return [(part, None)]
    # Cuts every CUT_STEP line heights, each along the path of least ink near
    # its column: the classifier tells which of them separate digits.
    step = max(1, round(CUT_STEP * line_height))
    reach = max(1, round(reach * line_height))
    end_gap = max(1, round(MIN_CUT_SPACING * line_height))
    columns = np.arange(end_gap, width - end_gap + 1, step)
    # A stroke's width is its area over its length, half the outline's length.
    outline = np.count_nonzero(part & ~ndimage.binary_erosion(part))
    stroke_width = max(1.0, 2 * np.count_nonzero(part) / max(outline, 1))
    rows = np.arange(height)
    least_ink = MIN_PIECE_INK * np.count_nonzero(part)
    side = np.zeros(part.shape, dtype=np.int32)
    strokes, previous = [None], np.zeros(height, dtype=np.intp)
    paths = _least_ink_paths(weight, columns, reach, stroke_width)
    for path in paths:
        # Never left of the previous cut: the pieces stay in order.
        path = np.maximum(path, previous)
        crossed = weight[rows, path].sum() / stroke_width
        right_of = np.arange(width)[np.newaxis, :] >= path[:, np.newaxis]
        piece = part & ~right_of & (side == len(strokes) - 1)
        if (
            crossed > MAX_CUT_STROKES  # through a digit, not between two
            or np.count_nonzero(piece) < least_ink
            or np.count_nonzero(part & right_of) < least_ink
        ):
            continue
        side += right_of
        strokes.append(crossed)
        previous = path
    pieces = [(part & (side == i), strokes[i]) for i in range(len(strokes))]
    return [(piece, crossed) for piece, crossed in pieces if piece.any()]


def _least_ink_paths(weight, columns, reach, stroke_width):
    """For each column, the path from the part's top to its bottom, one
    column per row, that crosses the fewest strokes, keeping within `reach`
    columns of its column.

    A straight cut would cut through a slanted digit that leans over its
    neighbour; this path goes round it, through where the two touch. Going
    sideways costs a little (``DRIFT`` strokes to stray `reach` columns all
    the way down), so that it does not wander round the ink for nothing.
    All the columns' paths are found at once, row by row.
    """
    height, width = weight.shape
    # Each path's band of columns, clipped to the part: (n_paths, band).
    offsets = np.arange(-reach, reach + 1)
    band = columns[:, np.newaxis] + offsets
    outside = (band < 0) | (band >= width)
    band = np.clip(band, 0, width - 1)
    drift = np.float32(DRIFT / (reach * height)) * np.abs(offsets).astype(np.float32)
    cost = weight[:, band] / np.float32(stroke_width) + drift  # (height, n, band)
    cost[:, outside] = np.inf
    total = cost[0].copy()
    moves = np.zeros(cost.shape, dtype=np.int8)
    from_left = np.full_like(total, np.inf)
    from_right = np.full_like(total, np.inf)
    for row in range(1, height):
        from_left[:, 1:], from_right[:, :-1] = total[:, :-1], total[:, 1:]
        best = np.minimum(total, np.minimum(from_left, from_right))
        step = np.where(from_left == best, -1, np.where(from_right == best, 1, 0))
        # Straight on when it costs as little as a step aside.
        step[total == best] = 0
        moves[row] = step
        total = best + cost[row]
    paths = np.empty((len(columns), height), dtype=np.intp)
    paths[:, -1] = np.argmin(total, axis=1)
    index = np.arange(len(columns))
    for row in range(height - 1, 0, -1):
        paths[:, row - 1] = paths[:, row] + moves[row, index, paths[:, row]]
    # Positions in the bands to the part's columns.
    return np.take_along_axis(band, paths, axis=1)

"""Writing figures to files: the format a name asks for, written atomically."""

from pathlib import Path

from matplotlib.backend_bases import FigureCanvasBase

from .._io import atomic_write


def figure_format(path):
    """The picture format that a file name's suffix names, if Matplotlib writes it.

    Parameters
    ----------
    path : str or os.PathLike
        A file name such as ``"seen.png"``.

    Returns
    -------
    format : str
        The suffix without its dot, in lower case, e.g. ``"png"``.

    Raises
    ------
    ValueError
        If Matplotlib cannot write pictures of that format.

    Examples
    --------
    >>> figure_format("runs/seen.PNG")
    'png'
    >>> figure_format("seen.txt")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: seen.txt: unsupported picture format 'txt'; use a file name ...
    """
    suffix = Path(path).suffix.lstrip(".").lower()
    if suffix not in FigureCanvasBase.get_supported_filetypes():
        raise ValueError(
            f"{path}: unsupported picture format {suffix!r}; use a file name "
            "ending in .png, .jpg, .pdf or .svg."
        )
    return suffix


def save_figure(fig, path, *, dpi=100):
    """Write a figure to a file atomically, in the format its suffix names.

    The folder is created if needed; an interrupted write leaves no
    half-written file where an earlier one was.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure, e.g. from :func:`plot_confusion_matrix`.

    path : str or os.PathLike
        The file, ending in a suffix :func:`figure_format` accepts.

    dpi : int, default=100
        Resolution of raster formats.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "reports", "cm.png")
    >>> from matplotlib.figure import Figure
    >>> save_figure(Figure(), path)
    >>> open(path, "rb").read(4)
    b'\x89PNG'
    """
    path = Path(path)
    picture_format = figure_format(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path) as file:
        fig.savefig(file, format=picture_format, dpi=dpi)

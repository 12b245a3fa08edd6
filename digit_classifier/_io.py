"""Writing files so that a failure never leaves a half-written one behind."""

import contextlib
import os
import tempfile
from pathlib import Path


@contextlib.contextmanager
def atomic_write(path, mode="wb", **open_kwargs):
    """Open a temporary file beside `path`; on success, rename it to `path`.

    The rename is atomic on POSIX and Windows, so readers see either the old
    file or the complete new one. On an exception the temporary file is
    removed and `path` is left as it was.
    """
    path = Path(path)
    fd, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    try:
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide it from others
        with os.fdopen(fd, mode, **open_kwargs) as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise

"""Writing files whole: a temporary file in the same folder, then an atomic rename."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: str | os.PathLike, data: bytes | str) -> Path:
    """Write `data` to `path` so that readers see the old file or the new one, never half.

    The temporary file lives in the target folder, because a rename across file
    systems is not atomic. Text is written as UTF-8. Returns the path written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as temp_file:
            temp_file.write(payload)
            temp_file.flush()
            os.fsync(temp_file.fileno())
        # mkstemp creates the file readable by its owner only; give it the
        # permissions a plain open() would, so others can read the pictures.
        os.chmod(temp_name, 0o666 & ~_current_umask())
        os.replace(temp_name, path)
    except BaseException:
        if os.path.exists(temp_name):
            os.unlink(temp_name)
        raise
    return path


def _current_umask() -> int:
    # os.umask both sets and returns the mask, so set it back at once.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask

"""Stored files: documents kept by SHA-256 under the instance's files folder, with their format's suffix."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

_SUFFIX = re.compile(r"[a-z0-9]{1,8}")


class FileStore:
    """A folder of files named by their SHA-256 and format (`ab/ab12….docx`), never by the uploader's name."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def path_for(self, sha256: str, suffix: str = "pdf") -> Path:
        """Return where the file with this hash and format lives (whether or not it exists)."""
        if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        if not _SUFFIX.fullmatch(suffix):
            raise ValueError(f"not a file suffix: {suffix!r}")
        return self.root / sha256[:2] / f"{sha256}.{suffix}"

    def put(self, source: str | Path, sha256: str, suffix: str = "pdf") -> Path:
        """Copy `source` into the store atomically; return its stored path."""
        target = self.path_for(sha256, suffix)
        if target.exists():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        # Copy to a temporary name in the same folder, then rename: a crash never
        # leaves a half-written file under the final name.
        fd, temporary = tempfile.mkstemp(dir=target.parent, suffix=".part")
        os.close(fd)
        try:
            shutil.copyfile(source, temporary)  # the kernel copies (sendfile), not Python
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return target

    def exists(self, sha256: str, suffix: str = "pdf") -> bool:
        """Return True when the file with this hash and format is stored."""
        return self.path_for(sha256, suffix).exists()

    def remove(self, sha256: str) -> None:
        """Delete the stored file with this hash, whatever its format."""
        folder = self.path_for(sha256).parent
        if folder.is_dir():
            for path in folder.glob(f"{sha256}.*"):
                if not path.name.endswith(".part"):
                    path.unlink(missing_ok=True)

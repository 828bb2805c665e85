"""Copy the pinned GOV.UK Frontend build into the app's static folder.

This service is not on GOV.UK, so the GOV.UK typeface and crown images stay behind:
the @font-face rules are dropped and the font stack falls back to Arial, which keeps
the pages from asking for files that are not served.

Run: python repository/assets.py [SOURCE_DIST] [TARGET] (standard library only, so it runs
before the project's dependencies are installed).
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SOURCE = PROJECT_ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk"
TARGET = PROJECT_ROOT / "repository" / "static" / "govuk"
FILES = ("govuk-frontend.min.css", "govuk-frontend.min.js")

_FONT_FACE = re.compile(r"@font-face\{[^}]*\}")
_TRANSPORT = re.compile(r'"?GDS Transport"?,\s*')


def rewrite_css(css: str) -> str:
    """Drop the GOV.UK typeface from a GOV.UK Frontend stylesheet."""
    css = _FONT_FACE.sub("", css)
    css = _TRANSPORT.sub("", css)
    return css.replace("font-family:GDS Transport", "font-family:arial,sans-serif")


def copy_assets(source: Path = SOURCE, target: Path = TARGET) -> list[Path]:
    """Copy the stylesheet and script from `source` into `target`; return the written files."""
    missing = [name for name in FILES if not (source / name).is_file()]
    if missing:
        raise FileNotFoundError(
            f"GOV.UK Frontend files missing in {source}: {', '.join(missing)}; run `npm ci` first"
        )
    target.mkdir(parents=True, exist_ok=True)
    css = rewrite_css((source / FILES[0]).read_text(encoding="utf-8"))
    (target / FILES[0]).write_text(css, encoding="utf-8")
    shutil.copyfile(source / FILES[1], target / FILES[1])
    (target / "VERSION").write_text(_version(source) + "\n", encoding="utf-8")
    return [target / name for name in (*FILES, "VERSION")]


def _version(source: Path) -> str:
    package = source.parent.parent / "package.json"
    match = re.search(r'"version":\s*"([^"]+)"', package.read_text(encoding="utf-8")) if package.exists() else None
    return match.group(1) if match else "unknown"


def main(argv: list[str] | None = None) -> int:
    """Copy the assets; print where they went."""
    args = sys.argv[1:] if argv is None else argv
    source = Path(args[0]) if args else SOURCE
    target = Path(args[1]) if len(args) > 1 else TARGET
    try:
        written = copy_assets(source, target)
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"GOV.UK Frontend {written[-1].read_text().strip()} copied to {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The layers hold: two engines that stand alone, and an application that uses only their public faces."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FACES = {"indexer.extraction", "indexer.search"}


def imported_modules(folder: Path):
    """Yield (file, module) for every import in the Python files under `folder`."""
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                yield path, node.module
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    yield path, alias.name


def test_importing_the_engines_loads_no_flask():
    code = (
        "import sys, indexer.extraction, indexer.search, indexer.extraction._worker\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'repository', 'werkzeug'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert result.stdout.strip() == ""


def test_the_two_engines_never_import_each_other():
    for engine, other in (("extraction", "search"), ("search", "extraction")):
        wrong = [(path.name, module) for path, module in imported_modules(ROOT / "indexer" / engine)
                 if module.startswith(f"indexer.{other}") or module.split(".")[0] in ("flask", "repository")]
        assert wrong == [], engine


def test_the_application_uses_only_the_engines_public_faces():
    wrong = [(str(path.relative_to(ROOT)), module) for path, module in imported_modules(ROOT / "repository")
             if module.split(".")[0] == "indexer" and module not in FACES]
    assert wrong == []

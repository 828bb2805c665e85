"""The indexer package stands alone: importing it loads neither Flask nor the web app."""

import subprocess
import sys


def test_importing_indexer_loads_no_flask():
    code = (
        "import sys, indexer, indexer.extract, indexer.store, indexer.view, indexer.search, indexer.themes\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'repository', 'werkzeug'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""

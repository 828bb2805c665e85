"""The README documents every CLI command and every setting, and the Quick start stays two commands."""

from pathlib import Path

from repository.config import DEFAULTS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_cli_command_is_documented(app):
    ours = {name for name, command in app.cli.commands.items()
            if command.callback.__module__.startswith("repository.")}
    assert ours, "the app registers no commands"
    missing = sorted(name for name in ours if f"`{name}" not in README)
    assert missing == []


def test_every_setting_is_documented():
    missing = sorted(name for name in DEFAULTS if f"`{name}`" not in README)
    assert missing == []


def test_quick_start_is_make_run_and_make_test():
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = [line.split("#")[0].strip() for line in quick_start.split("```sh", 1)[1].split("```", 1)[0].splitlines()]
    assert [c for c in commands if c] == ["make run", "make test"]

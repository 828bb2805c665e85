"""The knowledge-exchange repository: a Flask application over a database and a search index."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from .config import PROJECT_ROOT, instance_folder, load_settings


def create_app(test_config: dict | None = None, *, instance_path: str | Path | None = None) -> Flask:
    """Create and configure the application."""
    app = Flask(
        __name__,
        instance_path=str(Path(instance_path or instance_folder()).resolve()),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    load_settings(app, test_config)

    from . import context

    context.init_app(app)

    from .security import init_security

    init_security(app)

    from .commands import register_commands

    register_commands(app)

    from .blueprints import register_blueprints
    from .blueprints.common import DatabaseId

    # Every <int:...> in a route is a database id: larger than an INTEGER column holds, no such
    # page (404), rather than the database driver's overflow error. Set before routes are added.
    app.url_map.converters["int"] = DatabaseId
    register_blueprints(app)
    return app

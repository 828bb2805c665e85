"""Command-line interface: `flask --app repository COMMAND`."""

from flask import Flask


def register_commands(app: Flask) -> None:
    """Attach every command group to the app's CLI."""
    from .alerts import send_alerts_command
    from .database import init_db_command
    from .demo import load_demo_command
    from .index import check_index_command, indexer_command, reindex_command
    from .ingest import ingest_command, ingest_status_command
    from .jobs import worker_command
    from .seminars import import_events_command, purge_registrations_command
    from .users import create_user_command, lift_embargoes_command, set_organisation_command, set_role_command

    for command in (init_db_command, ingest_command, indexer_command, reindex_command, check_index_command,
                    load_demo_command, create_user_command, set_role_command, set_organisation_command,
                    lift_embargoes_command, worker_command, ingest_status_command, send_alerts_command,
                    import_events_command, purge_registrations_command):
        app.cli.add_command(command)

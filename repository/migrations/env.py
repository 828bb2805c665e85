"""Alembic environment: runs migrations on the engine the application hands over."""

from alembic import context

from repository.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    """Run migrations on the engine in config.attributes, or on sqlalchemy.url."""
    engine = config.attributes.get("engine")
    if engine is None:
        from repository.db import make_engine

        engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        context.run_migrations()


run_migrations()

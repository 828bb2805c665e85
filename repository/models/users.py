"""People who sign in, the organisations they belong to, and what protects their accounts."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow

ROLES = ("reader", "depositor", "editor", "admin")
ROLE_LABELS = {
    "reader": "Reader",
    "depositor": "Depositor",
    "editor": "Editor",
    "admin": "Administrator",
}


def new_session_token() -> str:
    """Return a fresh random token that ties browser sessions to one password."""
    return secrets.token_hex(16)


class Organisation(Base):
    """A council, police force, university or other body people work for."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class User(Base):
    """A registered person; `role` is one of ROLES.

    `organisation_id` is membership confirmed by an editor or administrator (it opens
    restricted items of that organisation); `organisation_claim` is what the person typed
    when registering, which alone grants nothing.
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(300), default="")
    role: Mapped[str] = mapped_column(String(20), default="reader")
    active: Mapped[bool] = mapped_column(default=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    organisation_claim: Mapped[str] = mapped_column(String(200), default="")
    # Changed with the password, so every other signed-in browser is signed out.
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token)
    # Set when the person follows the link mailed at registration (or by an administrator):
    # only a confirmed address may be named as a reader of a restricted item.
    email_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    organisation: Mapped[Organisation | None] = relationship()

    @property
    def is_editor(self) -> bool:
        """Return True for editors and admins."""
        return self.role in ("editor", "admin")

    @property
    def is_admin(self) -> bool:
        """Return True for administrators."""
        return self.role == "admin"

    @property
    def can_deposit(self) -> bool:
        """Return True for depositors, editors and admins."""
        return self.role in ("depositor", "editor", "admin")

    @property
    def role_label(self) -> str:
        """Return the human name of the user's role."""
        return ROLE_LABELS.get(self.role, self.role)

    # The four members Flask-Login expects of a user object.
    @property
    def is_authenticated(self) -> bool:
        """Return True: a User object is always a signed-in person."""
        return True

    @property
    def is_active(self) -> bool:
        """Return False for accounts an administrator has switched off."""
        return bool(self.active)

    @property
    def is_anonymous(self) -> bool:
        """Return False: anonymous visitors are not User rows."""
        return False

    def get_id(self) -> str:
        """Return the session identifier: the id and the current session token."""
        return f"{self.id}:{self.session_token}"

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class PasswordResetToken(Base):
    """A single-use, time-limited permission to set a new password; only its hash is kept."""

    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()


class SignInAttempt(Base):
    """One try at signing in, kept in the database so every worker process sees it."""

    __tablename__ = "sign_in_attempts"
    __table_args__ = (
        Index("ix_sign_in_attempts_email_created", "email", "created_at"),
        Index("ix_sign_in_attempts_address_created", "address", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

"""Accounts: registration, passwords, sign-in with throttling, reset tokens, roles."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..models import ROLES, Item, ItemGrant, ItemReaderInvite, Organisation, PasswordResetToken, SignInAttempt, User
from ..models.base import as_utc, utcnow
from ..models.users import new_session_token
from .changes import record_change
from .errors import FieldError

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
# Checked against when the email is unknown, so a wrong address takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not a real password", method="scrypt")


class AccountError(FieldError):
    """A rule about accounts was broken; the message is fit to show the person."""


class UserNotFound(AccountError, LookupError):
    """Raised by get_user_by_email when no account has the address."""


class AlreadyRegistered(AccountError):
    """Raised by register_user for an address that has an account; never shown to the registrant."""

    def __init__(self, user: User):
        super().__init__("An account with this email address already exists", field="email")
        self.user = user


class InvalidToken(AccountError):
    """Raised when a password-reset link is unknown, used or expired."""


@dataclass(frozen=True)
class ThrottlePolicy:
    """How many failed sign-ins are allowed within a window.

    `pair_failures` counts one account from one address: the limit a guesser meets first, and
    the only one a person's own mistakes usually reach, so a stranger's wrong tries do not lock
    the account for its owner elsewhere. `account_failures` (one account from every address)
    and `address_failures` (one address, any account) are slower ceilings against guessing
    from many addresses, or at many accounts.
    """

    account_failures: int = 50
    address_failures: int = 20
    window: timedelta = timedelta(minutes=15)
    pair_failures: int = 5


@dataclass
class SignInResult:
    """The outcome of one sign-in attempt."""

    user: User | None
    error: str | None = None
    throttled: bool = False
    # The right password for an account whose address is not confirmed yet: refused with the
    # same words as a wrong one (the caller sends the confirmation link again).
    unconfirmed: User | None = None


def normalise_email(email: str) -> str:
    """Return the address as accounts are keyed: trimmed and lower-case."""
    return email.strip().lower()


EMAIL_FORMAT_MESSAGE = "Enter an email address in the correct format, like name@example.org"


def valid_email(email: str) -> bool:
    """Return True for an address the sign-in form accepts: the one check of an address's form.

    The same test for the forms, `create-user` and named readers, so no account is made that
    could never sign in.
    """
    if not email or len(email) > 254:
        return False
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def hash_password(password: str) -> str:
    """Return a scrypt hash of `password`."""
    return generate_password_hash(password, method="scrypt")


def check_password_rules(password: str, *, email: str = "") -> None:
    """Raise AccountError when `password` is too short, too long or is the email address."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Password must be at least {MIN_PASSWORD_LENGTH} characters", field="password")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(f"Password must be {MAX_PASSWORD_LENGTH} characters or fewer", field="password")
    if email and password.strip().lower() == normalise_email(email):
        raise AccountError("Password must not be your email address", field="password")


def find_user_by_email(session: Session, email: str) -> User | None:
    """Return the account with this email address, or None."""
    return session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def get_user_by_email(session: Session, email: str) -> User:
    """Return the account with this email address; raise UserNotFound if there is none."""
    user = find_user_by_email(session, email)
    if user is None:
        raise UserNotFound(f"No account has the email address {normalise_email(email)}")
    return user


def create_user(
    session: Session, email: str, name: str, password: str, *, role: str = "reader", organisation_claim: str = "",
    confirmed: bool = True,
) -> User:
    """Create an account; raise AccountError if the email is taken or the password too weak.

    Accounts an administrator makes count as confirmed; registration passes confirmed=False.
    """
    email = normalise_email(email)
    if not valid_email(email):
        raise AccountError(EMAIL_FORMAT_MESSAGE, field="email")
    if role not in ROLES:
        raise AccountError(f"Unknown role {role!r}; choose one of {', '.join(ROLES)}", field="role")
    if find_user_by_email(session, email) is not None:
        raise AccountError("An account with this email address already exists", field="email")
    check_password_rules(password, email=email)
    user = User(
        email=email,
        name=(name.strip() or email.split("@")[0])[:200],
        password_hash=hash_password(password),
        role=role,
        organisation_claim=organisation_claim.strip()[:200],
        email_confirmed_at=utcnow() if confirmed else None,
    )
    session.add(user)
    session.flush()
    if confirmed:
        take_up_invitations(session, user)
    return user


def register_user(
    session: Session, email: str, name: str, password: str, *, organisation: str = "", wants_to_deposit: bool = False
) -> User:
    """Create an account from the public registration form and return it.

    For an address that already has an account, raise AlreadyRegistered (with that account):
    the form must answer the same whether or not it does, so the caller mails the account's
    owner instead of showing an error, and the same work (checking the rules, hashing the
    password) is done either way. A new account is unconfirmed and cannot sign in until its address is confirmed, so
    whoever registers cannot tell from signing in either.

    A registrant may choose to deposit: nothing a depositor does is public until an
    editor publishes it. The organisation typed here is only a claim: membership,
    which opens restricted items, is confirmed by an editor or administrator.
    """
    email = normalise_email(email)
    if not valid_email(email):
        raise AccountError(EMAIL_FORMAT_MESSAGE, field="email")
    check_password_rules(password, email=email)
    existing = find_user_by_email(session, email)
    if existing is not None:
        hash_password(password)  # the work a new account costs, so both answers take as long
        raise AlreadyRegistered(existing)
    role = "depositor" if wants_to_deposit else "reader"
    return create_user(session, email, name, password, role=role, organisation_claim=organisation, confirmed=False)


_CONFIRM_SALT = "confirm-email"


def confirmation_token(user: User, secret: str) -> str:
    """Return a signed token that confirms `user` owns their email address."""
    return URLSafeTimedSerializer(secret, salt=_CONFIRM_SALT).dumps({"id": user.id, "email": user.email})


def confirm_email(session: Session, token: str, secret: str, max_age: timedelta) -> User:
    """Mark the address in a confirmation token as confirmed; raise InvalidToken if it cannot be."""
    try:
        data = URLSafeTimedSerializer(secret, salt=_CONFIRM_SALT).loads(token, max_age=int(max_age.total_seconds()))
    except (BadSignature, SignatureExpired):
        raise InvalidToken("This link to confirm your email address has expired or is not valid. "
                           "Ask for a new one from your account page.") from None
    user = session.get(User, data.get("id")) if isinstance(data, dict) else None
    # The address must still be the one the link was sent to.
    if user is None or user.email != data.get("email"):
        raise InvalidToken("This link to confirm your email address is not valid.")
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        session.flush()
        take_up_invitations(session, user)
    return user


def take_up_invitations(session: Session, user: User) -> list[int]:
    """Turn the invitations naming a confirmed `user`'s address into grants; return the items' ids."""
    invites = list(session.scalars(select(ItemReaderInvite).where(ItemReaderInvite.email == user.email)))
    for invite in invites:
        item = invite.item
        if all(grant.user_id != user.id for grant in item.grants):
            item.grants.append(ItemGrant(user_id=user.id, user=user))
        item.invites.remove(invite)
    session.flush()
    ids = [invite.item_id for invite in invites]
    record_change(session, list(session.scalars(
        select(Item.id).where(Item.id.in_(ids), Item.status == "published"))), "named reader confirmed")
    return ids


def set_role(session: Session, user: User, role: str) -> User:
    """Give `user` the role `role`."""
    if role not in ROLES:
        raise AccountError(f"Unknown role {role!r}; choose one of {', '.join(ROLES)}")
    user.role = role
    session.flush()
    return user


def set_organisation(session: Session, user: User, name: str | None) -> list[int]:
    """Confirm `user` as a member of the organisation called `name` (None: of none).

    Returns the ids of published restricted items the person deposited: their reader
    tokens include the depositor's organisation, so the change log takes them to search.
    """
    organisation = None
    if name and name.strip():
        organisation = session.scalar(select(Organisation).where(func.lower(Organisation.name) == name.strip().lower()))
        if organisation is None:
            organisation = Organisation(name=name.strip()[:200])
            session.add(organisation)
            session.flush()
    user.organisation = organisation
    user.organisation_id = organisation.id if organisation else None
    session.flush()
    affected = list(session.scalars(
        select(Item.id).where(Item.depositor_id == user.id, Item.status == "published", Item.access == "restricted")
    ))
    record_change(session, affected, "organisation changed")
    return affected


def people(session: Session) -> list[User]:
    """Return every account, those with an unconfirmed organisation claim first."""
    users = list(session.scalars(select(User).order_by(User.created_at.desc(), User.id.desc())))
    return sorted(users, key=lambda u: not (u.organisation_claim and u.organisation_id is None))


def load_user(session: Session, session_id: str) -> User | None:
    """Return the active account named by a session identifier ("id:token"), or None."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = session.get(User, int(user_id))
    if user is None or not user.active or not hmac.compare_digest(user.session_token, token):
        return None
    return user


def _since(policy: ThrottlePolicy, now: datetime) -> datetime:
    return now - policy.window


def _lock_key(kind: str, value: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{kind}:{value}".encode()).digest()[:8], "big", signed=True)


def _serialise_attempts(session: Session, email: str, address: str) -> None:
    """Make concurrent attempts on one account or from one address count one after another.

    PostgreSQL: transaction-scoped advisory locks, the account's first and then the address's
    (always in that order, so two attempts never wait for each other in a circle); they are
    released when the caller commits the recorded attempt. SQLite has one writer at a time,
    and the DELETE in `begin_attempt` takes the write lock before anything is counted.
    """
    if session.get_bind().dialect.name == "postgresql":
        for key in (_lock_key("sign-in account", email), _lock_key("sign-in address", address)):
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def throttle_reason(session: Session, email: str, address: str, policy: ThrottlePolicy,
                    now: datetime | None = None) -> str | None:
    """Return why sign-in is paused for this account, address or pair, or None when it is not.

    Failures of an account count from its last success (a sign-in or a completed password
    reset), so the owner getting back in lifts the pause on the account.
    """
    now = now or utcnow()
    since = _since(policy, now)
    email = normalise_email(email)
    last_success = session.scalar(
        select(func.max(SignInAttempt.created_at)).where(SignInAttempt.email == email, SignInAttempt.succeeded)
    )
    account_since = max(since, as_utc(last_success)) if last_success else since
    failed = select(func.count()).select_from(SignInAttempt).where(~SignInAttempt.succeeded)
    minutes = int(policy.window.total_seconds() // 60)
    pair_failures = session.scalar(failed.where(SignInAttempt.email == email, SignInAttempt.address == address,
                                                SignInAttempt.created_at > account_since))
    account_failures = session.scalar(failed.where(SignInAttempt.email == email,
                                                   SignInAttempt.created_at > account_since))
    if pair_failures >= policy.pair_failures or account_failures >= policy.account_failures:
        return (f"There have been too many failed attempts to sign in to this account. "
                f"Wait {minutes} minutes and try again, or reset your password.")
    address_failures = session.scalar(failed.where(SignInAttempt.address == address,
                                                   SignInAttempt.created_at > since))
    if address_failures >= policy.address_failures:
        return (f"There have been too many failed attempts to sign in from your network. "
                f"Wait {minutes} minutes and try again.")
    return None


@dataclass
class PendingAttempt:
    """A sign-in attempt counted (as a failure, until its password proves right) but not yet checked."""

    attempt: SignInAttempt | None
    reason: str | None = None


def begin_attempt(session: Session, email: str, address: str, policy: ThrottlePolicy = ThrottlePolicy(),
                  now: datetime | None = None) -> PendingAttempt:
    """Count an attempt against the limits, or say why it is paused; the caller commits next.

    The attempt is recorded as a failure before the password is checked, and the count and the
    record happen under `_serialise_attempts`: simultaneous attempts each see the ones before
    them, so no more than the limit are ever checked. Committing releases the locks before the
    slow password hash runs (`finish_attempt`).
    """
    now = now or utcnow()
    email = normalise_email(email)[:254]
    address = (address or "unknown")[:64]
    # Old attempts are no use to the throttle; keep the table small.
    session.execute(delete(SignInAttempt).where(SignInAttempt.created_at < now - max(policy.window, timedelta(days=1))))
    _serialise_attempts(session, email, address)
    reason = throttle_reason(session, email, address, policy, now)
    if reason:
        # A paused attempt is not recorded, so the pause ends one window after the last real try.
        return PendingAttempt(None, reason)
    attempt = SignInAttempt(email=email, address=address, succeeded=False, created_at=now)
    session.add(attempt)
    session.flush()
    return PendingAttempt(attempt)


def finish_attempt(session: Session, pending: PendingAttempt, password: str) -> SignInResult:
    """Check the password of a counted attempt; a right one turns it into a success."""
    if pending.attempt is None:
        return SignInResult(None, pending.reason, throttled=True)
    attempt = pending.attempt
    user = find_user_by_email(session, attempt.email)
    good = check_password_hash(user.password_hash if user and user.password_hash else _DUMMY_HASH, password)
    right = bool(user and user.password_hash and good and user.active)
    if not (right and user.email_confirmed_at is not None):
        return SignInResult(None, "Enter a correct email address and password", unconfirmed=user if right else None)
    attempt.succeeded = True
    user.last_sign_in_at = as_utc(attempt.created_at)
    session.flush()
    return SignInResult(user)


def authenticate(session: Session, email: str, password: str, address: str,
                 policy: ThrottlePolicy = ThrottlePolicy(), now: datetime | None = None) -> SignInResult:
    """Check an email and password, counting failures per account, address and pair (one transaction).

    The sign-in page uses begin_attempt and finish_attempt with a commit between them, so the
    locks are not held while the password is hashed.
    """
    return finish_attempt(session, begin_attempt(session, email, address, policy, now), password)


def lift_sign_in_pause(session: Session, user: User, now: datetime | None = None) -> None:
    """Record a success for the account (as a completed password reset is), ending its pause."""
    session.add(SignInAttempt(email=user.email, address="password reset", succeeded=True, created_at=now or utcnow()))
    session.flush()


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """Replace the password after checking the current one; other sessions are signed out."""
    if not check_password_hash(user.password_hash or _DUMMY_HASH, current):
        raise AccountError("Your current password is not correct", field="current")
    set_password(session, user, new)


def set_password(session: Session, user: User, new: str) -> None:
    """Set a new password and a new session token (signing out every other browser)."""
    check_password_rules(new, email=user.email)
    user.password_hash = hash_password(new)
    user.session_token = new_session_token()
    session.flush()


def end_sessions(session: Session, user: User) -> None:
    """Sign `user` out everywhere: every session cookie issued so far stops working."""
    user.session_token = new_session_token()
    session.flush()


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


RESETS_PER_HOUR = 3


def reset_allowed(session: Session, user: User, now: datetime | None = None) -> bool:
    """Return False once RESETS_PER_HOUR links went to `user` in the past hour (no mail-bombing)."""
    now = now or utcnow()
    recent = session.scalar(
        select(func.count()).select_from(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.created_at > now - timedelta(hours=1))
    )
    return recent < RESETS_PER_HOUR


def issue_reset_token(session: Session, user: User, lifetime: timedelta, now: datetime | None = None) -> str:
    """Return a new password-reset token for `user`; earlier unused tokens stop working."""
    now = now or utcnow()
    session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )
    raw = secrets.token_urlsafe(32)
    session.add(PasswordResetToken(user_id=user.id, token_hash=_token_hash(raw), created_at=now,
                                   expires_at=now + lifetime))
    session.flush()
    return raw


def find_reset_token(session: Session, raw: str, now: datetime | None = None) -> PasswordResetToken | None:
    """Return the unused, unexpired token record matching `raw`, or None."""
    now = now or utcnow()
    if not raw or len(raw) > 200:
        return None
    return session.scalar(
        select(PasswordResetToken).where(
            PasswordResetToken.token_hash == _token_hash(raw),
            PasswordResetToken.used_at.is_(None),
            PasswordResetToken.expires_at > now,
        )
    )


def reset_password(session: Session, raw: str, new: str, now: datetime | None = None) -> User:
    """Use a reset token once to set a new password; raise InvalidToken if it cannot be used."""
    now = now or utcnow()
    token = find_reset_token(session, raw, now)
    if token is None or not token.user.active:
        raise InvalidToken("This link to reset your password has expired or has already been used. "
                           "Ask for a new one.")
    set_password(session, token.user, new)
    lift_sign_in_pause(session, token.user, now)  # as the reset page promises
    token.used_at = now
    if token.user.email_confirmed_at is None:
        # The link reached the address, which proves it is theirs.
        token.user.email_confirmed_at = now
        session.flush()
        take_up_invitations(session, token.user)
    session.flush()
    return token.user

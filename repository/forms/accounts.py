"""Forms of the account pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from ..services.accounts import EMAIL_FORMAT_MESSAGE, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, valid_email

_PASSWORD_LENGTH = Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH,
                          message=f"Password must be between {MIN_PASSWORD_LENGTH} and {MAX_PASSWORD_LENGTH} "
                                  "characters")


def _email_field(label: str = "Email address") -> EmailField:
    return EmailField(label, validators=[
        DataRequired("Enter your email address"),
        Length(max=254, message="Email address must be 254 characters or fewer"),
        _valid_email,
    ])


def _valid_email(_form, field) -> None:
    # The one check of an address (services.accounts.valid_email), shared with create-user.
    if not valid_email((field.data or "").strip()):
        raise ValidationError(EMAIL_FORMAT_MESSAGE)


class RegisterForm(FlaskForm):
    """Create an account."""

    name = StringField("Full name", validators=[DataRequired("Enter your full name"),
                                                Length(max=200, message="Name must be 200 characters or fewer")])
    email = _email_field()
    organisation = StringField("Organisation (optional)", validators=[
        Length(max=200, message="Organisation must be 200 characters or fewer")])
    wants_to_deposit = BooleanField("I want to deposit papers, reports or case studies")
    password = PasswordField("Create a password", validators=[DataRequired("Enter a password"), _PASSWORD_LENGTH])
    confirm = PasswordField("Confirm your password", validators=[
        DataRequired("Confirm your password"), EqualTo("password", "The passwords do not match")])


class SignInForm(FlaskForm):
    """Sign in."""

    email = _email_field()
    password = PasswordField("Password", validators=[DataRequired("Enter your password")])


class ChangePasswordForm(FlaskForm):
    """Change the password of the signed-in account."""

    current = PasswordField("Current password", validators=[DataRequired("Enter your current password")])
    password = PasswordField("New password", validators=[DataRequired("Enter a new password"), _PASSWORD_LENGTH])
    confirm = PasswordField("Confirm your new password", validators=[
        DataRequired("Confirm your new password"), EqualTo("password", "The passwords do not match")])


class ResetRequestForm(FlaskForm):
    """Ask for a password-reset link."""

    email = _email_field()


class ResetForm(FlaskForm):
    """Set a new password with a reset link."""

    password = PasswordField("New password", validators=[DataRequired("Enter a new password"), _PASSWORD_LENGTH])
    confirm = PasswordField("Confirm your new password", validators=[
        DataRequired("Confirm your new password"), EqualTo("password", "The passwords do not match")])

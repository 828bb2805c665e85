"""Editors' page of the search vocabulary: list, add, change and delete groups of synonyms."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ..context import db_session
from ..forms.moderation import ActionForm, SynonymsForm
from ..services import synonyms
from .moderation import editors_only

bp = Blueprint("vocabulary", __name__, url_prefix="/moderation/synonyms")


def _group(group_id: int):
    group = synonyms.find_group(db_session(), group_id)
    if group is None:
        abort(404)
    return group


def _list_page(form: SynonymsForm | None = None, status: int = 200):
    return render_template("moderation/synonyms.html", groups=synonyms.list_groups(db_session()),
                           form=form or SynonymsForm(formdata=None), action_form=ActionForm(formdata=None)), status


@bp.get("/")
@editors_only
def index():
    """List the groups of synonyms, with a form to add one."""
    return _list_page()


@bp.post("/")
@editors_only
def add():
    """Add a group of synonyms."""
    form = SynonymsForm()
    if form.validate_on_submit():
        try:
            group = synonyms.add_group(db_session(), form.terms.data, current_user._get_current_object())
        except synonyms.InvalidSynonyms as error:
            form.terms.errors.append(str(error))
        else:
            db_session().commit()
            flash(f"Added: {', '.join(group.term_list())}.", "success")
            return redirect(url_for("vocabulary.index"))
    return _list_page(form, 400)


def _edit_page(group, form: SynonymsForm, status: int = 200):
    return render_template("moderation/synonym.html", group=group, form=form,
                           action_form=ActionForm(formdata=None)), status


@bp.get("/<int:group_id>")
@editors_only
def edit(group_id: int):
    """Show one group's terms for changing."""
    group = _group(group_id)
    return _edit_page(group, SynonymsForm(formdata=None, data={"terms": group.terms}))


@bp.post("/<int:group_id>")
@editors_only
def change(group_id: int):
    """Save a group's changed terms."""
    group = _group(group_id)
    form = SynonymsForm()
    if form.validate_on_submit():
        try:
            synonyms.change_group(db_session(), group, form.terms.data, current_user._get_current_object())
        except synonyms.InvalidSynonyms as error:
            form.terms.errors.append(str(error))
        else:
            db_session().commit()
            flash(f"Saved: {', '.join(group.term_list())}.", "success")
            return redirect(url_for("vocabulary.index"))
    return _edit_page(group, form, 400)


@bp.post("/<int:group_id>/delete")
@editors_only
def delete(group_id: int):
    """Delete a group."""
    group = _group(group_id)
    if not ActionForm().validate_on_submit():
        flash("The form had expired. Try again.", "error")
        return redirect(url_for("vocabulary.edit", group_id=group.id))
    terms = ", ".join(group.term_list())
    synonyms.delete_group(db_session(), group, current_user._get_current_object())
    db_session().commit()
    flash(f"Deleted: {terms}.", "success")
    return redirect(url_for("vocabulary.index"))

"""Editors' pages for the vocabulary: themes (add, rename, describe, move, merge) and places (edit, merge)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from ..context import db_session
from ..forms import options
from ..forms.curation import PlaceForm, PlaceMergeForm, ThemeForm, ThemeMergeForm
from ..models import Place, Theme
from ..services import curation
from ..services.place_curation import InvalidPlace, PlaceData, all_places, item_counts, merge_place, update_place
from ..services.taxonomy import all_themes, find_theme
from ..services.theme_curation import InvalidTheme, ThemeData, add_theme, merge_theme, update_theme
from .moderation import editors_only

bp = Blueprint("curation", __name__, url_prefix="/moderation")


def _editor():
    return current_user._get_current_object()


def _indented(theme: Theme) -> str:
    return "— " * (len(theme.lineage()) - 1) + theme.name


def _theme_choices(exclude: Theme | None = None, *, top: str | None = "None: a top-level theme"):
    themes = [t for t in all_themes(db_session()) if exclude is None or exclude not in t.lineage()]
    ordered = _tree_order(themes)
    return options(([("", top)] if top else []) + [(t.slug, _indented(t)) for t in ordered])


def _tree_order(themes: list[Theme]) -> list[Theme]:
    """Return themes parents first, each followed by its sub-themes."""
    by_parent: dict[int | None, list[Theme]] = {}
    ids = {t.id for t in themes}
    for theme in sorted(themes, key=lambda t: (t.position, t.id)):
        by_parent.setdefault(theme.parent_id if theme.parent_id in ids else None, []).append(theme)
    ordered: list[Theme] = []

    def walk(parent_id):
        for theme in by_parent.get(parent_id, []):
            ordered.append(theme)
            walk(theme.id)

    walk(None)
    return ordered


def _theme(slug: str) -> Theme:
    theme = find_theme(db_session(), slug)
    if theme is None:
        abort(404)
    return theme


def _theme_data(form: ThemeForm) -> ThemeData:
    return ThemeData(name=form.name.data or "", description=form.description.data or "",
                     keywords=form.keywords.data or "", parent=form.parent.data or "")


def _field_error(form, error) -> None:
    field = getattr(form, error.field or "", None) or form.name
    field.errors = [*field.errors, str(error)]


@bp.get("/themes")
@editors_only
def themes():
    """List every theme in its tree, with links to change each."""
    return render_template("curation/themes.html", themes=_tree_order(all_themes(db_session())))


@bp.route("/themes/new", methods=["GET", "POST"])
@editors_only
def new_theme():
    """Add a theme, at the top or under another."""
    form = ThemeForm()
    form.parent.choices = _theme_choices()
    if form.validate_on_submit():
        session = db_session()
        try:
            theme = add_theme(session, _theme_data(form), _editor())
        except InvalidTheme as error:
            session.rollback()
            _field_error(form, error)
        else:
            session.commit()
            flash(f"The theme ‘{theme.name}’ has been added.", "success")
            return redirect(url_for("curation.theme", slug=theme.slug))
    return render_template("curation/theme_new.html", form=form), 400 if form.errors else 200


def _theme_page(theme: Theme, form=None, merge_form=None, status: int = 200):
    session = db_session()
    if form is None:
        form = ThemeForm(formdata=None, obj=theme)
        form.parent.data = theme.parent.slug if theme.parent else ""
    form.parent.choices = _theme_choices(theme)
    merge_form = merge_form or ThemeMergeForm(formdata=None)
    merge_form.into.choices = options([("", "Choose a theme")] + [
        (choice.value, choice.label) for choice in _theme_choices(theme, top=None)])
    return render_template("curation/theme.html", theme=theme, form=form, merge_form=merge_form,
                           entries=curation.entries_for(session, "theme", theme.id)), status


@bp.route("/themes/<slug>", methods=["GET", "POST"])
@editors_only
def theme(slug: str):
    """Rename, describe or move a theme, or change its key phrases."""
    theme = _theme(slug)
    form = ThemeForm()
    form.parent.choices = _theme_choices(theme)
    if not form.is_submitted():
        return _theme_page(theme)
    if form.validate():
        session = db_session()
        try:
            changes = update_theme(session, theme, _theme_data(form), _editor())
        except InvalidTheme as error:
            session.rollback()
            _field_error(form, error)
        else:
            session.commit()
            flash("The theme has been saved; search follows within a second." if changes
                  else "Nothing was changed.", "success")
            return redirect(url_for("curation.theme", slug=theme.slug))
    return _theme_page(_theme(slug), form=form, status=400)


def _merge(source, form, find_target, merge, refusal: type[Exception], kind: str, again):
    """Merge `source` (a theme or a place) into the one `form.into` names, and go there.

    A target not found or a refused merge sets the form's error, and `again()` shows the page with it.
    """
    if form.validate_on_submit():
        session = db_session()
        target = find_target(session, form.into.data)
        if target is None:
            form.into.errors = [f"Choose the {kind} to merge into"]
        else:
            name = source.name
            try:
                merge(session, source, target, _editor())
            except refusal as error:
                session.rollback()
                form.into.errors = [str(error)]
            else:
                session.commit()
                flash(f"‘{name}’ has been merged into ‘{target.name}’; its old address leads here.", "success")
                return redirect(url_for(f"curation.{kind}", slug=target.slug))
    return again()


@bp.post("/themes/<slug>/merge")
@editors_only
def merge_theme_page(slug: str):
    """Merge a theme into another: its items, sub-themes, key phrases and address go there."""
    form = ThemeMergeForm()
    return _merge(_theme(slug), form, find_theme, merge_theme, InvalidTheme, "theme",
                  lambda: _theme_page(_theme(slug), merge_form=form, status=400))


@bp.get("/places")
@editors_only
def places():
    """List every place, with how many items name it, and links to change each."""
    session = db_session()
    return render_template("curation/places.html", places=all_places(session), counts=item_counts(session))


def _place(slug: str) -> Place:
    """Return the place whose own slug this is (the editors' pages do not follow old addresses); 404 otherwise."""
    place = db_session().scalar(select(Place).where(Place.slug == slug))
    if place is None:
        abort(404)
    return place


def _place_page(place: Place, form=None, merge_form=None, status: int = 200):
    session = db_session()
    form = form or PlaceForm(formdata=None, obj=place)
    merge_form = merge_form or PlaceMergeForm(formdata=None)
    merge_form.into.choices = options([("", "Choose a place")] + [
        (other.slug, other.name + (f" ({other.region})" if other.region else ""))
        for other in all_places(session) if other.id != place.id])
    return render_template("curation/place.html", place=place, form=form, merge_form=merge_form,
                           count=item_counts(session).get(place.id, 0),
                           entries=curation.entries_for(session, "place", place.id)), status


@bp.route("/places/<slug>", methods=["GET", "POST"])
@editors_only
def place(slug: str):
    """Change a place's name, region or ONS area code."""
    place = _place(slug)
    form = PlaceForm()
    if not form.is_submitted():
        return _place_page(place)
    if form.validate():
        session = db_session()
        try:
            changes = update_place(session, place, PlaceData(form.name.data or "", form.region.data or "",
                                                             form.ons_code.data or ""), _editor())
        except InvalidPlace as error:
            session.rollback()
            _field_error(form, error)
        else:
            session.commit()
            flash("The place has been saved." if changes else "Nothing was changed.", "success")
            return redirect(url_for("curation.place", slug=place.slug))
    return _place_page(_place(slug), form=form, status=400)


@bp.post("/places/<slug>/merge")
@editors_only
def merge_place_page(slug: str):
    """Merge a duplicate place into another: its items, seminars and address go there."""
    form = PlaceMergeForm()
    return _merge(_place(slug), form, lambda session, into: session.scalar(select(Place).where(Place.slug == into)),
                  merge_place, InvalidPlace, "place", lambda: _place_page(_place(slug), merge_form=form, status=400))

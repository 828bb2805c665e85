"""GOV.UK Frontend assets: copied without the GOV.UK typeface and served by the app itself."""

from __future__ import annotations

import re

from repository.assets import TARGET, copy_assets, rewrite_css


def test_the_gov_uk_typeface_is_dropped_from_the_stylesheet():
    css = ('@font-face{font-family:GDS Transport;src:url(/assets/fonts/light.woff2)}'
           '.govuk-body{font-family:GDS Transport,arial,sans-serif}.x{font-family:"GDS Transport", arial}')
    rewritten = rewrite_css(css)
    assert "GDS Transport" not in rewritten and "@font-face" not in rewritten and "/assets/fonts" not in rewritten
    assert ".govuk-body{font-family:arial,sans-serif}" in rewritten


def test_copy_assets_writes_the_stylesheet_script_and_version(tmp_path):
    source = tmp_path / "node_modules" / "govuk-frontend" / "dist" / "govuk"
    source.mkdir(parents=True)
    (source.parent.parent / "package.json").write_text('{"name": "govuk-frontend", "version": "6.3.0"}')
    (source / "govuk-frontend.min.css").write_text("@font-face{font-family:GDS Transport}a{color:red}")
    (source / "govuk-frontend.min.js").write_text("export{initAll}")
    written = copy_assets(source, tmp_path / "static")
    assert [path.name for path in written] == ["govuk-frontend.min.css", "govuk-frontend.min.js", "VERSION"]
    assert (tmp_path / "static" / "govuk-frontend.min.css").read_text() == "a{color:red}"
    assert (tmp_path / "static" / "VERSION").read_text().strip() == "6.3.0"


def test_copy_assets_says_what_to_run_when_npm_has_not(tmp_path):
    try:
        copy_assets(tmp_path / "missing", tmp_path / "static")
    except FileNotFoundError as error:
        assert "npm ci" in str(error)
    else:
        raise AssertionError("copy_assets accepted a missing source")


def test_the_app_serves_the_installed_assets(client):
    assert (TARGET / "VERSION").is_file(), "run `make assets` (the Makefile's setup does)"
    css = client.get("/static/govuk/govuk-frontend.min.css")
    assert css.status_code == 200 and css.mimetype == "text/css"
    assert "GDS Transport" not in css.get_data(as_text=True)
    script = client.get("/static/site.js").get_data(as_text=True)
    assert "./govuk/govuk-frontend.min.js" in script
    page = client.get("/").get_data(as_text=True)
    # Everything the page loads comes from this site.
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert "<script>" not in page and " style=" not in page

"""Suggested title, authors, abstract, year and keywords, from real PDFs and from page text."""

from __future__ import annotations

from pathlib import Path

from indexer.extraction.extract import extract_file
from indexer.extraction.metadata import suggest_metadata
from indexer.extraction.titles import clean_info_title

ABSTRACT = (
    "We studied how practitioners in three councils share information about families. "
    "Consent was recorded inconsistently, and shared records were rarely reconciled. "
    "We propose a simple checklist that teams can use at the point of referral."
)


def test_paper_title_authors_abstract_from_type_sizes(tmp_path: Path, pdfs) -> None:
    path = pdfs.styled_pdf(tmp_path / "paper.pdf", [
        (9, "Proceedings of the Seminar on Information Sharing, pages 1-9, Leeds, March 2015."),
        (18, "Sharing Information Across Agencies:\nLessons from Three Councils"),
        (11, "Ann Example, Bob Person and Cara Tester"),
        (10, "Department of Social Policy, University of Leeds"),
        (11, "Abstract"),
        (10, ABSTRACT),
        (11, "1 Introduction"),
        (10, "Information sharing has been studied for decades."),
    ])
    suggestion = extract_file(path).suggestion
    assert suggestion.title == "Sharing Information Across Agencies: Lessons from Three Councils"
    assert suggestion.authors == ["Ann Example", "Bob Person", "Cara Tester"]
    assert suggestion.abstract == ABSTRACT
    assert suggestion.year == 2015


def test_report_cover_with_short_title_gets_its_subtitle(tmp_path: Path, pdfs) -> None:
    path = pdfs.styled_pdf(tmp_path / "report.pdf", [
        (10, "OFFICIAL"),
        (36, "Early Help"),
        (16, "Statutory guidance for local\nauthorities and their partners"),
        (14, "July 2024"),
    ], more_pages=["Contents\n1. Purpose of this guidance"], title="Microsoft Word - early_help_v3.docx")
    result = extract_file(path)
    assert result.suggestion.title == "Early Help: Statutory guidance for local authorities and their partners"
    assert result.suggestion.year == 2024


def test_good_info_title_is_used_when_the_page_has_no_large_type(tmp_path: Path, pdfs) -> None:
    path = pdfs.text_pdf(tmp_path / "plain.pdf", [
        "This note sets out what changed in the referral process and why the board agreed it.",
    ], title="Referral process changes 2016", author="Leeds Safeguarding Board")
    suggestion = extract_file(path).suggestion
    assert suggestion.title == "Referral process changes 2016"
    assert suggestion.authors == ["Leeds Safeguarding Board"]


def test_junk_info_titles_are_ignored() -> None:
    for junk in ["Microsoft Word - report final.docx", "PowerPoint Presentation", "untitled",
                 "Document1", "report_v2.pdf", "KM007-20170926094048", "Slide 1", "x",
                 "DFE stat guidance template", "Research report template v2"]:
        assert clean_info_title(junk) is None, junk
    assert clean_info_title("minutes 2019", "Minutes 2019.pdf") is None  # just the file name
    assert clean_info_title("FOI Reference SOL/AYCBWB June18 - Google Docs") == "FOI Reference SOL/AYCBWB June18"
    assert clean_info_title("Children's social care national framework") == "Children's social care national framework"


def test_page_title_with_the_word_template_is_kept(tmp_path: Path, pdfs) -> None:
    # The info title names the Word template; the cover's title merely contains the word.
    path = pdfs.styled_pdf(tmp_path / "isa.pdf", [
        (24, "A template for information-sharing\nagreements between councils"),
        (12, "Guidance for data protection officers"),
        (11, "This template sets out what partners agree to share, why, and for how long."),
    ], title="DFE stat guidance template")
    assert extract_file(path).suggestion.title == (
        "A template for information-sharing agreements between councils"
    )


def test_info_title_with_the_word_template_is_used(tmp_path: Path, pdfs) -> None:
    path = pdfs.text_pdf(tmp_path / "isa.pdf", [
        "This note explains each clause and the choices partners have to make before signing it.",
    ], title="A template for information-sharing agreements")
    assert extract_file(path).suggestion.title == "A template for information-sharing agreements"


def test_title_skips_page_furniture_and_joins_a_wrapped_title() -> None:
    page = "\n".join([
        "Page 1 of 12",
        "www.example.org.uk",
        "12 March 2015",
        "Working together across",
        "health and social care",
        "A report for the partnership board",
        "",
        "This report describes the work of the partnership over the year and what it achieved.",
    ])
    suggestion = suggest_metadata({}, [page])
    assert suggestion.title == "Working together across health and social care"
    assert suggestion.year == 2015


def test_letter_gets_its_subject_line_as_title() -> None:
    page = "\n".join([
        "Information Governance Team",
        "Town Hall",
        "Date: 3 April 2018",
        "Dear Sir or Madam",
        "Re: Request for Information - Reference 12345",
        "Thank you for your request, which we received on 1 March 2018.",
    ])
    assert suggest_metadata({}, [page]).title == "Request for Information - Reference 12345"
    page = "Dear Data Team\nYOUR REQUEST FOR INFORMATION\nThank you for writing to us."
    assert suggest_metadata({}, [page]).title == "Your Request for Information"


def test_stale_info_authors_give_way_to_the_names_on_the_page() -> None:
    page = "\n".join([
        "Indexing Case Notes",
        "Dana Scully and Fox Mulder",
        "Abstract",
        "We index case notes. " * 5,
    ])
    info = {"author": "Walter Skinner, Alex Krycek"}
    assert suggest_metadata(info, [page], font_runs=[(18.0, "Indexing Case Notes")]).authors == [
        "Dana Scully", "Fox Mulder"
    ]


def test_info_author_in_last_first_form_and_login_names() -> None:
    page = "Some findings from the Faye Acton review of recording practice in Essex."
    assert suggest_metadata({"author": "Acton, Faye"}, [page]).authors == ["Faye Acton"]
    assert suggest_metadata({"author": "holmep"}, [page]).authors == []


def test_explicit_author_line_wins() -> None:
    page = "Evaluation report\nReport author: Dr Jane Doe and Sam Roe (Data Unit)\nMay 2023"
    assert suggest_metadata({"author": "Someone Else"}, [page]).authors == ["Jane Doe", "Sam Roe"]


def test_summary_heading_and_long_paragraph_fallback() -> None:
    page = "Executive summary\n\n" + ABSTRACT + "\n\n1. Background\nMore text."
    assert suggest_metadata({}, [page]).abstract == ABSTRACT
    long_paragraph = "Families were supported by a single key worker. " * 8
    page = "Case study\n\n" + long_paragraph.strip() + "\n\nNext section"
    assert suggest_metadata({}, [page]).abstract == long_paragraph.strip()


def test_year_from_creation_date_when_the_page_has_no_date() -> None:
    suggestion = suggest_metadata({"creation_date": "2012-05-01"}, ["A note with no date in it"])
    assert suggestion.year == 2012


def test_keywords_from_info_or_keywords_line() -> None:
    assert suggest_metadata({"keywords": "consent; information sharing, MARAC"}, ["x"]).keywords == [
        "consent", "information sharing", "MARAC"
    ]
    page = "Title here\nKeywords: early help, troubled families,\nwhole family working\nText."
    assert suggest_metadata({}, [page]).keywords == ["early help", "troubled families", "whole family working"]


def test_empty_document_falls_back_to_the_file_name() -> None:
    suggestion = suggest_metadata({"title": "PowerPoint Presentation"}, ["", ""],
                                  file_name="Think_Family_risk_log_v2.pdf")
    assert suggestion.title == "Think Family risk log"
    assert suggestion.authors == [] and suggestion.abstract is None


CONTENTS_PAGES = [
    "Report on the data hub\nContents\nForeword ........................................ 3\n"
    "Executive summary ............................... 4\nMethods ......................................... 9\n"
    "Findings ........................................ 12",
    # The same contents as a PDF often yields them: run together, no dot leaders.
    "2 Contents Legislation 6 Contact details 6 Other census documents 6 Data protection and data "
    "sharing 7 Version history 8 1. Introduction 9 Summary of changes 9 Scope 10 Timetable 11 Returns 12",
    "Executive summary\n\nThe hub brought together records from thirty services so that key workers could "
    "see the whole family. Referrals were answered faster, and families told their story once rather than "
    "five times. We recommend that the council keeps the hub and extends it to adult services.",
]


def test_a_table_of_contents_is_never_the_abstract() -> None:
    suggestion = suggest_metadata({}, CONTENTS_PAGES)
    assert suggestion.abstract.startswith("The hub brought together records from thirty services")
    assert "abstract" not in suggestion.unsure  # under its own heading
    # Without the summary, no abstract at all rather than the contents.
    assert suggest_metadata({}, CONTENTS_PAGES[:2]).abstract is None


def test_a_heading_over_the_first_paragraph_is_left_out() -> None:
    page = ("Local offer guidance\n\nAbout this guidance\nThis guidance is about the duty of each local "
            "authority to consult on and publish a local offer for care leavers. It explains what the offer "
            "should contain, how to consult young people, and how often to review it.\n\nNext part")
    suggestion = suggest_metadata({}, [page])
    assert suggestion.abstract.startswith("This guidance is about the duty")
    assert "abstract" in suggestion.unsure  # a first paragraph, not a summary: the depositor checks it


def test_a_temporary_or_system_title_gives_way_to_the_first_page(tmp_path: Path, pdfs) -> None:
    for junk in ["upload-3sd0oik8", "Microsoft Word - draft2.docx", "Layout 1", "tmpx8w2_k1 (2)", "scan0042"]:
        path = pdfs.text_pdf(tmp_path / "plain.pdf", [
            "Sharing information about children at risk in Blackpool\n\n"
            "This note explains how partners agreed to share referral outcomes within a day.",
        ], title=junk)
        assert extract_file(path).suggestion.title == "Sharing information about children at risk in Blackpool", junk
    # Nor is the file's own name a title when a system made it up.
    assert suggest_metadata({}, [""], file_name="upload-3sd0oik8.pdf").title is None


def test_authors_on_one_line_without_separators_are_split() -> None:
    page = ("A Statistical Semantic Parser that Integrates Syntax and Semantics\n"
            "Ruifang Ge Raymond J. Mooney\nDepartment of Computer Sciences\nUniversity of Texas at Austin\n"
            "Abstract\n" + ABSTRACT)
    runs = [(14.0, "A Statistical Semantic Parser that Integrates Syntax and Semantics"), (11.0, "x" * 400)]
    suggestion = suggest_metadata({}, [page], font_runs=runs)
    assert suggestion.authors == ["Ruifang Ge", "Raymond J. Mooney"]
    page = page.replace("Ruifang Ge Raymond J. Mooney", "Kevin Waugh Brian D. Ziebart J. Andrew Bagnell")
    assert suggest_metadata({}, [page], font_runs=runs).authors == ["Kevin Waugh", "Brian D. Ziebart",
                                                                    "J. Andrew Bagnell"]


def test_guesses_on_thin_evidence_are_marked_unsure() -> None:
    # No large type, no usable info title: the first line is a guess.
    suggestion = suggest_metadata({"author": "jbloggs2"}, ["Notes from the partnership meeting\nWe met."])
    assert suggestion.title == "Notes from the partnership meeting" and "title" in suggestion.unsure
    # An author only the file's properties name, never the page, is marked too.
    suggestion = suggest_metadata({"author": "Pat Typist"}, ["Referral pathway review\n" + ABSTRACT])
    assert suggestion.authors == ["Pat Typist"] and "authors" in suggestion.unsure
    # Set in the page's largest type, with its authors under it: nothing to mark.
    page = "Sharing Information Across Agencies\nAnn Example and Bob Person\nAbstract\n" + ABSTRACT
    runs = [(18.0, "Sharing Information Across Agencies"), (10.0, "y" * 500)]
    assert suggest_metadata({}, [page], font_runs=runs).unsure == []

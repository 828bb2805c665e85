"""The abbreviations and other names of UK information sharing, safeguarding and data protection
that every new repository's search starts with (editors change them on the vocabulary page)."""

# Each group: the terms a search treats as one, the abbreviation (or usual name) first.
SEED_SYNONYMS: list[tuple[str, ...]] = [
    ("GDPR", "General Data Protection Regulation", "UK GDPR"),
    ("DPA", "Data Protection Act"),
    ("DPIA", "data protection impact assessment"),
    ("DPO", "data protection officer"),
    ("ICO", "Information Commissioner's Office", "Information Commissioner"),
    ("ISA", "information sharing agreement", "data sharing agreement"),
    ("ISP", "information sharing protocol"),
    ("MASH", "multi-agency safeguarding hub"),
    ("MARAC", "multi-agency risk assessment conference"),
    ("MAPPA", "multi-agency public protection arrangements"),
    ("IDVA", "independent domestic violence adviser", "independent domestic violence advisor"),
    ("DVA", "domestic violence and abuse"),
    ("NRM", "National Referral Mechanism"),
    ("CSE", "child sexual exploitation"),
    ("CCE", "child criminal exploitation"),
    ("LAC", "looked-after children", "looked after child", "children in care"),
    ("CIN", "child in need", "children in need"),
    ("CP", "child protection"),
    ("EHCP", "education, health and care plan", "education health and care plan"),
    ("LSCB", "local safeguarding children board"),
    ("LADO", "local authority designated officer"),
    ("DBS", "Disclosure and Barring Service"),
    ("ACEs", "adverse childhood experiences"),
    ("UPRN", "unique property reference number"),
]

"""The themes of the seminar series that every new repository starts with."""

# Each entry: slug, name, description, key phrases (for suggesting themes from text), children.
SEED_THEMES: list[dict] = [
    {
        "slug": "families",
        "name": "Families",
        "description": "Working with whole families: how services see a family, and how families see themselves.",
        "keywords": ["family", "families", "parents", "carers", "household", "think family",
                     "whole family", "family support", "early help"],
        "children": [
            {
                "slug": "troubled-families",
                "name": "The Troubled Families programme",
                "description": "The national programme for families with multiple problems, its payment-by-results model, data matching and evaluation.",
                "keywords": ["troubled families", "payment by results", "families first",
                             "supporting families", "family intervention", "key worker"],
            },
            {
                "slug": "family-perspectives",
                "name": "How families see themselves",
                "description": "Family members' own accounts of who belongs to their family, consent, and being known to many services.",
                "keywords": ["genogram", "family tree", "lived experience", "family members",
                             "own words", "consent", "trust"],
            },
        ],
    },
    {
        "slug": "domestic-abuse",
        "name": "Domestic abuse",
        "description": "Sharing information to protect people at risk of domestic abuse: risk assessment, MARACs, disclosure schemes and victims' services.",
        "keywords": ["domestic abuse", "domestic violence", "marac", "dash risk", "coercive control",
                     "victim", "survivor", "perpetrator", "refuge", "idva", "high risk"],
    },
    {
        "slug": "it-standards",
        "name": "IT and information standards",
        "description": "Case management systems, interoperability, shared records and the standards that let systems exchange information.",
        "keywords": ["interoperability", "information standard", "case management system", "shared record",
                     "data standard", "software", "database", "integration", "dataset", "data model"],
        "children": [
            {
                "slug": "terminology-standards",
                "name": "Terminology and data standards",
                "description": "Shared vocabularies, coding schemes and data definitions so that a term means the same thing in every agency.",
                "keywords": ["terminology", "vocabulary", "coding", "codes", "classification",
                             "data definition", "data dictionary", "metadata", "specification"],
            },
        ],
    },
    {
        "slug": "data-protection",
        "name": "Data protection and legislation",
        "description": "The law on sharing personal information: data protection, confidentiality, the duty to share, and information governance.",
        "keywords": ["data protection", "gdpr", "information governance", "lawful basis", "confidentiality",
                     "legislation", "privacy", "freedom of information", "foi", "caldicott", "duty to share"],
    },
    {
        "slug": "multi-agency-working",
        "name": "Multi-agency working",
        "description": "Police, health, schools, social care and the voluntary sector working together, including safeguarding hubs.",
        "keywords": ["multi-agency", "multiagency", "partnership", "partner agencies", "mash", "joint working",
                     "agencies", "co-located", "integrated working", "safeguarding hub"],
    },
    {
        "slug": "safeguarding-children",
        "name": "Safeguarding children",
        "description": "Protecting children from harm: child protection, children in need, looked-after children and early help.",
        "keywords": ["safeguarding", "child protection", "children in need", "looked after", "looked-after",
                     "children's social care", "social worker", "harm", "neglect", "exploitation"],
    },
    {
        "slug": "undocumented-migrants",
        "name": "Undocumented migrants",
        "description": "Access to services for people without settled immigration status, and the limits of sharing their information.",
        "keywords": ["undocumented", "migrant", "migrants", "immigration", "asylum", "no recourse to public funds",
                     "nrpf", "refugee", "home office"],
    },
    {
        "slug": "commissioning",
        "name": "Commissioning services",
        "description": "Commissioning and procuring services, outcome measures and what data commissioners need.",
        "keywords": ["commissioning", "commissioner", "procurement", "contract", "outcomes framework",
                     "provider", "tender", "value for money", "budget"],
    },
    {
        "slug": "culture-and-barriers",
        "name": "Culture and barriers to information sharing",
        "description": "Professional cultures, fears, trust and the everyday obstacles that stop people sharing what they know.",
        # Only words about attitudes to sharing: "practice" or "training" are in every paper.
        "keywords": ["barriers", "culture", "cultural", "trust", "fear", "reluctance", "reluctant",
                     "professional judgement", "risk averse", "blame", "silo", "silos"],
    },
    {
        "slug": "international-approaches",
        "name": "International approaches",
        "description": "What other countries do about sharing information between public services.",
        "keywords": ["international", "comparative", "other countries", "europe", "european"],
        "children": [
            {
                "slug": "nordic-countries",
                "name": "Nordic countries",
                "description": "Approaches in Denmark, Finland, Iceland, Norway and Sweden, including personal identity numbers and registers.",
                "keywords": ["nordic", "scandinavia", "scandinavian", "denmark", "danish", "sweden", "swedish",
                             "norway", "norwegian", "finland", "finnish", "iceland", "personal identity number"],
            },
        ],
    },
]

"""The small, fixed vocabularies the simulated world is drawn from."""

from __future__ import annotations

from dataclasses import dataclass

# Skill clusters: a posting's and a user's skills are mostly drawn from one cluster.
SKILL_CLUSTERS: dict[str, tuple[str, ...]] = {
    "backend": (
        "python",
        "java",
        "go",
        "postgresql",
        "django",
        "spring",
        "rest",
        "microservices",
        "redis",
        "kafka",
    ),
    "frontend": (
        "javascript",
        "typescript",
        "react",
        "vue",
        "css",
        "html",
        "nextjs",
        "webpack",
        "graphql",
        "figma",
    ),
    "data": (
        "sql",
        "python",
        "dbt",
        "airflow",
        "spark",
        "tableau",
        "statistics",
        "excel",
        "snowflake",
        "pandas",
    ),
    "ml": (
        "python",
        "pytorch",
        "scikit-learn",
        "tensorflow",
        "statistics",
        "nlp",
        "mlops",
        "numpy",
        "spark",
        "llm",
    ),
    "devops": (
        "kubernetes",
        "docker",
        "terraform",
        "aws",
        "gcp",
        "linux",
        "ci/cd",
        "prometheus",
        "ansible",
        "bash",
    ),
    "design": (
        "figma",
        "sketch",
        "user research",
        "prototyping",
        "illustrator",
        "ux writing",
        "accessibility",
        "css",
        "motion",
        "branding",
    ),
    "product": (
        "roadmapping",
        "user research",
        "analytics",
        "jira",
        "sql",
        "a/b testing",
        "stakeholder management",
        "agile",
        "okrs",
        "pricing",
    ),
    "sales": (
        "salesforce",
        "negotiation",
        "crm",
        "lead generation",
        "b2b",
        "cold calling",
        "account management",
        "hubspot",
        "forecasting",
        "saas",
    ),
}
CLUSTER_NAMES: tuple[str, ...] = tuple(SKILL_CLUSTERS)
ALL_SKILLS: tuple[str, ...] = tuple(
    sorted({s for skills in SKILL_CLUSTERS.values() for s in skills})
)
SKILL_INDEX: dict[str, int] = {s: i for i, s in enumerate(ALL_SKILLS)}

# Cluster -> (job_category enum label, role nouns used in titles, salary multiplier).
CLUSTER_ROLES: dict[str, tuple[str, tuple[str, ...], float]] = {
    "backend": (
        "ENGINEERING",
        ("Backend Engineer", "Software Engineer", "Platform Engineer"),
        1.10,
    ),
    "frontend": ("ENGINEERING", ("Frontend Engineer", "Web Developer", "UI Engineer"), 1.00),
    "data": ("DATA", ("Data Analyst", "Analytics Engineer", "Data Engineer"), 0.95),
    "ml": ("DATA", ("Machine Learning Engineer", "Data Scientist", "Applied Scientist"), 1.20),
    "devops": (
        "ENGINEERING",
        ("DevOps Engineer", "Site Reliability Engineer", "Cloud Engineer"),
        1.10,
    ),
    "design": ("DESIGN", ("Product Designer", "UX Designer", "Visual Designer"), 0.90),
    "product": ("PRODUCT", ("Product Manager", "Product Owner", "Product Analyst"), 1.05),
    "sales": (
        "SALES",
        ("Account Executive", "Sales Development Representative", "Account Manager"),
        0.80,
    ),
}

# job_level labels in order, with the title prefix and the yearly USD base salary.
LEVELS: tuple[tuple[str, str, int], ...] = (
    ("ENTRY", "Graduate", 55_000),
    ("JUNIOR", "Junior", 70_000),
    ("MID", "", 95_000),
    ("SENIOR", "Senior", 130_000),
    ("LEAD", "Lead", 155_000),
    ("PRINCIPAL", "Principal", 185_000),
    ("EXECUTIVE", "Head of", 220_000),
)


@dataclass(frozen=True)
class City:
    name: str
    state: str | None
    country: str
    latitude: float
    longitude: float
    currency: str
    salary_factor: float


CITIES: tuple[City, ...] = (
    City("San Francisco", "CA", "US", 37.7749, -122.4194, "USD", 1.25),
    City("New York", "NY", "US", 40.7128, -74.0060, "USD", 1.20),
    City("Seattle", "WA", "US", 47.6062, -122.3321, "USD", 1.15),
    City("Austin", "TX", "US", 30.2672, -97.7431, "USD", 1.00),
    City("Chicago", "IL", "US", 41.8781, -87.6298, "USD", 1.00),
    City("Boston", "MA", "US", 42.3601, -71.0589, "USD", 1.10),
    City("Denver", "CO", "US", 39.7392, -104.9903, "USD", 0.95),
    City("Atlanta", "GA", "US", 33.7490, -84.3880, "USD", 0.90),
    City("Toronto", "ON", "CA", 43.6532, -79.3832, "CAD", 0.85),
    City("London", None, "GB", 51.5074, -0.1278, "GBP", 0.75),
    City("Manchester", None, "GB", 53.4808, -2.2426, "GBP", 0.60),
    City("Berlin", None, "DE", 52.5200, 13.4050, "EUR", 0.70),
    City("Amsterdam", None, "NL", 52.3676, 4.9041, "EUR", 0.72),
    City("Paris", None, "FR", 48.8566, 2.3522, "EUR", 0.68),
    City("Dublin", None, "IE", 53.3498, -6.2603, "EUR", 0.75),
    City("Sydney", "NSW", "AU", -33.8688, 151.2093, "AUD", 0.90),
)
# Units of each currency per USD, to state local salaries (approximate, fixed).
CURRENCY_PER_USD: dict[str, float] = {
    "USD": 1.0,
    "CAD": 1.36,
    "GBP": 0.79,
    "EUR": 0.92,
    "AUD": 1.52,
}

COMPANY_WORDS_A = (
    "Blue",
    "Bright",
    "North",
    "Quantum",
    "Silver",
    "Green",
    "Red",
    "Swift",
    "Clear",
    "Deep",
    "Open",
    "Iron",
    "Lunar",
    "Solar",
    "Prime",
)
COMPANY_WORDS_B = (
    "Harbor",
    "Labs",
    "Systems",
    "Works",
    "Analytics",
    "Cloud",
    "Logic",
    "Dynamics",
    "Forge",
    "Signal",
    "Bridge",
    "Stack",
    "Wave",
    "Peak",
    "Grid",
)
COMPANY_SUFFIXES = ("", " Inc", " Ltd", " GmbH", " Technologies", " Group")
INDUSTRIES = (
    "Software",
    "Fintech",
    "Healthcare",
    "E-commerce",
    "Education",
    "Media",
    "Logistics",
    "Energy",
    "Gaming",
    "Security",
)
FIRST_NAMES = (
    "Ada",
    "Alan",
    "Grace",
    "Linus",
    "Margaret",
    "Dennis",
    "Barbara",
    "Ken",
    "Frances",
    "Edsger",
    "Radia",
    "Tim",
    "Katherine",
    "Guido",
    "Hedy",
    "Donald",
    "Sophie",
    "Yukihiro",
    "Anita",
    "Bjarne",
)
LAST_NAMES = (
    "Lovelace",
    "Turing",
    "Hopper",
    "Torvalds",
    "Hamilton",
    "Ritchie",
    "Liskov",
    "Thompson",
    "Allen",
    "Dijkstra",
    "Perlman",
    "Berners-Lee",
    "Johnson",
    "Rossum",
    "Lamarr",
    "Knuth",
    "Wilson",
    "Matsumoto",
    "Borg",
    "Stroustrup",
)
DEVICE_TYPES = ("ios", "android", "web")
AUTOMATION_FAILURES = ("captcha", "timeout", "form_changed", "login_required", "element_not_found")
AUTOMATION_STEPS = (
    "open_posting",
    "click_apply",
    "fill_profile",
    "upload_resume",
    "answer_questions",
    "solve_captcha",
    "submit",
)

# Plan -> (monthly price USD, monthly application limit, resume template limit).
PLANS: dict[str, tuple[float, int, int]] = {
    "FREE": (0.0, 10, 1),
    "BASIC": (9.99, 50, 5),
    "PRO": (29.99, 300, 25),
    "ENTERPRISE": (99.0, 2000, 100),
}

SYSTEM_SETTINGS: tuple[tuple[str, str, str, str, str], ...] = (
    # key, value, type, category, description
    ("swipe.daily_limit.free", "100", "INTEGER", "limits", "Swipes per day on the free plan"),
    ("swipe.daily_limit.paid", "1000", "INTEGER", "limits", "Swipes per day on paid plans"),
    (
        "automation.max_attempts",
        "3",
        "INTEGER",
        "automation",
        "Attempts before an auto-application fails",
    ),
    ("automation.enabled", "true", "BOOLEAN", "automation", "Browser automation on or off"),
    ("matching.model_version", "none", "STRING", "matching", "Match-score model serving the feed"),
    ("matching.min_score", "20", "FLOAT", "matching", "Postings scoring below this are not shown"),
    ("gdpr.retention_years.users", "7", "INTEGER", "gdpr", "Years a deleted account is kept"),
    ("gdpr.retention_years.analytics", "3", "INTEGER", "gdpr", "Years analytics events are kept"),
    ("feed.deck_size", "30", "INTEGER", "feed", "Cards per swipe deck"),
    (
        "notifications.channels",
        '["IN_APP", "EMAIL", "PUSH"]',
        "JSON",
        "notifications",
        "Enabled channels",
    ),
)

RESUME_TEMPLATES: tuple[tuple[str, str, bool], ...] = (
    ("Classic", "GENERAL", False),
    ("Modern Tech", "TECHNOLOGY", False),
    ("Engineer Pro", "TECHNOLOGY", True),
    ("Creative Portfolio", "CREATIVE", False),
    ("Designer Showcase", "CREATIVE", True),
    ("Business Professional", "BUSINESS", False),
    ("Executive Summary", "EXECUTIVE", True),
    ("Academic CV", "ACADEMIC", False),
    ("First Job", "ENTRY_LEVEL", False),
    ("Clinical", "HEALTHCARE", False),
    ("Minimal", "GENERAL", False),
    ("Data Specialist", "TECHNOLOGY", True),
)

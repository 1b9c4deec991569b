"""The simulated population: users, companies and postings, with hidden preferences.

Everything is drawn from one seed. The latent parts (taste vectors, posting embeddings,
popularity, company quality, pickiness) never reach the tables; ``preferences`` uses them to
decide swipes and exposes the same function as an oracle for evaluating trained models.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from pipelines.simulate import vocabulary as v

LATENT_DIM = 6
REMOTE_PREFS = ("REMOTE_ONLY", "HYBRID", "ONSITE", "NO_PREFERENCE")
REMOTE_TYPES = ("ONSITE", "HYBRID", "REMOTE")


@dataclass(frozen=True)
class Scale:
    name: str
    users: int
    postings: int
    companies: int
    # Mean swipes per user per fully active month.
    swipes_per_month: float
    horizon_months: int = 12
    default_months: int = 6


SCALES: dict[str, Scale] = {
    "small": Scale(
        "small", users=600, postings=900, companies=90, swipes_per_month=14.0, default_months=6
    ),
    "medium": Scale(
        "medium",
        users=10_000,
        postings=20_000,
        companies=1_500,
        swipes_per_month=31.5,
        default_months=12,
    ),
    "large": Scale(
        "large",
        users=100_000,
        postings=100_000,
        companies=8_000,
        swipes_per_month=31.5,
        default_months=12,
    ),
}


def month_start(first: dt.date, offset: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + offset
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass
class Users:
    signup_month: np.ndarray  # int: month index of sign-up
    signup_fraction: np.ndarray  # float in [0, 1): when in that month
    cluster: np.ndarray
    skills: np.ndarray  # bool [n_users, n_skills]
    years_experience: np.ndarray
    level: np.ndarray  # index into vocabulary.LEVELS
    salary_min_usd: np.ndarray
    salary_max_usd: np.ndarray
    city: np.ndarray
    remote_pref: np.ndarray  # index into REMOTE_PREFS
    search_radius: np.ndarray
    taste: np.ndarray  # hidden [n_users, LATENT_DIM]
    pickiness: np.ndarray  # hidden
    activity: np.ndarray  # hidden: swipes per active month
    churn_month: np.ndarray  # first month with no activity
    role: np.ndarray  # str labels
    status: np.ndarray
    is_deleted: np.ndarray
    consent: np.ndarray
    auto_apply: np.ndarray
    first_name: np.ndarray
    last_name: np.ndarray
    birth_year: np.ndarray
    initial_plan: np.ndarray  # str labels

    @property
    def count(self) -> int:
        return len(self.cluster)


@dataclass
class Companies:
    name: list[str]
    slug: list[str]
    quality: np.ndarray  # hidden
    industry: np.ndarray
    size: np.ndarray
    founded_year: np.ndarray
    employee_count: np.ndarray
    # Companies [generated:] are existing rows of the companies table (ids below).
    generated: int = 0
    existing_ids: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.name)


@dataclass
class Postings:
    company: np.ndarray
    cluster: np.ndarray
    level: np.ndarray
    skills: np.ndarray  # bool [n_postings, n_skills]
    salary_usd: np.ndarray  # yearly, USD
    salary_type: np.ndarray  # YEARLY / HOURLY / MONTHLY labels
    city: np.ndarray
    remote_type: np.ndarray  # index into REMOTE_TYPES
    posted_day: np.ndarray  # days since the world's first day (negative: before it)
    lifetime_days: np.ndarray
    latent: np.ndarray  # hidden [n_postings, LATENT_DIM]
    popularity: np.ndarray  # hidden
    title: list[str]
    # Postings [generated:] are existing rows of job_postings (from ingestion), ids below.
    generated: int = 0
    existing_ids: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.cluster)


@dataclass
class World:
    seed: int
    scale: Scale
    start: dt.date
    users: Users
    companies: Companies
    postings: Postings
    # How users decide (pipelines/simulate/preferences.py): "additive" or "screening".
    taste_model: str = "additive"
    key: str = field(init=False)

    def __post_init__(self) -> None:
        # The default taste model keeps the keys (and so the ids) worlds have always had.
        model = "" if self.taste_model == "additive" else f":{self.taste_model}"
        digest = hashlib.sha256(
            f"{self.seed}:{self.scale.name}:{self.start.isoformat()}{model}".encode()
        ).hexdigest()
        self.key = f"{self.scale.name}-s{self.seed}-{self.start:%Y%m}-{digest[:8]}"

    @property
    def id_prefix(self) -> str:
        return self.key[-8:]

    def month(self, index: int) -> dt.date:
        return month_start(self.start, index)

    def day_of(self, when: dt.date) -> int:
        return (when - self.start).days

    def rng(self, *stream: int | str) -> np.random.Generator:
        """An independent, reproducible random stream for one part of the simulation."""
        words = [
            self.seed,
            *(int(hashlib.sha256(str(s).encode()).hexdigest()[:8], 16) for s in stream),
        ]
        return np.random.default_rng(np.random.SeedSequence(words))


def build_world(
    seed: int,
    scale: Scale,
    start: dt.date,
    catalog: pl.DataFrame | None = None,
    taste_model: str = "additive",
) -> World:
    """The simulated world; ``catalog`` adds existing (ingested) postings users can swipe on."""
    start = start.replace(day=1)
    companies = _companies(np.random.default_rng([seed, 1]), scale.companies)
    postings = _postings(np.random.default_rng([seed, 2]), scale, companies)
    companies.generated, postings.generated = companies.count, postings.count
    if catalog is not None and catalog.height:
        _add_catalog(np.random.default_rng([seed, 4]), start, companies, postings, catalog)
    users = _users(np.random.default_rng([seed, 3]), scale)
    return World(
        seed=seed,
        scale=scale,
        start=start,
        users=users,
        companies=companies,
        postings=postings,
        taste_model=taste_model,
    )


def _skill_matrix(
    rng: np.random.Generator, clusters: np.ndarray, low: int, high: int, in_cluster: float
) -> np.ndarray:
    n = len(clusters)
    matrix = np.zeros((n, len(v.ALL_SKILLS)), dtype=bool)
    cluster_skill_idx = [
        np.array([v.SKILL_INDEX[s] for s in v.SKILL_CLUSTERS[c]]) for c in v.CLUSTER_NAMES
    ]
    counts = rng.integers(low, high + 1, size=n)
    for row in range(n):
        own = cluster_skill_idx[clusters[row]]
        n_own = min(len(own), rng.binomial(counts[row], in_cluster))
        matrix[row, rng.choice(own, size=n_own, replace=False)] = True
        n_other = counts[row] - n_own
        if n_other:
            matrix[row, rng.choice(len(v.ALL_SKILLS), size=n_other, replace=False)] = True
    return matrix


def _companies(rng: np.random.Generator, n: int) -> Companies:
    names: list[str] = []
    slugs: list[str] = []
    seen: set[str] = set()
    for i in range(n):
        base = f"{rng.choice(v.COMPANY_WORDS_A)} {rng.choice(v.COMPANY_WORDS_B)}"
        name = base if base not in seen else f"{base} {i}"
        seen.add(name)
        names.append(name + str(rng.choice(v.COMPANY_SUFFIXES)))
        slugs.append(name.lower().replace(" ", "-"))
    employee_count = np.round(rng.lognormal(5.0, 1.6, size=n)).astype(int) + 3
    size = np.select(
        [employee_count < 20, employee_count < 100, employee_count < 1000, employee_count < 5000],
        ["STARTUP", "SMALL", "MEDIUM", "LARGE"],
        "ENTERPRISE",
    )
    return Companies(
        name=names,
        slug=slugs,
        quality=rng.normal(0.0, 1.0, size=n),
        industry=rng.choice(np.array(v.INDUSTRIES), size=n),
        size=size,
        founded_year=rng.integers(1950, 2024, size=n),
        employee_count=employee_count,
    )


def _postings(rng: np.random.Generator, scale: Scale, companies: Companies) -> Postings:
    n = scale.postings
    cluster = rng.integers(0, len(v.CLUSTER_NAMES), size=n)
    level = np.clip(np.round(rng.normal(2.4, 1.3, size=n)), 0, len(v.LEVELS) - 1).astype(int)
    city = rng.integers(0, len(v.CITIES), size=n)
    base = np.array([v.LEVELS[lv][2] for lv in level], dtype=float)
    multiplier = np.array([v.CLUSTER_ROLES[v.CLUSTER_NAMES[c]][2] for c in cluster])
    city_factor = np.array([v.CITIES[c].salary_factor for c in city])
    salary = base * multiplier * city_factor * rng.lognormal(0.0, 0.15, size=n)
    horizon_days = scale.horizon_months * 30
    # A third of the catalogue exists before the world starts; the rest appears over time.
    posted_day = np.where(
        rng.random(n) < 0.33, -rng.integers(1, 60, size=n), rng.integers(0, horizon_days, size=n)
    )
    titles = []
    for c, lv in zip(cluster, level, strict=True):
        roles = v.CLUSTER_ROLES[v.CLUSTER_NAMES[c]][1]
        prefix = v.LEVELS[lv][1]
        role = roles[rng.integers(len(roles))]
        titles.append(f"{prefix} {role}".strip())
    return Postings(
        company=rng.integers(0, companies.count, size=n),
        cluster=cluster,
        level=level,
        skills=_skill_matrix(rng, cluster, 4, 7, 0.8),
        salary_usd=salary,
        salary_type=rng.choice(
            np.array(["YEARLY", "HOURLY", "MONTHLY"]), size=n, p=[0.85, 0.1, 0.05]
        ),
        city=city,
        remote_type=rng.choice(3, size=n, p=[0.45, 0.3, 0.25]),
        posted_day=posted_day,
        lifetime_days=rng.integers(30, 120, size=n),
        latent=rng.normal(0.0, 1.0, size=(n, LATENT_DIM)),
        popularity=rng.lognormal(0.0, 0.7, size=n),
        title=titles,
    )


def _users(rng: np.random.Generator, scale: Scale) -> Users:
    n = scale.users
    months = scale.horizon_months
    growth = np.linspace(1.0, 2.0, months)
    signup_month = rng.choice(months, size=n, p=growth / growth.sum())
    cluster = rng.integers(0, len(v.CLUSTER_NAMES), size=n)
    years = np.round(rng.gamma(2.0, 3.0, size=n), 1)
    level = np.digitize(years, [1, 3, 6, 10, 14, 20]).astype(int)
    city = rng.integers(0, len(v.CITIES), size=n)
    base = np.array([v.LEVELS[lv][2] for lv in level], dtype=float)
    multiplier = np.array([v.CLUSTER_ROLES[v.CLUSTER_NAMES[c]][2] for c in cluster])
    city_factor = np.array([v.CITIES[c].salary_factor for c in city])
    salary_min = base * multiplier * city_factor * rng.lognormal(-0.05, 0.15, size=n)
    # Churn: a geometric number of active months after sign-up.
    active_months = rng.geometric(0.12, size=n)
    role = rng.choice(
        np.array(["USER", "PREMIUM_USER", "ADMIN", "SUPER_ADMIN"]),
        size=n,
        p=[0.78, 0.2, 0.015, 0.005],
    )
    status = rng.choice(
        np.array(["ACTIVE", "INACTIVE", "SUSPENDED", "BANNED"]), size=n, p=[0.9, 0.06, 0.03, 0.01]
    )
    return Users(
        signup_month=signup_month,
        signup_fraction=rng.random(n),
        cluster=cluster,
        skills=_skill_matrix(rng, cluster, 4, 9, 0.7),
        years_experience=years,
        level=level,
        salary_min_usd=np.round(salary_min, -3),
        salary_max_usd=np.round(salary_min * rng.uniform(1.15, 1.5, size=n), -3),
        city=city,
        remote_pref=rng.choice(4, size=n, p=[0.25, 0.3, 0.15, 0.3]),
        search_radius=rng.choice(np.array([10, 25, 50, 100]), size=n),
        taste=rng.normal(0.0, 1.0, size=(n, LATENT_DIM)),
        pickiness=rng.normal(0.0, 0.5, size=n),
        activity=scale.swipes_per_month * rng.lognormal(-0.3, 0.75, size=n),
        churn_month=signup_month + active_months,
        role=role,
        status=status,
        is_deleted=rng.random(n) < 0.03,
        consent=rng.random(n) > 0.05,
        auto_apply=rng.random(n) < 0.3,
        first_name=rng.choice(np.array(v.FIRST_NAMES), size=n),
        last_name=rng.choice(np.array(v.LAST_NAMES), size=n),
        birth_year=rng.integers(1960, 2005, size=n),
        initial_plan=rng.choice(
            np.array(["FREE", "TRIAL", "BASIC", "PRO"]), size=n, p=[0.75, 0.13, 0.08, 0.04]
        ),
    )


def _add_catalog(
    rng: np.random.Generator,
    start: dt.date,
    companies: Companies,
    postings: Postings,
    catalog: pl.DataFrame,
) -> None:
    """Append ingested postings (and their companies), with features read from their text."""
    n = catalog.height
    company_ids = catalog.get_column("company_id").to_list()
    new_companies = list(dict.fromkeys(company_ids))
    company_index = {cid: companies.count + i for i, cid in enumerate(new_companies)}
    companies.name = companies.name + [f"existing:{cid}" for cid in new_companies]
    companies.slug = companies.slug + [f"existing-{cid}" for cid in new_companies]
    companies.existing_ids = new_companies
    companies.quality = np.concatenate(
        [companies.quality, rng.normal(0.0, 1.0, size=len(new_companies))]
    )
    for attribute, filler in (
        ("industry", "Software"),
        ("size", "MEDIUM"),
        ("founded_year", 2000),
        ("employee_count", 200),
    ):
        setattr(
            companies,
            attribute,
            np.concatenate([getattr(companies, attribute), np.full(len(new_companies), filler)]),
        )
    texts = [
        f"{title} {description}".lower()
        for title, description in zip(
            catalog.get_column("title").to_list(),
            catalog.get_column("description").fill_null("").to_list(),
            strict=True,
        )
    ]
    skills = np.array(
        [[skill in text for skill in v.ALL_SKILLS] for text in texts], dtype=bool
    ).reshape(n, len(v.ALL_SKILLS))
    cluster_skills = [
        np.array([v.SKILL_INDEX[s] for s in v.SKILL_CLUSTERS[c]]) for c in v.CLUSTER_NAMES
    ]
    scores = np.stack([skills[:, idx].sum(axis=1) for idx in cluster_skills], axis=1)
    cluster = np.where(
        scores.max(axis=1) > 0, scores.argmax(axis=1), rng.integers(0, len(v.CLUSTER_NAMES), size=n)
    )
    level_names = [lv[0] for lv in v.LEVELS]
    level = np.array(
        [
            level_names.index(lv) if lv in level_names else 2
            for lv in catalog.get_column("level").to_list()
        ]
    )
    fallback = np.array(
        [
            v.LEVELS[lv][2] * v.CLUSTER_ROLES[v.CLUSTER_NAMES[c]][2]
            for lv, c in zip(level, cluster, strict=True)
        ]
    )
    per_usd = np.array(
        [v.CURRENCY_PER_USD.get(c or "USD", 1.0) for c in catalog.get_column("currency").to_list()]
    )
    yearly = (
        catalog.get_column("salary_max_yearly").cast(pl.Float64).fill_null(float("nan")).to_numpy()
    )
    city_names = [c.name for c in v.CITIES]
    city = np.array(
        [
            city_names.index(c) if c in city_names else int(rng.integers(len(v.CITIES)))
            for c in catalog.get_column("city").to_list()
        ]
    )
    remote = np.array(
        [
            REMOTE_TYPES.index(r) if r in REMOTE_TYPES else 0
            for r in catalog.get_column("remote_type").to_list()
        ]
    )
    origin = dt.datetime.combine(start, dt.time())
    posted = [
        (p - origin).days if p is not None else 0 for p in catalog.get_column("posted_at").to_list()
    ]
    expires = catalog.get_column("expires_at").to_list()
    lifetime = [
        max((e - origin).days - d, 1) if e is not None else 90
        for e, d in zip(expires, posted, strict=True)
    ]
    postings.company = np.concatenate(
        [postings.company, [company_index[c] for c in company_ids]]
    ).astype(int)
    postings.cluster = np.concatenate([postings.cluster, cluster])
    postings.level = np.concatenate([postings.level, level])
    postings.skills = np.vstack([postings.skills, skills])
    postings.salary_usd = np.concatenate(
        [postings.salary_usd, np.where(np.isnan(yearly), fallback, yearly / per_usd)]
    )
    postings.salary_type = np.concatenate([postings.salary_type, np.full(n, "YEARLY")])
    postings.city = np.concatenate([postings.city, city])
    postings.remote_type = np.concatenate([postings.remote_type, remote])
    postings.posted_day = np.concatenate([postings.posted_day, posted])
    postings.lifetime_days = np.concatenate([postings.lifetime_days, lifetime])
    postings.latent = np.vstack([postings.latent, rng.normal(0.0, 1.0, size=(n, LATENT_DIM))])
    postings.popularity = np.concatenate([postings.popularity, rng.lognormal(0.0, 0.7, size=n)])
    postings.title = postings.title + catalog.get_column("title").to_list()
    postings.existing_ids = catalog.get_column("id").to_list()

"""One simulated month of app activity, as polars frames per table.

``generate_month`` is pure: the same world, month and state give the same rows. State carried
between months (pairs already swiped, subscription plans) lives in ``SimulationState`` and is
rebuilt by generating the months in order, so month N never depends on how many months follow.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from pipelines.db.bulk import pg_array_literal
from pipelines.simulate import vocabulary as v
from pipelines.simulate.preferences import match_logit
from pipelines.simulate.world import REMOTE_PREFS, REMOTE_TYPES, World

# Table codes inside the deterministic UUIDs (see ``ids``).
TABLE_CODES = {
    "companies": 1,
    "job_postings": 2,
    "users": 3,
    "user_profiles": 4,
    "user_preferences": 5,
    "subscriptions": 6,
    "resumes": 7,
    "resume_enhancements": 8,
    "user_job_swipes": 9,
    "job_applications": 10,
    "application_queue": 11,
    "automation_logs": 12,
    "application_interactions": 13,
    "user_notifications": 14,
    "usage_records": 15,
    "audit_logs": 16,
    "analytics_events": 17,
    "resume_templates": 18,
    "system_settings": 19,
}
GLOBAL = 0xFFF  # month field of ids for entities that exist across months
PLAN_NAMES = ("FREE", "BASIC", "PRO", "ENTERPRISE")
MICROS_PER_DAY = 86_400_000_000


def or_none(mask: Any, values: Any) -> np.ndarray:
    """``values`` where ``mask`` holds, else None (an object array, as np.where gives)."""
    return np.where(mask, values, np.array(None, dtype=object))


def ids(world: World, table: str, month: int, indices: np.ndarray | range) -> np.ndarray:
    """Deterministic, unique, RFC-4122-shaped UUIDs: world, table, month and row index."""
    prefix = f"{world.id_prefix}-{TABLE_CODES[table]:04x}-4{month:03x}-8"
    return np.array(
        [f"{prefix}{i >> 48:03x}-{i & 0xFFFFFFFFFFFF:012x}" for i in indices], dtype="U36"
    )


@dataclass
class SimulationState:
    """What one month hands to the next."""

    seen_pairs: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    plan: np.ndarray | None = None  # index into PLAN_NAMES per user
    paid_since: np.ndarray | None = None  # day the current paid period chain started
    cancelled: np.ndarray | None = None
    trialing: np.ndarray | None = None


@dataclass(frozen=True)
class RowUpdate:
    """Rows of ``table`` whose ``key`` matches get the frame's other columns (state changes)."""

    table: str
    key: str
    frame: pl.DataFrame


@dataclass
class MonthBatch:
    month: dt.date
    tables: dict[str, pl.DataFrame]
    updates: list[RowUpdate]

    def row_counts(self) -> dict[str, int]:
        counts = {name: frame.height for name, frame in self.tables.items()}
        for update in self.updates:
            counts[f"{update.table}.updated_{update.key}"] = update.frame.height
        return counts


# Table write order: parents before children.
TABLE_ORDER = (
    "companies",
    "resume_templates",
    "system_settings",
    "job_postings",
    "users",
    "user_profiles",
    "user_preferences",
    "subscriptions",
    "resumes",
    "resume_enhancements",
    "user_job_swipes",
    "job_applications",
    "application_queue",
    "automation_logs",
    "application_interactions",
    "user_notifications",
    "usage_records",
    "audit_logs",
    "analytics_events",
)


class Clock:
    def __init__(self, world: World) -> None:
        self.origin = np.datetime64(world.start, "us")

    def at(self, days: np.ndarray) -> np.ndarray:
        return self.origin + (np.asarray(days, dtype=float) * MICROS_PER_DAY).astype(
            "timedelta64[us]"
        )


def signup_days(world: World) -> np.ndarray:
    """Day (since the world's start) each user signs up: a fraction into their sign-up month."""
    u = world.users
    starts = np.array(
        [world.day_of(world.month(m)) for m in range(world.scale.horizon_months + 1)], dtype=float
    )
    return starts[u.signup_month] + u.signup_fraction * (
        starts[u.signup_month + 1] - starts[u.signup_month]
    )


def user_ids(world: World) -> np.ndarray:
    return ids(world, "users", GLOBAL, range(world.users.count))


def posting_ids(world: World) -> np.ndarray:
    """Generated postings' ids, then the ids of existing (ingested) ones in the world."""
    generated = ids(world, "job_postings", GLOBAL, range(world.postings.generated))
    return np.concatenate([generated, np.array(world.postings.existing_ids, dtype="U36")])


def generate_month(world: World, month_index: int, state: SimulationState) -> MonthBatch:
    """One complete calendar month of activity (months are never simulated half-way)."""
    month = world.month(month_index)
    ctx = _MonthContext(
        world, month_index, world.day_of(month), world.day_of(world.month(month_index + 1))
    )
    if state.plan is None:
        state.plan = np.zeros(world.users.count, dtype=int)
        state.paid_since = np.full(world.users.count, np.nan)
        state.cancelled = np.zeros(world.users.count, dtype=bool)
        state.trialing = np.zeros(world.users.count, dtype=bool)
    tables: dict[str, pl.DataFrame] = {}
    if month_index == 0:
        tables["companies"] = _companies(ctx)
        tables["resume_templates"] = _resume_templates(ctx)
        tables["system_settings"] = _system_settings(ctx)
    tables["job_postings"] = _postings(ctx)
    new_users = np.flatnonzero(world.users.signup_month == month_index)
    tables.update(_new_users(ctx, new_users, state))
    swipes = _swipes(ctx, state)
    tables["user_job_swipes"] = swipes.frame
    tables.update(_applications(ctx, swipes, state))
    subscription_updates, payments = _subscription_month(ctx, state, new_users)
    tables["user_notifications"] = _notifications(ctx, swipes, tables["job_applications"])
    tables["usage_records"] = _usage(ctx, swipes, tables["job_applications"])
    tables["audit_logs"] = _audit(ctx, swipes, new_users, subscription_updates)
    tables["analytics_events"] = _events(
        ctx, swipes, tables["job_applications"], new_users, payments
    )
    ordered = {name: _typed(tables[name]) for name in TABLE_ORDER if name in tables}
    updates = [
        RowUpdate("subscriptions", "user_id", _typed(subscription_updates)),
        RowUpdate("job_postings", "id", _typed(_expirations(ctx))),
        RowUpdate("users", "id", _typed(_account_changes(ctx, swipes))),
    ]
    return MonthBatch(month=month, tables=ordered, updates=[u for u in updates if u.frame.height])


def _typed(frame: pl.DataFrame) -> pl.DataFrame:
    """Columns built from mixed numpy object arrays become text, with real nulls."""
    objects = [column for column, dtype in frame.schema.items() if dtype == pl.Object]
    if not objects:
        return frame
    return frame.with_columns(
        pl.Series(
            column,
            [None if x is None else str(x) for x in frame.get_column(column).to_list()],
            dtype=pl.String,
        )
        for column in objects
    )


@dataclass
class _MonthContext:
    world: World
    index: int
    first_day: float
    last_day: float

    def __post_init__(self) -> None:
        self.rng = self.world.rng("month", self.index)
        self.clock = Clock(self.world)
        self.user_ids = user_ids(self.world)
        self.posting_ids = posting_ids(self.world)

    @property
    def days(self) -> float:
        return max(self.last_day - self.first_day, 0.0)

    def ids(self, table: str, n: int) -> np.ndarray:
        return ids(self.world, table, self.index, range(n))


def _json(values: list[object]) -> list[str]:
    return [json.dumps(x, separators=(",", ":")) for x in values]


def _companies(ctx: _MonthContext) -> pl.DataFrame:
    """The generated companies (existing ones in the world are already stored)."""
    c = ctx.world.companies
    n = c.generated
    created = ctx.clock.at(np.full(n, ctx.first_day - 90.0))
    return pl.DataFrame(
        {
            "id": ids(ctx.world, "companies", GLOBAL, range(n)),
            "name": c.name[:n],
            "slug": c.slug[:n],
            "description": [
                f"{name} builds {industry.lower()} products with a team of {size} people."
                for name, industry, size in zip(
                    c.name[:n], c.industry[:n], c.employee_count[:n], strict=True
                )
            ],
            "size": c.size[:n],
            "industry": c.industry[:n],
            "founded_year": c.founded_year[:n],
            "employee_count": c.employee_count[:n],
            "is_verified": c.quality[:n] > 0.5,
            "status": np.full(n, "ACTIVE"),
            "created_at": created,
            "updated_at": created,
        }
    )


def _resume_templates(ctx: _MonthContext) -> pl.DataFrame:
    n = len(v.RESUME_TEMPLATES)
    created = ctx.clock.at(np.full(n, ctx.first_day - 120.0))
    return pl.DataFrame(
        {
            "id": ids(ctx.world, "resume_templates", GLOBAL, range(n)),
            "name": [t[0] for t in v.RESUME_TEMPLATES],
            "category": [t[1] for t in v.RESUME_TEMPLATES],
            "content": _json(
                [
                    {"layout": t[0].lower().replace(" ", "-"), "columns": 1 + (i % 2)}
                    for i, t in enumerate(v.RESUME_TEMPLATES)
                ]
            ),
            "sections": _json([["summary", "experience", "education", "skills"]] * n),
            "quality_score": ctx.rng.uniform(55, 95, size=n).round(1),
            "is_premium": [t[2] for t in v.RESUME_TEMPLATES],
            "is_active": np.ones(n, dtype=bool),
            "created_at": created,
            "updated_at": created,
        }
    )


def _system_settings(ctx: _MonthContext) -> pl.DataFrame:
    n = len(v.SYSTEM_SETTINGS)
    created = ctx.clock.at(np.full(n, ctx.first_day - 120.0))
    return pl.DataFrame(
        {
            "id": ids(ctx.world, "system_settings", GLOBAL, range(n)),
            "key": [s[0] for s in v.SYSTEM_SETTINGS],
            "value": [s[1] for s in v.SYSTEM_SETTINGS],
            "type": [s[2] for s in v.SYSTEM_SETTINGS],
            "category": [s[3] for s in v.SYSTEM_SETTINGS],
            "description": [s[4] for s in v.SYSTEM_SETTINGS],
            "default_value": [s[1] for s in v.SYSTEM_SETTINGS],
            "is_public": np.array([s[3] in ("limits", "feed") for s in v.SYSTEM_SETTINGS]),
            "updated_by": np.full(n, "simulator"),
            "created_at": created,
            "updated_at": created,
        }
    )


def _postings(ctx: _MonthContext) -> pl.DataFrame:
    w = ctx.world
    p = w.postings
    lower = -np.inf if ctx.index == 0 else ctx.first_day
    generated = np.arange(p.count) < p.generated
    idx = np.flatnonzero(
        generated & (p.posted_day >= lower) & (p.posted_day < w.day_of(w.month(ctx.index + 1)))
    )
    rng = ctx.rng
    cities = [v.CITIES[c] for c in p.city[idx]]
    currency = np.array([c.currency for c in cities], dtype=object)
    per_usd = np.array([v.CURRENCY_PER_USD[c] for c in currency])
    period_divisor = np.select(
        [p.salary_type[idx] == "HOURLY", p.salary_type[idx] == "MONTHLY"], [2080.0, 12.0], 1.0
    )
    local = p.salary_usd[idx] * per_usd / period_divisor
    has_salary = rng.random(len(idx)) > 0.15
    salary_min = np.where(has_salary, np.round(local * 0.9), np.nan)
    salary_max = np.where(has_salary, np.round(local * 1.1), np.nan)
    posted = ctx.clock.at(p.posted_day[idx] + rng.random(len(idx)))
    expires_day = p.posted_day[idx] + p.lifetime_days[idx]
    remote_type = np.array(REMOTE_TYPES, dtype=object)[p.remote_type[idx]]
    company_names = np.array(w.companies.name, dtype=object)[p.company[idx]]
    skills_text = [", ".join(np.array(v.ALL_SKILLS)[row]) for row in p.skills[idx]]
    titles = np.array(p.title, dtype=object)[idx]
    category = np.array(
        [v.CLUSTER_ROLES[v.CLUSTER_NAMES[c]][0] for c in p.cluster[idx]], dtype=object
    )
    return pl.DataFrame(
        {
            "id": ctx.posting_ids[idx],
            "company_id": ids(w, "companies", GLOBAL, p.company[idx].tolist()),
            "title": titles,
            "description": [
                f"{comp} is hiring a {t} ({rt.lower()}) in {c.name}. You will work with {s}. "
                f"We offer a competitive package and a friendly team."
                for comp, t, rt, c, s in zip(
                    company_names, titles, remote_type, cities, skills_text, strict=True
                )
            ],
            "type": rng.choice(
                np.array(["FULL_TIME", "PART_TIME", "CONTRACT", "INTERNSHIP"]),
                size=len(idx),
                p=[0.82, 0.06, 0.1, 0.02],
            ),
            "level": np.array([v.LEVELS[lv][0] for lv in p.level[idx]], dtype=object),
            "category": category,
            "remote": remote_type == "REMOTE",
            "remote_type": remote_type,
            "location": [f"{c.name}, {c.state or c.country}" for c in cities],
            "city": [c.name for c in cities],
            "state": [c.state for c in cities],
            "country": [c.country for c in cities],
            "latitude": [c.latitude for c in cities],
            "longitude": [c.longitude for c in cities],
            "salary_min": pl.Series(salary_min).cast(pl.Int64, strict=False),
            "salary_max": pl.Series(salary_max).cast(pl.Int64, strict=False),
            # The yearly equivalents ingestion computes for every feed (migration 0003).
            "salary_min_yearly": pl.Series(np.round(salary_min * period_divisor)).cast(
                pl.Int64, strict=False
            ),
            "salary_max_yearly": pl.Series(np.round(salary_max * period_divisor)).cast(
                pl.Int64, strict=False
            ),
            "currency": currency,
            "salary_type": or_none(has_salary, p.salary_type[idx]),
            "external_id": [f"sim:{w.key}:{i}" for i in idx],
            "source": np.full(len(idx), "MANUAL"),
            "source_url": [f"https://jobs.example.com/{w.key}/{i}" for i in idx],
            "apply_url": [f"https://jobs.example.com/{w.key}/{i}/apply" for i in idx],
            "status": np.full(len(idx), "ACTIVE"),
            "is_active": np.ones(len(idx), dtype=bool),
            "posted_at": posted,
            "expires_at": ctx.clock.at(expires_day),
            "created_at": posted,
            "updated_at": posted,
        },
        strict=False,
    )


def _new_users(
    ctx: _MonthContext, new: np.ndarray, state: SimulationState
) -> dict[str, pl.DataFrame]:
    w, u, rng = ctx.world, ctx.world.users, ctx.rng
    n = len(new)
    signup_day = signup_days(w)[new]
    created = ctx.clock.at(signup_day)
    uid = ctx.user_ids[new]
    consent = u.consent[new]
    email = [
        f"{first.lower()}.{last.lower().replace('-', '')}.{i}@{w.id_prefix}.example.com"
        for first, last, i in zip(u.first_name[new], u.last_name[new], new, strict=True)
    ]
    users = pl.DataFrame(
        {
            "id": uid,
            "email": email,
            "password_hash": [f"$2b$12${w.id_prefix}{i:022d}" for i in new],
            "role": u.role[new],
            "status": u.status[new],
            "last_login_at": created,
            "login_attempts": rng.poisson(0.2, size=n),
            "data_consent": consent,
            "consent_date": np.where(consent, created, np.datetime64("NaT")),
            "is_deleted": np.zeros(n, dtype=bool),
            "created_at": created,
            "updated_at": created,
        }
    )
    titles = [
        f"{v.LEVELS[lv][1]} {v.CLUSTER_ROLES[v.CLUSTER_NAMES[c]][1][0]}".strip()
        for lv, c in zip(u.level[new], u.cluster[new], strict=True)
    ]
    skills = [pg_array_literal(list(np.array(v.ALL_SKILLS)[row])) for row in u.skills[new]]
    profiles = pl.DataFrame(
        {
            "id": ids(w, "user_profiles", GLOBAL, new.tolist()),
            "user_id": uid,
            # Plain text here; the writer encrypts these four columns before they leave Python.
            "first_name": u.first_name[new],
            "last_name": u.last_name[new],
            "phone": [f"+1 555 {i % 10_000:04d}" for i in new],
            "date_of_birth": [
                f"{y}-{1 + i % 12:02d}-{1 + i % 28:02d}"
                for y, i in zip(u.birth_year[new], new, strict=True)
            ],
            "current_title": titles,
            "years_of_experience": u.years_experience[new].astype(int),
            "skills": skills,
            "profile_visibility": rng.choice(
                np.array(["PUBLIC", "RECRUITERS_ONLY", "PRIVATE"]), size=n, p=[0.3, 0.4, 0.3]
            ),
            "show_email": rng.random(n) < 0.2,
            "created_at": created,
            "updated_at": created,
        }
    )
    job_types = rng.choice(
        np.array(
            [
                '{"FULL_TIME"}',
                '{"FULL_TIME","CONTRACT"}',
                '{"PART_TIME"}',
                '{"FULL_TIME","PART_TIME"}',
            ]
        ),
        size=n,
        p=[0.6, 0.2, 0.05, 0.15],
    )
    preferences = pl.DataFrame(
        {
            "id": ids(w, "user_preferences", GLOBAL, new.tolist()),
            "user_id": uid,
            "job_search_radius": u.search_radius[new],
            "job_types": job_types,
            "remote_pref": np.array(REMOTE_PREFS, dtype=object)[u.remote_pref[new]],
            "auto_apply_enabled": u.auto_apply[new],
            "auto_apply_max_per_day": rng.choice(np.array([3, 5, 10]), size=n),
            "data_processing_consent": consent,
            "marketing_consent": consent & (rng.random(n) < 0.4),
            "analytics_consent": consent & (rng.random(n) < 0.85),
            "created_at": created,
            "updated_at": created,
        }
    )
    # Subscriptions start FREE, on a trial of PRO, or paid.
    initial = u.initial_plan[new]
    plan = np.select([initial == "BASIC", initial == "PRO", initial == "TRIAL"], [1, 2, 2], 0)
    trial = initial == "TRIAL"
    state.plan[new] = plan  # type: ignore[index]
    state.trialing[new] = trial  # type: ignore[index]
    state.paid_since[new] = np.where(plan > 0, signup_day, np.nan)  # type: ignore[index]
    period_end = created + np.timedelta64(30, "D")
    subscriptions = pl.DataFrame(
        {
            "id": ids(w, "subscriptions", GLOBAL, new.tolist()),
            "user_id": uid,
            "plan": np.array(PLAN_NAMES, dtype=object)[plan],
            "status": np.where(trial, "TRIALING", "ACTIVE"),
            "stripe_customer_id": or_none(plan > 0, [f"cus_{w.id_prefix}{i}" for i in new]),
            "stripe_subscription_id": or_none(plan > 0, [f"sub_{w.id_prefix}{i}" for i in new]),
            "current_period_start": created,
            "current_period_end": period_end,
            "trial_start": np.where(trial, created, np.datetime64("NaT")),
            "trial_end": np.where(trial, created + np.timedelta64(14, "D"), np.datetime64("NaT")),
            "trial_used": trial,
            "monthly_applications": [v.PLANS[PLAN_NAMES[p]][1] for p in plan],
            "resume_templates": [v.PLANS[PLAN_NAMES[p]][2] for p in plan],
            "priority_support": plan >= 2,
            "next_billing_date": np.where(plan > 0, period_end, np.datetime64("NaT")),
            "created_at": created,
            "updated_at": created,
        },
        strict=False,
    )
    n_templates = len(v.RESUME_TEMPLATES)
    second = rng.random(n) < 0.3
    owners = np.concatenate([new, new[second]])
    resume_index = np.concatenate([new, w.users.count + new[second]])
    resume_created = np.concatenate([created, created[second] + np.timedelta64(3, "D")])
    skill_lists = [list(np.array(v.ALL_SKILLS)[u.skills[o]]) for o in owners]
    resumes = pl.DataFrame(
        {
            "id": ids(w, "resumes", GLOBAL, resume_index.tolist()),
            "user_id": ctx.user_ids[owners],
            "template_id": ids(
                w,
                "resume_templates",
                GLOBAL,
                rng.integers(0, n_templates, size=len(owners)).tolist(),
            ),
            "name": np.where(resume_index < w.users.count, "My resume", "Tailored resume"),
            "title": [titles[np.searchsorted(new, o)] for o in owners] if n else [],
            "content": _json(
                [
                    {"skills": s, "experience_years": float(u.years_experience[o])}
                    for s, o in zip(skill_lists, owners, strict=True)
                ]
            ),
            "is_default": resume_index < w.users.count,
            "completeness": rng.uniform(40, 100, size=len(owners)).round(1),
            "readability_score": rng.uniform(50, 95, size=len(owners)).round(1),
            "keyword_match": rng.uniform(20, 90, size=len(owners)).round(1),
            "visibility": rng.choice(
                np.array(["PRIVATE", "PUBLIC", "LINK_ONLY"]), size=len(owners), p=[0.7, 0.1, 0.2]
            ),
            "created_at": resume_created,
            "updated_at": resume_created,
        }
    )
    enhanced = np.flatnonzero(rng.random(len(owners)) < 0.35)
    repeats = rng.integers(1, 4, size=len(enhanced))
    enhance_rows = np.repeat(enhanced, repeats)
    types = rng.choice(
        np.array(
            [
                "KEYWORD_OPTIMIZATION",
                "CONTENT_IMPROVEMENT",
                "FORMATTING",
                "SKILLS_HIGHLIGHT",
                "SUMMARY_REWRITE",
                "ACHIEVEMENT_QUANTIFICATION",
            ]
        ),
        size=len(enhance_rows),
    )
    enhancements = pl.DataFrame(
        {
            "id": ctx.ids("resume_enhancements", len(enhance_rows)),
            "resume_id": ids(w, "resumes", GLOBAL, resume_index[enhance_rows].tolist()),
            "type": types,
            "description": [f"Suggested {t.lower().replace('_', ' ')}" for t in types],
            "original_content": _json(
                [{"summary": "Experienced professional."}] * len(enhance_rows)
            ),
            "enhanced_content": _json(
                [{"summary": "Results-driven professional with measurable impact."}]
                * len(enhance_rows)
            ),
            "ai_model": np.full(len(enhance_rows), "resume-enhancer-v2"),
            "confidence": rng.uniform(0.5, 0.99, size=len(enhance_rows)).round(3),
            "is_applied": rng.random(len(enhance_rows)) < 0.6,
            "improved_match": rng.normal(4.0, 3.0, size=len(enhance_rows)).round(2),
            "created_at": resume_created[enhance_rows] + np.timedelta64(1, "D"),
            "updated_at": resume_created[enhance_rows] + np.timedelta64(1, "D"),
        }
    )
    return {
        "users": users,
        "user_profiles": profiles,
        "user_preferences": preferences,
        "subscriptions": subscriptions,
        "resumes": resumes,
        "resume_enhancements": enhancements,
    }


@dataclass
class _Swipes:
    frame: pl.DataFrame
    user: np.ndarray
    posting: np.ndarray
    day: np.ndarray
    right: np.ndarray
    logit: np.ndarray
    session: np.ndarray
    device: np.ndarray


def _swipes(ctx: _MonthContext, state: SimulationState) -> _Swipes:
    w, u, p, rng = ctx.world, ctx.world.users, ctx.world.postings, ctx.rng
    month_start_day = ctx.first_day
    signup_day = signup_days(w)
    active_users = np.flatnonzero((u.signup_month <= ctx.index) & (u.churn_month > ctx.index))
    if len(active_users) == 0:
        return _empty_swipes()
    start = np.maximum(signup_day[active_users], month_start_day)
    active_fraction = np.clip((ctx.last_day - start) / 30.0, 0.0, 1.0)
    counts = rng.poisson(u.activity[active_users] * active_fraction)
    user = np.repeat(active_users, counts)
    if len(user) == 0:
        return _empty_swipes()
    # The deck: postings live this month, mostly from the user's field, weighted by popularity.
    live = np.flatnonzero(
        (p.posted_day < ctx.last_day) & (p.posted_day + p.lifetime_days > month_start_day)
    )
    posting = _sample_weighted(rng, live, p.popularity[live], len(user))
    in_field = rng.random(len(user)) < 0.6
    for cluster in range(len(v.CLUSTER_NAMES)):
        pool = live[p.cluster[live] == cluster]
        chosen = in_field & (u.cluster[user] == cluster)
        if len(pool) and chosen.any():
            posting[chosen] = _sample_weighted(rng, pool, p.popularity[pool], int(chosen.sum()))
    keys = user.astype(np.int64) * p.count + posting
    _, first = np.unique(keys, return_index=True)
    first.sort()
    fresh = first[~np.isin(keys[first], state.seen_pairs)]
    user, posting, keys = user[fresh], posting[fresh], keys[fresh]
    state.seen_pairs = np.concatenate([state.seen_pairs, keys])
    # Sessions of about a dozen cards, each at a random time in the user's active part of the month.
    order = np.argsort(user, kind="stable")
    user, posting = user[order], posting[order]
    n = len(user)
    boundaries = np.r_[0, np.flatnonzero(np.diff(user)) + 1]
    rank_in_user = np.arange(n) - np.repeat(boundaries, np.diff(np.r_[boundaries, n]))
    session_no = rank_in_user // 12
    position = rank_in_user % 12
    user_start = dict(zip(active_users.tolist(), start.tolist(), strict=True))
    session_key = user.astype(np.int64) * 1000 + session_no
    unique_sessions, session_index = np.unique(session_key, return_inverse=True)
    session_user = unique_sessions // 1000
    session_begin = (
        np.array([user_start[int(x)] for x in session_user])
        + rng.random(len(unique_sessions))
        * np.maximum(ctx.last_day - np.array([user_start[int(x)] for x in session_user]), 0.01)
        * 0.97
    )
    logit = match_logit(w, user, posting, position)
    right = rng.random(n) < 1.0 / (1.0 + np.exp(-logit))
    super_like = right & (rng.random(n) < 1.0 / (1.0 + np.exp(-(logit - 2.2))))
    time_spent = np.round(rng.lognormal(np.where(right, 2.6, 1.9), 0.6)).astype(int) + 1
    cumulative = (
        pl.DataFrame({"s": session_index, "t": time_spent})
        .with_columns(pl.col("t").cum_sum().over("s"))
        .get_column("t")
        .to_numpy()
    )
    day = np.minimum(session_begin[session_index] + cumulative / 86400.0, ctx.last_day - 1e-6)
    device = np.array(v.DEVICE_TYPES, dtype=object)[
        w.rng("device").integers(0, 3, size=u.count)[user]
    ]
    direction = np.where(super_like, "SUPER_LIKE", np.where(right, "RIGHT", "LEFT"))
    session_ids = np.array(
        [f"s-{w.id_prefix}-{ctx.index}-{k}" for k in unique_sessions], dtype=object
    )[session_index]
    created = ctx.clock.at(day)
    frame = pl.DataFrame(
        {
            "id": ctx.ids("user_job_swipes", n),
            "user_id": ctx.user_ids[user],
            "job_posting_id": ctx.posting_ids[posting],
            "direction": direction,
            "device_type": device,
            "session_id": session_ids,
            "position": position,
            "time_spent": time_spent,
            "created_at": created,
            "updated_at": created,
        }
    )
    return _Swipes(frame, user, posting, day, right, logit, session_ids, device)


def _empty_swipes() -> _Swipes:
    empty = np.empty(0, dtype=int)
    return _Swipes(
        pl.DataFrame(),
        empty,
        empty,
        np.empty(0),
        np.empty(0, dtype=bool),
        np.empty(0),
        np.empty(0, dtype=object),
        np.empty(0, dtype=object),
    )


def _sample_weighted(
    rng: np.random.Generator, items: np.ndarray, weights: np.ndarray, n: int
) -> np.ndarray:
    cumulative = np.cumsum(weights)
    picks = np.searchsorted(cumulative, rng.random(n) * cumulative[-1], side="right")
    return items[np.minimum(picks, len(items) - 1)]


def _applications(
    ctx: _MonthContext, swipes: _Swipes, state: SimulationState
) -> dict[str, pl.DataFrame]:
    w, u, rng = ctx.world, ctx.world.users, ctx.rng
    frames: dict[str, pl.DataFrame] = {}
    if swipes.frame.height == 0:
        return {
            k: pl.DataFrame()
            for k in (
                "job_applications",
                "application_queue",
                "automation_logs",
                "application_interactions",
            )
        }
    is_super = swipes.frame.get_column("direction").to_numpy() == "SUPER_LIKE"
    apply = swipes.right & (rng.random(len(swipes.user)) < np.where(is_super, 0.7, 0.35))
    idx = np.flatnonzero(apply)
    # Plan limits: no user applies more often in a month than the plan allows.
    limits = np.array([v.PLANS[PLAN_NAMES[pl_]][1] for pl_ in state.plan[swipes.user[idx]]])  # type: ignore[index]
    rank = (
        pl.DataFrame({"u": swipes.user[idx]})
        .with_columns(pl.int_range(pl.len()).over("u").alias("r"))
        .get_column("r")
        .to_numpy()
    )
    idx = idx[rank < limits]
    n = len(idx)
    user, posting, logit = swipes.user[idx], swipes.posting[idx], swipes.logit[idx]
    automated = u.auto_apply[user] & (rng.random(n) < 0.85)
    created_day = np.minimum(swipes.day[idx] + rng.exponential(0.2, size=n), ctx.last_day - 1e-4)
    automation_ok = ~automated | (rng.random(n) < 0.82)
    applied_day = np.where(
        automation_ok,
        created_day
        + np.where(automated, rng.exponential(0.05, size=n), rng.exponential(0.5, size=n)),
        np.nan,
    )
    quality = 1.0 / (1.0 + np.exp(-(logit - 1.0)))
    viewed = automation_ok & (rng.random(n) < 0.65)
    screened = viewed & (rng.random(n) < 0.25 + 0.45 * quality)
    interviewed = screened & (rng.random(n) < 0.55)
    offered = interviewed & (rng.random(n) < 0.25 + 0.3 * quality)
    accepted = offered & (rng.random(n) < 0.6)
    rejected = viewed & ~offered & (rng.random(n) < 0.6)
    withdrawn = automation_ok & ~viewed & (rng.random(n) < 0.05)
    viewed_day = applied_day + rng.exponential(3.0, size=n)
    response_day = viewed_day + rng.exponential(4.0, size=n)
    interview_day = response_day + rng.exponential(6.0, size=n)
    status = np.select(
        [~automation_ok, accepted, offered, interviewed, screened, rejected, withdrawn, viewed],
        ["DRAFT", "ACCEPTED", "OFFER", "INTERVIEW", "SCREENING", "REJECTED", "WITHDRAWN", "VIEWED"],
        "APPLIED",
    )
    app_ids = ctx.ids("job_applications", n)
    created = ctx.clock.at(created_day)
    nat = np.datetime64("NaT")
    frames["job_applications"] = pl.DataFrame(
        {
            "id": app_ids,
            "user_id": ctx.user_ids[user],
            "job_posting_id": ctx.posting_ids[posting],
            "resume_id": ids(w, "resumes", GLOBAL, user.tolist()),
            "status": status,
            "priority": np.where(is_super[idx], "HIGH", "MEDIUM"),
            "source": np.where(
                automated, "AUTOMATION", np.where(rng.random(n) < 0.5, "SWIPE", "MANUAL")
            ),
            "applied_at": np.where(automation_ok, ctx.clock.at(np.nan_to_num(applied_day)), nat),
            "viewed_at": np.where(viewed, ctx.clock.at(np.nan_to_num(viewed_day)), nat),
            "response_at": np.where(
                screened | rejected, ctx.clock.at(np.nan_to_num(response_day)), nat
            ),
            "interview_at": np.where(interviewed, ctx.clock.at(np.nan_to_num(interview_day)), nat),
            "automation_status": or_none(automated, np.where(automation_ok, "SUCCEEDED", "FAILED")),
            "automation_attempts": np.where(automated, np.where(automation_ok, 1, 3), 0),
            "response_time": np.where(
                screened | rejected,
                np.round((response_day - np.nan_to_num(applied_day)) * 24),
                np.nan,
            ),
            "interview_count": np.where(interviewed, 1 + (offered.astype(int)), 0),
            "created_at": created,
            "updated_at": created,
        },
        strict=False,
    ).with_columns(pl.col("response_time").cast(pl.Int64, strict=False))
    # Browser automation: a queue entry per automated application, with step logs.
    auto = np.flatnonzero(automated)
    failure = or_none(
        ~automation_ok[auto],
        rng.choice(np.array(v.AUTOMATION_FAILURES), size=len(auto), p=[0.35, 0.25, 0.2, 0.1, 0.1]),
    )
    queue_ids = ctx.ids("application_queue", len(auto))
    attempts = np.where(automation_ok[auto], 1 + (rng.random(len(auto)) < 0.15), 3)
    scheduled = ctx.clock.at(created_day[auto])
    completed = ctx.clock.at(created_day[auto] + rng.exponential(0.05, size=len(auto)) + 0.001)
    frames["application_queue"] = pl.DataFrame(
        {
            "id": queue_ids,
            "user_id": ctx.user_ids[user[auto]],
            "job_posting_id": ctx.posting_ids[posting[auto]],
            "application_id": app_ids[auto],
            "status": np.where(automation_ok[auto], "COMPLETED", "FAILED"),
            "priority": np.where(is_super[idx][auto], "HIGH", "NORMAL"),
            "attempts": attempts,
            "max_attempts": np.full(len(auto), 3),
            "scheduled_at": scheduled,
            "started_at": scheduled,
            "completed_at": completed,
            "resume_id": ids(w, "resumes", GLOBAL, user[auto].tolist()),
            "requires_captcha": (failure == "captcha") | (rng.random(len(auto)) < 0.1),
            "captcha_solved": automation_ok[auto] & (rng.random(len(auto)) < 0.1),
            "success": automation_ok[auto],
            "error_type": failure,
            "error_message": [None if f is None else f"automation failed: {f}" for f in failure],
            "desktop_session_id": [f"desk-{w.id_prefix}-{i}" for i in user[auto]],
            "created_at": scheduled,
            "updated_at": completed,
        },
        strict=False,
    )
    steps_per_entry = np.where(
        automation_ok[auto],
        len(v.AUTOMATION_STEPS),
        rng.integers(2, len(v.AUTOMATION_STEPS), size=len(auto)),
    )
    log_entry = np.repeat(np.arange(len(auto)), steps_per_entry)
    entry_first_row = np.cumsum(steps_per_entry) - steps_per_entry
    step_no = np.arange(len(log_entry)) - np.repeat(entry_first_row, steps_per_entry)
    last_step = step_no == steps_per_entry[log_entry] - 1
    failed_step = last_step & ~automation_ok[auto][log_entry]
    exec_ms = np.round(rng.lognormal(6.5, 0.8, size=len(log_entry))).astype(int)
    frames["automation_logs"] = pl.DataFrame(
        {
            "id": ctx.ids("automation_logs", len(log_entry)),
            "queue_id": queue_ids[log_entry],
            "level": np.where(failed_step, "ERROR", "INFO"),
            "message": [
                f"{v.AUTOMATION_STEPS[s]} {'failed' if f else 'ok'}"
                for s, f in zip(step_no, failed_step, strict=True)
            ],
            "step": np.array(v.AUTOMATION_STEPS, dtype=object)[step_no],
            "action": np.array(
                ["navigate", "click", "type", "upload", "type", "solve", "click"], dtype=object
            )[step_no],
            "error_type": or_none(failed_step, failure[log_entry] if len(auto) else None),
            "execution_time": exec_ms,
            "memory_usage": np.round(rng.normal(180e6, 30e6, size=len(log_entry))).astype(np.int64),
            "page_url": [f"https://jobs.example.com/apply/{i}" for i in log_entry],
            # Each step starts when the previous one of the same queue entry finished.
            "created_at": scheduled[log_entry]
            + (
                np.cumsum(exec_ms)
                - np.repeat(
                    np.cumsum(exec_ms)[entry_first_row] - exec_ms[entry_first_row], steps_per_entry
                )
            ).astype("timedelta64[ms]"),
        },
        strict=False,
    )
    # Interactions: a screen, an interview, an offer or a rejection, as the application went.
    kinds = [
        (
            screened,
            "PHONE_SCREEN",
            "Phone screen",
            response_day,
            np.where(interviewed, "POSITIVE", "NEGATIVE"),
        ),
        (
            interviewed,
            "TECHNICAL_INTERVIEW",
            "Technical interview",
            interview_day,
            np.where(offered, "POSITIVE", "NEGATIVE"),
        ),
        (
            offered,
            "OFFER",
            "Offer received",
            interview_day + 5,
            np.where(accepted, "POSITIVE", "NEUTRAL"),
        ),
        (
            rejected & ~screened,
            "REJECTION",
            "Application declined",
            response_day,
            np.full(n, "NEGATIVE"),
        ),
    ]
    parts = []
    for mask, kind, title, when, outcome in kinds:
        sel = np.flatnonzero(mask)
        parts.append(
            pl.DataFrame(
                {
                    "application_id": app_ids[sel],
                    "type": np.full(len(sel), kind),
                    "title": np.full(len(sel), title),
                    "outcome": outcome[sel],
                    "scheduled_at": ctx.clock.at(when[sel]),
                    "completed_at": ctx.clock.at(when[sel] + 0.05),
                    "duration": np.where(kind in ("PHONE_SCREEN", "TECHNICAL_INTERVIEW"), 45, 0)
                    + np.zeros(len(sel), dtype=int),
                }
            )
        )
    interactions = pl.concat(parts) if parts else pl.DataFrame()
    frames["application_interactions"] = interactions.with_columns(
        pl.Series("id", ctx.ids("application_interactions", interactions.height)),
        pl.col("scheduled_at").alias("created_at"),
        pl.col("completed_at").alias("updated_at"),
    )
    return frames


def _subscription_month(
    ctx: _MonthContext, state: SimulationState, new_users: np.ndarray
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Upgrades, renewals and churn of users who signed up before this month; payments of all."""
    w, rng = ctx.world, ctx.rng
    u = w.users
    existing = np.flatnonzero((u.signup_month < ctx.index) & ~state.cancelled)  # type: ignore[operator]
    plan = state.plan
    if plan is None or state.paid_since is None or state.cancelled is None:
        raise RuntimeError("subscription state was not initialised")
    roll = rng.random(len(existing))
    current = plan[existing]
    churned_user = u.churn_month[existing] <= ctx.index
    cancel = (current > 0) & ((roll < 0.05) | churned_user)
    upgrade_free = (current == 0) & ~churned_user & (roll < 0.035)
    upgrade_basic = (current == 1) & ~churned_user & (roll > 0.95)
    new_plan = current.copy()
    new_plan[upgrade_free] = np.where(rng.random(int(upgrade_free.sum())) < 0.7, 1, 2)
    new_plan[upgrade_basic] = 2
    # A trial ends the month after sign-up: 40% convert to PRO, the rest fall back to FREE.
    if state.trialing is None:
        raise RuntimeError("subscription state was not initialised")
    trial_over = state.trialing[existing] & ~cancel
    converts = trial_over & (rng.random(len(existing)) < 0.4) & ~churned_user
    new_plan[trial_over & ~converts] = 0
    state.trialing[existing[trial_over]] = False
    changed = cancel | upgrade_free | upgrade_basic | trial_over
    plan[existing] = new_plan
    state.cancelled[existing[cancel]] = True
    when_day = ctx.first_day + rng.random(len(existing)) * max(ctx.days, 0.01)
    start = ctx.clock.at(when_day)
    sel = np.flatnonzero(changed)
    updates = pl.DataFrame(
        {
            "user_id": ctx.user_ids[existing[sel]],
            "plan": np.array(PLAN_NAMES, dtype=object)[new_plan[sel]],
            "status": np.where(cancel[sel], "CANCELED", "ACTIVE"),
            "current_period_start": start[sel],
            "current_period_end": start[sel] + np.timedelta64(30, "D"),
            "cancel_at_period_end": cancel[sel],
            "monthly_applications": [v.PLANS[PLAN_NAMES[p]][1] for p in new_plan[sel]],
            "resume_templates": [v.PLANS[PLAN_NAMES[p]][2] for p in new_plan[sel]],
            "priority_support": new_plan[sel] >= 2,
            "updated_at": start[sel],
        },
        strict=False,
    )
    # Everyone on a paid plan this month pays once (new sign-ups included).
    new_payers = new_users[(plan[new_users] > 0) & ~state.trialing[new_users]]
    payers = np.concatenate([existing[(new_plan > 0) & ~cancel], new_payers])
    pay_day = np.concatenate([when_day[(new_plan > 0) & ~cancel], signup_days(w)[new_payers]])
    pay_day = np.minimum(pay_day, ctx.last_day - 1e-3)
    payments = pl.DataFrame(
        {
            "user": payers,
            "plan": np.array(PLAN_NAMES, dtype=object)[plan[payers]],
            "amount": [v.PLANS[PLAN_NAMES[p]][0] for p in plan[payers]],
            "day": pay_day,
        },
        strict=False,
    )
    return updates, payments


def _notifications(ctx: _MonthContext, swipes: _Swipes, applications: pl.DataFrame) -> pl.DataFrame:
    rng = ctx.rng
    if swipes.frame.height == 0:
        return pl.DataFrame()
    users, first = np.unique(swipes.user, return_index=True)
    match_day = swipes.day[first] + 0.5
    status_apps = (
        applications.filter(pl.col("viewed_at").is_not_null())
        if applications.height
        else applications
    )
    n_match, n_app = len(users), status_apps.height
    kinds = np.r_[np.full(n_match, "JOB_MATCH"), np.full(n_app, "APPLICATION_UPDATE")]
    created = np.r_[
        ctx.clock.at(np.minimum(match_day, ctx.last_day - 1e-3)),
        status_apps.get_column("viewed_at").to_numpy() if n_app else np.empty(0, "datetime64[us]"),
    ]
    read = rng.random(len(kinds)) < 0.6
    return pl.DataFrame(
        {
            "id": ctx.ids("user_notifications", len(kinds)),
            "user_id": np.r_[
                ctx.user_ids[users],
                status_apps.get_column("user_id").to_numpy()
                if n_app
                else np.empty(0, dtype=object),
            ],
            "type": kinds,
            "title": np.where(
                kinds == "JOB_MATCH", "New matches for you", "Your application was viewed"
            ),
            "message": np.where(
                kinds == "JOB_MATCH",
                "We found postings that fit your profile.",
                "An employer viewed your application.",
            ),
            "channel": rng.choice(
                np.array(["IN_APP", "EMAIL", "PUSH"]), size=len(kinds), p=[0.5, 0.3, 0.2]
            ),
            "priority": np.where(kinds == "JOB_MATCH", "NORMAL", "HIGH"),
            "status": np.where(read, "READ", "UNREAD"),
            "sent_at": created,
            "delivered_at": created,
            "read_at": np.where(read, created + np.timedelta64(2, "h"), np.datetime64("NaT")),
            "created_at": created,
            "updated_at": created,
        },
        strict=False,
    )


def _usage(ctx: _MonthContext, swipes: _Swipes, applications: pl.DataFrame) -> pl.DataFrame:
    if swipes.frame.height == 0:
        return pl.DataFrame()
    swipe_usage = swipes.frame.select(
        "user_id",
        pl.when(pl.col("direction") == "SUPER_LIKE")
        .then(pl.lit("SUPER_LIKE"))
        .otherwise(pl.lit("SWIPE"))
        .alias("feature"),
        pl.col("created_at"),
        pl.col("device_type"),
    )
    app_usage = (
        applications.select(
            "user_id",
            pl.when(pl.col("source") == "AUTOMATION")
            .then(pl.lit("AUTO_APPLICATION"))
            .otherwise(pl.lit("APPLICATION"))
            .alias("feature"),
            pl.col("created_at"),
            pl.lit("web").alias("device_type"),
        )
        if applications.height
        else swipe_usage.clear()
    )
    daily = (
        pl.concat([swipe_usage, app_usage])
        .with_columns(pl.col("created_at").dt.date().alias("date"))
        .group_by("user_id", "feature", "date")
        .agg(
            pl.len().alias("count"),
            pl.col("created_at").min().alias("first_at"),
            pl.col("device_type").first(),
        )
        .sort("user_id", "feature", "date")
    )
    user_index = {uid: i for i, uid in enumerate(ctx.user_ids)}
    return daily.with_columns(
        pl.Series("id", ctx.ids("usage_records", daily.height)),
        pl.Series(
            "subscription_id",
            ids(
                ctx.world,
                "subscriptions",
                GLOBAL,
                np.array([user_index[x] for x in daily.get_column("user_id")]),
            ),
            dtype=pl.String,
        ),
        pl.col("first_at").dt.hour().alias("hour"),
        pl.col("count").cast(pl.Int32),
        pl.col("first_at").alias("created_at"),
    ).drop("first_at")


def _audit(
    ctx: _MonthContext, swipes: _Swipes, new_users: np.ndarray, subscription_updates: pl.DataFrame
) -> pl.DataFrame:
    rng = ctx.rng
    parts = []
    if swipes.frame.height:
        sessions = (
            swipes.frame.group_by("session_id")
            .agg(pl.col("user_id").first(), pl.col("created_at").min())
            .sort("session_id")
        )
        logins = sessions.filter(pl.Series(rng.random(sessions.height) < 0.3))
        parts.append(
            logins.select(
                "user_id",
                "created_at",
                pl.lit("USER_LOGIN").alias("action"),
                pl.lit("AUTH").alias("resource"),
                pl.lit("POST").alias("method"),
                pl.lit("/api/auth/login").alias("endpoint"),
            )
        )
    if len(new_users):
        signup_day = signup_days(ctx.world)[new_users]
        parts.append(
            pl.DataFrame(
                {"user_id": ctx.user_ids[new_users], "created_at": ctx.clock.at(signup_day)}
            ).with_columns(
                pl.lit("USER_SIGNUP").alias("action"),
                pl.lit("USER").alias("resource"),
                pl.lit("POST").alias("method"),
                pl.lit("/api/users").alias("endpoint"),
            )
        )
    if subscription_updates.height:
        parts.append(
            subscription_updates.select(
                "user_id", pl.col("updated_at").alias("created_at")
            ).with_columns(
                pl.lit("SUBSCRIPTION_CHANGED").alias("action"),
                pl.lit("SUBSCRIPTION").alias("resource"),
                pl.lit("PUT").alias("method"),
                pl.lit("/api/subscription").alias("endpoint"),
            )
        )
    if not parts:
        return pl.DataFrame()
    frame = pl.concat(parts)
    risky = rng.random(frame.height) < 0.02
    return frame.with_columns(
        pl.Series("id", ctx.ids("audit_logs", frame.height)),
        pl.lit("USER").alias("actor_type"),
        pl.col("user_id").alias("actor_id"),
        pl.col("user_id").alias("resource_id"),
        pl.Series("status_code", np.where(risky, 401, 200)),
        pl.Series("risk_level", np.where(risky, "MEDIUM", "LOW")),
        pl.lit("contract").alias("legal_basis"),
    )


def _events(
    ctx: _MonthContext,
    swipes: _Swipes,
    applications: pl.DataFrame,
    new_users: np.ndarray,
    payments: pl.DataFrame,
) -> pl.DataFrame:
    w, rng = ctx.world, ctx.rng
    city = np.array([c.name for c in v.CITIES], dtype=object)
    country = np.array([c.country for c in v.CITIES], dtype=object)
    parts: list[pl.DataFrame] = []

    def frame(
        user: np.ndarray,
        day: np.ndarray,
        event_type: str,
        category: str,
        names: np.ndarray,
        properties: list[str],
        session: np.ndarray,
        device: np.ndarray,
        revenue: np.ndarray | None = None,
    ) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "user_id": ctx.user_ids[user],
                "event_type": np.full(len(user), event_type),
                "event_category": np.full(len(user), category),
                "event_name": names,
                "properties": properties,
                "session_id": session,
                "device_type": device,
                "platform": np.where(device == "web", "web", "mobile"),
                "country": country[w.users.city[user]],
                "city": city[w.users.city[user]],
                "revenue": revenue if revenue is not None else np.full(len(user), np.nan),
                "currency": np.full(
                    len(user), "USD" if revenue is not None else None, dtype=object
                ),
                "timestamp": ctx.clock.at(day),
            },
            strict=False,
        )

    if swipes.frame.height:
        directions = swipes.frame.get_column("direction").to_numpy()
        posting_ids = swipes.frame.get_column("job_posting_id").to_numpy()
        parts.append(
            frame(
                swipes.user,
                swipes.day,
                "swipe",
                "engagement",
                np.char.add("swipe_", np.char.lower(directions.astype(str))).astype(object),
                [f'{{"job_posting_id":"{p}"}}' for p in posting_ids],
                swipes.session,
                swipes.device,
            )
        )
        viewed = np.flatnonzero(rng.random(len(swipes.user)) < 0.4)
        parts.append(
            frame(
                swipes.user[viewed],
                swipes.day[viewed] - 1e-4,
                "view",
                "engagement",
                np.full(len(viewed), "job_viewed"),
                [f'{{"job_posting_id":"{p}"}}' for p in posting_ids[viewed]],
                swipes.session[viewed],
                swipes.device[viewed],
            )
        )
        session_ids, first = np.unique(swipes.session, return_index=True)
        parts.append(
            frame(
                swipes.user[first],
                swipes.day[first] - 2e-4,
                "session",
                "engagement",
                np.full(len(first), "session_start"),
                ["{}"] * len(first),
                session_ids,
                swipes.device[first],
            )
        )
        if applications.height:
            user_index = {uid: i for i, uid in enumerate(ctx.user_ids)}
            app_user = np.array([user_index[x] for x in applications.get_column("user_id")])
            origin = np.datetime64(w.start, "us")
            app_day = (applications.get_column("created_at").to_numpy() - origin) / np.timedelta64(
                1, "D"
            )
            parts.append(
                frame(
                    app_user,
                    np.minimum(app_day, ctx.last_day - 1e-3),
                    "apply",
                    "conversion",
                    np.full(len(app_user), "application_submitted"),
                    [f'{{"application_id":"{a}"}}' for a in applications.get_column("id")],
                    np.full(len(app_user), None),
                    np.full(len(app_user), "web", dtype=object),
                )
            )
    if len(new_users):
        signup_day = signup_days(w)[new_users]
        parts.append(
            frame(
                new_users,
                signup_day,
                "signup",
                "acquisition",
                np.full(len(new_users), "user_signed_up"),
                ["{}"] * len(new_users),
                np.full(len(new_users), None),
                np.full(len(new_users), "web", dtype=object),
            )
        )
    if payments.height:
        payer = payments.get_column("user").to_numpy()
        parts.append(
            frame(
                payer,
                payments.get_column("day").to_numpy(),
                "payment",
                "revenue",
                np.full(len(payer), "subscription_paid"),
                [f'{{"plan":"{p}"}}' for p in payments.get_column("plan")],
                np.full(len(payer), None),
                np.full(len(payer), "web", dtype=object),
                revenue=payments.get_column("amount").to_numpy(),
            )
        )
    if not parts:
        return pl.DataFrame()
    events = pl.concat(parts, how="vertical_relaxed")
    return events.with_columns(
        pl.Series("id", ctx.ids("analytics_events", events.height)),
        pl.Series("processing_time", rng.integers(1, 40, size=events.height)),
    )


def _expirations(ctx: _MonthContext) -> pl.DataFrame:
    """Postings whose expiry falls in this month stop being active (earlier ones in month 0)."""
    p = ctx.world.postings
    expires_day = p.posted_day + p.lifetime_days
    lower = -np.inf if ctx.index == 0 else ctx.first_day
    # Ingested postings expire through their own feeds, not through the simulation.
    idx = np.flatnonzero(
        (np.arange(p.count) < p.generated) & (expires_day >= lower) & (expires_day < ctx.last_day)
    )
    return pl.DataFrame(
        {
            "id": ctx.posting_ids[idx],
            "status": np.full(len(idx), "EXPIRED"),
            "is_active": np.zeros(len(idx), dtype=bool),
            "updated_at": ctx.clock.at(expires_day[idx]),
        }
    )


def _account_changes(ctx: _MonthContext, swipes: _Swipes) -> pl.DataFrame:
    """Last logins of this month's active users, and soft deletions of churned accounts."""
    u = ctx.world.users
    parts = []
    if swipes.frame.height:
        parts.append(
            swipes.frame.group_by("user_id")
            .agg(pl.col("created_at").max().alias("last_login_at"))
            .with_columns(
                pl.lit(None, pl.Boolean).alias("is_deleted"),
                pl.lit(None, pl.Datetime("us")).alias("deleted_at"),
                pl.lit(None, pl.String).alias("status"),
            )
        )
    leaving = np.flatnonzero(u.is_deleted & (u.churn_month == ctx.index))
    if len(leaving):
        deleted_at = ctx.clock.at(ctx.first_day + ctx.rng.random(len(leaving)) * ctx.days)
        parts.append(
            pl.DataFrame(
                {
                    "user_id": ctx.user_ids[leaving],
                    "last_login_at": deleted_at,
                    "is_deleted": np.ones(len(leaving), dtype=bool),
                    "deleted_at": deleted_at,
                }
            ).with_columns(pl.lit("INACTIVE").alias("status"))
        )
    if not parts:
        return pl.DataFrame()
    # A user deleted this month may also have swiped this month: the deletion wins.
    changes = (
        pl.concat(parts, how="vertical_relaxed")
        .sort("is_deleted", nulls_last=False)
        .unique("user_id", keep="last", maintain_order=True)
    )
    return (
        changes.rename({"user_id": "id"})
        .with_columns(pl.col("last_login_at").alias("updated_at"))
        .sort("id")
    )

"""Features for (user, posting) pairs, from profiles, preferences, postings and past swipes.

Two kinds:
- content: what the profile and the posting say (skills and title similarity by TF-IDF, salary
  against the user's experience, distance and remote fit, seniority and employment-type fit,
  posting quality and age);
- behaviour: the user's, the posting's and the company's swipes *strictly before* the swipe being
  described (cumulative counts shifted by one over time-sorted swipes), so no feature of a swipe
  ever sees its own outcome or anything later.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

REMOTE_TYPES = ("ONSITE", "HYBRID", "REMOTE")
REMOTE_PREFS = ("REMOTE_ONLY", "HYBRID", "ONSITE", "NO_PREFERENCE")
LEVELS = ("ENTRY", "JUNIOR", "MID", "SENIOR", "LEAD", "PRINCIPAL", "EXECUTIVE")
DEVICES = ("ios", "android", "web")
# Yearly USD pay expected at each level, the yardstick for salary fit (the schema stores no
# salary wish per user).
EXPECTED_PAY = (55_000, 70_000, 95_000, 130_000, 155_000, 185_000, 220_000)
PRIOR_STRENGTH = 5.0
# How well a posting's arrangement (rows: ONSITE, HYBRID, REMOTE) suits a preference (columns:
# REMOTE_ONLY, HYBRID, ONSITE, NO_PREFERENCE), from -1 to 1: a readable companion of remote_fit.
REMOTE_MATCH = np.array([[-1.0, -0.3, 1.0, 0.3], [-0.5, 1.0, 0.3, 0.3], [1.0, 0.3, -0.3, 0.3]])

FEATURES: tuple[str, ...] = (
    "content_similarity", "title_similarity", "skill_coverage", "salary_ratio", "salary_known",
    "distance_km", "same_country", "remote_fit", "remote_match", "level_gap", "type_match", "description_length",
    "posting_age_days", "company_verified", "deck_position", "device",
    "user_prior_swipes", "user_prior_right_rate", "posting_prior_swipes", "posting_prior_right_rate",
    "company_prior_right_rate", "user_company_prior_swipes", "user_company_prior_right_rate",
)  # fmt: skip
CATEGORICAL: tuple[str, ...] = ("remote_fit", "device")
CONTENT_FEATURES: tuple[str, ...] = ("content_similarity", "title_similarity", "skill_coverage")


def level_from_experience(years: float | None) -> int:
    if years is None or math.isnan(years):
        return 2
    return int(np.digitize(years, [1, 3, 6, 10, 14, 20]))


@dataclass
class TextIndex:
    """TF-IDF vectors of users (skills + title) and postings (title + description)."""

    user_ids: dict[str, int]
    posting_ids: dict[str, int]
    users: sparse.csr_matrix
    postings: sparse.csr_matrix
    user_titles: sparse.csr_matrix
    posting_titles: sparse.csr_matrix

    @classmethod
    def build(cls, users: pl.DataFrame, postings: pl.DataFrame) -> TextIndex:
        posting_text = (
            postings.get_column("title").fill_null("")
            + " "
            + postings.get_column("description").fill_null("")
        ).to_list()
        user_text = (
            users.get_column("skills_text").fill_null("")
            + " "
            + users.get_column("current_title").fill_null("")
        ).to_list()
        vectorizer = TfidfVectorizer(
            min_df=1,
            max_features=20_000,
            sublinear_tf=True,
            token_pattern=r"(?u)\b[\w+#/.-]{2,}\b",  # noqa: S106 - a regex, not a password
        )
        vectorizer.fit(posting_text + user_text)
        titles = TfidfVectorizer(min_df=1, ngram_range=(1, 2), sublinear_tf=True)
        titles.fit(
            postings.get_column("title").fill_null("").to_list()
            + users.get_column("current_title").fill_null("").to_list()
        )
        return cls(
            user_ids={u: i for i, u in enumerate(users.get_column("user_id").to_list())},
            posting_ids={
                p: i for i, p in enumerate(postings.get_column("job_posting_id").to_list())
            },
            users=vectorizer.transform(user_text).tocsr(),
            postings=vectorizer.transform(posting_text).tocsr(),
            user_titles=titles.transform(
                users.get_column("current_title").fill_null("").to_list()
            ).tocsr(),
            posting_titles=titles.transform(
                postings.get_column("title").fill_null("").to_list()
            ).tocsr(),
        )

    def similarity(
        self, user_ids: list[str], posting_ids: list[str]
    ) -> tuple[np.ndarray, np.ndarray]:
        u = np.array([self.user_ids[x] for x in user_ids])
        p = np.array([self.posting_ids[x] for x in posting_ids])
        content = np.asarray(self.users[u].multiply(self.postings[p]).sum(axis=1)).ravel()
        title = np.asarray(self.user_titles[u].multiply(self.posting_titles[p]).sum(axis=1)).ravel()
        return content, title


def haversine_km(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    lat1, lon1, lat2, lon2 = (np.radians(a) for a in (lat1, lon1, lat2, lon2))
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 6371.0 * 2 * np.arcsin(np.sqrt(a))


def content_features(
    pairs: pl.DataFrame, users: pl.DataFrame, postings: pl.DataFrame, text: TextIndex
) -> pl.DataFrame:
    """Pairs (user_id, job_posting_id, at, deck_position, device) -> content features."""
    frame = pairs.join(users, on="user_id", how="left").join(
        postings, on="job_posting_id", how="left"
    )
    content, title = text.similarity(
        frame.get_column("user_id").to_list(), frame.get_column("job_posting_id").to_list()
    )
    user_level = np.array(
        [
            level_from_experience(y)
            for y in frame.get_column("years_of_experience")
            .cast(pl.Float64)
            .fill_null(float("nan"))
            .to_list()
        ]
    )
    posting_level = np.array(
        [LEVELS.index(lv) if lv in LEVELS else 2 for lv in frame.get_column("level").to_list()]
    )
    expected = np.array(EXPECTED_PAY)[user_level]
    salary = frame.get_column("salary_max_yearly_usd").cast(pl.Float64).to_numpy()
    distance = haversine_km(
        frame.get_column("user_latitude").cast(pl.Float64).to_numpy(),
        frame.get_column("user_longitude").cast(pl.Float64).to_numpy(),
        frame.get_column("latitude").cast(pl.Float64).to_numpy(),
        frame.get_column("longitude").cast(pl.Float64).to_numpy(),
    )
    remote_type = np.array(
        [
            REMOTE_TYPES.index(r) if r in REMOTE_TYPES else 0
            for r in frame.get_column("remote_type").to_list()
        ]
    )
    remote_pref = np.array(
        [
            REMOTE_PREFS.index(r) if r in REMOTE_PREFS else 3
            for r in frame.get_column("remote_pref").to_list()
        ]
    )
    skills = frame.get_column("skills").to_list()
    texts = (
        (
            frame.get_column("title").fill_null("")
            + " "
            + frame.get_column("description").fill_null("")
        )
        .str.to_lowercase()
        .to_list()
    )
    coverage = np.array(
        [
            sum(s in t for s in sk) / len(sk) if sk else 0.0
            for sk, t in zip(skills, texts, strict=True)
        ]
    )
    job_types = frame.get_column("job_types").to_list()
    types = frame.get_column("type").to_list()
    at = frame.get_column("at")
    return pl.DataFrame(
        {
            "content_similarity": content,
            "title_similarity": title,
            "skill_coverage": coverage,
            "salary_ratio": salary / expected,
            "salary_known": (~np.isnan(salary)).astype(float),
            "distance_km": distance,
            "same_country": (frame.get_column("user_country") == frame.get_column("country"))
            .fill_null(False)
            .cast(pl.Float64)
            .to_numpy(),
            "remote_fit": (remote_type * len(REMOTE_PREFS) + remote_pref).astype(float),
            "remote_match": REMOTE_MATCH[remote_type, remote_pref],
            "level_gap": (posting_level - user_level).astype(float),
            "type_match": np.array(
                [float(t in jt) if jt else 0.5 for t, jt in zip(types, job_types, strict=True)]
            ),
            "description_length": np.log1p(
                frame.get_column("description")
                .fill_null("")
                .str.len_chars()
                .to_numpy()
                .astype(float)
            ),
            "posting_age_days": (
                (at - frame.get_column("posted_at")).dt.total_hours() / 24.0
            ).to_numpy(),
            "company_verified": frame.get_column("company_verified")
            .fill_null(False)
            .cast(pl.Float64)
            .to_numpy(),
            "deck_position": frame.get_column("deck_position").cast(pl.Float64).to_numpy(),
            "device": np.array(
                [
                    DEVICES.index(d) if d in DEVICES else 2
                    for d in frame.get_column("device_type").to_list()
                ],
                dtype=float,
            ),
        }
    )


def _smoothed(rights: pl.Expr, count: pl.Expr, prior: float) -> pl.Expr:
    return (rights + PRIOR_STRENGTH * prior) / (count + PRIOR_STRENGTH)


def behaviour_before_each_swipe(swipes: pl.DataFrame, prior_rate: float) -> pl.DataFrame:
    """Per swipe, what was known before it: counts and smoothed right rates. Row order kept."""
    ordered = swipes.with_row_index("_row").sort(["at", "swipe_id"])

    def prior(keys: list[str], name: str) -> list[pl.Expr]:
        count = pl.int_range(pl.len()).over(keys)
        rights = pl.col("label").cum_sum().over(keys) - pl.col("label")
        return [
            count.alias(f"{name}_prior_swipes"),
            _smoothed(rights, count, prior_rate).alias(f"{name}_prior_right_rate"),
        ]

    features = ordered.with_columns(
        *prior(["user_id"], "user"),
        *prior(["job_posting_id"], "posting"),
        *prior(["company_id"], "company"),
        *prior(["user_id", "company_id"], "user_company"),
    ).sort("_row")
    return features.select(
        pl.col("user_prior_swipes").cast(pl.Float64),
        "user_prior_right_rate",
        pl.col("posting_prior_swipes").cast(pl.Float64),
        "posting_prior_right_rate",
        "company_prior_right_rate",
        pl.col("user_company_prior_swipes").cast(pl.Float64),
        "user_company_prior_right_rate",
    )


def behaviour_from_history(
    pairs: pl.DataFrame, history: pl.DataFrame, prior_rate: float
) -> pl.DataFrame:
    """For pairs not yet swiped (recommendations): everything in ``history`` is in the past."""

    def totals(keys: list[str], name: str) -> pl.DataFrame:
        return history.group_by(keys).agg(
            pl.len().cast(pl.Float64).alias(f"{name}_prior_swipes"),
            pl.col("label").sum().cast(pl.Float64).alias(f"{name}_rights"),
        )

    frame = pairs
    for keys, name in (
        (["user_id"], "user"),
        (["job_posting_id"], "posting"),
        (["company_id"], "company"),
        (["user_id", "company_id"], "user_company"),
    ):
        frame = frame.join(totals(keys, name), on=keys, how="left").with_columns(
            pl.col(f"{name}_prior_swipes").fill_null(0.0),
            _smoothed(
                pl.col(f"{name}_rights").fill_null(0.0),
                pl.col(f"{name}_prior_swipes").fill_null(0.0),
                prior_rate,
            ).alias(f"{name}_prior_right_rate"),
        )
    return frame.select(
        "user_prior_swipes", "user_prior_right_rate", "posting_prior_swipes", "posting_prior_right_rate",
        "company_prior_right_rate", "user_company_prior_swipes", "user_company_prior_right_rate",
    )  # fmt: skip


def matrix(features: pl.DataFrame) -> np.ndarray:
    """FEATURES as floats, rounded to 6 decimals; a column with no value at all (e.g. no
    salaries anywhere) becomes 0, which the booster can bin, instead of all-NaN."""
    # Row-major, as the compiled trees read it (no second copy when scoring), rounded in place.
    values = (
        features.select(list(FEATURES))
        .to_numpy(order="c", writable=True)
        .astype(np.float64, copy=False)
    )
    empty = np.isnan(values).all(axis=0)
    values[:, empty] = 0.0
    # Six decimals: split thresholds then lie well away from every value, so the compiled
    # trees (models_ml/compiled.py) and scikit-learn agree exactly. Unrounded, a cosine of
    # 1.0000000000000002 can fall on either side of a threshold printed into C source.
    return np.round(values, 6, out=values)

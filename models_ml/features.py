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
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from models_ml.history import PriorTotals
from models_ml.taste import (
    AFFINITY_FEATURES,
    ATTRIBUTES,
    CF_FEATURES,
    LEVEL_ORDER,
    REVEALED_FEATURES,
    UNKNOWN,
)

REMOTE_TYPES = ("ONSITE", "HYBRID", "REMOTE")
REMOTE_PREFS = ("REMOTE_ONLY", "HYBRID", "ONSITE", "NO_PREFERENCE")
LEVELS = LEVEL_ORDER
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
    *AFFINITY_FEATURES, *CF_FEATURES, *REVEALED_FEATURES,
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
    # Which of the users' skills (binary, users x skill vocabulary) each posting's title or
    # description mentions (postings x the same vocabulary), and how many skills each user has.
    user_skills: sparse.csr_matrix
    posting_skills: sparse.csr_matrix
    skill_counts: np.ndarray

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
        # Fitted and transformed in one pass over the text (fit, then transform, tokenised
        # every document twice), then split into the postings' rows and the users'.
        both = vectorizer.fit_transform(posting_text + user_text).tocsr()
        titles = TfidfVectorizer(min_df=1, ngram_range=(1, 2), sublinear_tf=True)
        both_titles = titles.fit_transform(
            postings.get_column("title").fill_null("").to_list()
            + users.get_column("current_title").fill_null("").to_list()
        ).tocsr()
        both.sort_indices()
        both_titles.sort_indices()
        n = postings.height
        user_skills, posting_skills = _skill_matrices(users, postings)
        return cls(
            user_ids={u: i for i, u in enumerate(users.get_column("user_id").to_list())},
            posting_ids={
                p: i for i, p in enumerate(postings.get_column("job_posting_id").to_list())
            },
            users=both[n:],
            postings=both[:n],
            user_titles=both_titles[n:],
            posting_titles=both_titles[:n],
            user_skills=user_skills,
            posting_skills=posting_skills,
            skill_counts=np.asarray(user_skills.sum(axis=1)).ravel(),
        )

    def rows(
        self, user_ids: list[str] | pl.Series, posting_ids: list[str] | pl.Series
    ) -> tuple[np.ndarray, np.ndarray]:
        return (
            np.array([self.user_ids[x] for x in user_ids], dtype=np.int64),
            np.array([self.posting_ids[x] for x in posting_ids], dtype=np.int64),
        )

    def skill_coverage(self, u: np.ndarray, p: np.ndarray) -> np.ndarray:
        """The share of each user's skills that the paired posting mentions (0 without skills)."""
        mentioned = np.asarray(
            self.user_skills[u].multiply(self.posting_skills[p]).sum(axis=1)
        ).ravel()
        counts = self.skill_counts[u]
        return np.divide(mentioned, counts, out=np.zeros(len(u)), where=counts > 0)

    def similarity(
        self, user_ids: list[str], posting_ids: list[str]
    ) -> tuple[np.ndarray, np.ndarray]:
        u, p = self.rows(user_ids, posting_ids)
        return self.similarity_of_rows(u, p)

    def similarity_of_rows(self, u: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        content = np.asarray(self.users[u].multiply(self.postings[p]).sum(axis=1)).ravel()
        title = np.asarray(self.user_titles[u].multiply(self.posting_titles[p]).sum(axis=1)).ravel()
        return content, title


def _skill_matrices(
    users: pl.DataFrame, postings: pl.DataFrame
) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """Users' skills as a binary matrix, and which postings mention each of them (a plain
    substring test on the lower-cased title and description, as a reader would check)."""
    skills = users.get_column("skills").to_list()
    vocabulary = sorted({s for row in skills for s in (row or []) if s})
    column = {s: i for i, s in enumerate(vocabulary)}
    rows, cols = [], []
    for i, row in enumerate(skills):
        for s in dict.fromkeys(row or []):
            if s:
                rows.append(i)
                cols.append(column[s])
    user_matrix = sparse.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(users.height, len(vocabulary))
    )
    text = (
        postings.get_column("title").fill_null("")
        + " "
        + postings.get_column("description").fill_null("")
    ).str.to_lowercase()
    posting_rows, posting_cols = [], []
    for j, skill in enumerate(vocabulary):
        hits = np.flatnonzero(text.str.contains(skill, literal=True).fill_null(False).to_numpy())
        posting_rows.append(hits)
        posting_cols.append(np.full(len(hits), j))
    r = np.concatenate(posting_rows) if posting_rows else np.empty(0, dtype=int)
    c = np.concatenate(posting_cols) if posting_cols else np.empty(0, dtype=int)
    posting_matrix = sparse.csr_matrix(
        (np.ones(len(r)), (r, c)), shape=(postings.height, len(vocabulary))
    )
    return user_matrix, posting_matrix


def levels_from_experience(years: np.ndarray) -> np.ndarray:
    """level_from_experience over an array (NaN: MID)."""
    years = np.asarray(years, dtype=float)
    return np.where(np.isnan(years), 2, np.digitize(np.nan_to_num(years), [1, 3, 6, 10, 14, 20]))


def haversine_km(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    lat1, lon1, lat2, lon2 = (np.radians(a) for a in (lat1, lon1, lat2, lon2))
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 6371.0 * 2 * np.arcsin(np.sqrt(a))


def category_codes(column: pl.Series, names: tuple[str, ...], default: int) -> np.ndarray:
    """Index of each value in ``names`` (``default`` for anything else or missing)."""
    mapping = {name: i for i, name in enumerate(names)}
    return (
        column.cast(pl.String)
        .replace_strict(mapping, default=default, return_dtype=pl.Int64)
        .fill_null(default)
        .to_numpy()
    )


def content_features(
    pairs: pl.DataFrame, users: pl.DataFrame, postings: pl.DataFrame, text: TextIndex
) -> pl.DataFrame:
    """Pairs (user_id, job_posting_id, at, deck_position, device) -> content features."""
    # Only what the features read crosses the joins: a posting's description repeated on each
    # of ten million swipes would be tens of gigabytes; its length is all that is needed.
    user_side = users.select(
        "user_id", "years_of_experience", "user_latitude", "user_longitude", "remote_pref",
        "job_types", "user_country",
    )  # fmt: skip
    posting_side = postings.select(
        "job_posting_id", "level", "salary_max_yearly_usd", "latitude", "longitude",
        "remote_type", "type", "country", "posted_at", "company_verified",
        pl.col("description").fill_null("").str.len_chars().alias("description_chars"),
    )  # fmt: skip
    frame = pairs.join(user_side, on="user_id", how="left", maintain_order="left").join(
        posting_side, on="job_posting_id", how="left", maintain_order="left"
    )
    u, p = text.rows(frame.get_column("user_id"), frame.get_column("job_posting_id"))
    content, title = text.similarity_of_rows(u, p)
    user_level = levels_from_experience(
        frame.get_column("years_of_experience").cast(pl.Float64).fill_null(float("nan")).to_numpy()
    )
    posting_level = category_codes(frame.get_column("level"), LEVELS, 2)
    expected = np.array(EXPECTED_PAY)[user_level]
    salary = frame.get_column("salary_max_yearly_usd").cast(pl.Float64).to_numpy()
    distance = haversine_km(
        frame.get_column("user_latitude").cast(pl.Float64).to_numpy(),
        frame.get_column("user_longitude").cast(pl.Float64).to_numpy(),
        frame.get_column("latitude").cast(pl.Float64).to_numpy(),
        frame.get_column("longitude").cast(pl.Float64).to_numpy(),
    )
    remote_type = category_codes(frame.get_column("remote_type"), REMOTE_TYPES, 0)
    remote_pref = category_codes(frame.get_column("remote_pref"), REMOTE_PREFS, 3)
    wanted = frame.get_column("job_types")
    type_match = (
        pl.select(
            pl.when(wanted.list.len().fill_null(0) == 0)
            .then(0.5)
            .otherwise(wanted.list.contains(frame.get_column("type")).cast(pl.Float64))
            .fill_null(0.0)
        )
        .to_series()
        .to_numpy()
    )
    at = frame.get_column("at")
    return pl.DataFrame(
        {
            "content_similarity": content,
            "title_similarity": title,
            "skill_coverage": text.skill_coverage(u, p),
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
            "type_match": type_match,
            "description_length": np.log1p(
                frame.get_column("description_chars").fill_null(0).to_numpy().astype(float)
            ),
            "posting_age_days": (
                (at - frame.get_column("posted_at")).dt.total_hours() / 24.0
            ).to_numpy(),
            "company_verified": frame.get_column("company_verified")
            .fill_null(False)
            .cast(pl.Float64)
            .to_numpy(),
            "deck_position": frame.get_column("deck_position").cast(pl.Float64).to_numpy(),
            "device": category_codes(frame.get_column("device_type"), DEVICES, 2).astype(float),
        }
    )


def _smoothed(rights: pl.Expr, count: pl.Expr, prior: float) -> pl.Expr:
    return (rights + PRIOR_STRENGTH * prior) / (count + PRIOR_STRENGTH)


def behaviour_before_each_swipe(
    swipes: pl.DataFrame | PriorTotals, prior_rate: float
) -> pl.DataFrame:
    """Per swipe, what was known before it: counts and smoothed right rates. Row order kept.

    ``swipes`` (swipe_id, user_id, job_posting_id, company_id, at, label), or their
    PriorTotals when only some are described (then only those rows come back)."""
    totals = swipes if isinstance(swipes, PriorTotals) else PriorTotals.of(swipes)
    columns = []
    for keys, name in (
        (["user_id"], "user"),
        (["job_posting_id"], "posting"),
        (["company_id"], "company"),
        (["user_id", "company_id"], "user_company"),
    ):
        prior = totals.before(keys, {"rights": pl.col("label")})
        columns.append(
            prior.select(
                pl.col("count").cast(pl.Float64).alias(f"{name}_prior_swipes"),
                _smoothed(pl.col("rights"), pl.col("count"), prior_rate).alias(
                    f"{name}_prior_right_rate"
                ),
            )
        )
    features = pl.concat(columns, how="horizontal").select(
        "user_prior_swipes", "user_prior_right_rate", "posting_prior_swipes",
        "posting_prior_right_rate", "company_prior_right_rate", "user_company_prior_swipes",
        "user_company_prior_right_rate",
    )  # fmt: skip
    return totals.described(features)


# coded_history's columns, in order.
HISTORY_COLUMNS: tuple[str, ...] = (
    "swipe_id", "user_id", "job_posting_id", "company_id", *ATTRIBUTES, "at", "label",
    "log_salary", "level_index",
)  # fmt: skip


def coded_history(swipes: pl.DataFrame, attributes: pl.DataFrame) -> pl.DataFrame:
    """The swipes as the *_before_each_swipe features read them (swipe_id, user_id,
    job_posting_id, company_id, at, label, every attribute, log_salary, level_index), with ids
    and attribute values replaced by their dense rank: ranks group and order exactly as the text
    does (nulls stay null), and ten million swipes take 4 bytes an id instead of 50.

    Attributes are coded per posting before the join (a posting's values, not each swipe's
    copy of them, are ranked), so no per-swipe column of text is ever built.
    """
    # Sorted as polars sorts text (code point order), so codes order as ranks would.
    vocabularies = {
        a: {
            v: i
            for i, v in enumerate(sorted(set(attributes.get_column(a).drop_nulls()) | {UNKNOWN}))
        }
        for a in ATTRIBUTES
    }
    coded_attributes = attributes.select(
        "job_posting_id",
        *(
            pl.col(a).fill_null(UNKNOWN).replace_strict(vocabularies[a], return_dtype=pl.UInt32)
            for a in ATTRIBUTES
        ),
        "log_salary",
        "level_index",
    )
    unknown = {a: vocabularies[a][UNKNOWN] for a in ATTRIBUTES}
    frame = swipes.select(
        *(pl.col(c).rank("dense") for c in ("swipe_id", "user_id", "job_posting_id", "company_id")),
        "at",
        "label",
        pl.col("job_posting_id").alias("_posting"),
    )
    return (
        frame.join(
            coded_attributes.rename({"job_posting_id": "_posting"}),
            on="_posting",
            how="left",
            maintain_order="left",
        )
        .with_columns(pl.col(a).fill_null(unknown[a]) for a in ATTRIBUTES)
        .select(HISTORY_COLUMNS)
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


def matrix(features: pl.DataFrame, names: tuple[str, ...] = FEATURES) -> np.ndarray:
    """``names`` (FEATURES by default) as floats, rounded to 6 decimals; a column with no value at all (e.g. no
    salaries anywhere) becomes 0, which the booster can bin, instead of all-NaN."""
    # Row-major, as the compiled trees read it (no second copy when scoring), rounded in place.
    values = (
        features.select(list(names))
        .to_numpy(order="c", writable=True)
        .astype(np.float64, copy=False)
    )
    return _model_ready(values)


def matrix_of_columns(
    columns: Mapping[str, np.ndarray], names: tuple[str, ...] = FEATURES
) -> np.ndarray:
    """``matrix`` of feature columns held as arrays: the same values, without a frame built
    only to be turned back into a matrix (the feed ranks tens of millions of pairs)."""
    rows = len(columns[names[0]]) if names else 0
    values = np.empty((rows, len(names)), dtype=np.float64)
    for i, name in enumerate(names):
        values[:, i] = columns[name]
    return _model_ready(values)


def _model_ready(values: np.ndarray) -> np.ndarray:
    empty = np.isnan(values).all(axis=0)
    values[:, empty] = 0.0
    # Six decimals: split thresholds then lie well away from every value, so the compiled
    # trees (models_ml/compiled.py) and scikit-learn agree exactly. Unrounded, a cosine of
    # 1.0000000000000002 can fall on either side of a threshold printed into C source.
    return np.round(values, 6, out=values)

"""Candidate retrieval for the feed: which unseen open postings the ranker scores for a user.

Scoring every (user, open posting) pair with the boosted trees is out of reach at scale (10k
users x 5k open postings is 50M pairs, a million users a hundred times that), so the feed is
built in two stages, as large recommenders are: cheap retrievers pick a few hundred candidates
per user, the model ranks them. The retrievers, merged:

- **linear**: a logistic regression over the features that can be computed for a user against
  every open posting at once with matrix products (text and skills similarity, salary, level,
  place and arrangement fit, the user's attribute affinities, the collaborative fold-in,
  popularity), trained with the model on the same swipes. It is exact (brute force over all
  open postings, in chunks of users), which at these catalogue sizes is cheaper than building
  an approximate index (docs/match-model.md has the figures);
- **content**: the nearest open postings by TF-IDF similarity;
- **collaborative**: the nearest by the user's folded-in taste vector;
- **fresh**: the best (by the linear score) of the postings published in the last days, so new
  postings reach people before anyone has swiped them;
- **popular**: the most liked open postings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from models_ml.features import (
    CONTENT_FEATURES,
    EXPECTED_PAY,
    LEVELS,
    PRIOR_STRENGTH,
    REMOTE_MATCH,
    REMOTE_PREFS,
    REMOTE_TYPES,
    TextIndex,
    category_codes,
    haversine_km,
    levels_from_experience,
)
from models_ml.ids import ID
from models_ml.taste import (
    AFFINITY_FEATURES,
    ATTRIBUTES,
    CF_FEATURES,
    REVEALED_FEATURES,
    PostingFactors,
    UserProfiles,
    affinity_tables,
    fit_posting_factors,
    fold_in,
    revealed_tables,
)

# What the linear retriever reads, each a transform of a FEATURES column (see _inputs).
LINEAR_INPUTS: tuple[str, ...] = (
    "content_similarity", "title_similarity", "skill_coverage", "salary_fit", "salary_known",
    "level_gap", "level_distance", "remote_match", "same_country", "log_distance", "type_match",
    "posting_prior_right_rate", "posting_log_swipes", *AFFINITY_FEATURES, *CF_FEATURES,
    *REVEALED_FEATURES,
)  # fmt: skip
# The retrievers, in the order a pair found by several is credited to the first.
RETRIEVERS: tuple[str, ...] = ("linear", "content", "collaborative", "fresh", "popular")
# User x open posting cells per retrieval chunk (see Candidates.chunks).
CHUNK_CELLS = 1_000_000
# Stand-in distance (log km) when a user's place is unknown: a typical other-city distance.
UNKNOWN_LOG_DISTANCE = float(np.log1p(3000.0))


@dataclass(frozen=True)
class RetrievalCounts:
    """Candidates per user from each retriever (tuned on the benchmark, docs/benchmarks.md)."""

    linear: int = 500
    content: int = 60
    collaborative: int = 60
    fresh: int = 20
    popular: int = 30
    fresh_days: float = 7.0


def _inputs(columns: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """LINEAR_INPUTS from feature columns (arrays of any one shape)."""
    ratio = np.asarray(columns["salary_ratio"], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        salary_fit = np.clip(np.log(ratio), -1.0, 1.0)
    distance = np.asarray(columns["distance_km"], dtype=float)
    gap = np.asarray(columns["level_gap"], dtype=float)
    values = {
        "salary_fit": np.nan_to_num(salary_fit, nan=0.0),
        "level_gap": gap,
        "level_distance": np.abs(gap),
        "log_distance": np.where(np.isnan(distance), UNKNOWN_LOG_DISTANCE, np.log1p(distance)),
        "posting_log_swipes": np.log1p(np.asarray(columns["posting_prior_swipes"], dtype=float)),
    }
    for name in LINEAR_INPUTS:
        if name not in values:
            values[name] = np.nan_to_num(np.asarray(columns[name], dtype=float), nan=0.0)
    return values


@dataclass
class LinearRetriever:
    """sum(coefficient x standardised input): a logistic regression's log-odds, less its
    intercept (which does not change a ranking)."""

    mean: np.ndarray
    scale: np.ndarray
    coefficients: np.ndarray
    inputs: tuple[str, ...] = LINEAR_INPUTS

    @classmethod
    def fit(cls, frame: pl.DataFrame, seed: int = 7, rows: int = 300_000) -> LinearRetriever:
        sample = frame.sample(min(rows, frame.height), seed=seed) if frame.height > rows else frame
        values = _inputs({c: sample.get_column(c).to_numpy() for c in sample.columns})
        x = np.column_stack([values[name] for name in LINEAR_INPUTS])
        mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
        regression = LogisticRegression(max_iter=300, C=1.0, random_state=seed)
        regression.fit((x - mean) / scale, sample.get_column("label").to_numpy())
        return cls(mean=mean, scale=scale, coefficients=regression.coef_.ravel())

    def score(self, columns: Mapping[str, np.ndarray]) -> np.ndarray:
        values = _inputs(columns)
        total = np.zeros(np.shape(values[self.inputs[0]]))
        for i, name in enumerate(self.inputs):
            total += (values[name] - self.mean[i]) * (self.coefficients[i] / self.scale[i])
        return total


@dataclass
class TasteState:
    """What the whole history says of users' tastes, for pairs nobody has swiped yet."""

    factors: PostingFactors
    profiles: UserProfiles
    affinities: dict[str, pl.DataFrame]  # per attribute: user_id, value, affinity
    revealed: pl.DataFrame  # user_id, mean log pay and level of the postings liked


def taste_state(
    swipes: pl.DataFrame,
    attributes: pl.DataFrame,
    users: list[str],
    prior: float,
    posting_order: dict[str, int] | None = None,
) -> TasteState:
    """``swipes``: user_id, job_posting_id, label; ``attributes``: posting_attributes();
    ``posting_order``: the snapshot's order of postings (see fit_posting_factors)."""
    history = (
        swipes.select("user_id", "job_posting_id", "label")
        .join(attributes, on="job_posting_id", how="left")
        .with_columns(pl.col(list(ATTRIBUTES)).fill_null("unknown"))
    )
    factors = fit_posting_factors(
        history.filter(pl.col("label") == 1).select("user_id", "job_posting_id"),
        posting_order=posting_order,
    )
    _, affinities = affinity_tables(history, prior)
    return TasteState(
        factors,
        fold_in(history, factors, users),
        affinities,
        revealed_tables(history),
    )


@dataclass
class OpenPostings:
    """The open postings as arrays, in one order, for matrix-at-once retrieval."""

    ids: list[str]
    text_rows: np.ndarray
    level: np.ndarray
    salary_usd: np.ndarray
    remote_type: np.ndarray
    country: np.ndarray
    latitude: np.ndarray
    longitude: np.ndarray
    type: np.ndarray
    prior_rate: np.ndarray
    prior_swipes: np.ndarray
    attribute_values: dict[str, np.ndarray]  # codes into each attribute's vocabulary
    factor_rows: np.ndarray
    fresh: np.ndarray  # bool: published within the fresh window
    popular: np.ndarray  # indices of the most liked
    # What the ranker reads of each posting as it stands now (see ranker_arrays).
    company_id: list[str | None] = field(default_factory=list)
    per_posting: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class ChunkUsers:
    """What retrieval and the ranker read of one chunk's users, as arrays in its order."""

    ids: list[str]
    text_rows: np.ndarray
    level: np.ndarray  # codes into LEVELS, from years of experience
    remote_pref: np.ndarray
    country: np.ndarray  # codes into the country vocabulary; -2 when unknown
    latitude: np.ndarray
    longitude: np.ndarray
    wanted_types: np.ndarray  # users x type vocabulary: 1.0 where wanted
    profile_rows: np.ndarray  # rows of the taste profiles
    affinity_rows: np.ndarray  # rows of the run's affinity matrices
    liked_log_salary: np.ndarray  # mean over the postings liked; NaN before the first like
    liked_level: np.ndarray


@dataclass
class Candidates:
    """Retrieval for one run: open postings, taste, and the per-user inputs."""

    postings: OpenPostings
    taste: TasteState
    text: TextIndex
    users: pl.DataFrame
    retriever: LinearRetriever | None
    counts: RetrievalCounts
    vocabularies: dict[str, dict[str, int]]
    type_vocabulary: dict[str, int]
    country_vocabulary: dict[str, int]
    # The open postings each user has swiped: user rows (sorted) and columns, pair by pair.
    seen_rows: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int32))
    seen_columns: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int32))
    prior: float = 0.3
    user_company: pl.DataFrame | None = None  # user_id, company_id, swipes and rights so far
    user_totals: pl.DataFrame | None = None  # user_id, swipes and rights so far
    _run_cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def build(
        cls,
        users: pl.DataFrame,
        postings: pl.DataFrame,
        swipes: pl.DataFrame,
        attributes: pl.DataFrame,
        text: TextIndex,
        retriever: LinearRetriever | None,
        now: dt.datetime,
        counts: RetrievalCounts | None = None,
    ) -> Candidates:
        """``users``: the users to retrieve for; ``postings``: the whole snapshot (open ones are
        kept); ``swipes``: every swipe (user_id, job_posting_id, label)."""
        counts = counts or RetrievalCounts()
        prior = float(swipes.get_column("label").to_numpy().mean()) if swipes.height else 0.3
        user_ids = users.get_column("user_id").to_list()
        taste = taste_state(swipes, attributes, user_ids, prior, text.posting_ids)
        stats = swipes.group_by("job_posting_id").agg(
            pl.len().alias("_swipes"), pl.col("label").sum().alias("_rights")
        )
        open_postings = (
            postings.filter(pl.col("is_open"))
            .join(attributes, on="job_posting_id", how="left", maintain_order="left")
            .join(stats, on="job_posting_id", how="left", maintain_order="left")
            .with_columns(pl.col("_swipes", "_rights").fill_null(0))
        )
        vocabularies = {
            a: {
                v: i
                for i, v in enumerate(sorted(set(attributes.get_column(a).to_list()) | {"unknown"}))
            }
            for a in ATTRIBUTES
        }
        type_vocabulary = {
            t: i
            for i, t in enumerate(
                sorted(
                    {str(t) for t in postings.get_column("type").drop_nulls().to_list()}
                    | {str(t) for row in users.get_column("job_types").to_list() for t in row or []}
                )
            )
        }
        countries = sorted(
            {str(c) for c in postings.get_column("country").drop_nulls().to_list()}
            | {str(c) for c in users.get_column("user_country").drop_nulls().to_list()}
        )
        country_vocabulary = {c: i for i, c in enumerate(countries)}
        ids = open_postings.get_column("job_posting_id").to_list()
        rights = open_postings.get_column("_rights").to_numpy().astype(float)
        swiped = open_postings.get_column("_swipes").to_numpy().astype(float)
        posted = open_postings.get_column("posted_at")
        age_days = pl.lit(now).cast(pl.Datetime("us")) - posted.cast(pl.Datetime("us"))
        age = pl.select(age_days.dt.total_hours() / 24.0).to_series().fill_null(1e9).to_numpy()
        company_rates = swipes.group_by("company_id").agg(
            ((pl.col("label").sum() + PRIOR_STRENGTH * prior) / (pl.len() + PRIOR_STRENGTH)).alias(
                "_company_rate"
            )
        )
        popular_order = np.lexsort((np.arange(len(ids)), -rights))[: counts.popular]
        table = OpenPostings(
            ids=ids,
            text_rows=np.array([text.posting_ids[p] for p in ids], dtype=np.int64),
            level=category_codes(open_postings.get_column("level"), LEVELS, 2),
            salary_usd=open_postings.get_column("salary_max_yearly_usd").cast(pl.Float64).fill_null(np.nan).to_numpy(),
            remote_type=category_codes(open_postings.get_column("remote_type"), REMOTE_TYPES, 0),
            country=np.array([country_vocabulary.get(str(c), -1) if c is not None else -1 for c in open_postings.get_column("country").to_list()]),
            latitude=open_postings.get_column("latitude").cast(pl.Float64).fill_null(np.nan).to_numpy(),
            longitude=open_postings.get_column("longitude").cast(pl.Float64).fill_null(np.nan).to_numpy(),
            type=np.array([type_vocabulary.get(str(t), -1) if t is not None else -1 for t in open_postings.get_column("type").to_list()]),
            prior_rate=(rights + PRIOR_STRENGTH * prior) / (swiped + PRIOR_STRENGTH),
            prior_swipes=swiped,
            attribute_values={
                a: np.array([vocabularies[a].get(v, vocabularies[a]["unknown"]) for v in open_postings.get_column(a).fill_null("unknown").to_list()])
                for a in ATTRIBUTES
            },
            factor_rows=taste.factors.rows(ids),
            fresh=(age >= 0) & (age <= counts.fresh_days),
            popular=popular_order,
            company_id=open_postings.get_column("company_id").to_list(),
            per_posting={
                "salary_known": (~open_postings.get_column("salary_max_yearly_usd").cast(pl.Float64).fill_nan(None).is_null()).cast(pl.Float64).to_numpy(),
                "description_length": np.log1p(open_postings.get_column("description").fill_null("").str.len_chars().to_numpy().astype(float)),
                "posting_age_days": pl.select(age_days.dt.total_hours() / 24.0).to_series().to_numpy().astype(float),
                "company_verified": open_postings.get_column("company_verified").fill_null(False).cast(pl.Float64).to_numpy(),
                "company_prior_right_rate": open_postings.join(company_rates, on="company_id", how="left", maintain_order="left").get_column("_company_rate").fill_null(prior).to_numpy(),
            },
        )  # fmt: skip
        # Which open postings each user has swiped: (user row, column) pairs sorted by row, so a
        # chunk's are one slice (ten million swipes at large scale: joins and a sort, not a
        # Python dict of an array per user).
        seen = (
            swipes.select("user_id", "job_posting_id")
            .join(
                pl.DataFrame(
                    {"job_posting_id": ids, "_column": np.arange(len(ids), dtype=np.int32)},
                    schema={"job_posting_id": ID, "_column": pl.Int32},
                ),
                on="job_posting_id",
            )
            .join(
                users.select("user_id").with_row_index("_row").with_columns(pl.col("_row").cast(pl.Int32)),
                on="user_id",
            )
            .select("_row", "_column")
            .sort("_row")
        )  # fmt: skip
        return cls(
            postings=table,
            taste=taste,
            text=text,
            users=users,
            retriever=retriever,
            counts=counts,
            vocabularies=vocabularies,
            type_vocabulary=type_vocabulary,
            country_vocabulary=country_vocabulary,
            seen_rows=seen.get_column("_row").to_numpy(),
            seen_columns=seen.get_column("_column").to_numpy(),
            prior=prior,
            user_company=swipes.group_by("user_id", "company_id").agg(
                pl.len().cast(pl.Float64).alias("user_company_prior_swipes"),
                pl.col("label").sum().cast(pl.Float64).alias("_rights"),
            ),
            user_totals=users.select("user_id")
            .join(
                swipes.group_by("user_id").agg(
                    pl.len().cast(pl.Float64).alias("user_prior_swipes"),
                    pl.col("label").sum().cast(pl.Float64).alias("_rights"),
                ),
                on="user_id",
                how="left",
                maintain_order="left",
            )
            .with_columns(pl.col("user_prior_swipes", "_rights").fill_null(0.0)),
        )

    def _all_affinities(self, attribute: str) -> np.ndarray:
        """Every retrieved user's row of affinities for ``attribute`` (0 where never swiped),
        built once per run: a per-chunk filter of the whole table costs a scan per chunk
        (thousands at large scale)."""

        def build() -> np.ndarray:
            vocabulary = self.vocabularies[attribute]
            table = self.taste.affinities[attribute].join(self._user_row_frame(), on="user_id")
            codes = (
                table.get_column(attribute)
                .replace_strict(vocabulary, default=vocabulary["unknown"], return_dtype=pl.Int64)
                .to_numpy()
            )
            matrix = np.zeros((self.users.height, len(vocabulary)), dtype=np.float64)
            matrix[table.get_column("_row").to_numpy(), codes] = table.get_column(
                "affinity"
            ).to_numpy()
            return matrix

        return self._cached(f"affinity_{attribute}", build)

    def _user_rows(self) -> dict[str, int]:
        """Each retrieved user's row in the run's per-user arrays (the users' order)."""
        return self._cached(
            "user_rows",
            lambda: {u: i for i, u in enumerate(self.users.get_column("user_id").to_list())},
        )

    def _user_row_frame(self) -> pl.DataFrame:
        """user_id, _row: _user_rows as a frame to join on."""
        return self._cached(
            "user_row_frame",
            lambda: (
                self.users.select("user_id")
                .with_row_index("_row")
                .with_columns(pl.col("_row").cast(pl.Int64))
            ),
        )

    def _mean_taste(self, kind: str) -> np.ndarray:
        """Every retrieved user's mean liked (``kind`` "liked") or passed taste vector."""
        profiles = self.taste.profiles
        means = profiles.mean_liked if kind == "liked" else profiles.mean_passed
        return self._cached(f"mean_{kind}", lambda: means().astype(np.float64))

    def _cached(self, name: str, build: Callable[[], Any]) -> Any:
        """Whatever depends only on the run (open postings, taste), built on first use: per
        chunk it would cost a pass over every open posting or user, thousands of times."""
        if name not in self._run_cache:
            self._run_cache[name] = build()
        return self._run_cache[name]

    def _revealed_by_user(self) -> dict[str, np.ndarray]:
        """Each retrieved user's revealed means, in the users' order (NaN before a like)."""
        table = self.users.select("user_id").join(
            self.taste.revealed, on="user_id", how="left", maintain_order="left"
        )
        return {
            name: table.get_column(name).cast(pl.Float64).fill_null(np.nan).to_numpy()
            for name in ("_liked_log_salary", "_liked_level")
        }

    def _user_company_history(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, np.ndarray]:
        """Swipes and rights of each retrieved user on each company with an open posting, as
        sorted keys (user row x companies + company code) and their counts; the number of
        companies, and each open posting's company code (-1 for none), close the tuple."""
        assert self.user_company is not None  # noqa: S101 - set by build
        codes = pl.DataFrame(
            {"company_id": self.postings.company_id}, schema={"company_id": ID}
        ).with_columns(pl.col("company_id").rank("dense").cast(pl.Int64).sub(1).alias("_code"))
        width = int(codes.get_column("_code").fill_null(-1).to_numpy().max(initial=-1)) + 1
        table = (
            self.user_company.join(codes.drop_nulls().unique("company_id"), on="company_id")
            .join(self._user_row_frame(), on="user_id")
            .with_columns((pl.col("_row") * width + pl.col("_code")).alias("_key"))
            .sort("_key")
        )
        return (
            table.get_column("_key").to_numpy(),
            table.get_column("user_company_prior_swipes").to_numpy(),
            table.get_column("_rights").to_numpy(),
            width,
            codes.get_column("_code").fill_null(-1).to_numpy(),
        )

    def chunk_users(self, chunk: pl.DataFrame) -> ChunkUsers:
        """What retrieval and the ranker read of ``chunk``'s users."""
        user_ids = chunk.get_column("user_id").to_list()
        wanted = np.zeros((len(user_ids), max(len(self.type_vocabulary), 1)))
        for i, types in enumerate(chunk.get_column("job_types").to_list()):
            for t in types or []:
                if t in self.type_vocabulary:
                    wanted[i, self.type_vocabulary[t]] = 1.0
        rows = self._user_rows()
        user_rows = np.array([rows[u] for u in user_ids], dtype=np.int64)
        revealed = self._cached("revealed", self._revealed_by_user)
        return ChunkUsers(
            ids=user_ids,
            text_rows=np.array([self.text.user_ids[x] for x in user_ids], dtype=np.int64),
            level=levels_from_experience(
                chunk.get_column("years_of_experience").cast(pl.Float64).fill_null(np.nan).to_numpy()
            ),
            remote_pref=category_codes(chunk.get_column("remote_pref"), REMOTE_PREFS, 3),
            country=np.array(
                [self.country_vocabulary.get(str(c), -2) if c is not None else -2 for c in chunk.get_column("user_country").to_list()],
                dtype=np.int64,
            ),
            latitude=chunk.get_column("user_latitude").cast(pl.Float64).fill_null(np.nan).to_numpy(),
            longitude=chunk.get_column("user_longitude").cast(pl.Float64).fill_null(np.nan).to_numpy(),
            wanted_types=wanted,
            profile_rows=self.taste.profiles.rows(user_ids),
            affinity_rows=user_rows,
            liked_log_salary=revealed["_liked_log_salary"][user_rows],
            liked_level=revealed["_liked_level"][user_rows],
        )  # fmt: skip

    def dense_scores(self, users: ChunkUsers) -> dict[str, np.ndarray]:
        """Users x every open posting: the three text similarities (the content retriever ranks
        on one, the ranker reads all three) and the collaborative score (cf_like)."""
        text, u = self.text, users.text_rows

        def open_columns(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
            # The open postings' rows, transposed once per run into the CSR layout a product
            # wants (a CSC right operand is converted on every product).
            return matrix[self.postings.text_rows].T.tocsr()

        content = self._cached("text", lambda: open_columns(text.postings))
        titles = self._cached("titles", lambda: open_columns(text.posting_titles))
        skills = self._cached("skills", lambda: open_columns(text.posting_skills))
        mentioned = (text.user_skills[u] @ skills).toarray()
        counts = text.skill_counts[u][:, None]
        liked = self._mean_taste("liked")
        return {
            "content_similarity": (text.users[u] @ content).toarray(),
            "title_similarity": (text.user_titles[u] @ titles).toarray(),
            "skill_coverage": np.divide(mentioned, counts, out=np.zeros_like(mentioned), where=counts > 0),
            "cf_like": liked[users.profile_rows] @ self._open_vectors().T,
        }  # fmt: skip

    def _open_vectors(self) -> np.ndarray:
        factors = self.taste.factors
        return self._cached(
            "vectors", lambda: factors.vectors[self.postings.factor_rows].astype(np.float64)
        )

    def _weights(self) -> dict[str, float]:
        """Each linear input's weight on the retriever's log-odds (coefficient / scale); the
        centring only adds a constant per user, which no ranking sees."""
        assert self.retriever is not None  # noqa: S101 - only called with one
        r = self.retriever
        return dict(zip(r.inputs, (r.coefficients / r.scale).tolist(), strict=True))

    def _linear_posting_side(self) -> np.ndarray:
        """Open postings x d: the posting half of the retriever's low-rank terms (see
        linear_scores), weighted; built once per run."""
        p, w = self.postings, self._weights()
        n = len(p.ids)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_salary = np.log(p.salary_usd)
            by_level = []
            for level, pay in enumerate(EXPECTED_PAY):
                salary_fit = np.nan_to_num(np.clip(np.log(p.salary_usd / pay), -1.0, 1.0), nan=0.0)
                gap = (p.level - level).astype(float)
                by_level.append(
                    w["salary_fit"] * salary_fit
                    + w["level_gap"] * gap
                    + w["level_distance"] * np.abs(gap)
                )
        salary_liked_known = np.isfinite(log_salary)
        blocks = [
            np.column_stack(by_level),
            w["remote_match"] * REMOTE_MATCH[p.remote_type],
            w["same_country"] * _one_hot(p.country, len(self.country_vocabulary)),
            w["type_match"] * _one_hot(p.type, max(len(self.type_vocabulary), 1)),
            *[w[f"affinity_{a}"] * _one_hot(p.attribute_values[a], len(self.vocabularies[a])) for a in ATTRIBUTES],
            self._open_vectors(),
            np.column_stack([
                w["salary_vs_liked"] * np.where(salary_liked_known, log_salary, 0.0),
                w["salary_vs_liked"] * salary_liked_known,
                w["level_vs_liked"] * p.level,
                np.full(n, w["level_vs_liked"]),
            ]),
            (w["salary_known"] * (~np.isnan(p.salary_usd)) + w["posting_prior_right_rate"] * p.prior_rate
             + w["posting_log_swipes"] * np.log1p(p.prior_swipes))[:, None],
        ]  # fmt: skip
        return np.ascontiguousarray(np.column_stack(blocks))

    def _linear_user_side(self, users: ChunkUsers) -> np.ndarray:
        """Users x d: the user half of the low-rank terms, in _linear_posting_side's order."""
        w, n = self._weights(), len(users.ids)
        taste = self._cached(
            "taste_vectors",
            lambda: (
                w["cf_like"] * self._mean_taste("liked") + w["cf_pass"] * self._mean_taste("passed")
            ),
        )
        salary_known = ~np.isnan(users.liked_log_salary)
        level_known = ~np.isnan(users.liked_level)
        blocks = [
            _one_hot(users.level, len(EXPECTED_PAY)),
            _one_hot(users.remote_pref, len(REMOTE_PREFS)),
            _one_hot(users.country, len(self.country_vocabulary)),
            users.wanted_types,
            *[self._all_affinities(a)[users.affinity_rows] for a in ATTRIBUTES],
            taste[users.profile_rows],
            np.column_stack([
                salary_known, np.where(salary_known, -users.liked_log_salary, 0.0),
                level_known, np.where(level_known, -users.liked_level, 0.0),
            ]),
            np.ones((n, 1)),
        ]  # fmt: skip
        return np.column_stack(blocks)

    def log_distances(self, users: ChunkUsers) -> np.ndarray:
        """Users x open postings: log1p(km), the stand-in where either place is unknown.

        Computed once per distinct place among the chunk's users and distinct place among the
        open postings (people of one city share a row, postings of one city a column), exactly
        as pair features compute it, then gathered: the trigonometry per cell was a tenth of
        the feed's time (docs/benchmarks.md)."""
        p = self.postings
        posting_places, column_place = self._cached(
            "posting_places", lambda: _distinct_places(p.latitude, p.longitude)
        )
        user_places, row_place = _distinct_places(users.latitude, users.longitude)
        # The last row and column stand for an unknown place (index -1).
        by_place = np.full((len(user_places) + 1, len(posting_places) + 1), UNKNOWN_LOG_DISTANCE)
        by_place[:-1, :-1] = np.log1p(
            haversine_km(
                user_places[:, :1],
                user_places[:, 1:],
                posting_places[None, :, 0],
                posting_places[None, :, 1],
            )
        )
        return np.take(by_place, column_place, axis=1)[row_place]

    def linear_scores(self, users: ChunkUsers, dense: Mapping[str, np.ndarray]) -> np.ndarray:
        """The linear retriever's score of each user x open posting, up to a constant per user.

        Every input but the text similarities and the distance depends on the user only
        through a category (level, remote preference, country, wanted types), a row of
        affinities, a taste vector or two revealed means, so those terms sum to one product
        of a users x d and a d x postings matrix (d about 130) instead of twenty dense
        matrices per chunk; the text terms come from the products already built."""
        if self.retriever is None:
            return dense["content_similarity"] + dense["cf_like"]
        w = self._weights()
        posting_side = self._cached("linear_postings", self._linear_posting_side)
        total = self._linear_user_side(users) @ posting_side.T
        total += w["content_similarity"] * dense["content_similarity"]
        total += w["title_similarity"] * dense["title_similarity"]
        total += w["skill_coverage"] * dense["skill_coverage"]
        total += w["log_distance"] * self.log_distances(users)
        return total

    def chunk_slices(self, users_per_chunk: int | None = None) -> list[tuple[int, int]]:
        """(first user, users) of each chunk: about CHUNK_CELLS user x posting cells (400 users
        at 2,500 open postings, 77 at 13,000), so the few dense matrices of a chunk stay tens
        of megabytes whatever the catalogue's size."""
        n = len(self.postings.ids)
        if n == 0:
            return []
        size = users_per_chunk or max(1, min(400, CHUNK_CELLS // n))
        return [(start, size) for start in range(0, self.users.height, size)]

    def chunks(self, users_per_chunk: int | None = None) -> Iterator[pl.DataFrame]:
        """(user_id, job_posting_id, retriever, ...features) for every user: the merged
        candidates, unseen, a frame per chunk of users."""
        for start, size in self.chunk_slices(users_per_chunk):
            yield self.candidates(start, size)

    def candidates(self, start: int, size: int) -> pl.DataFrame:
        """chunks' frame for the users start .. start + size. The first call builds the
        run-wide tables; calls after it only read them, so threads may make them at once."""
        keys, features = self.candidate_arrays(start, size)
        return _with_features(keys, features)

    def candidate_arrays(self, start: int, size: int) -> tuple[pl.DataFrame, dict[str, np.ndarray]]:
        """candidates' frame as the keys (user_id, job_posting_id, retriever, company_id, fresh)
        and the FEATURES columns as arrays, which the ranker reads as one matrix."""
        p, k = self.postings, self.counts
        n = len(p.ids)
        fresh_columns = self._cached("fresh_columns", lambda: np.flatnonzero(p.fresh))
        chunk = self.users.slice(start, size)
        users = self.chunk_users(chunk)
        dense = self.dense_scores(users)
        linear = self.linear_scores(users, dense)
        # The cells already swiped, by flat index: a user has swiped a few hundred of the
        # open postings, so a users x postings mask would be mostly a pass over nothing.
        first, last = np.searchsorted(self.seen_rows, [start, start + len(users.ids)])
        seen = (self.seen_rows[first:last].astype(np.int64) - start) * n + self.seen_columns[
            first:last
        ]
        # Nothing seen can be picked: -inf in the scores the retrievers rank (the ranker
        # reads dense scores only at unseen candidates).
        for scores in (linear, dense["content_similarity"], dense["cf_like"]):
            np.put(scores, seen, -np.inf)
        fresh = _top_unseen(linear[:, fresh_columns], k.fresh)
        picks: list[tuple[str, np.ndarray]] = [
            ("linear", _top_unseen(linear, k.linear)),
            ("content", _top_unseen(dense["content_similarity"], k.content)),
            ("collaborative", _top_unseen(dense["cf_like"], k.collaborative)),
            ("fresh", np.where(fresh >= 0, fresh_columns[np.maximum(fresh, 0)], -1)),
        ]
        popular = np.broadcast_to(p.popular, (len(users.ids), len(p.popular)))
        popular_seen = np.isin(np.arange(len(users.ids))[:, None] * n + popular, seen)
        picks.append(("popular", np.where(popular_seen, -1, popular)))
        rows, cols, found_by = [], [], []
        for code, (name, chosen) in enumerate(picks):
            assert name == RETRIEVERS[code]  # noqa: S101 - the codes' meaning
            r, c = np.nonzero(chosen >= 0)
            rows.append(r)
            cols.append(chosen[r, c])
            found_by.append(np.full(len(r), code, dtype=np.int64))
        r, c, by = np.concatenate(rows), np.concatenate(cols), np.concatenate(found_by)
        # Each pair once, credited to the first retriever that found it.
        _, first = np.unique(r * n + c, return_index=True)
        first.sort()
        return self.ranker_arrays(users, dense, r[first], c[first], by[first])

    def pair_features(
        self, users: ChunkUsers, dense: Mapping[str, np.ndarray], r: np.ndarray, c: np.ndarray
    ) -> dict[str, np.ndarray]:
        """FEATURES of the pairs (users row r, open posting c) as if shown now at the top of
        the deck, apart from the user's and the user x company history (ranker_arrays adds
        those); the dense scores are read, the rest computed pair by pair."""
        p = self.postings
        # Matrices are read by flat index (one gather instead of a 2-D fancy index).
        flat = r * len(p.ids) + c
        level = users.level[r]
        none_wanted = users.wanted_types.sum(axis=1) == 0
        wanted = np.take(
            users.wanted_types, r * users.wanted_types.shape[1] + np.maximum(p.type[c], 0)
        )
        passed = self._mean_taste("passed")
        with np.errstate(divide="ignore", invalid="ignore"):
            log_salary = np.log(p.salary_usd[c])
        values = {name: np.take(dense[name], flat) for name in (*CONTENT_FEATURES, "cf_like")}
        values |= {
            "salary_ratio": p.salary_usd[c] / np.array(EXPECTED_PAY, dtype=float)[level],
            "distance_km": haversine_km(users.latitude[r], users.longitude[r], p.latitude[c], p.longitude[c]),
            "same_country": (users.country[r] == p.country[c]).astype(float),
            "remote_fit": (p.remote_type[c] * len(REMOTE_PREFS) + users.remote_pref[r]).astype(float),
            "remote_match": REMOTE_MATCH[p.remote_type[c], users.remote_pref[r]],
            "level_gap": (p.level[c] - level).astype(float),
            "type_match": np.where(none_wanted[r], 0.5, np.where(p.type[c] >= 0, wanted, 0.0)),
            "posting_prior_swipes": p.prior_swipes[c],
            "posting_prior_right_rate": p.prior_rate[c],
            "deck_position": np.zeros(len(r)),
            "device": np.zeros(len(r)),  # "ios", as candidate_features assumes
            # Read at the pairs only (a few hundred a user), not as a users x open postings
            # product: no retriever ranks on it.
            "cf_pass": np.einsum(
                "ij,ij->i", passed[users.profile_rows[r]], self._open_vectors()[c]
            ),
            "salary_vs_liked": log_salary - users.liked_log_salary[r],
            "level_vs_liked": p.level[c] - users.liked_level[r],
        }  # fmt: skip
        for attribute in ATTRIBUTES:
            chunk_rows = self._all_affinities(attribute)[users.affinity_rows]
            values[f"affinity_{attribute}"] = np.take(
                chunk_rows, r * chunk_rows.shape[1] + p.attribute_values[attribute][c]
            )
        for name, per_posting in p.per_posting.items():
            values[name] = per_posting[c]
        return values

    def ranker_arrays(
        self,
        users: ChunkUsers,
        dense: Mapping[str, np.ndarray],
        r: np.ndarray,
        c: np.ndarray,
        retriever: np.ndarray,
    ) -> tuple[pl.DataFrame, dict[str, np.ndarray]]:
        """The pairs (users row r, open posting c) as keys (the user, posting, company, the
        retriever that found each, codes into RETRIEVERS, and whether the posting is fresh) and
        every FEATURES column as an array: the values ``candidate_features`` computes from the
        snapshot pair by pair (tested)."""
        assert self.user_totals is not None  # noqa: S101 - set by build
        p, totals = self.postings, self.user_totals
        gathered = self.pair_features(users, dense, r, c)
        rows = users.affinity_rows[r]
        user_swipes = self._cached(
            "user_swipes", lambda: totals.get_column("user_prior_swipes").to_numpy()
        )[rows]
        user_rights = self._cached("user_rights", lambda: totals.get_column("_rights").to_numpy())[
            rows
        ]
        gathered["user_prior_swipes"] = user_swipes
        gathered["user_prior_right_rate"] = (user_rights + PRIOR_STRENGTH * self.prior) / (
            user_swipes + PRIOR_STRENGTH
        )
        keys, swipes, rights, width, posting_companies = self._cached(
            "user_company", self._user_company_history
        )
        company = posting_companies[c]
        together, liked = np.zeros(len(r)), np.zeros(len(r))
        if len(keys):
            wanted = rows * width + company
            at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
            found = (company >= 0) & (keys[at] == wanted)
            together[found], liked[found] = swipes[at[found]], rights[at[found]]
        gathered["user_company_prior_swipes"] = together
        gathered["user_company_prior_right_rate"] = (liked + PRIOR_STRENGTH * self.prior) / (
            together + PRIOR_STRENGTH
        )
        ids = self._cached("open_ids", lambda: pl.Series(p.ids, dtype=ID))
        companies = self._cached("open_companies", lambda: pl.Series(p.company_id, dtype=ID))
        keys = pl.DataFrame(
            [
                pl.Series("user_id", users.ids, dtype=ID).gather(r),
                ids.gather(c).alias("job_posting_id"),
                pl.Series("retriever", RETRIEVERS, dtype=pl.String).gather(retriever),
                companies.gather(c).alias("company_id"),
                pl.Series("fresh", p.fresh[c], dtype=pl.Boolean),
            ]
        )
        return keys, gathered


def _with_features(keys: pl.DataFrame, features: Mapping[str, np.ndarray]) -> pl.DataFrame:
    return keys.with_columns(
        pl.Series(name, values, dtype=pl.Float64) for name, values in features.items()
    )


def _distinct_places(latitude: np.ndarray, longitude: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct known places (places x 2: latitude, longitude) and each row's index into
    them (-1 where the place is unknown)."""
    known = ~(np.isnan(latitude) | np.isnan(longitude))
    index = np.full(len(latitude), -1, dtype=np.int64)
    places, inverse = np.unique(
        np.column_stack([latitude[known], longitude[known]]), axis=0, return_inverse=True
    )
    index[known] = inverse.ravel()
    return places.reshape(-1, 2), index


def _one_hot(codes: np.ndarray, width: int) -> np.ndarray:
    """Rows of zeros with a 1 at each code (none for a negative code)."""
    matrix = np.zeros((len(codes), width))
    valid = codes >= 0
    matrix[np.flatnonzero(valid), codes[valid]] = 1.0
    return matrix


def _top_unseen(scores: np.ndarray, k: int) -> np.ndarray:
    """Per row, the column indices of the k highest scores, of scores already -inf where seen
    and free of NaN (-1 pads rows with fewer eligible columns); ties broken by column order."""
    if k <= 0:
        return np.empty((scores.shape[0], 0), dtype=np.int64)
    k = min(k, scores.shape[1])
    if k == 0:
        return np.empty((scores.shape[0], 0), dtype=np.int64)
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    values = np.take_along_axis(scores, part, axis=1)
    order = np.lexsort((part, -values), axis=1)
    chosen = np.take_along_axis(part, order, axis=1)
    return np.where(np.isfinite(np.take_along_axis(values, order, axis=1)), chosen, -1)

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
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from sklearn.linear_model import LogisticRegression

from models_ml.features import (
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


class ByUser:
    """A frame with a user_id column, sorted by user, read a few users at a time: each chunk of
    the feed takes its users' rows by offsets instead of joining against the whole table (which
    at large scale is millions of rows, read again for each of thousands of chunks)."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame.sort("user_id", maintain_order=True)
        users = self.frame.get_column("user_id")
        starts = (
            np.flatnonzero(np.r_[True, (users[1:] != users[:-1]).to_numpy()])
            if users.len()
            else np.empty(0, dtype=np.int64)
        )
        ends = np.r_[starts[1:], users.len()] if users.len() else np.empty(0, dtype=np.int64)
        self._span = {
            u: (int(a), int(b))
            for u, a, b in zip(users.gather(starts).to_list(), starts, ends, strict=True)
        }

    def rows_for(self, user_ids: list[str]) -> pl.DataFrame:
        spans = [self._span[u] for u in user_ids if u in self._span]
        if not spans:
            return self.frame.clear()
        index = np.concatenate([np.arange(a, b) for a, b in spans])
        return self.frame[index]


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
    # What the ranker reads of each posting as it stands now (see ranker_features).
    company_id: list[str | None] = field(default_factory=list)
    per_posting: dict[str, np.ndarray] = field(default_factory=dict)


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
    seen: dict[str, np.ndarray] = field(default_factory=dict)
    prior: float = 0.3
    user_company: pl.DataFrame | None = None  # user_id, company_id, swipes and rights so far
    user_totals: pl.DataFrame | None = None  # user_id, swipes and rights so far
    _affinity_rows: dict[str, int] = field(default_factory=dict, repr=False)
    _affinities: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    _lookups: dict[str, ByUser] = field(default_factory=dict, repr=False)

    def _by_user(self, name: str, frame: pl.DataFrame) -> ByUser:
        if name not in self._lookups:
            self._lookups[name] = ByUser(frame)
        return self._lookups[name]

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
        # Which open postings each user has swiped, as column numbers (ten million swipes at
        # large scale: a join and a group-by, not a Python loop).
        seen = (
            swipes.select("user_id", "job_posting_id")
            .join(
                pl.DataFrame(
                    {"job_posting_id": ids, "_column": np.arange(len(ids), dtype=np.int64)},
                    schema={"job_posting_id": pl.String, "_column": pl.Int64},
                ),
                on="job_posting_id",
            )
            .group_by("user_id")
            .agg("_column")
        )
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
            seen={
                user: np.asarray(columns, dtype=np.int64)
                for user, columns in zip(
                    seen.get_column("user_id").to_list(),
                    seen.get_column("_column").to_list(),
                    strict=True,
                )
            },
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

    def _affinity_matrix(self, attribute: str, user_ids: list[str]) -> np.ndarray:
        """users x values of ``attribute``: each user's affinity (0 where never swiped)."""
        if attribute not in self._affinities:
            self._affinities[attribute] = self._all_affinities(attribute)
        rows, matrix = self._affinity_rows, self._affinities[attribute]
        return matrix[np.array([rows[u] for u in user_ids], dtype=np.int64)]

    def _all_affinities(self, attribute: str) -> np.ndarray:
        """Every retrieved user's row of affinities for ``attribute``, built once per run: a
        per-chunk filter of the whole table costs a scan per chunk (thousands at large scale)."""
        if not self._affinity_rows:
            self._affinity_rows.update(
                (u, i) for i, u in enumerate(self.users.get_column("user_id").to_list())
            )
        vocabulary = self.vocabularies[attribute]
        table = self.taste.affinities[attribute].join(
            pl.DataFrame(
                {"user_id": list(self._affinity_rows), "_row": list(self._affinity_rows.values())},
                schema={"user_id": pl.String, "_row": pl.Int64},
            ),
            on="user_id",
        )
        codes = (
            table.get_column(attribute)
            .replace_strict(vocabulary, default=vocabulary["unknown"], return_dtype=pl.Int64)
            .to_numpy()
        )
        matrix = np.zeros((len(self._affinity_rows), len(vocabulary)), dtype=np.float64)
        matrix[table.get_column("_row").to_numpy(), codes] = table.get_column("affinity").to_numpy()
        return matrix

    def feature_matrices(self, chunk: pl.DataFrame) -> dict[str, np.ndarray]:
        """Every feature the linear retriever reads, for ``chunk``'s users x all open postings."""
        p = self.postings
        user_ids = chunk.get_column("user_id").to_list()
        u_rows = np.array([self.text.user_ids[x] for x in user_ids], dtype=np.int64)
        level = levels_from_experience(
            chunk.get_column("years_of_experience").cast(pl.Float64).fill_null(np.nan).to_numpy()
        )
        pref = category_codes(chunk.get_column("remote_pref"), REMOTE_PREFS, 3)
        country = np.array(
            [self.country_vocabulary.get(str(c), -2) if c is not None else -2 for c in chunk.get_column("user_country").to_list()]
        )  # fmt: skip
        counts = self.text.skill_counts[u_rows]
        mentioned = (
            self.text.user_skills[u_rows] @ self.text.posting_skills[p.text_rows].T
        ).toarray()
        wanted = np.zeros((len(user_ids), max(len(self.type_vocabulary), 1)))
        for i, types in enumerate(chunk.get_column("job_types").to_list()):
            for t in types or []:
                if t in self.type_vocabulary:
                    wanted[i, self.type_vocabulary[t]] = 1.0
        none_wanted = wanted.sum(axis=1) == 0
        type_match = np.where(p.type[None, :] >= 0, wanted[:, np.maximum(p.type, 0)], 0.0)
        type_match[none_wanted] = 0.5
        profiles = self.taste.profiles
        profile_rows = profiles.rows(user_ids)
        vectors = self.taste.factors.vectors[p.factor_rows].astype(np.float64)
        revealed = (
            chunk.select("user_id")
            .join(
                self._by_user("revealed", self.taste.revealed).rows_for(user_ids),
                on="user_id",
                how="left",
                maintain_order="left",
            )
            .with_columns(
                pl.col("_liked_log_salary", "_liked_level").cast(pl.Float64).fill_null(np.nan)
            )
        )
        columns: dict[str, np.ndarray] = {
            "content_similarity": (self.text.users[u_rows] @ self.text.postings[p.text_rows].T).toarray(),
            "title_similarity": (self.text.user_titles[u_rows] @ self.text.posting_titles[p.text_rows].T).toarray(),
            "skill_coverage": np.divide(mentioned, counts[:, None], out=np.zeros_like(mentioned), where=counts[:, None] > 0),
            "salary_ratio": p.salary_usd[None, :] / np.array(EXPECTED_PAY, dtype=float)[level][:, None],
            "salary_known": np.broadcast_to((~np.isnan(p.salary_usd)).astype(float), (len(user_ids), len(p.ids))),
            "level_gap": (p.level[None, :] - level[:, None]).astype(float),
            "remote_match": REMOTE_MATCH[p.remote_type][:, pref].T,
            "same_country": (country[:, None] == p.country[None, :]).astype(float),
            "distance_km": haversine_km(
                chunk.get_column("user_latitude").cast(pl.Float64).fill_null(np.nan).to_numpy()[:, None],
                chunk.get_column("user_longitude").cast(pl.Float64).fill_null(np.nan).to_numpy()[:, None],
                p.latitude[None, :], p.longitude[None, :],
            ),
            "type_match": type_match,
            "posting_prior_right_rate": np.broadcast_to(p.prior_rate, (len(user_ids), len(p.ids))),
            "posting_prior_swipes": np.broadcast_to(p.prior_swipes, (len(user_ids), len(p.ids))),
            "cf_like": profiles.mean_liked()[profile_rows].astype(np.float64) @ vectors.T,
            "cf_pass": profiles.mean_passed()[profile_rows].astype(np.float64) @ vectors.T,
            "salary_vs_liked": np.log(p.salary_usd)[None, :] - revealed.get_column("_liked_log_salary").to_numpy()[:, None],
            "level_vs_liked": p.level[None, :] - revealed.get_column("_liked_level").to_numpy()[:, None],
        }  # fmt: skip
        for attribute in ATTRIBUTES:
            columns[f"affinity_{attribute}"] = self._affinity_matrix(attribute, user_ids)[
                :, p.attribute_values[attribute]
            ]
        return columns

    def chunks(self, users_per_chunk: int | None = None) -> Iterator[pl.DataFrame]:
        """(user_id, job_posting_id, retriever) for every user: the merged candidates, unseen.

        Users go in chunks of about CHUNK_CELLS user x posting cells (400 users at 2,500 open
        postings, 72 at 13,800), so the twenty-odd dense matrices of a chunk stay a few hundred
        megabytes whatever the catalogue's size.
        """
        p, k = self.postings, self.counts
        n = len(p.ids)
        if n == 0:
            return
        users_per_chunk = users_per_chunk or max(1, min(400, CHUNK_CELLS // n))
        for start in range(0, self.users.height, users_per_chunk):
            chunk = self.users.slice(start, users_per_chunk)
            user_ids = chunk.get_column("user_id").to_list()
            columns = self.feature_matrices(chunk)
            linear = (
                self.retriever.score(columns)
                if self.retriever is not None
                else columns["content_similarity"] + columns["cf_like"]
            )
            seen_mask = np.zeros((len(user_ids), n), dtype=bool)
            for i, user in enumerate(user_ids):
                if user in self.seen:
                    seen_mask[i, self.seen[user]] = True
            picks: list[tuple[str, np.ndarray]] = [
                ("linear", _top(linear, seen_mask, k.linear)),
                ("content", _top(columns["content_similarity"], seen_mask, k.content)),
                ("collaborative", _top(columns["cf_like"], seen_mask, k.collaborative)),
                ("fresh", _top(np.where(p.fresh[None, :], linear, -np.inf), seen_mask, k.fresh)),
            ]
            popular = np.broadcast_to(p.popular, (len(user_ids), len(p.popular)))
            picks.append(
                (
                    "popular",
                    np.where(seen_mask[np.arange(len(user_ids))[:, None], popular], -1, popular),
                )
            )
            rows, cols, names = [], [], []
            for name, chosen in picks:
                r, c = np.nonzero(chosen >= 0)
                rows.append(r)
                cols.append(chosen[r, c])
                names.append(np.full(len(r), name, dtype=object))
            r, c = np.concatenate(rows), np.concatenate(cols)
            frame = pl.DataFrame(
                {
                    "user_id": np.array(user_ids, dtype=object)[r],
                    "job_posting_id": np.array(p.ids, dtype=object)[c],
                    "retriever": np.concatenate(names),
                    "_row": r,
                    "_column": c,
                },
                schema_overrides={
                    "user_id": pl.String,
                    "job_posting_id": pl.String,
                    "retriever": pl.String,
                },
            ).unique(["user_id", "job_posting_id"], keep="first", maintain_order=True)
            yield self.ranker_features(chunk, columns, frame)

    def ranker_features(
        self, chunk: pl.DataFrame, columns: dict[str, np.ndarray], pairs: pl.DataFrame
    ) -> pl.DataFrame:
        """Every FEATURES column for ``pairs`` (user_id, job_posting_id, _row, _column into the
        chunk's matrices), as if shown now at the top of the deck: the same values
        ``candidate_features`` computes pair by pair (tested), gathered from the matrices the
        retrievers already built."""
        p = self.postings
        r = pairs.get_column("_row").to_numpy()
        c = pairs.get_column("_column").to_numpy()
        pref = category_codes(chunk.get_column("remote_pref"), REMOTE_PREFS, 3)
        gathered = {name: np.asarray(columns[name])[r, c] for name in (
            "content_similarity", "title_similarity", "skill_coverage", "salary_ratio",
            "distance_km", "same_country", "remote_match", "level_gap", "type_match",
            "posting_prior_swipes", "posting_prior_right_rate", *AFFINITY_FEATURES, *CF_FEATURES,
            *REVEALED_FEATURES,
        )}  # fmt: skip
        gathered["remote_fit"] = (p.remote_type[c] * len(REMOTE_PREFS) + pref[r]).astype(float)
        gathered["deck_position"] = np.zeros(len(r))
        gathered["device"] = np.zeros(len(r))  # "ios", as candidate_features assumes
        for name, values in p.per_posting.items():
            gathered[name] = values[c]
        assert self.user_totals is not None and self.user_company is not None  # noqa: S101 - set by build
        user_ids = chunk.get_column("user_id").to_list()
        users = chunk.select("user_id").join(
            self._by_user("user_totals", self.user_totals).rows_for(user_ids),
            on="user_id",
            how="left",
            maintain_order="left",
        )
        user_swipes = users.get_column("user_prior_swipes").fill_null(0.0).to_numpy()
        user_rights = users.get_column("_rights").fill_null(0.0).to_numpy()
        gathered["user_prior_swipes"] = user_swipes[r]
        gathered["user_prior_right_rate"] = (
            (user_rights + PRIOR_STRENGTH * self.prior) / (user_swipes + PRIOR_STRENGTH)
        )[r]
        companies = pl.DataFrame(
            {
                "user_id": pairs.get_column("user_id"),
                "company_id": pl.Series(p.company_id, dtype=pl.String)[c],
            }
        )
        known = companies.join(
            self._by_user("user_company", self.user_company).rows_for(user_ids),
            on=["user_id", "company_id"],
            how="left",
            maintain_order="left",
        )
        together = known.get_column("user_company_prior_swipes").fill_null(0.0).to_numpy()
        liked = known.get_column("_rights").fill_null(0.0).to_numpy()
        gathered["user_company_prior_swipes"] = together
        gathered["user_company_prior_right_rate"] = (liked + PRIOR_STRENGTH * self.prior) / (
            together + PRIOR_STRENGTH
        )
        return pairs.select("user_id", "job_posting_id", "retriever").with_columns(
            companies.get_column("company_id"), *[pl.Series(name, values, dtype=pl.Float64) for name, values in gathered.items()]
        )  # fmt: skip


def _top(scores: np.ndarray, seen: np.ndarray, k: int) -> np.ndarray:
    """Per row, the column indices of the k highest scores that are not seen (-1 pads rows with
    fewer eligible columns); ties broken by column order."""
    if k <= 0:
        return np.empty((scores.shape[0], 0), dtype=np.int64)
    masked = np.where(seen, -np.inf, np.asarray(scores, dtype=np.float64))
    masked = np.nan_to_num(masked, nan=-1e300, neginf=-np.inf)
    k = min(k, masked.shape[1])
    part = np.argpartition(-masked, k - 1, axis=1)[:, :k]
    values = np.take_along_axis(masked, part, axis=1)
    order = np.lexsort((part, -values), axis=1)
    chosen = np.take_along_axis(part, order, axis=1)
    return np.where(np.isfinite(np.take_along_axis(values, order, axis=1)), chosen, -1)

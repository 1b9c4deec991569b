"""Job boards, aggregators, ATS hosts and social sites: domains that name a board, not an employer.

A posting's company URL identifies its employer only when the domain is the employer's own. On
a board the domain is shared by every employer it lists, so the employer comes from the stated
name, or from the path segment that names it (``/c/<Company-Name>``, ``/company/<slug>``...).

The list is maintained here; ``normalize`` adds a data rule on top of it (a domain that names
several employers in one file is a board too) and ``resolve_companies.sql`` a table rule (the
``board_domains`` table learns such domains, and a company never takes a posting whose stated
employer disagrees with it).
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlparse

# Registrable domains of boards. A host matches when it is the domain or one of its subdomains.
BOARD_DOMAINS: frozenset[str] = frozenset(
    {
        # aggregators and job boards
        "indeed.com", "indeed.co.uk", "indeed.de", "indeed.fr", "indeed.ca", "glassdoor.com",
        "glassdoor.co.uk", "glassdoor.de", "ziprecruiter.com", "monster.com", "careerbuilder.com",
        "simplyhired.com", "dice.com", "simplify.jobs", "wellfound.com", "angel.co", "builtin.com",
        "levels.fyi", "otta.com", "welcometothejungle.com", "hired.com", "jobs.google.com",
        "google.com", "snagajob.com", "totaljobs.com", "reed.co.uk", "stepstone.de", "seek.com.au",
        "naukri.com", "remoteok.com", "remoteok.io", "weworkremotely.com", "remotive.com",
        "usajobs.gov", "handshake.com", "joinhandshake.com", "jobspresso.co", "talent.com",
        "adzuna.com", "jooble.org", "themuse.com", "idealist.org", "flexjobs.com",
        "workingnomads.com", "jobright.ai", "trueup.io", "ycombinator.com", "workatastartup.com",
        # applicant-tracking systems
        "greenhouse.io", "lever.co", "workday.com", "myworkdayjobs.com", "myworkdaysite.com",
        "smartrecruiters.com", "ashbyhq.com", "icims.com", "taleo.net", "jobvite.com",
        "bamboohr.com", "breezy.hr", "workable.com", "recruitee.com", "teamtailor.com",
        "personio.de", "personio.com", "jazzhr.com", "applytojob.com", "successfactors.com",
        "successfactors.eu", "oraclecloud.com", "ultipro.com", "paylocity.com", "paycomonline.net",
        "adp.com", "rippling.com", "pinpointhq.com", "comeet.com", "freshteam.com", "gem.com",
        "dover.com", "jobs.personio.de",
        # social and professional networks
        "linkedin.com", "lnkd.in", "facebook.com", "twitter.com", "x.com", "instagram.com",
        "xing.com", "crunchbase.com",
    }
)  # fmt: skip

# Path shapes in which a board names the employer: the captured segment is the employer.
_EMPLOYER_PATHS: tuple[re.Pattern[str], ...] = (
    re.compile(
        r"^/(?:c|cmp|company|companies|employer|employers|organization|org)/([^/?#]+)", re.I
    ),
    re.compile(r"^/Overview/Working-at-(.+?)-EI_", re.I),  # Glassdoor
)
# ATS boards whose first path segment is the employer's board token.
_TOKEN_HOSTS: tuple[str, ...] = (
    "boards.greenhouse.io", "job-boards.greenhouse.io", "jobs.lever.co", "jobs.ashbyhq.com",
    "jobs.smartrecruiters.com", "apply.workable.com", "jobs.jobvite.com", "careers.smartrecruiters.com",
)  # fmt: skip


def host_of(url: str | None) -> str | None:
    """Lower-cased host without ``www.``; None for text that is not a URL with a host."""
    if not url or not str(url).strip():
        return None
    text = str(url).strip()
    try:
        host = urlparse(text if "://" in text else f"https://{text}").hostname
    except ValueError:
        return None
    if not host or "." not in host or not re.fullmatch(r"[a-z0-9.-]+", host):
        return None
    return host.removeprefix("www.")


def is_board_host(host: str) -> bool:
    return any(host == domain or host.endswith("." + domain) for domain in BOARD_DOMAINS)


def employer_from_board_url(url: str | None) -> str | None:
    """The employer a board URL names ('https://simplify.jobs/c/Acme-Corp' -> 'Acme Corp')."""
    host = host_of(url)
    if host is None:
        return None
    path = urlparse(url if url and "://" in url else f"https://{url}").path
    segment = None
    for pattern in _EMPLOYER_PATHS:
        if match := pattern.match(path):
            segment = match.group(1)
            break
    if segment is None and host in _TOKEN_HOSTS:
        parts = [p for p in path.split("/") if p]
        segment = parts[0] if parts else None
    if segment is None and host.endswith((".myworkdayjobs.com", ".myworkdaysite.com")):
        segment = host.split(".")[0]  # the Workday tenant is the employer
    if not segment:
        return None
    name = re.sub(r"[-_+]+", " ", unquote(segment)).strip()
    return name.title() if name.islower() else name or None


def path_names_employer(url: str | None, employer_slug: str) -> bool:
    """Whether a URL's path spells the employer's slug while its host does not.

    ``https://unlisted-board.example/c/Acme-Corp`` for Acme Corp is a board page, even when the
    board is not on the list and lists one employer only.
    """
    host = host_of(url)
    if host is None or not employer_slug or employer_slug == "unknown":
        return False
    path = urlparse(url if url and "://" in url else f"https://{url}").path.lower()
    squashed_host = re.sub(r"[^a-z0-9]", "", host)
    squashed_slug = employer_slug.replace("-", "")
    segments = [re.sub(r"[^a-z0-9]+", "-", unquote(p)).strip("-") for p in path.split("/") if p]
    return employer_slug in segments and squashed_slug not in squashed_host


def employer_domain(url: str | None, employer_slug: str = "") -> str | None:
    """The employer's own web domain from a company URL; None for a board's."""
    host = host_of(url)
    if host is None or is_board_host(host) or path_names_employer(url, employer_slug):
        return None
    return host

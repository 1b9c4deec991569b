"""The hidden preference models that decide swipes, and the oracle built from them.

A user likes a posting with probability sigmoid(logit). Two models of how job seekers decide,
different in kind (a world picks one, ``World.taste_model``):

- **additive** (the default): the logit adds what a model can learn from the tables (skill
  overlap, salary fit, location and remote fit, seniority fit) to what it can only approximate
  (company quality, a latent taste match, popularity, pickiness), and the deck position.
- **screening**: seekers first screen postings on a few non-negotiables of their own (a salary
  floor, remote-only, never below their level), which nearly veto a posting whatever else it
  offers; what passes is weighed by skills *as far as the level fits* (an interaction: a perfect
  skill match at the wrong level is worth little), by personal affinities for industries and
  company sizes that the tables never state and only the user's own history reveals, by company
  quality and popularity. Plausible because surveys of job seekers describe exactly this
  two-stage screen-then-rank decision, and tastes for sectors and employer size differ from
  person to person far more than a global model can say.

The Bernoulli draw on top keeps even a perfect model well below an AUC of 1 (about 0.85).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipelines.simulate import vocabulary as v
from pipelines.simulate.world import LATENT_DIM, World

_CITY_COUNTRY = np.array([c.country for c in v.CITIES])
INTERCEPT = 0.75
# Shrinks every signal so the oracle lands mid-band (ROC AUC about 0.85).
SIGNAL_SCALE = 0.85


def _chunks(n: int, size: int = 500_000) -> list[slice]:
    return [slice(i, min(i + size, n)) for i in range(0, n, size)]


TASTE_MODELS = ("additive", "screening")


def match_logit(
    world: World, users: np.ndarray, postings: np.ndarray, position: np.ndarray | None = None
) -> np.ndarray:
    """The true log-odds that each (user, posting) pair is swiped right."""
    if world.taste_model == "screening":
        out = _screening_logit(world, users, postings)
    elif world.taste_model == "additive":
        out = _additive_logit(world, users, postings)
    else:
        raise ValueError(f"unknown taste model {world.taste_model!r}; use one of {TASTE_MODELS}")
    if position is not None:
        out -= 0.02 * np.minimum(position, 40)
    return out


def _additive_logit(world: World, users: np.ndarray, postings: np.ndarray) -> np.ndarray:
    out = np.empty(len(users), dtype=float)
    u_, p_ = world.users, world.postings
    for part in _chunks(len(users)):
        u = users[part]
        p = postings[part]
        p_skills = p_.skills[p]
        overlap = (u_.skills[u] & p_skills).sum(axis=1) / np.maximum(p_skills.sum(axis=1), 1)
        skill = 3.2 * (overlap - 0.3)

        ratio = p_.salary_usd[p] / u_.salary_min_usd[u]
        salary = np.where(ratio < 1.0, -4.0 * (1.0 - ratio), 0.6 * np.minimum(ratio - 1.0, 0.5))

        remote_type = p_.remote_type[p]
        pref = u_.remote_pref[u]
        same_city = u_.city[u] == p_.city[p]
        same_country = _CITY_COUNTRY[u_.city[u]] == _CITY_COUNTRY[p_.city[p]]
        on_site_fit = np.where(same_city, 0.6, np.where(same_country, -0.4, -1.4))
        location = np.where(
            remote_type == 2, np.where(pref == 0, 0.9, np.where(pref == 2, -0.2, 0.3)), on_site_fit
        )
        location = location + np.where((pref == 0) & (remote_type == 0), -1.5, 0.0)
        location = location + np.where((pref == 0) & (remote_type == 1), -0.7, 0.0)
        location = location + np.where((pref == 1) & (remote_type == 1), 0.3, 0.0)

        seniority = -0.7 * np.abs(u_.level[u] - p_.level[p])
        company = 0.5 * world.companies.quality[p_.company[p]]
        taste = 1.1 * (u_.taste[u] * p_.latent[p]).sum(axis=1) / np.sqrt(LATENT_DIM)
        popularity = 0.3 * np.log(p_.popularity[p])
        out[part] = INTERCEPT + SIGNAL_SCALE * (
            skill + salary + location + seniority + company + taste + popularity - u_.pickiness[u]
        )
    return out


# Keeps the right-swipe rate on random pairs near the additive world's (0.26 against 0.24).
SCREENING_INTERCEPT = 0.0
VETO = 3.0  # what one broken non-negotiable costs, in log-odds


@dataclass(frozen=True)
class Screens:
    """Each user's non-negotiables and personal affinities (hidden), drawn from the world's own
    stream so the other draws (and the additive world) are unchanged."""

    salary_floor: np.ndarray  # bool: below the wished minimum is a no
    remote_only: np.ndarray  # bool: only remote postings
    no_step_down: np.ndarray  # bool: never below the user's level
    industry: np.ndarray  # [n_users, n_industries]
    size: np.ndarray  # [n_users, n_sizes]


def screens(world: World) -> Screens:
    rng = world.rng("screening-taste")
    n = world.users.count
    return Screens(
        salary_floor=rng.random(n) < 0.5,
        remote_only=(world.users.remote_pref == 0) & (rng.random(n) < 0.7),
        no_step_down=rng.random(n) < 0.35,
        industry=rng.normal(0.0, 1.0, size=(n, len(v.INDUSTRIES))),
        size=rng.normal(0.0, 0.6, size=(n, len(_SIZES))),
    )


_INDUSTRY_INDEX = {name: i for i, name in enumerate(v.INDUSTRIES)}
_SIZES = ("STARTUP", "SMALL", "MEDIUM", "LARGE", "ENTERPRISE")


def _screening_logit(world: World, users: np.ndarray, postings: np.ndarray) -> np.ndarray:
    out = np.empty(len(users), dtype=float)
    u_, p_, c_ = world.users, world.postings, world.companies
    s = screens(world)
    industry = np.array([_INDUSTRY_INDEX.get(str(i), 0) for i in c_.industry])
    size_index = {name: i for i, name in enumerate(_SIZES)}
    size = np.array([size_index.get(str(x), 2) for x in c_.size])
    for part in _chunks(len(users)):
        u = users[part]
        p = postings[part]
        company = p_.company[p]
        vetoes = (
            (s.salary_floor[u] & (p_.salary_usd[p] < u_.salary_min_usd[u])).astype(float)
            + (s.remote_only[u] & (p_.remote_type[p] != 2)).astype(float)
            + (s.no_step_down[u] & (p_.level[p] < u_.level[u])).astype(float)
        )
        p_skills = p_.skills[p]
        overlap = (u_.skills[u] & p_skills).sum(axis=1) / np.maximum(p_skills.sum(axis=1), 1)
        level_fit = np.exp(-np.abs(u_.level[u] - p_.level[p]))
        affinity = s.industry[u, industry[company]] + s.size[u, size[company]]
        out[part] = (
            SCREENING_INTERCEPT
            - VETO * vetoes
            + 3.0 * (overlap * level_fit - 0.2)
            + 0.8 * affinity
            + 0.4 * c_.quality[company]
            + 0.3 * np.log(p_.popularity[p])
            - u_.pickiness[u]
        )
    return out


def oracle_probability(
    world: World, users: np.ndarray, postings: np.ndarray, position: np.ndarray | None = None
) -> np.ndarray:
    """The true probability of a right swipe: the ceiling any trained model is compared to."""
    return 1.0 / (1.0 + np.exp(-match_logit(world, users, postings, position)))

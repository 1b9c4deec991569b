"""The hidden preference model that decides swipes, and the oracle built from it.

A user likes a posting with probability sigmoid(logit), where the logit mixes what a model can
learn from the tables (skill overlap, salary fit, location and remote fit, seniority fit) with
what it can only approximate (company quality, a latent taste match, popularity, pickiness) and
with the position in the deck. The Bernoulli draw on top keeps even a perfect model well below
an AUC of 1 (about 0.85 here).
"""

from __future__ import annotations

import numpy as np

from pipelines.simulate import vocabulary as v
from pipelines.simulate.world import LATENT_DIM, World

_CITY_COUNTRY = np.array([c.country for c in v.CITIES])
INTERCEPT = 0.75
# Shrinks every signal so the oracle lands mid-band (ROC AUC about 0.85).
SIGNAL_SCALE = 0.85


def _chunks(n: int, size: int = 500_000) -> list[slice]:
    return [slice(i, min(i + size, n)) for i in range(0, n, size)]


def match_logit(
    world: World, users: np.ndarray, postings: np.ndarray, position: np.ndarray | None = None
) -> np.ndarray:
    """The true log-odds that each (user, posting) pair is swiped right."""
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
    if position is not None:
        out -= 0.02 * np.minimum(position, 40)
    return out


def oracle_probability(
    world: World, users: np.ndarray, postings: np.ndarray, position: np.ndarray | None = None
) -> np.ndarray:
    """The true probability of a right swipe: the ceiling any trained model is compared to."""
    return 1.0 / (1.0 + np.exp(-match_logit(world, users, postings, position)))

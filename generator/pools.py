"""Pools of Faker values per locale, made once per seed and sampled by index.

A loop of Faker calls per record is far too slow for millions of records; sampling from a
few hundred values per locale keeps realism (names, addresses and phones that fit the
country) at the speed of an array lookup. Every value is pre-encoded for CSV and JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

import numpy as np
from faker import Faker

POOL_SIZE = 400


def _clean(value: str) -> str:
    """Producers replace line breaks with a space (the source contract)."""
    return " ".join(str(value).replace("\r", " ").replace("\n", " ").split())


def csv_field(value: str) -> str:
    """RFC 4180 quoting where a value needs it."""
    if any(c in value for c in ',"'):
        return '"' + value.replace('"', '""') + '"'
    return value


def json_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True)
class LocalePool:
    person_names: tuple[str, ...]
    company_names: tuple[str, ...]
    emails: tuple[str, ...]
    phones: tuple[str, ...]
    streets: tuple[str, ...]
    cities: tuple[str, ...]
    regions: tuple[str, ...]
    postcodes: tuple[str, ...]


def _region(fake: Faker) -> str:
    for attr in ("state", "administrative_unit", "county", "region", "prefecture", "canton"):
        if hasattr(fake, attr):
            try:
                return getattr(fake, attr)()
            except (AttributeError, TypeError):
                continue
    return fake.city()


def _fix_element_order(fake: Faker) -> None:
    """Some Faker locales build an element list from a set (it_IT's cities), so its order
    follows Python's string hashing and changes from process to process. Sorting such
    lists keeps the pools, and so the lake, identical whatever PYTHONHASHSEED is."""
    for provider in fake.get_providers():
        for name in ("cities",):
            values = getattr(provider, name, None)
            if isinstance(values, list):
                setattr(provider, name, sorted(values))


@cache
def locale_pool(locale: str, seed: int) -> LocalePool:
    fake = Faker(locale)
    _fix_element_order(fake)
    fake.seed_instance(f"{seed}:{locale}")
    n = POOL_SIZE

    def many(fn) -> tuple[str, ...]:
        return tuple(_clean(fn()) for _ in range(n))

    return LocalePool(
        person_names=many(fake.name),
        company_names=many(fake.company),
        emails=many(fake.email),
        phones=many(fake.phone_number),
        streets=many(fake.street_address),
        cities=many(fake.city),
        regions=many(lambda: _region(fake)),
        postcodes=many(fake.postcode),
    )


@cache
def people_pool(seed: int, locale: str = "en_GB") -> tuple[str, ...]:
    """Names for the market's own staff (underwriters, adjusters, brokers)."""
    return locale_pool(locale, seed).person_names


@cache
def encoded_pool(locale: str, seed: int, field: str, encoding: str) -> np.ndarray:
    """A locale pool's values, each encoded once for CSV or JSON (an object array)."""
    values = getattr(locale_pool(locale, seed), field)
    encode = csv_field if encoding == "csv" else json_str
    return np.array([encode(v) for v in values], dtype=object)

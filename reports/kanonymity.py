"""The k-anonymity rule of DESIGN.md §3 for case-level exports.

A record is published only if at least k records share its combination of the key fields (gender, age band,
citizenship, exploitation type in the CTDC-style export), so that no one can be singled out by combining
broad categories with what they already know. An unknown (null) value is a category of its own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Count, F, QuerySet, Window

DEFAULT_K = 5  # DESIGN.md §3: "k = 5 by default, configurable"
GROUP_SIZE = "k_group_size"  # the annotation a QuerySet is filtered on


def _key_of(record: Any, keys: tuple[str, ...]) -> tuple:
    if isinstance(record, Mapping):
        return tuple(record[key] for key in keys)
    return tuple(getattr(record, key) for key in keys)


def k_anonymous(records: QuerySet | Iterable[Any], *, k: int, keys: tuple[str, ...]) -> QuerySet | list[Any]:
    """Drop every record whose combination of `keys` occurs fewer than `k` times (DESIGN.md §3).

    A QuerySet is filtered in the database: each row is annotated with the size of its group (a window
    count partitioned by the keys, which groups nulls together as `values(*keys).annotate(n=Count(...))`
    does) and rows of groups smaller than k are left out; the result is still a QuerySet, in the same
    order, with that size under GROUP_SIZE. Any other iterable of dicts or objects is counted in memory
    and returned as a list in its original order.
    """
    if k < 1:
        raise ValueError("k is at least 1.")
    if not keys:
        raise ValueError("k-anonymity needs at least one key field.")
    if isinstance(records, QuerySet):
        group_size = Window(Count("pk"), partition_by=[F(key) for key in keys])
        return records.annotate(**{GROUP_SIZE: group_size}).filter(**{f"{GROUP_SIZE}__gte": k})
    records = list(records)
    sizes = Counter(_key_of(record, keys) for record in records)
    return [record for record in records if sizes[_key_of(record, keys)] >= k]

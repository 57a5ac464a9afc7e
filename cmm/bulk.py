"""Plain multi-row INSERTs for the few hot paths where Django's bulk_create costs more than the database.

bulk_create builds a model instance per row and prepares every value of every field on its way to the
database (defaults, auto_now_add, type conversion): at the deadline scan's national scale (a few thousand
reminders and e-mails a day) that was half the scan's time. `insert_rows` takes rows of values that are
already in their database form (ints, strings, as read from the database or validated by the caller), gives
every other column its field's default prepared once per call, and writes them in batches of the size
Django uses for the backend. It sends no signals and runs no validation: callers validate first.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connections, router
from django.db.models import Model
from django.utils import timezone


def insert_rows(
    model: type[Model], fields: Sequence[str], rows: Sequence[Sequence], *, returning_pk: bool = False
) -> list:
    """INSERT `rows` (each a sequence of values for `fields`, in that order) into `model`'s table; return
    the new primary keys in the order of `rows` when `returning_pk`, else an empty list."""
    if not rows:
        return []
    connection = connections[router.db_for_write(model)]
    given = [model._meta.get_field(name) for name in fields]
    others = [
        field
        for field in model._meta.concrete_fields
        if field not in given and not (field.primary_key and field.auto_created)
    ]
    now = timezone.now()
    constants = [field.get_db_prep_save(_default(field, now), connection) for field in others]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in [*given, *others])
    placeholders = "(" + ", ".join(["%s"] * (len(given) + len(others))) + ")"
    if returning_pk and not connection.features.can_return_rows_from_bulk_insert:
        # A backend that cannot return the keys of a multi-row INSERT (SQLite before 3.35): one row at a
        # time through the ORM, slower but with every key.
        return [model.objects.create(**dict(zip(fields, row, strict=True))).pk for row in rows]
    returning = f" RETURNING {quote(model._meta.pk.column)}" if returning_pk else ""
    batch = max(1, connection.ops.bulk_batch_size([*given, *others], rows))
    keys: list = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            part = rows[start : start + batch]
            params = [value for row in part for value in (*row, *constants)]
            cursor.execute(
                f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES "  # noqa: S608 - names quoted
                + ", ".join([placeholders] * len(part))
                + returning,
                params,
            )
            if returning_pk:
                keys += [row[0] for row in cursor.fetchall()]
    return keys


def _default(field, now):
    """What Model.save() would give `field` when it is not set: `now` for auto_now(_add), else its default."""
    if getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
        return now
    return field.get_default()

"""Re-encrypt every encrypted column with the first key of FIELD_ENCRYPTION_KEYS (cmm.encryption).

Rotating a key: put the new key first, deploy, run this command, then drop the old key. The command reads
the stored tokens as they are in the database (never decrypted into Python objects), re-encrypts the ones the
first key cannot already decrypt, and writes them back by primary key in batches, each batch in its own
transaction with its rows locked. Tokens already under the first key are left alone, so a second run changes
nothing. It prints counts only, never values or row ids.
"""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from django.db.models.functions import Cast

from cmm.encryption import DecryptionError, EncryptedDateField, EncryptedTextField, rotate_token

ENCRYPTED_FIELDS = (EncryptedTextField, EncryptedDateField)


def encrypted_columns() -> list[tuple[type[models.Model], list[str]]]:
    """Every concrete model with encrypted fields (history tables included), with those fields' names."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, ENCRYPTED_FIELDS)]
        if names:
            found.append((model, names))
    return sorted(found, key=lambda item: item[0]._meta.db_table)


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted column with the first key of FIELD_ENCRYPTION_KEYS. Idempotent; prints "
        "counts only."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be re-encrypted; write nothing."
        )
        parser.add_argument("--batch-size", type=int, default=500, help="Rows per transaction (default 500).")

    def handle(self, *args, dry_run=False, batch_size=500, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        failed_total = 0
        for model, fields in encrypted_columns():
            counts = self._rotate_model(model, fields, dry_run=dry_run, batch_size=batch_size)
            failed_total += counts["failed"]
            verb = "to re-encrypt" if dry_run else "re-encrypted"
            self.stdout.write(
                f"{model._meta.db_table}: {counts['rows']} rows, {counts['rotated']} values {verb}, "
                f"{counts['current']} already under the first key, {counts['failed']} not decryptable"
            )
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
        if failed_total:
            raise CommandError(
                f"{failed_total} stored values could not be decrypted with any configured key and were left "
                "as they are. Add the key they were written with to FIELD_ENCRYPTION_KEYS and run again."
            )

    def _rotate_model(self, model, fields: list[str], *, dry_run: bool, batch_size: int) -> dict[str, int]:
        counts = {"rows": 0, "rotated": 0, "current": 0, "failed": 0}
        manager = model._base_manager
        pk_name = model._meta.pk.name
        # Cast to plain text: the raw token, without the field's decryption on the way out.
        raw = {f"_raw_{name}": Cast(name, output_field=models.TextField()) for name in fields}
        last_pk = None
        while True:
            with transaction.atomic():
                batch = manager.order_by(pk_name)
                if last_pk is not None:
                    batch = batch.filter(pk__gt=last_pk)
                if not dry_run:
                    batch = batch.select_for_update()
                rows = list(batch.annotate(**raw).values_list(pk_name, *raw)[:batch_size])
                for pk, *tokens in rows:
                    changes = {}
                    for name, token in zip(fields, tokens, strict=True):
                        if not token:
                            continue
                        try:
                            rotated = rotate_token(token)
                        except DecryptionError:
                            counts["failed"] += 1
                            continue
                        if rotated == token:
                            counts["current"] += 1
                        else:
                            counts["rotated"] += 1
                            # A Value with a plain text type: written as it is, not encrypted once more.
                            changes[name] = models.Value(rotated, output_field=models.TextField())
                    if changes and not dry_run:
                        manager.filter(pk=pk).update(**changes)
                counts["rows"] += len(rows)
            if len(rows) < batch_size:
                return counts
            last_pk = rows[-1][0]

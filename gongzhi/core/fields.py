"""Encrypted model fields with an optional keyed blind index.

Usage::

    class Resident(models.Model):
        id_number = EncryptedCharField(_("身份证号"), normalizer=normalize_id_number)
        id_number_bidx = BlindIndexField(source="id_number")
        address = EncryptedTextField(_("住址"), blank=True)

On the model the attribute is plaintext; in the database it is ciphertext
(:mod:`gongzhi.core.crypto`). Empty values stay empty (blank is not secret).

Filtering: ``Resident.objects.filter(id_number="34010419800101001X")`` (and
``__in``) is rewritten to the blind index column, so callers look up exactly as
usual; every other lookup on an encrypted column (``contains``, ordering by
plaintext …) raises, because the database cannot see the plaintext.

The blind index is computed when the row is saved (``save()``,
``bulk_create``). ``save(update_fields=[...])`` must name the ``*_bidx`` field
together with its source, and ``bulk_update`` / ``QuerySet.update()`` do not
compute it: write encrypted columns through a service that saves the instance.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core import checks
from django.core.exceptions import FieldError
from django.db import models
from django.db.models.expressions import Col
from django.db.models.lookups import Lookup

from . import crypto


def _strip(value: str) -> str:
    return value.strip()


class EncryptedMixin:
    """Stores ``crypto.encrypt(value)``; reads back plaintext."""

    encrypted = True

    def __init__(self, *args, normalizer: Callable[[str], str] | None = None, **kwargs):
        self.normalizer = normalizer or _strip
        # Ciphertext is longer than the plaintext and unpredictable in size: the
        # column is unbounded text, whatever max_length the form validates.
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.normalizer is not _strip:
            kwargs["normalizer"] = self.normalizer
        return name, path, args, kwargs

    @property
    def crypto_context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def db_type(self, connection):
        return models.TextField().db_type(connection)

    def get_internal_type(self):
        return "TextField"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value, context=self.crypto_context)

    def to_python(self, value):
        return value if value is None else str(value)

    def get_prep_value(self, value):
        # Plaintext until the database layer: get_db_prep_value encrypts.
        if value is None:
            return None
        return str(value)

    def get_db_prep_value(self, value, connection, prepared=False):
        if not prepared:
            value = self.get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(value, context=self.crypto_context)

    def blind_index_for(self, value: str | None) -> str:
        if value is None or value == "":
            return ""
        return crypto.blind_index(self.normalizer(str(value)), context=self.crypto_context)

    def companion(self) -> BlindIndexField | None:
        for field in self.model._meta.concrete_fields:
            if isinstance(field, BlindIndexField) and field.source == self.name:
                return field
        return None

    def get_lookup(self, lookup_name):
        if lookup_name == "exact":
            return BlindExact
        if lookup_name == "in":
            return BlindIn
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        return None

    def get_transform(self, lookup_name):
        return None

    def value_to_string(self, obj):
        # dumpdata would otherwise write the plaintext into a fixture file.
        return ""


class EncryptedCharField(EncryptedMixin, models.CharField):
    """CharField semantics for forms (max_length validates the plaintext)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 255)
        super().__init__(*args, **kwargs)

    def _check_max_length_attribute(self, **kwargs):
        return []


class EncryptedTextField(EncryptedMixin, models.TextField):
    pass


class BlindIndexField(models.CharField):
    """HMAC-SHA256 (hex) of its source field's normalised plaintext."""

    def __init__(self, *args, source: str, **kwargs):
        self.source = source
        kwargs["max_length"] = 64
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key in ("max_length", "editable", "blank", "default"):
            kwargs.pop(key, None)
        return name, path, args, kwargs

    def source_field(self) -> EncryptedMixin:
        return self.model._meta.get_field(self.source)

    def pre_save(self, model_instance, add):
        value = self.source_field().blind_index_for(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        try:
            source = self.model._meta.get_field(self.source)
        except Exception:
            source = None
        if not isinstance(source, EncryptedMixin):
            errors.append(
                checks.Error(
                    f"BlindIndexField source {self.source!r} is not an encrypted field.",
                    obj=self,
                    id="core.E001",
                )
            )
        return errors


class _BlindLookupMixin:
    prepare_rhs = False

    def get_prep_lookup(self):
        return self.rhs

    def _index_col(self, compiler):
        field = self.lhs.target
        companion = field.companion()
        if companion is None:
            raise FieldError(
                f"{field.model._meta.label}.{field.name} is encrypted and has no blind index: "
                "it cannot be filtered."
            )
        return field, Col(self.lhs.alias, companion)


class BlindExact(_BlindLookupMixin, Lookup):
    lookup_name = "exact"

    def as_sql(self, compiler, connection):
        field, col = self._index_col(compiler)
        sql, params = compiler.compile(col)
        return f"{sql} = %s", [*params, field.blind_index_for(self.rhs)]


class BlindIn(_BlindLookupMixin, Lookup):
    lookup_name = "in"

    def as_sql(self, compiler, connection):
        field, col = self._index_col(compiler)
        sql, params = compiler.compile(col)
        values = [field.blind_index_for(v) for v in self.rhs]
        if not values:
            return "1 = 0", []
        placeholders = ", ".join(["%s"] * len(values))
        return f"{sql} IN ({placeholders})", [*params, *values]


def encrypt_existing_rows(apps, schema_editor, *, model: str, field: str) -> int:
    """Data-migration helper: encrypt plaintext left in ``field`` (after an
    AlterField to an encrypted field) and fill its blind index. Raw SQL,
    because reading plaintext through the encrypted field would fail."""
    app_label, model_name = model.split(".")
    model_cls = apps.get_model(app_label, model_name)
    enc = model_cls._meta.get_field(field)
    companion = next(
        (
            f
            for f in model_cls._meta.concrete_fields
            if isinstance(f, BlindIndexField) and f.source == field
        ),
        None,
    )
    qn = schema_editor.connection.ops.quote_name
    table, pk = qn(model_cls._meta.db_table), qn(model_cls._meta.pk.column)
    column = qn(enc.column)
    updated = 0
    with schema_editor.connection.cursor() as cursor:
        # Table and column names come from the model's own metadata.
        cursor.execute(f"SELECT {pk}, {column} FROM {table} WHERE {column} <> ''")  # nosec B608
        rows = [(k, v) for k, v in cursor.fetchall() if v and not crypto.is_ciphertext(v)]
        for key, plain in rows:
            sets, params = [f"{column} = %s"], [crypto.encrypt(plain, context=enc.crypto_context)]
            if companion is not None:
                sets.append(f"{qn(companion.column)} = %s")
                params.append(enc.blind_index_for(plain))
            cursor.execute(
                f"UPDATE {table} SET {', '.join(sets)} WHERE {pk} = %s",  # nosec B608
                [*params, key],
            )
            updated += 1
    return updated

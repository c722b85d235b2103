"""docs/privacy.md lists every personal-looking field; encrypted ones are encrypted."""

from __future__ import annotations

import re
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist

from gongzhi.core.fields import BlindIndexField, EncryptedMixin

PERSONAL = re.compile(
    r"phone|mobile|id_number|id_card|idcard|address|political|birth|email|wechat"
    r"|(reporter|resident|holder|contact)_name"
)
DOC = Path(settings.BASE_DIR) / "docs" / "privacy.md"


def _inventory() -> dict[str, str]:
    rows = {}
    for line in DOC.read_text().splitlines():
        if not line.startswith("| `"):
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        first = cells[0]
        storage = cells[2]
        model = None
        for ref in re.findall(r"`([\w.]+)`", first):
            parts = ref.split(".")
            if len(parts) == 3:
                model = ".".join(parts[:2])
                rows[ref] = storage
            elif model:
                rows[f"{model}.{ref}"] = storage
    return rows


def _personal_fields():
    for model in apps.get_models():
        if model._meta.app_label not in {"auth", "contenttypes", "sessions"}:
            for field in model._meta.concrete_fields:
                if PERSONAL.search(field.name) and not isinstance(field, BlindIndexField):
                    yield f"{model._meta.label}.{field.name}", field


def test_every_personal_looking_field_is_listed_in_privacy_md():
    listed = _inventory()
    missing = [name for name, _field in _personal_fields() if name not in listed]
    assert missing == [], f"add these to docs/privacy.md: {missing}"


def test_fields_listed_as_encrypted_are_encrypted():
    listed = _inventory()
    wrong = [
        name
        for name, storage in listed.items()
        if storage.startswith("encrypted")
        and not isinstance(
            apps.get_model(name.rsplit(".", 1)[0])._meta.get_field(name.rsplit(".", 1)[1]),
            EncryptedMixin,
        )
    ]
    assert wrong == []


def test_the_inventory_names_only_real_fields():
    stale = []
    for name in _inventory():
        label, field = name.rsplit(".", 1)
        try:
            apps.get_model(label)._meta.get_field(field)
        except (LookupError, FieldDoesNotExist):
            stale.append(name)
    assert stale == []

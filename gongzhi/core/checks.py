"""Deploy checks (``manage.py check --deploy``) for Gongzhi's own settings."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def field_keys_from_environment(app_configs, **kwargs):
    if settings.FIELD_KEYS_FROM_FILES:
        return [
            checks.Warning(
                "Field-encryption keys come from files in GONGZHI_DATA_DIR.",
                hint="Set FIELD_ENCRYPTION_KEYS and FIELD_BLIND_INDEX_KEY in the environment "
                "(base64, 32 bytes each) so that keys are not stored beside the data.",
                id="gongzhi.W001",
            )
        ]
    return []

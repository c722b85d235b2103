import pytest

from gongzhi.intake.models import IntegrationPlatform


@pytest.fixture
def platform():
    """数字城管 with a callback URL nothing listens on (status is pushed back)."""
    return IntegrationPlatform.objects.create(
        code="um-hefei",
        name="合肥数字城管",
        channel="urban_management",
        webhook_secret="k",
        callback_url="http://127.0.0.1:9/callback",
    )

from django.urls import include, path
from django.views.generic import RedirectView

from config.api import api

urlpatterns = [
    path("accounts/", include("gongzhi.accounts.urls")),
    path("territory/", include("gongzhi.org.urls")),
    path("cases/", include("gongzhi.cases.urls")),
    path("intake/", include("gongzhi.intake.urls")),
    path("party/", include("gongzhi.party.urls")),
    path("cobuild/", include("gongzhi.cobuild.urls")),
    path("volunteering/", include("gongzhi.volunteering.urls")),
    path("insights/", include("gongzhi.insights.urls")),
    path("api/docs", RedirectView.as_view(url="/api/v1/docs", permanent=True)),
    path("api/v1/", api.urls),
    path("open311/v2/", include("gongzhi.intake.open311.urls")),
    path("", include("gongzhi.web.urls")),
]

handler403 = "gongzhi.web.views.error_403"
handler404 = "gongzhi.web.views.error_404"
handler500 = "gongzhi.web.views.error_500"

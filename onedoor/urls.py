from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.http import HttpRequest
from django.urls import include, path, re_path

from onedoor.accounts.middleware import is_two_factor_complete
from onedoor.accounts.models import Role
from onedoor.api import api, api_not_found
from onedoor.core import health
from onedoor.public import home as public_home
from onedoor.public import views as public_views


def _admin_permission(request: HttpRequest) -> bool:
    user = request.user
    return bool(
        user.is_active
        and user.is_staff
        and getattr(user, "role", None) == Role.ADMINISTRATOR
        and is_two_factor_complete(user)
    )


admin.site.has_permission = _admin_permission  # type: ignore[method-assign]
admin.site.site_header = "OneDoor administration"
admin.site.site_title = "OneDoor"

urlpatterns = [
    path("", public_home.home, name="home"),
    path("", include("onedoor.casework.urls")),
    path("account/", include("onedoor.accounts.urls")),
    path("", include("onedoor.referrals.urls")),
    path("", include("onedoor.insights.urls")),
    path("", include("onedoor.privacy.urls")),
    path("", include("onedoor.police.urls")),
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", api_not_found, name="api_not_found"),
    path("admin/", admin.site.urls),
    path("health/live", health.live, name="health_live"),
    path("health/ready", health.ready, name="health_ready"),
    path("favicon.ico", public_views.favicon, name="favicon"),
]
# The public front door, in every language: English at /, the others under /pl/, /ur/ …
urlpatterns += i18n_patterns(
    path("", public_home.home, name="home_i18n"),
    path("", include("onedoor.public.urls")),
    prefix_default_language=False,
)
handler500 = "onedoor.core.outage.server_error"

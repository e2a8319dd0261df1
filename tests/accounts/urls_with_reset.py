"""The project's URLs, with Django's password reset confirmation page as `accounts:password_reset_confirm`
if the accounts app does not have one yet, so that the admin's "send a reset link" can be tested."""

from django.contrib.auth.views import PasswordResetConfirmView
from django.urls import URLResolver, include, path

from onedoor import urls as project
from onedoor.accounts import urls as accounts_urls
from onedoor.core.access import public

_have = {getattr(p, "name", None) for p in accounts_urls.urlpatterns}
_extra = (
    []
    if "password_reset_confirm" in _have
    else [path("reset/<uidb64>/<token>/", public(PasswordResetConfirmView.as_view()), name="password_reset_confirm")]
)
urlpatterns = [
    path("account/", include(([*accounts_urls.urlpatterns, *_extra], "accounts"))),
    *[p for p in project.urlpatterns if not (isinstance(p, URLResolver) and p.namespace == "accounts")],
]

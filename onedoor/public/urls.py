from django.urls import path

from onedoor.public import views

# The namespace is still "directory", as it was before the public pages had their own app, so that every
# `{% url "directory:…" %}` and reverse() keeps working.
app_name = "directory"

# These are served under a language prefix for every language but English (/pl/find-support/ …).
urlpatterns = [
    path("exit/", views.exit_page, name="exit"),
    path("find-support/", views.find_support, name="find_support"),
    path("find-support/results/", views.find_support_results, name="find_support_results"),
    path("find-support/contact/", views.find_support_contact, name="find_support_contact"),
    path("services/", views.services_directory, name="services"),
    path("your-rights/", views.rights, name="rights"),
    path("refer-yourself/", views.refer_yourself, name="refer"),
    path("refer-yourself/sent/", views.refer_sent, name="refer_sent"),
    path("feedback/", views.feedback, name="feedback"),
    path("feedback/<str:token>/", views.feedback, name="feedback_link"),
    path("privacy/", views.privacy, name="privacy"),
    path("staying-safe-online/", views.staying_safe, name="staying_safe"),
]

from django.urls import path

from campaigns.views import confirm

from . import views

app_name = "petitions"

# Mounted inside i18n_patterns (English at /, Spanish under /es/), above Wagtail's pages.
urlpatterns = [
    path("petition/<str:slug>/sign/", views.sign, name="sign"),
    path("petition/<str:slug>/check-your-email/", views.check_email, name="check_email"),
    path("petition/<str:slug>/new-link/", views.new_link, name="new_link"),
    path("petition/<str:slug>/thank-you/", views.thanks, name="thanks"),
    path("petition/confirm/<str:token>/", confirm, {"kind": "signature"}, name="confirm"),
    path("petition/<str:slug>/report/", views.report_action, name="report_action"),
    path("petition/<str:slug>/reported/", views.action_reported, name="action_reported"),
    path("petition/<str:slug>/message/", views.write_message, name="write_message"),
    path("petition/<str:slug>/message/sent/", views.message_sent, name="message_sent"),
]

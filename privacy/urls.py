"""The audit trail's URL. The masking preview (privacy.api.PreviewView) is mounted by the site's URL conf,
which decides who may use it."""
from django.urls import path

from .api import AuditListView

app_name = "privacy"

urlpatterns = [
    path("audit/", AuditListView.as_view(), name="audit"),
]

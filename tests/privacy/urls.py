"""The privacy API as the app ships it, for tests independent of the rest: the preview with its own
permission (staff only; config/urls.py mounts it for project members too)."""
from django.urls import include, path

from privacy.api import PreviewView

urlpatterns = [
    path("api/v1/privacy/preview/", PreviewView.as_view()),
    path("api/v1/privacy/", include("privacy.urls")),
]

"""The privacy API mounted where config/urls.py mounts it, for tests independent of the rest."""
from django.urls import include, path

urlpatterns = [path("api/v1/privacy/", include("privacy.urls"))]

from django.urls import path

from .api import AuditListView, PreviewView

app_name = "privacy"

urlpatterns = [
    path("audit/", AuditListView.as_view(), name="audit"),
    path("preview/", PreviewView.as_view(), name="preview"),
]

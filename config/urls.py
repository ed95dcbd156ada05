from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from frontend.urls import auth_urlpatterns
from labeling.api.permissions import IsStaffOrMemberOfAProject
from privacy.api import PreviewView

from .views import TokenLoginView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/auth/token/", TokenLoginView.as_view(), name="api-token"),
    # Who may preview masking is a question about projects, which privacy cannot ask (it imports no app).
    path("api/v1/privacy/preview/", PreviewView.as_view(permission_classes=[IsStaffOrMemberOfAProject]),
         name="privacy-preview"),
    path("api/v1/privacy/", include("privacy.urls")),
    path("api/v1/", include("training.api.urls")),
    path("api/v1/", include("labeling.api.urls")),
    path("", include("frontend.urls")),
    *auth_urlpatterns,
]

handler400 = "config.views.bad_request"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"

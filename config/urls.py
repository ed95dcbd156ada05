from django.contrib import admin
from django.urls import include, path
from rest_framework.authtoken.views import obtain_auth_token

from frontend.urls import auth_urlpatterns

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/auth/token/", obtain_auth_token, name="api-token"),
    path("api/v1/privacy/", include("privacy.urls")),
    path("api/v1/", include("training.api.urls")),
    path("api/v1/", include("labeling.api.urls")),
    path("", include("frontend.urls")),
    *auth_urlpatterns,
]

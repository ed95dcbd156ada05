from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "frontend"

urlpatterns = [
    path("", views.project_list, name="projects"),
]

# Login and logout live at the top level so settings.LOGIN_URL can name them.
auth_urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(template_name="frontend/login.html"), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]

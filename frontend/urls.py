from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .access import with_csp

app_name = "frontend"

urlpatterns = [
    path("", views.project_list, name="projects"),
    path("projects/new/", views.project_new, name="project-new"),
    path("projects/<int:project_id>/", views.project_home, name="project"),
    path("projects/<int:project_id>/annotate/", views.annotate, name="annotate"),
    path("projects/<int:project_id>/annotate/progress/", views.annotate_progress, name="annotate-progress"),
    path("projects/<int:project_id>/dashboard/", views.dashboard_page, name="dashboard"),
    path("projects/<int:project_id>/dashboard/live/", views.dashboard_live, name="dashboard-live"),
    path("projects/<int:project_id>/charts/<slug:name>.svg", views.chart, name="chart"),
    path("projects/<int:project_id>/train/", views.train, name="train"),
    path("projects/<int:project_id>/reports/<int:report_id>/resolve/", views.resolve_report, name="resolve-report"),
    path("projects/<int:project_id>/import/", views.import_page, name="import"),
    path("projects/<int:project_id>/jobs/<uuid:job_id>/", views.job_page, name="job"),
    path("projects/<int:project_id>/members/", views.members, name="members"),
    path("projects/<int:project_id>/settings/", views.project_settings, name="settings"),
]

# Login and logout live at the top level so settings.LOGIN_URL can name them.
auth_urlpatterns = [
    path("accounts/login/", with_csp(auth_views.LoginView.as_view(template_name="frontend/login.html",
                                                                  redirect_authenticated_user=True)), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]

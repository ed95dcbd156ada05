from django.urls import path

from . import views

urlpatterns = [
    path("projects/<int:project_id>/train/", views.TrainView.as_view(), name="project-train"),
    path("projects/<int:project_id>/models/", views.ModelListView.as_view(), name="project-models"),
    path("projects/<int:project_id>/models/<int:number>/download/", views.ModelDownloadView.as_view(), name="project-model-download"),
    path("projects/<int:project_id>/predict/", views.PredictView.as_view(), name="project-predict"),
    path("projects/<int:project_id>/stats/", views.StatsView.as_view(), name="project-stats"),
    path("projects/<int:project_id>/cold-start/", views.ColdStartView.as_view(), name="project-cold-start"),
    path("projects/<int:project_id>/loop/", views.LoopSettingsView.as_view(), name="project-loop"),
]

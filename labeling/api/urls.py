from rest_framework.routers import SimpleRouter

from .views import JobViewSet, ProjectViewSet

router = SimpleRouter()
router.register("projects", ProjectViewSet, basename="project")
router.register("jobs", JobViewSet, basename="job")

urlpatterns = router.urls

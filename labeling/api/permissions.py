"""Per-project access: members see a project, leads manage it; outsiders get 404."""
from django.shortcuts import get_object_or_404
from rest_framework.exceptions import NotFound, PermissionDenied

from ..models import Project, Role
from ..services.projects import role_in


def project_for(request, project_id, *, lead=False) -> Project:
    """The project if the caller may use it; 404 for outsiders (no hint it exists), 403 for non-leads."""
    project = get_object_or_404(Project, pk=project_id)
    role = role_in(project, request.user)
    if role is None:
        raise NotFound("Project not found.")
    if lead and role != Role.LEAD:
        raise PermissionDenied("Only the project's leads may do this.")
    return project

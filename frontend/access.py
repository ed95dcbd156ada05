"""Who may open which page: members see a project, leads manage it, outsiders get 404.

The same rules as the REST API (labeling.api.permissions), for HTML views.
"""
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from labeling.models import Project, Role
from labeling.services.projects import role_in

# Pages are plain server-rendered HTML plus our own static scripts; nothing inline runs.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def project_and_role(request, project_id, *, lead=False):
    """(project, role) if the user may open it; 404 for outsiders, 403 for annotators on lead pages."""
    project = get_object_or_404(Project.objects.prefetch_related("labels"), pk=project_id)
    role = role_in(project, request.user)
    if role is None:
        raise Http404("Project not found.")
    if lead and role != Role.LEAD:
        raise PermissionDenied("Only the project's leads may open this page.")
    return project, role


def with_csp(view):
    """Send a strict Content-Security-Policy with the view's response (defence in depth against XSS)."""
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response

    return wrapped

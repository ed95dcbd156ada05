"""Who may use a project, in one place: members see it, leads manage it, outsiders get 404; and who
may use the tools that belong to no project.

The REST API (labeling.api.permissions) and the HTML pages (frontend.access) both ask here. The rule
raises Django's exceptions so it serves both: Django renders them as the 404/403 pages, and DRF's
exception handler turns them into 404/403 JSON with the message as `detail`.
"""
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from .models import Membership, Project, Role
from .services.projects import role_in

LEADS_ONLY = "Only the project's leads may do this."


def project_access(user, project_id, *, lead=False, queryset=None, denied=LEADS_ONLY):
    """(project, role) if `user` may use the project, and for `lead=True` only if they lead it.

    A missing project and one the user is not a member of give the same 404, so ids tell an
    outsider nothing about which projects exist; a member who is not a lead gets 403 with `denied`.
    `queryset` lets a caller prefetch what it will read of the project.
    """
    projects = Project.objects.all() if queryset is None else queryset
    try:
        project = projects.filter(pk=project_id).first()
    except (ValueError, OverflowError, ValidationError):  # not an id at all: as unknown as a missing project
        project = None
    role = role_in(project, user) if project is not None else None
    if role is None:
        raise Http404("Project not found.")
    if lead and role != Role.LEAD:
        raise PermissionDenied(denied)
    return project, role


def works_on_a_project(user) -> bool:
    """Staff, or a member of at least one project: who may use tools that belong to no project (the masking preview)."""
    return user.is_staff or Membership.objects.filter(user=user).exists()

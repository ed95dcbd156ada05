"""Per-project access for the REST API, as DRF permission classes built on labeling.access.

Each class reads the project id from the URL (`project_id`, or `pk` on ProjectViewSet's detail routes)
and leaves the project and the caller's role on `view.project` and `view.role`, so views neither forget
the check nor look them up again. Outsiders get 404 rather than 403: the rule raises Http404 instead of
returning False.
"""
from rest_framework.permissions import SAFE_METHODS, IsAuthenticated

from ..access import project_access, works_on_a_project


class _ProjectPermission(IsAuthenticated):
    """Members may read, and `lead_for_reads`/`lead_for_writes` ask for a lead.

    It extends IsAuthenticated so anonymous callers still get 401 before any project is looked up.
    Routes without a project id (ProjectViewSet's list and create) need only authentication.
    """

    lead_for_reads = False
    lead_for_writes = False

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        project_id = view.kwargs.get("project_id", view.kwargs.get("pk"))
        if project_id is None:
            return True
        lead = self.lead_for_reads if request.method in SAFE_METHODS else self.lead_for_writes
        view.project, view.role = project_access(request.user, project_id, lead=lead)
        return True


class IsProjectMember(_ProjectPermission):
    """Annotators and leads alike: labeling, predictions, statistics."""


class IsProjectLead(_ProjectPermission):
    """Leads only, for reads too: imports, exports, members, models to download."""

    lead_for_reads = lead_for_writes = True


class ProjectLeadForWrites(_ProjectPermission):
    """Members read, leads change: the project itself and its loop settings."""

    lead_for_writes = True


class IsStaffOrMemberOfAProject(IsAuthenticated):
    """For tools outside any project (the masking preview): staff, or whoever works on some project."""

    message = "Only members of a project may do this."

    def has_permission(self, request, view):
        return super().has_permission(request, view) and works_on_a_project(request.user)

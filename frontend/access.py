"""Who may open which page, as the `project_page` decorator over labeling.access (the rule the REST API
uses too), and the Content-Security-Policy every page is sent with."""
from functools import wraps

from labeling.access import project_access
from labeling.models import Project

# Pages are plain server-rendered HTML plus our own static scripts; nothing inline runs.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def project_page(*, lead=False):
    """Give the view `(request, project, role, ...)` instead of the URL's `project_id`, once the user may
    open the project (`lead=True`: only its leads): 404 for outsiders, 403 for annotators on lead pages.
    Declared on the view, the check cannot be forgotten inside it."""
    def decorate(view):
        @wraps(view)
        def wrapped(request, project_id, *args, **kwargs):
            project, role = project_access(
                request.user, project_id, lead=lead, queryset=Project.objects.prefetch_related("labels"),
                denied="Only the project's leads may open this page.",
            )
            return view(request, project, role, *args, **kwargs)

        return wrapped

    return decorate


def with_csp(view):
    """Send a strict Content-Security-Policy with the view's response (defence in depth against XSS)."""
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response

    return wrapped

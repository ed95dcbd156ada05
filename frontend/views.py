"""HTML pages: the project list, the annotator page and the lead pages. Views stay thin:
access checks in frontend.access, numbers in frontend.dashboard, pictures in frontend.charts,
changes through the labeling and training services."""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from labeling.errors import LabelingError
from labeling.models import Annotation, Job, JobKind, Role
from labeling.services import importing, personal_data, projects
from labeling.services.queue import remaining_budget
from labeling.tasks import queue_import
from training.loop import due, report
from training.loop.dataset import NotTrainable
from training.tasks import queue_requested_training

from . import charts, dashboard
from .access import project_page, with_csp
from .forms import (
    ImportForm,
    MemberForm,
    ProjectSettingsForm,
    label_rows,
    labels_from_post,
)

JOB_TERMINAL = ("succeeded", "failed")


def _nav(project, role, active):
    return {"project": project, "role": role, "is_lead": role == Role.LEAD, "active": active}


# --- projects -----------------------------------------------------------------------------------

@login_required
@with_csp
def project_list(request):
    visible = projects.projects_for(request.user).annotate(
        labels_done=Count("documents__annotations", filter=Q(documents__annotations__imported=False)),
    )
    roles = dict(request.user.memberships.values_list("project_id", "role"))
    rows = [{"project": p, "role": Role.LEAD if request.user.is_superuser else roles.get(p.id)} for p in visible]
    return render(request, "frontend/projects.html", {
        "rows": rows, "can_create": request.user.has_perm("labeling.add_project"),
    })


@login_required
@with_csp
@require_http_methods(["GET", "POST"])
def project_new(request):
    if not request.user.has_perm("labeling.add_project"):
        raise Http404("You may not create projects.")
    form = ProjectSettingsForm(request.POST or None)
    labels = labels_from_post(request.POST) if request.method == "POST" else [
        {"name": "positive", "hotkey": "1", "color": None}, {"name": "negative", "hotkey": "2", "color": None}]
    if request.method == "POST" and form.is_valid():
        try:
            project = projects.create_project(request.user, labels=labels, **form.cleaned_data)
        except LabelingError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Project “{project.name}” created. Import texts to start labeling.")
            return redirect("frontend:import", project.id)
    return render(request, "frontend/settings.html", {
        "form": form, "label_rows": label_rows(labels), "creating": True, "project": None,
    })


@login_required
@project_page()
def project_home(request, project, role):
    return redirect("frontend:dashboard" if role == Role.LEAD else "frontend:annotate", project.id)


# --- annotating ---------------------------------------------------------------------------------

def _progress(project, user):
    return {
        "labeled_today": dashboard.labeled_today(project, user),
        "remaining": remaining_budget(project),
        "budget": project.label_budget,
        "pool": dashboard.documents_left(project),
    }


@login_required
@with_csp
@require_GET
@project_page()
def annotate(request, project, role):
    api = f"/api/v1/projects/{project.id}/"
    config = {
        "projectId": project.id,
        "userId": request.user.id,
        "labels": [{"name": label.name, "hotkey": label.hotkey, "color": charts.safe_color(label.color)}
                   for label in project.labels.all()],
        "preselect": project.preselect_suggestion,
        "csrfToken": get_token(request),
        "leaseMinutes": settings.LOOPLABEL_LEASE_MINUTES,
        "progress": _progress(project, request.user),
        "urls": {
            "next": api + "next/", "leases": api + "leases/", "annotations": api + "annotations/",
            "skip": api + "skip/", "undo": api + "undo/", "reportPii": api + "report-pii/",
            "progress": reverse("frontend:annotate-progress", args=[project.id]),
            "login": reverse("login"),
        },
    }
    return render(request, "frontend/annotate.html", {**_nav(project, role, "annotate"), "config": config})


@login_required
@require_GET
@project_page()
def annotate_progress(request, project, role):
    return JsonResponse(_progress(project, request.user))


# --- the lead dashboard ---------------------------------------------------------------------------

@login_required
@with_csp
@require_GET
@project_page(lead=True)
def dashboard_page(request, project, role):
    summary = dashboard.dashboard_summary(project)
    return render(request, "frontend/dashboard.html", {
        **_nav(project, role, "dashboard"),
        "summary": summary,
        "kpis": dashboard.kpis(summary),
        "annotator_rows": dashboard.display_annotators(summary["annotators"]),
        "model_rows": dashboard.display_models(summary["models"]),
        "charts_key": dashboard.chart_key(summary),
        "charts": [
            ("burn", "Budget burn"), ("hourly", "Labels per hour, last 24 hours"),
            ("labels", "Label distribution"), ("curve", "Learning curve (validation)"),
        ],
        "import_jobs": project.jobs.filter(kind=JobKind.IMPORT)[:5],
        "reports": personal_data.reports_for(project).filter(resolved_at__isnull=True)[:50],
        "config": {"live": reverse("frontend:dashboard-live", args=[project.id]), "chartsKey": dashboard.chart_key(summary),
                   "downloadBase": f"/api/v1/projects/{project.id}/models/"},
    })


@login_required
@require_GET
@project_page(lead=True)
def dashboard_live(request, project, role):
    return JsonResponse(dashboard.live_summary(project))


CHARTS = {"burn", "hourly", "labels", "curve"}


@login_required
@require_GET
@project_page(lead=True)
def chart(request, project, role, name):
    if name == "curve":
        svg = charts.learning_curve_svg(report.learning_curve(project))
    elif name == "hourly":
        svg = charts.labels_per_hour_svg(dashboard.labels_per_hour(project))
    elif name == "labels":
        svg = charts.label_distribution_svg(dashboard.label_distribution(project))
    elif name == "burn":
        now = timezone.now()
        burn = dashboard.budget_burn(project, now)
        svg = charts.budget_burn_svg(dashboard.cumulative_labels(project, now), burn.budget, burn.used,
                                     burn.projected_exhaustion, now)
    else:
        raise Http404("No such chart.")
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "private, max-age=60"  # the page asks again with a new ?k= when data changes
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@login_required
@require_POST
@project_page(lead=True)
def resolve_report(request, project, role, report_id):
    back = request.POST.get("return_to_pool") == "1"
    try:
        personal_data.resolve_report(project, request.user, report_id, return_to_pool=back)
    except LabelingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "The text is back in the pool." if back else "The text stays out of the queue.")
    return redirect(reverse("frontend:dashboard", args=[project.id]) + "#reports")


@login_required
@require_POST
@project_page(lead=True)
def train(request, project, role):
    try:
        _, steps = due.request_training_for(project, request.user)
        queue_requested_training(steps)
    except (NotTrainable, LabelingError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Training queued." if steps.train_job_id else "A training run is already queued or running.")
    return redirect("frontend:dashboard", project.id)


# --- import -----------------------------------------------------------------------------------

@login_required
@with_csp
@require_http_methods(["GET", "POST"])
@project_page(lead=True)
def import_page(request, project, role):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = importing.start_import(
                project, request.user, data["file"], text_field=data["text_field"] or "text",
                label_field=data["label_field"] or None, id_field=data["id_field"] or None,
                file_format=data["format"] or None, encoding=data["encoding"] or "utf-8",
            )
            queue_import(job)
        except LabelingError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("frontend:job", project.id, job.id)
    return render(request, "frontend/import.html", {
        **_nav(project, role, "import"), "form": form,
        "jobs": project.jobs.filter(kind=JobKind.IMPORT)[:20],
    })


@login_required
@with_csp
@require_GET
@project_page(lead=True)
def job_page(request, project, role, job_id):
    job = get_object_or_404(Job, pk=job_id, project=project)
    return render(request, "frontend/job.html", {
        **_nav(project, role, "import"), "job": job, "terminal": job.status in JOB_TERMINAL,
        "counts": [(key.replace("_", " ").capitalize(), value) for key, value in (job.counts or {}).items()],
        "config": {"url": f"/api/v1/jobs/{job.id}/", "terminal": job.status in JOB_TERMINAL},
    })


# --- members and settings ----------------------------------------------------------------------

@login_required
@with_csp
@require_http_methods(["GET", "POST"])
@project_page(lead=True)
def members(request, project, role):
    form = MemberForm(request.POST if request.POST.get("action") == "add" else None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "remove":
                username = request.POST.get("username", "")
                if username == request.user.username:
                    raise LabelingError("You cannot remove yourself; ask another lead.")
                projects.remove_member(project, username)
                messages.success(request, f"{username} no longer belongs to this project.")
                return redirect("frontend:members", project.id)
            if form.is_valid():
                data = form.cleaned_data
                if data["username"] == request.user.username and data["role"] != Role.LEAD:
                    raise LabelingError("You cannot demote yourself; ask another lead.")
                projects.set_member(project, data["username"], data["role"], data["can_view_raw"])
                messages.success(request, f"{data['username']} is now a {data['role']} of this project.")
                return redirect("frontend:members", project.id)
        except LabelingError as exc:
            messages.error(request, exc.message)
    memberships = project.memberships.select_related("user").order_by("role", "user__username")
    counts = dict(Annotation.objects.filter(document__project=project, imported=False)
                  .values_list("annotator_id").annotate(n=Count("id")))
    rows = [{"membership": m, "labels": counts.get(m.user_id, 0)} for m in memberships]
    return render(request, "frontend/members.html", {**_nav(project, role, "members"), "form": form, "rows": rows})


@login_required
@with_csp
@require_http_methods(["GET", "POST"])
@project_page(lead=True)
def project_settings(request, project, role):
    current_labels = [{"name": l.name, "hotkey": l.hotkey, "color": l.color} for l in project.labels.all()]
    if request.method == "POST":
        form = ProjectSettingsForm(request.POST)
        labels = labels_from_post(request.POST)
        if form.is_valid():
            try:
                projects.update_project(project, labels=labels, **form.cleaned_data)
            except LabelingError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "Settings saved.")
                return redirect("frontend:settings", project.id)
    else:
        form = ProjectSettingsForm(initial=ProjectSettingsForm.initial_for(project))
        labels = current_labels
    return render(request, "frontend/settings.html", {
        **_nav(project, role, "settings"), "form": form, "label_rows": label_rows(labels), "creating": False,
    })

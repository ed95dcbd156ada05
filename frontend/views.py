from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from labeling.services.projects import projects_for


@login_required
def project_list(request):
    return render(request, "frontend/projects.html", {"projects": projects_for(request.user)})

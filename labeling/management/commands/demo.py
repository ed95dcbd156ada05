"""Create a demo: a lead, an annotator and a project of financial news sentences."""
import os
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files import File
from django.core.management.base import BaseCommand
from rest_framework.authtoken.models import Token

from labeling.models import Project
from labeling.services.importing import run_import, start_import
from labeling.services.projects import create_project, set_member

SAMPLE = Path(__file__).resolve().parents[2] / "demo_data" / "financial_news_sample.csv"
PROJECT_NAME = "Financial news sentiment (demo)"
GUIDELINES = """Label the sentiment of each sentence for an investor holding the company's shares.
- positive: good news for the company (growth, profit, new orders, raised guidance).
- negative: bad news (losses, layoffs, falling sales, lowered guidance).
- neutral: facts without a clear good or bad side.
Judge the sentence alone; skip (S) when you cannot tell."""


class Command(BaseCommand):
    help = "Create demo users and a demo project (idempotent) and print how to log in."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("LOOPLABEL_URL", "http://127.0.0.1:8000"))

    def handle(self, *args, host, **options):
        lead = self._user("lead", os.environ.get("LOOPLABEL_DEMO_LEAD_PASSWORD", "lead-demo-pass"))
        annotator = self._user("annotator", os.environ.get("LOOPLABEL_DEMO_ANNOTATOR_PASSWORD", "annotator-demo-pass"))
        lead.user_permissions.add(Permission.objects.get(codename="add_project", content_type__app_label="labeling"))
        project = Project.objects.filter(name=PROJECT_NAME).first()
        if project is None:
            project = create_project(
                lead, name=PROJECT_NAME, guidelines=GUIDELINES, label_budget=1000, retrain_every=20,
                labels=[{"name": "positive"}, {"name": "neutral"}, {"name": "negative"}],
            )
            set_member(project, annotator.username, "annotator")
            with open(SAMPLE, "rb") as sample:
                job = start_import(project, lead, File(sample, name=SAMPLE.name), text_field="sentence")
            # The demo imports in this process so the project is ready before the server starts.
            job = run_import(job.id)
            self.stdout.write(job.message)
        self.stdout.write(self.style.SUCCESS(f"\nLooplabel demo project #{project.id}: {project.name}"))
        self.stdout.write(f"  Open {host}/ and log in as")
        for user in (lead, annotator):
            token, _ = Token.objects.get_or_create(user=user)
            self.stdout.write(f"    {user.username:<10} password {user._demo_password:<22} API token {token.key}")

    def _user(self, username, password):
        user, created = get_user_model().objects.get_or_create(username=username)
        if created or not user.check_password(password):
            user.set_password(password)
            user.save()
        user._demo_password = password
        return user

"""What the lead dashboard shows, computed by plain functions that tests can call.

Views stay thin: they call `dashboard_summary` (or one of the parts) and render it.
All times are aware datetimes; `now` is a parameter so projections can be tested.
"""
import hashlib
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count
from django.db.models.functions import TruncHour
from django.utils import timezone

from labeling.models import Annotation, Document, DocumentState, Job, JobKind, Label
from labeling.services.queue import annotator_labels_used, remaining_budget
from labeling.services.stats import labeling_stats
from training.loop.due import active_training_job, labels_since_last_model
from training.loop.report import learning_curve, model_rows

# The pace that projects the budget: labels made in the last week, per hour of that
# span (nights and weekends included, so the date is a calendar date).
PACE_WINDOW = timedelta(days=7)
# A project that started ten minutes ago is not projected from ten minutes of work.
MIN_PACE_SPAN = timedelta(hours=1)
CENT = Decimal("0.01")


# --- pure helpers -------------------------------------------------------------------------------

def label_cost(count, price_per_label) -> Decimal | None:
    """What `count` labels cost at `price_per_label`, rounded to cents; None without a price."""
    if price_per_label is None or count is None:
        return None
    return (Decimal(count) * Decimal(price_per_label)).quantize(CENT, rounding=ROUND_HALF_UP)


def labeling_pace(label_times, now, window=PACE_WINDOW) -> float | None:
    """Labels per hour over the last `window`, from the first label in it until `now`; None without labels."""
    recent = [t for t in label_times if now - window <= t <= now]
    if not recent:
        return None
    span = max(now - min(recent), MIN_PACE_SPAN)
    return len(recent) / (span.total_seconds() / 3600)


def projected_exhaustion(remaining, pace_per_hour, now) -> datetime | None:
    """When the budget runs out at this pace: `now` if it is used up, None without a budget or a pace."""
    if remaining is None:
        return None
    if remaining <= 0:
        return now
    if not pace_per_hour or pace_per_hour <= 0:
        return None
    return now + timedelta(hours=remaining / pace_per_hour)


# --- budget -----------------------------------------------------------------------------------

@dataclass
class BudgetBurn:
    used: int
    budget: int | None
    remaining: int | None
    fraction_used: float | None  # 0..1, None without a budget
    price_per_label: Decimal | None
    cost_used: Decimal | None
    cost_budget: Decimal | None
    cost_remaining: Decimal | None
    pace_per_hour: float | None
    pace_per_day: float | None
    projected_exhaustion: datetime | None
    exhausted: bool

    def as_json(self):
        data = asdict(self)
        for key in ("price_per_label", "cost_used", "cost_budget", "cost_remaining"):
            data[key] = None if data[key] is None else str(data[key])
        if self.projected_exhaustion is not None:
            data["projected_exhaustion"] = self.projected_exhaustion.isoformat()
        return data


def budget_burn(project, now=None) -> BudgetBurn:
    now = now or timezone.now()
    used = annotator_labels_used(project)
    budget = project.label_budget
    remaining = remaining_budget(project)
    times = Annotation.objects.filter(
        document__project=project, imported=False, created_at__gte=now - PACE_WINDOW, created_at__lte=now
    ).values_list("created_at", flat=True)
    pace = labeling_pace(list(times), now)
    price = project.price_per_label
    return BudgetBurn(
        used=used,
        budget=budget,
        remaining=remaining,
        fraction_used=(min(used / budget, 1.0) if budget else (1.0 if budget == 0 else None)),
        price_per_label=price,
        cost_used=label_cost(used, price),
        cost_budget=label_cost(budget, price),
        cost_remaining=label_cost(remaining, price),
        pace_per_hour=pace,
        pace_per_day=None if pace is None else pace * 24,
        projected_exhaustion=projected_exhaustion(remaining, pace, now),
        exhausted=remaining is not None and remaining <= 0,
    )


def cumulative_labels(project, now=None) -> list[tuple[datetime, int]]:
    """(time, labels made so far) for the burn chart: zero at the first active hour, then one
    point at the end of each active hour (the current hour ends now)."""
    now = now or timezone.now()
    hourly = _hourly_counts(project)
    if not hourly:
        return []
    total, points = 0, [(min(hourly), 0)]
    for hour, count in hourly.items():
        total += count
        points.append((min(hour + timedelta(hours=1), now), total))
    return points


def _hourly_counts(project, since=None) -> dict:
    annotations = Annotation.objects.filter(document__project=project, imported=False)
    if since is not None:
        annotations = annotations.filter(created_at__gte=since)
    rows = (annotations.annotate(hour=TruncHour("created_at")).values_list("hour").annotate(n=Count("id"))
            .order_by("hour"))
    return dict(rows)


def labels_per_hour(project, hours=24, now=None) -> list[tuple[datetime, int]]:
    """Labels made in each of the last `hours` whole hours (the current hour last), zeros included."""
    now = now or timezone.now()
    current = now.replace(minute=0, second=0, microsecond=0)
    first = current - timedelta(hours=hours - 1)
    counts = _hourly_counts(project, since=first)
    return [(first + timedelta(hours=i), counts.get(first + timedelta(hours=i), 0)) for i in range(hours)]


# --- people and labels ------------------------------------------------------------------------

def annotator_agreement(project) -> dict:
    """Per annotator, on documents that two or more annotators labeled: the share of the other
    annotators' labels that match theirs. {username: {"agreement": 0..1, "overlap": documents}}."""
    human = Annotation.objects.filter(document__project=project, imported=False, annotator__isnull=False)
    shared = (human.values("document").annotate(people=Count("annotator", distinct=True)).filter(people__gte=2)
              .values("document"))
    by_document = defaultdict(dict)
    for document_id, username, label_id in (
        human.filter(document__in=shared).order_by("id").values_list("document_id", "annotator__username", "label_id")
    ):
        by_document[document_id][username] = label_id  # the latest label of each person counts
    agree, pairs, overlap = defaultdict(int), defaultdict(int), defaultdict(int)
    for labels in by_document.values():
        for username, label_id in labels.items():
            overlap[username] += 1
            for other, other_label in labels.items():
                if other != username:
                    pairs[username] += 1
                    agree[username] += label_id == other_label
    return {username: {"agreement": agree[username] / pairs[username], "overlap": overlap[username]}
            for username in pairs}


def annotator_table(project, stats=None) -> list[dict]:
    """One row per annotator: labels, median seconds per label, skips, agreement (None without overlap)."""
    stats = stats or labeling_stats(project)
    agreement = annotator_agreement(project)
    rows = []
    for entry in stats["per_annotator"]:
        found = agreement.get(entry["username"])
        rows.append({
            "username": entry["username"] or "(deleted user)",
            "labels": entry["labels"],
            "median_seconds": entry["median_seconds"],
            "skips": entry["skips"],
            "agreement": None if found is None else round(found["agreement"], 3),
            "overlap": 0 if found is None else found["overlap"],
        })
    return rows


def label_distribution(project, stats=None) -> list[dict]:
    """Labels on documents (seed labels included), with each label's colour."""
    stats = stats or labeling_stats(project)
    colors = dict(Label.objects.filter(project=project).values_list("name", "color"))
    return [{"label": row["label"], "count": row["count"], "color": colors.get(row["label"], "#4f46e5")}
            for row in stats["per_label"]]


# --- models ---------------------------------------------------------------------------------

def training_status(project) -> dict | None:
    """The queued or running training job, or None."""
    job = active_training_job(project)
    if job is None:
        return None
    return {"id": str(job.id), "status": job.status, "stage": job.stage or job.status,
            "progress": round(job.progress or 0.0, 4), "created_at": job.created_at}


def last_training_job(project) -> Job | None:
    return Job.objects.filter(project=project, kind=JobKind.TRAIN).order_by("-created_at").first()


# --- everything -----------------------------------------------------------------------------

def dashboard_summary(project, now=None) -> dict:
    now = now or timezone.now()
    stats = labeling_stats(project)
    documents = stats["documents"]
    return {
        "now": now,
        "burn": budget_burn(project, now),
        "labels_last_hour": stats["labels_last_hour"],
        "seed_labels": stats["seed_labels"],
        "documents": {
            "pool": documents.get(DocumentState.POOL, 0),
            "labeled": documents.get(DocumentState.LABELED, 0),
            "reported": documents.get(DocumentState.REPORTED, 0),
            "importing": documents.get(DocumentState.IMPORTING, 0),
            "total": sum(documents.values()),
        },
        "annotators": annotator_table(project, stats),
        "labels": label_distribution(project, stats),
        "curve": learning_curve(project),
        "models": model_rows(project),
        "training": training_status(project),
        "last_training": last_training_job(project),
        "labels_since_last_model": labels_since_last_model(project),
    }


def live_summary(project, now=None) -> dict:
    """The part of the dashboard that the page refreshes while it is open, as JSON-ready data."""
    summary = dashboard_summary(project, now)
    last = summary["last_training"]
    return {
        "burn": summary["burn"].as_json(),
        "labels_last_hour": summary["labels_last_hour"],
        "documents": summary["documents"],
        "annotators": summary["annotators"],
        "labels": summary["labels"],
        "curve": summary["curve"],
        "models": [{**{k: v for k, v in m.items() if k != "created_at"}, "created_at": m["created_at"].isoformat()}
                   for m in summary["models"]],
        "training": None if summary["training"] is None else {
            **summary["training"], "created_at": summary["training"]["created_at"].isoformat()},
        "last_training": None if last is None else {"status": last.status, "message": last.message},
        "labels_since_last_model": summary["labels_since_last_model"],
        "kpis": kpis(summary),
        "annotator_rows": display_annotators(summary["annotators"]),
        "model_rows": display_models(summary["models"]),
        # Changes whenever a chart would look different, so the page reloads the pictures only then.
        "charts_key": chart_key(summary),
    }


def chart_key(summary) -> str:
    """A short digest of what the charts show; it changes whenever a picture would."""
    burn = summary["burn"]
    parts = (burn.used, burn.budget, str(burn.projected_exhaustion)[:13],
             [(row["label"], row["count"]) for row in summary["labels"]],
             [(p["version"], p["labels"], p["macro_f1"]) for p in summary["curve"]],
             summary["now"].strftime("%Y%m%d%H"))
    return hashlib.sha1(repr(parts).encode()).hexdigest()[:12]


def labeled_today(project, user, now=None) -> int:
    """Labels `user` made in this project since local midnight (settings.TIME_ZONE)."""
    now = timezone.localtime(now or timezone.now())
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return Annotation.objects.filter(document__project=project, annotator=user, imported=False,
                                     created_at__gte=midnight).count()


def documents_left(project) -> int:
    return Document.objects.filter(project=project, state=DocumentState.POOL).count()


# --- what the page prints ----------------------------------------------------------------------
# Display strings are made here once, so the server-rendered page and its live refresh agree.

def _number(value) -> str:
    return f"{value:,}"


def _when(moment, now) -> tuple[str, str]:
    """A short date for a figure card and how far away it is."""
    days = (moment - now).total_seconds() / 86400
    local, today = timezone.localtime(moment), timezone.localtime(now)
    if days < 1:
        hours = max(days * 24, 0)
        return f"{local:%H:%M}", ("today" if local.date() == today.date() else "tomorrow") + (
            f", in {hours:.1f} hours" if hours >= 1 else ", within the hour")
    value = f"{local.day} {local:%b}"
    if local.year != today.year:
        value += f" {local.year}"
    return value, f"{local:%A}, in {days:.0f} days" if days >= 2 else f"{local:%A}, in about a day"


def kpis(summary) -> list[dict]:
    """The figure cards at the top of the dashboard: key, title, value, sub-line, optional bar (0..1)."""
    burn, now = summary["burn"], summary["now"]
    cards = []
    if burn.budget is None:
        cards.append({"key": "used", "title": "Labels used", "value": _number(burn.used),
                      "sub": "no budget limit", "bar": None})
    else:
        cards.append({"key": "used", "title": "Labels used", "value": f"{_number(burn.used)} / {_number(burn.budget)}",
                      "sub": f"{_number(burn.remaining)} left in the budget", "bar": burn.fraction_used})
    if burn.price_per_label is None:
        cards.append({"key": "cost", "title": "Cost", "value": "—", "sub": "no price per label set", "bar": None})
    else:
        sub = f"at {burn.price_per_label.normalize():f} per label"
        if burn.cost_budget is not None:
            sub += f" · budget {burn.cost_budget:,.2f}"
        cards.append({"key": "cost", "title": "Cost so far", "value": f"{burn.cost_used:,.2f}", "sub": sub, "bar": None})
    if burn.budget is None:
        value, sub = "—", "no budget set"
    elif burn.exhausted:
        value, sub = "Used up", "the budget is spent"
    elif burn.projected_exhaustion is None:
        value, sub = "—", "no labels in the last 7 days"
    else:
        value, sub = _when(burn.projected_exhaustion, now)
        sub += f" · {burn.pace_per_day:,.0f} labels/day"
    cards.append({"key": "exhaustion", "title": "Budget runs out", "value": value, "sub": sub, "bar": None})
    pace = "no labels this week" if burn.pace_per_hour is None else f"7-day pace {burn.pace_per_hour:,.1f} labels/hour"
    cards.append({"key": "hour", "title": "Last hour", "value": _number(summary["labels_last_hour"]),
                  "sub": pace, "bar": None})
    curve = summary["curve"]
    if curve:
        latest = curve[-1]
        score = "no validation score" if latest["macro_f1"] is None else f"macro-F1 {latest['macro_f1']:.2f}"
        cards.append({"key": "model", "title": "Latest model", "value": f"v{latest['version']}",
                      "sub": f"{score} · {summary['labels_since_last_model']} new labels since", "bar": None})
    else:
        cards.append({"key": "model", "title": "Latest model", "value": "none yet",
                      "sub": f"{summary['labels_since_last_model']} labels so far", "bar": None})
    return cards


def display_annotators(rows) -> list[list[str]]:
    out = []
    for row in rows:
        agreement = "—" if row["agreement"] is None else f"{row['agreement']:.0%} on {row['overlap']} shared"
        seconds = "—" if row["median_seconds"] is None else f"{row['median_seconds']:.1f} s"
        out.append([row["username"], _number(row["labels"]), seconds, _number(row["skips"]), agreement])
    return out


EVALUATED_ON = {"random_sample": "random sample", "validation_split": "held-out split", None: "held-out split"}


def display_models(models) -> list[dict]:
    out = []
    for model in models:
        per_class = ", ".join(f"{name} {scores.get('f1', 0):.2f}" for name, scores in model["per_class"].items())
        out.append({
            "number": model["version"],
            "cells": [
                f"v{model['version']}" + ("" if model.get("kind", "full") == "full" else f" ({model['kind']})"),
                timezone.localtime(model["created_at"]).strftime("%d %b %H:%M"),
                _number(model["labels"]),
                f"{model['train_labels']} / {model['validation_size']}",
                "—" if model["accuracy"] is None else f"{model['accuracy']:.3f}",
                "—" if model["macro_f1"] is None else f"{model['macro_f1']:.3f}",
                EVALUATED_ON.get(model.get("evaluation"), model.get("evaluation") or "held-out split"),
                per_class or "—",
            ],
        })
    return out

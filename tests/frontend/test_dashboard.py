"""The dashboard's service functions (frontend.dashboard) and pictures (frontend.charts)."""
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal

import pytest

from frontend import charts, dashboard
from labeling.models import Annotation, Label, Skip
from labeling.services.projects import set_member
from training.loop import report
from training.models import ModelVersion

from .conftest import make_documents

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=dt_timezone.utc)


# --- pure functions -------------------------------------------------------------------------------

def test_label_cost_rounds_to_cents_and_needs_a_price():
    assert dashboard.label_cost(3, Decimal("0.25")) == Decimal("0.75")
    assert dashboard.label_cost(1, Decimal("0.125")) == Decimal("0.13")
    assert dashboard.label_cost(1000, Decimal("0.0450")) == Decimal("45.00")
    assert dashboard.label_cost(5, None) is None
    assert dashboard.label_cost(None, Decimal("1")) is None


def test_pace_counts_labels_of_the_last_week_per_hour():
    # 10 labels spread over the last 5 hours: 2 per hour.
    times = [NOW - timedelta(hours=5) + timedelta(minutes=30 * i) for i in range(10)]
    assert dashboard.labeling_pace(times, NOW) == pytest.approx(2.0)
    # Labels older than the window do not count; none at all means no pace.
    assert dashboard.labeling_pace([NOW - timedelta(days=8)], NOW) is None
    assert dashboard.labeling_pace([], NOW) is None
    # A burst of 30 labels in ten minutes is not projected as 180 per hour.
    burst = [NOW - timedelta(minutes=10)] * 30
    assert dashboard.labeling_pace(burst, NOW) == pytest.approx(30.0)


def test_projected_exhaustion():
    assert dashboard.projected_exhaustion(100, 10.0, NOW) == NOW + timedelta(hours=10)
    assert dashboard.projected_exhaustion(0, 10.0, NOW) == NOW  # already used up
    assert dashboard.projected_exhaustion(None, 10.0, NOW) is None  # no budget
    assert dashboard.projected_exhaustion(50, None, NOW) is None  # no recent labels
    assert dashboard.projected_exhaustion(50, 0.0, NOW) is None


# --- on the database ------------------------------------------------------------------------------

def _label(project, annotator, document, name, when, seconds=2.0):
    annotation = Annotation.objects.create(document=document, annotator=annotator,
                                           label=Label.objects.get(project=project, name=name), seconds_spent=seconds)
    Annotation.objects.filter(pk=annotation.pk).update(created_at=when)
    return annotation


def test_budget_burn_cost_and_projection(project, annotator):
    project.label_budget = 10
    project.price_per_label = Decimal("0.5000")
    project.save()
    documents = make_documents(project, [f"text {i}" for i in range(6)])
    # 4 labels over the last 4 hours -> 1 label per hour; 6 left -> 6 hours to go.
    for i in range(4):
        _label(project, annotator, documents[i], "positive", NOW - timedelta(hours=4 - i))
    # A seed label from an import uses no budget.
    Annotation.objects.create(document=documents[5], label=Label.objects.get(project=project, name="neutral"),
                              imported=True)

    burn = dashboard.budget_burn(project, now=NOW)

    assert (burn.used, burn.budget, burn.remaining) == (4, 10, 6)
    assert burn.fraction_used == pytest.approx(0.4)
    assert burn.cost_used == Decimal("2.00")
    assert burn.cost_budget == Decimal("5.00")
    assert burn.cost_remaining == Decimal("3.00")
    assert burn.pace_per_hour == pytest.approx(1.0)
    assert burn.pace_per_day == pytest.approx(24.0)
    assert burn.projected_exhaustion == NOW + timedelta(hours=6)
    assert not burn.exhausted
    assert burn.as_json()["cost_used"] == "2.00"


def test_budget_burn_without_budget_or_price(project, annotator):
    documents = make_documents(project, ["a", "b"])
    _label(project, annotator, documents[0], "positive", NOW - timedelta(minutes=5))
    burn = dashboard.budget_burn(project, now=NOW)
    assert burn.budget is None and burn.remaining is None and burn.fraction_used is None
    assert burn.cost_used is None and burn.projected_exhaustion is None
    cards = {card["key"]: card for card in dashboard.kpis(dashboard.dashboard_summary(project, now=NOW))}
    assert cards["used"]["value"] == "1"
    assert cards["cost"]["value"] == "—"
    assert cards["exhaustion"]["sub"] == "no budget set"


def test_budget_used_up_is_reported(project, annotator):
    project.label_budget = 2
    project.save()
    documents = make_documents(project, ["a", "b"])
    for document in documents:
        _label(project, annotator, document, "negative", NOW - timedelta(minutes=30))
    burn = dashboard.budget_burn(project, now=NOW)
    assert burn.exhausted and burn.remaining == 0 and burn.projected_exhaustion == NOW
    cards = {card["key"]: card for card in dashboard.kpis(dashboard.dashboard_summary(project, now=NOW))}
    assert cards["exhaustion"]["value"] == "Used up"


def test_annotator_table_with_agreement_where_texts_overlap(project, annotator, make_user):
    second = make_user("second")
    set_member(project, "second", "annotator")
    documents = make_documents(project, ["one", "two", "three"])
    # Both labeled "one" (agree) and "two" (disagree); only the annotator labeled "three".
    _label(project, annotator, documents[0], "positive", NOW - timedelta(minutes=9), seconds=3)
    _label(project, second, documents[0], "positive", NOW - timedelta(minutes=8), seconds=5)
    _label(project, annotator, documents[1], "neutral", NOW - timedelta(minutes=7), seconds=4)
    _label(project, second, documents[1], "negative", NOW - timedelta(minutes=6), seconds=7)
    _label(project, annotator, documents[2], "positive", NOW - timedelta(minutes=5), seconds=5)
    Skip.objects.create(document=documents[2], annotator=second)

    rows = {row["username"]: row for row in dashboard.annotator_table(project)}

    assert rows["annotator"] == {"username": "annotator", "labels": 3, "median_seconds": 4.0, "skips": 0,
                                 "agreement": 0.5, "overlap": 2}
    assert rows["second"]["labels"] == 2 and rows["second"]["skips"] == 1 and rows["second"]["agreement"] == 0.5
    assert dashboard.display_annotators([rows["annotator"]])[0][-1] == "50% on 2 shared"


def test_no_overlap_means_no_agreement(project, annotator):
    documents = make_documents(project, ["one"])
    _label(project, annotator, documents[0], "positive", NOW)
    (row,) = dashboard.annotator_table(project)
    assert row["agreement"] is None
    assert dashboard.display_annotators([row])[0][-1] == "—"


def test_labels_per_hour_fills_empty_hours(project, annotator):
    documents = make_documents(project, ["a", "b", "c"])
    _label(project, annotator, documents[0], "positive", NOW - timedelta(minutes=10))
    _label(project, annotator, documents[1], "positive", NOW - timedelta(minutes=20))
    _label(project, annotator, documents[2], "positive", NOW - timedelta(hours=3, minutes=10))
    series = dashboard.labels_per_hour(project, hours=24, now=NOW)
    assert len(series) == 24
    # NOW is 12:00 sharp: the current hour is empty, 11:00-12:00 has two labels, 08:00-09:00 one.
    assert series[-1] == (NOW, 0)
    assert series[-2] == (NOW - timedelta(hours=1), 2)
    assert series[-5] == (NOW - timedelta(hours=4), 1)
    assert sum(count for _, count in series) == 3
    assert dashboard.cumulative_labels(project)[-1][1] == 3


def test_learning_curve_has_one_point_per_model_version(project):
    for number, labels, f1 in [(2, 40, 0.71), (1, 20, 0.52)]:
        ModelVersion.objects.create(project=project, number=number, base_model="tiny", artifact_dir="/nonexistent",
                                    label_names=["positive", "neutral", "negative"], labels_used=labels,
                                    train_size=labels - 4, validation_size=4,
                                    metrics={"accuracy": f1 + 0.1, "macro_f1": f1, "per_class": {}})
    curve = report.learning_curve(project)
    assert [(p["version"], p["labels"], p["macro_f1"]) for p in curve] == [(1, 20, 0.52), (2, 40, 0.71)]
    live = dashboard.live_summary(project)
    assert [row["cells"][0] for row in live["model_rows"]] == ["v2", "v1"]
    svg = charts.learning_curve_svg(curve)
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "v2" in svg


def test_charts_escape_user_text_and_survive_odd_input():
    hostile = '<script>alert(1)</script> $x^2$ & "quotes"'
    svg = charts.label_distribution_svg([{"label": hostile, "count": 3, "color": "not-a-colour"},
                                         {"label": "ok", "count": 1, "color": "#16a34a"}])
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    for empty in (charts.learning_curve_svg([]), charts.labels_per_hour_svg([]), charts.label_distribution_svg([]),
                  charts.budget_burn_svg([], 100, 0, None, NOW)):
        assert "<svg" in empty
    burn = charts.budget_burn_svg([(NOW - timedelta(hours=2), 5), (NOW - timedelta(hours=1), 9)], 100, 9,
                                  NOW + timedelta(days=3), NOW)
    assert "budget (100)" in burn and "projection" in burn

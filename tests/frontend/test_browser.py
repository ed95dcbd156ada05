"""The pages in a real browser: headless Chromium driven by Playwright against live_server.

Screenshots go to test-artifacts/ at the repository root.
"""
import json
import re

import pytest
from django.test import Client

from labeling.models import Annotation, Label, Skip
from labeling.services.projects import create_project, set_member
from training.models import ModelVersion

from .conftest import log_in, make_documents, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'
EMAIL_TEXT = "Please write to [EMAIL] before Friday; the order of 40 turbines is confirmed."


def wait_for_text(page, previous):
    """Wait until the annotator page shows a text other than `previous`; return its reference."""
    page.wait_for_function("prev => { const r = document.getElementById('doc-ref').textContent;"
                           " return r.startsWith('Text #') && r !== prev; }", arg=previous)
    return page.text_content("#doc-ref")


def wait_all_saved(page):
    page.wait_for_selector('#save-status[data-state="idle"]')
    page.wait_for_function("window.looplabelAnnotator.state.queue.length === 0")


def shown_id(ref):
    return int(re.match(r"Text #(\d+)", ref).group(1))


def test_annotator_labels_undoes_and_skips_then_lead_sees_it(live_server, open_page, project, annotator, lead):
    documents = make_documents(project, [EMAIL_TEXT] + [f"Quarterly sales text number {i}." for i in range(1, 9)],
                               spans={0: [{"type": "EMAIL", "start": 16, "end": 23}]})
    watch = open_page()
    page = watch.page
    log_in(watch, live_server.url, "annotator", "annotator-password")
    page.goto(f"{live_server.url}/projects/{project.id}/annotate/")

    # The first text (highest priority) shows its masked e-mail address, marked with its type.
    ref = wait_for_text(page, "")
    assert shown_id(ref) == documents[0].id
    mark = page.locator("#doc-text mark.pii")
    assert mark.text_content() == "[EMAIL]" and mark.get_attribute("data-type") == "EMAIL"
    assert "EMAIL" in mark.get_attribute("title")
    assert page.text_content("#doc-text") == EMAIL_TEXT
    page.wait_for_function("window.looplabelAnnotator.state.buffer.length === 2")  # prefetched

    # Five labels with the keyboard: 1 2 3 1 2.
    seen = []
    for key in "12312":
        seen.append(shown_id(ref))
        page.keyboard.press(key)
        ref = wait_for_text(page, ref)
    wait_all_saved(page)
    assert page.text_content("#labeled-today") == "5"

    # Undo (U) brings the fifth text back; S skips it.
    page.keyboard.press("u")
    ref = wait_for_text(page, ref)
    assert shown_id(ref) == seen[4]
    wait_all_saved(page)
    page.keyboard.press("s")
    ref = wait_for_text(page, ref)
    wait_all_saved(page)
    assert page.text_content("#labeled-today") == "4"

    stored = list(Annotation.objects.filter(annotator=annotator).order_by("id")
                  .values_list("document_id", "label__name"))
    assert stored == list(zip(seen[:4], ["positive", "neutral", "negative", "positive"]))
    assert list(Skip.objects.filter(annotator=annotator).values_list("document_id", flat=True)) == [seen[4]]

    timings = page.evaluate("window.looplabelTimings")
    assert len(timings) == 7 and all(t["ms"] >= 0 for t in timings)
    assert page.evaluate("performance.getEntriesByType('measure').filter(m => m.name.startsWith('looplabel:')).length") == 7
    screenshot(page, "annotator.png")
    assert watch.errors == []

    # The lead's dashboard shows the counts; a new model version updates the curve and the table.
    lead_watch = open_page()
    lead_page = lead_watch.page
    log_in(lead_watch, live_server.url, "lead", "lead-password")
    lead_page.goto(f"{live_server.url}/projects/{project.id}/dashboard/")
    assert lead_page.text_content('[data-kpi="used"] [data-part="value"]').strip() == "4"
    first_row = [c.strip() for c in lead_page.locator("#annotators-table tbody tr").first.locator("td").all_text_contents()]
    assert first_row[:2] == ["annotator", "4"] and first_row[3] == "1"
    assert "No model yet" in lead_page.text_content("#models-table")
    curve = lead_page.locator('img[data-chart="curve"]')
    old_src = curve.get_attribute("src")

    for number, labels, f1 in [(1, 4, 0.41), (2, 9, 0.63)]:
        ModelVersion.objects.create(project=project, number=number, base_model="tiny", artifact_dir="/nonexistent",
                                    label_names=["positive", "neutral", "negative"], labels_used=labels,
                                    train_size=labels, validation_size=2,
                                    metrics={"accuracy": f1 + 0.1, "macro_f1": f1, "per_class": {}})
    lead_page.evaluate("window.looplabelDashboard.refresh()")
    lead_page.wait_for_function("document.querySelector('#models-table tbody').textContent.includes('v2')")
    lead_page.wait_for_function("src => document.querySelector('img[data-chart=curve]').src !== src", arg=old_src)
    lead_page.wait_for_function("document.querySelector('img[data-chart=curve]').complete"
                                " && document.querySelector('img[data-chart=curve]').naturalWidth > 0")
    assert lead_page.text_content('[data-kpi="model"] [data-part="value"]').strip() == "v2"
    svg = lead_page.request.get(curve.get_attribute("src")).text()
    assert "macro-F1" in svg and "v1" in svg and "v2" in svg
    lead_page.evaluate("window.scrollTo(0, 0)")
    screenshot(lead_page, "dashboard.png", full_page=True)
    assert lead_watch.errors == []


def _session_cookie(user, live_server):
    client = Client()
    client.force_login(user)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}


def test_hostile_text_renders_inert(live_server, open_page, lead, annotator):
    project = create_project(lead, name=XSS[:200], guidelines=XSS,
                             labels=[{"name": "plain"}, {"name": XSS[:100]}])
    set_member(project, "annotator", "annotator")
    make_documents(project, [XSS, "harmless"], spans={0: [{"type": "<b>URL</b>", "start": 8, "end": 30}]})

    watch = open_page()
    watch.context.add_cookies([_session_cookie(annotator, live_server)])
    page = watch.page
    page.goto(f"{live_server.url}/projects/{project.id}/annotate/")
    wait_for_text(page, "")
    assert page.text_content("#doc-text") == XSS
    assert page.locator("#doc-text img, #doc-text script").count() == 0
    assert page.locator("#doc-text mark.pii").get_attribute("data-type") == "<b>URL</b>"
    assert XSS in page.text_content(".guidelines-text")
    assert page.locator(".label-btn .label-name").nth(1).text_content() == XSS[:100]
    assert page.locator(".crumb").text_content() == XSS[:200]
    assert page.evaluate("typeof window.__xss") == "undefined"
    screenshot(page, "annotator-xss.png")

    lead_watch = open_page(bypass_csp=False)  # with the real policy on: still no console errors
    lead_watch.context.add_cookies([_session_cookie(lead, live_server)])
    lead_page = lead_watch.page
    lead_page.goto(f"{live_server.url}/projects/{project.id}/dashboard/")
    assert XSS[:200] in lead_page.text_content(".crumb")
    assert lead_page.evaluate("typeof window.__xss") == "undefined"
    assert watch.errors == [] and lead_watch.errors == []


def test_failed_submission_is_retried_and_refused_one_reported(live_server, open_page, project, annotator):
    make_documents(project, [f"Text {i}" for i in range(6)])
    watch = open_page()
    watch.context.add_cookies([_session_cookie(annotator, live_server)])
    page = watch.page
    calls = {"n": 0}

    def flaky(route):
        calls["n"] += 1
        if calls["n"] == 1:
            route.abort("connectionrefused")  # the network drops the first submission
        elif calls["n"] == 3:
            route.fulfill(status=409, content_type="application/json",
                          body=json.dumps({"detail": "You do not hold document 0: its lease expired."}))
        else:
            route.continue_()

    page.route("**/annotations/", flaky)
    page.goto(f"{live_server.url}/projects/{project.id}/annotate/")
    ref = wait_for_text(page, "")
    first = shown_id(ref)
    page.keyboard.press("1")
    ref = wait_for_text(page, ref)
    page.wait_for_selector('#save-status[data-state="retrying"]')
    assert "1 waiting" in page.text_content("#save-status")
    assert json.loads(page.evaluate(f"localStorage.getItem('looplabel:pending:{annotator.id}:{project.id}')"))[0][
        "document"] == first
    page.click("#retry-now")
    wait_all_saved(page)
    assert Annotation.objects.filter(annotator=annotator, document_id=first).exists()

    page.keyboard.press("2")  # the third call: refused with 409
    wait_for_text(page, ref)
    page.wait_for_selector(".notice-error")
    assert "was not saved" in page.text_content(".notice-error")
    assert "lease expired" in page.text_content(".notice-error")
    wait_all_saved(page)
    assert Annotation.objects.filter(annotator=annotator).count() == 1
    # The only console errors are the two failed requests we caused.
    assert len(watch.errors) == 2 and all("Failed to load resource" in e for e in watch.errors)


def test_report_pii_takes_the_text_out_and_copes_without_the_endpoint(live_server, open_page, project, annotator):
    from labeling.models import Document

    documents = make_documents(project, ["Call me on [PHONE] tomorrow, Jane Roe.", "Another text."],
                               spans={0: [{"type": "PHONE", "start": 11, "end": 18}]})
    watch = open_page()
    watch.context.add_cookies([_session_cookie(annotator, live_server)])
    page = watch.page
    # First as on a server without the endpoint: Django's HTML 404.
    page.route("**/report-pii/", lambda route: route.fulfill(status=404, content_type="text/html", body="<h1>Not Found</h1>"))
    page.goto(f"{live_server.url}/projects/{project.id}/annotate/")
    ref = wait_for_text(page, "")
    page.click("#report-btn")
    page.fill("#report-note", "a name at the end")
    page.keyboard.press("1")  # typing in the note must not label the text
    page.click("#report-form button[type=submit]")
    page.wait_for_selector(".notice-warn")
    assert "not available" in page.text_content(".notice-warn")
    assert page.text_content("#doc-ref") == ref  # the text stays
    page.unroute("**/report-pii/")

    page.click("#report-btn")
    page.fill("#report-note", "a name at the end1")
    page.click("#report-form button[type=submit]")
    page.wait_for_selector(".notice-success")
    wait_for_text(page, ref)
    assert Document.objects.get(pk=documents[0].pk).state == "reported"
    assert Annotation.objects.count() == 0
    assert len(watch.errors) == 1 and "404" in watch.errors[0]  # the simulated missing endpoint


def test_suggestion_preselected_and_leases_resumed_after_reload(live_server, open_page, project, annotator):
    from labeling.models import Document, Lease

    project.preselect_suggestion = True
    project.save()
    documents = make_documents(project, ["Profits doubled.", "Sales fell.", "The meeting is on Monday.", "Extra."])
    negative = Label.objects.get(project=project, name="negative")
    Document.objects.filter(pk=documents[0].pk).update(suggested_label=negative, suggested_score=0.87)
    watch = open_page()
    watch.context.add_cookies([_session_cookie(annotator, live_server)])
    page = watch.page
    page.goto(f"{live_server.url}/projects/{project.id}/annotate/")
    ref = wait_for_text(page, "")
    assert "negative" in page.text_content("#suggestion") and "87%" in page.text_content("#suggestion")
    assert page.locator(".label-btn.preselected .label-name").text_content() == "negative"
    page.wait_for_function("window.looplabelAnnotator.state.buffer.length === 2")
    assert Lease.objects.filter(annotator=annotator).count() == 3

    # A reload resumes the three held texts instead of leasing new ones.
    page.reload()
    assert wait_for_text(page, "") == ref
    page.wait_for_function("window.looplabelAnnotator.state.buffer.length === 2")
    assert Lease.objects.filter(annotator=annotator).count() == 3

    page.keyboard.press("Enter")  # accepts the pre-selected suggestion
    wait_for_text(page, ref)
    wait_all_saved(page)
    assert list(Annotation.objects.values_list("document_id", "label__name")) == [(documents[0].id, "negative")]
    assert watch.errors == []

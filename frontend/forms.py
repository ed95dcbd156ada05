"""Forms of the lead pages. They check shapes; the labeling services decide what is allowed."""
from django import forms

from labeling.models import MaskingStrategy, QueryStrategy, Role
from privacy.detectors import ALWAYS_MASKED, DEFAULT_MASKED_TYPES

# The entity types a lead may choose to show; the rest (ALWAYS_MASKED) every project masks.
OPTIONAL_MASKED_TYPES = (("DATE", "Dates"), ("URL", "Links (URLs)"), ("LOCATION", "Places"),
                         ("ORGANIZATION", "Organisations"))


class ProjectSettingsForm(forms.Form):
    name = forms.CharField(max_length=200)
    guidelines = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 8}))
    label_budget = forms.IntegerField(required=False, min_value=0, help_text="Labels annotators may make; empty means no limit.")
    price_per_label = forms.DecimalField(required=False, min_value=0, max_digits=10, decimal_places=4,
                                         help_text="Used for the cost figures on the dashboard.")
    retrain_every = forms.IntegerField(min_value=1, initial=20, help_text="Start a training run after this many new labels.")
    query_strategy = forms.ChoiceField(choices=QueryStrategy.choices, initial=QueryStrategy.MARGIN)
    masking_strategy = forms.ChoiceField(choices=MaskingStrategy.choices, initial=MaskingStrategy.TAG,
                                         help_text="How personal data is hidden in texts imported from now on.")
    masked_entity_types = forms.MultipleChoiceField(
        required=False, label="Also mask", choices=OPTIONAL_MASKED_TYPES, widget=forms.CheckboxSelectMultiple,
        initial=[kind for kind, _ in OPTIONAL_MASKED_TYPES if kind in DEFAULT_MASKED_TYPES],
        help_text="In texts imported from now on. Names, street addresses, e-mails, phone, card and account "
                  "numbers, national IDs and IP addresses are always masked. Places and organisations are "
                  "often what a classifier needs to learn from.")
    evaluation_share = forms.FloatField(required=False, min_value=0.0, max_value=0.5, initial=0.1,
                                        help_text="Share of labels spent on a uniform random sample that measures the "
                                                  "model honestly (0 to 0.5; 0 turns it off).")
    preselect_suggestion = forms.BooleanField(required=False, label="Pre-select the model's suggestion",
                                              help_text="Annotators confirm it with Enter. Off by default: it can bias labels.")

    FIELDS = ("name", "guidelines", "label_budget", "price_per_label", "retrain_every", "query_strategy",
              "masking_strategy", "masked_entity_types", "evaluation_share", "preselect_suggestion")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("evaluation_share") is None:
            cleaned.pop("evaluation_share", None)  # left empty: keep the project's value
        if "masked_entity_types" in cleaned:
            cleaned["masked_entity_types"] = [*ALWAYS_MASKED, *cleaned["masked_entity_types"]]
        return cleaned

    @classmethod
    def initial_for(cls, project):
        initial = {name: getattr(project, name) for name in cls.FIELDS}
        initial["masked_entity_types"] = [kind for kind in project.masked_entity_types if kind not in ALWAYS_MASKED]
        return initial


def labels_from_post(data) -> list[dict]:
    """The label rows of the settings form (label_name/label_hotkey/label_color lists); blank names dropped."""
    names, hotkeys, colors = (data.getlist(f"label_{part}") for part in ("name", "hotkey", "color"))
    labels = []
    for i, name in enumerate(names):
        name = name.strip()
        if not name:
            continue
        hotkey = hotkeys[i].strip() if i < len(hotkeys) else ""
        color = colors[i].strip() if i < len(colors) else ""
        labels.append({"name": name, "hotkey": hotkey, "color": color or None})
    return labels


def label_rows(labels, blank=2) -> list[dict]:
    from .charts import safe_color  # <input type=color> accepts only #rrggbb

    rows = [{"name": label["name"], "hotkey": label["hotkey"], "color": safe_color(label["color"])} for label in labels]
    return rows + [{"name": "", "hotkey": "", "color": "#64748b"} for _ in range(blank)]


class ImportForm(forms.Form):
    file = forms.FileField(help_text="CSV, JSONL or plain text (one text per line).")
    text_field = forms.CharField(required=False, initial="text", help_text="Column or key holding the text (not for .txt).")
    label_field = forms.CharField(required=False, help_text="Optional: column with existing labels (seed labels).")
    id_field = forms.CharField(required=False,
                               help_text="Optional: column with your own ids (kept only as pseudonyms).")
    format = forms.ChoiceField(required=False, choices=[("", "from the file name"), ("csv", "CSV"), ("jsonl", "JSONL"),
                                                        ("txt", "plain text")])
    encoding = forms.CharField(initial="utf-8")


class MemberForm(forms.Form):
    username = forms.CharField(max_length=150)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.ANNOTATOR)
    can_view_raw = forms.BooleanField(required=False, label="May read original (unmasked) texts")

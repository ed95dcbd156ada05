"""Projects, their labels and their members."""
from django.contrib.auth import get_user_model
from django.db import transaction

from ..errors import InvalidInput, NotFound
from ..models import Label, Membership, Project, QueueTally, Role

LABEL_COLORS = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563", "#65a30d"]


def projects_for(user):
    """The projects a user may see: all for superusers, their own for everyone else."""
    projects = Project.objects.all()
    if not user.is_superuser:
        projects = projects.filter(memberships__user=user)
    return projects.prefetch_related("labels")


def role_in(project, user) -> str | None:
    if user.is_superuser:
        return Role.LEAD
    return Membership.objects.filter(project=project, user=user).values_list("role", flat=True).first()


def can_view_raw(project, user) -> bool:
    return user.is_superuser or Membership.objects.filter(project=project, user=user, can_view_raw=True).exists()


def _clean_labels(labels):
    if len(labels) < 2:
        raise InvalidInput("A classification project needs at least two labels.")
    names, hotkeys, cleaned = set(), set(), []
    for position, spec in enumerate(labels):
        name = (spec.get("name") or "").strip()
        if not name:
            raise InvalidInput(f"Label {position + 1} has no name.")
        hotkey = (spec.get("hotkey") or (str(position + 1) if position < 9 else "")).strip()
        if name in names:
            raise InvalidInput(f"Label {name!r} appears twice.")
        if hotkey and hotkey in hotkeys:
            raise InvalidInput(f"Hotkey {hotkey!r} is used by two labels.")
        if hotkey.lower() in {"s", "u"}:
            raise InvalidInput(f"Hotkey {hotkey!r} is reserved (S skips, U undoes).")
        names.add(name)
        hotkeys.add(hotkey)
        cleaned.append({"name": name, "hotkey": hotkey, "position": position,
                        "color": spec.get("color") or LABEL_COLORS[position % len(LABEL_COLORS)]})
    return cleaned


@transaction.atomic
def create_project(lead, *, labels, **fields) -> Project:
    cleaned = _clean_labels(labels)
    project = Project.objects.create(created_by=lead, **fields)
    QueueTally.objects.create(project=project)
    Label.objects.bulk_create([Label(project=project, **spec) for spec in cleaned])
    Membership.objects.create(project=project, user=lead, role=Role.LEAD, can_view_raw=True)
    return project


@transaction.atomic
def update_project(project, *, labels=None, **fields) -> Project:
    for name, value in fields.items():
        setattr(project, name, value)
    project.save()
    if labels is not None:
        _replace_labels(project, _clean_labels(labels))
    return project


def _replace_labels(project, cleaned):
    """Rename, recolour, add and reorder labels; a label already used on a document stays."""
    existing = {label.name: label for label in project.labels.all()}
    wanted = {spec["name"] for spec in cleaned}
    removed = [label for name, label in existing.items() if name not in wanted]
    in_use = [label.name for label in removed if label.annotations.exists()]
    if in_use:
        raise InvalidInput(f"Labels already used cannot be removed: {', '.join(in_use)}.")
    Label.objects.filter(pk__in=[label.pk for label in removed]).delete()
    # Clear hotkeys first so that swapping two keys does not trip the uniqueness constraint.
    project.labels.update(hotkey="")
    for spec in cleaned:
        Label.objects.update_or_create(project=project, name=spec["name"], defaults=spec)


def set_member(project, username, role, can_view_raw=False) -> Membership:
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise NotFound(f"There is no user {username!r}.")
    if role not in Role.values:
        raise InvalidInput(f"Unknown role {role!r}; use one of: {', '.join(Role.values)}.")
    membership, _ = Membership.objects.update_or_create(
        project=project, user=user, defaults={"role": role, "can_view_raw": can_view_raw}
    )
    return membership


def remove_member(project, username) -> None:
    deleted, _ = Membership.objects.filter(project=project, user__username=username).delete()
    if not deleted:
        raise NotFound(f"{username!r} is not a member of this project.")

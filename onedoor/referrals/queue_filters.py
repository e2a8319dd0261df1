"""The team queue's filters and search: a GET form, so that every filtered queue is a link that can be
bookmarked and works without JavaScript. A bad value is named in an error summary and left out; the queue
still answers with the filters that were good (never a 500)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import QuerySet

from onedoor.accounts.models import User
from onedoor.core.models import District, OffenceGroup
from onedoor.referrals.models import OPEN_STATUSES, Priority

ROUTE_IN_CHOICES = [
    ("", "Any"),
    ("police", "Police (overnight file or an officer)"),
    ("professional", "Another professional"),
    ("self", "Self-referral"),
]
ASSIGNEE_ME, ASSIGNEE_NOBODY = "me", "nobody"
CHOICE_ERRORS = {
    "status": "Choose an open status from the list",
    "priority": "Choose a priority from the list",
    "offence_group": "Choose an offence from the list",
    "district": "Choose a district from the list",
    "assignee": "Choose who the referral is with from the list: Me, Unassigned or a colleague",
    "route_in": "Choose a route in from the list",
}
_REFERENCE = re.compile(r"^(?:OD)?-?([0-9A-Z]{4})-?([0-9A-Z]{4})$")


def normalise_reference(text: str) -> str | None:
    """`od-ab12-cd34`, `AB12CD34`, ` OD-AB12-CD34 ` all mean OD-AB12-CD34; anything else is not a reference."""
    match = _REFERENCE.match(re.sub(r"\s+", "", text).upper())
    return f"OD-{match.group(1)}-{match.group(2)}" if match else None


@dataclass(frozen=True)
class QueueFilters:
    status: str | None = None
    priority: int | None = None
    offence_group: str | None = None
    district: str | None = None
    assignee: str | int | None = None  # ASSIGNEE_ME, ASSIGNEE_NOBODY or a colleague's id
    route_in: str | None = None
    overdue: bool = False
    reference: str | None = None

    @property
    def any(self) -> bool:
        return any(v not in (None, False) for v in self.__dict__.values())


class QueueFilterForm(forms.Form):
    """Every field is optional; `filters()` gives the ones that were good."""

    reference = forms.CharField(
        required=False,
        max_length=20,
        label="Reference",
        help_text="For example, OD-AB12-CD34",
        error_messages={"max_length": "Enter a reference like OD-AB12-CD34"},
    )
    status = forms.ChoiceField(required=False, label="Status")
    priority = forms.TypedChoiceField(
        required=False,
        label="Priority",
        coerce=int,
        empty_value=None,
        choices=[("", "Any"), *[(str(v), label) for v, label in Priority.choices]],
    )
    offence_group = forms.ChoiceField(required=False, label="Offence")
    district = forms.ChoiceField(required=False, label="District")
    assignee = forms.ChoiceField(required=False, label="With")
    route_in = forms.ChoiceField(required=False, label="Route in", choices=ROUTE_IN_CHOICES)
    overdue = forms.BooleanField(required=False, label="Overdue only")

    def __init__(self, data: Any, *, colleagues: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self._choose("status", [("", "Any open status"), *[(s.value, s.label) for s in OPEN_STATUSES]])
        self._choose(
            "offence_group", [("", "Any"), *OffenceGroup.objects.order_by("order", "name").values_list("slug", "name")]
        )
        self._choose("district", [("", "Any"), *District.objects.order_by("order").values_list("gss_code", "name")])
        self._choose(
            "assignee",
            [
                ("", "Anyone or nobody"),
                (ASSIGNEE_ME, "Me"),
                (ASSIGNEE_NOBODY, "Unassigned"),
                *[(str(u.pk), u.display_name()) for u in colleagues],
            ],
        )
        for name, message in CHOICE_ERRORS.items():
            self.fields[name].error_messages["invalid_choice"] = message

    def _choose(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def clean_reference(self) -> str | None:
        raw = self.cleaned_data.get("reference", "")
        if not raw.strip():
            return None
        reference = normalise_reference(raw)
        if reference is None:
            raise forms.ValidationError(
                "Enter a reference like OD-AB12-CD34: OD, then two groups of 4 letters or digits"
            )
        return reference

    def filters(self) -> QueueFilters:
        """The filters whose values were good (call after `is_valid()`)."""
        self.is_valid()
        good = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        assignee = good.get("assignee") or None
        return QueueFilters(
            status=good.get("status") or None,
            priority=good.get("priority"),
            offence_group=good.get("offence_group") or None,
            district=good.get("district") or None,
            assignee=int(assignee) if assignee and assignee.isdigit() else assignee,
            route_in=good.get("route_in") or None,
            overdue=bool(good.get("overdue")),
            reference=good.get("reference") or None,
        )

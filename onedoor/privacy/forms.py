from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone

from onedoor.privacy.services import RECTIFIABLE
from onedoor.privacy.subject_access import SearchTerms
from onedoor.referrals.forms import parse_flexible_date


class SubjectSearchForm(forms.Form):
    """Who the request is about. Sent by POST only: the terms are personal and never go in a URL."""

    first_name = forms.CharField(max_length=100, required=False, label="First name")
    last_name = forms.CharField(max_length=100, required=False, label="Last name")
    date_of_birth = forms.CharField(
        required=False, label="Date of birth", help_text="With the name. For example, 27/3/1980."
    )
    phone = forms.CharField(max_length=40, required=False, label="Phone number")
    email = forms.CharField(max_length=254, required=False, label="Email address")
    reference = forms.CharField(max_length=14, required=False, label="OneDoor reference", help_text="Like OD-ABCD-1234")

    def clean_date_of_birth(self) -> date | None:
        raw = self.cleaned_data.get("date_of_birth", "").strip()
        if not raw:
            return None
        dob = parse_flexible_date(raw)
        if dob is None:
            raise forms.ValidationError("Enter the date of birth as day/month/year, like 27/3/1980")
        return dob

    def terms(self) -> SearchTerms:
        d = self.cleaned_data
        return SearchTerms(
            first_name=d["first_name"],
            last_name=d["last_name"],
            date_of_birth=d["date_of_birth"],
            phone=d["phone"],
            email=d["email"],
            reference=d["reference"],
        )


def _optional_date(raw: str, what: str) -> date | None:
    text = (raw or "").strip()
    if not text:
        return None
    parsed = parse_flexible_date(text)
    if parsed is None:
        raise forms.ValidationError(f"Enter {what} as day/month/year, like 27/3/2026")
    return parsed


class _Request(forms.Form):
    """What every request to the officer records: why (in their words, no personal details), and when the
    person asked (today, unless said otherwise)."""

    reason = forms.CharField(
        max_length=500,
        label="Why",
        help_text="What the person asked for, and why this is the answer. Do not write their details here.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give a reason: what the person asked for, and why this is the answer."},
    )
    received_on = forms.CharField(
        required=False, label="When the person asked", help_text="Leave empty for today. For example, 27/3/2026."
    )

    def clean_received_on(self) -> date | None:
        received = _optional_date(self.cleaned_data.get("received_on", ""), "the date the person asked")
        if received is not None and received > timezone.localdate():
            raise forms.ValidationError("The date the person asked cannot be in the future")
        return received


class RectifyForm(_Request):
    prefix = "rectify"
    """The person's details as they should be. Only the fields the officer changed are corrected."""

    first_name = forms.CharField(max_length=100, label="First name")
    last_name = forms.CharField(max_length=100, required=False, label="Last name")
    date_of_birth = forms.CharField(required=False, label="Date of birth", help_text="For example, 27/3/1980.")
    phone = forms.CharField(max_length=40, required=False, label="Phone number")
    email = forms.CharField(max_length=254, required=False, label="Email address")
    postcode = forms.CharField(max_length=8, required=False, label="Postcode")
    preferred_language = forms.CharField(max_length=60, required=False, label="Preferred language")

    field_order = [*RECTIFIABLE, "reason", "received_on"]

    def clean_date_of_birth(self) -> date | None:
        return _optional_date(self.cleaned_data.get("date_of_birth", ""), "the date of birth")

    def changes(self) -> dict[str, Any]:
        """The corrected fields: those whose value differs from what is held."""
        d = self.cleaned_data
        return {n: d[n] for n in RECTIFIABLE if n in self.changed_data}


class ErasureForm(_Request):
    prefix = "erase"
    review_on = forms.CharField(
        required=False,
        label="If it must be refused, when to look at it again",
        help_text="Leave empty for the usual review date for the exemption. For example, 27/3/2027.",
    )

    def clean_review_on(self) -> date | None:
        return _optional_date(self.cleaned_data.get("review_on", ""), "the review date")


class RestrictForm(_Request):
    prefix = "restrict"


class LiftForm(forms.Form):
    prefix = "lift"
    reason = forms.CharField(
        max_length=500,
        label="Why the restriction can be lifted",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give a reason the restriction can be lifted."},
    )

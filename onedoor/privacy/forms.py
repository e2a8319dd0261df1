from __future__ import annotations

from datetime import date

from django import forms

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

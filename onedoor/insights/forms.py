"""The period chooser and filters every commissioner page takes, as a GET form. A period that does not parse,
has not ended, or is not the kind the page needs is a form error that says what to write; so is a filter
category the viewer may not choose (another provider's service, a district that does not exist)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django import forms

from onedoor.insights import dimensions as dims
from onedoor.insights import periods
from onedoor.insights.cells import NOT_RECORDED, NOT_RECORDED_LABEL, Category
from onedoor.insights.periods import Period, PeriodError, PeriodKind
from onedoor.insights.query import Filters

ALL = ""
# A breakdown choice meaning "each measure by its own first dimension".
BY_DEFAULT = ""
BY_TOTAL = "total"
BREAKDOWNS = (*dims.FILTER_DIMENSIONS, *dims.CHARACTERISTICS)


def _choices(categories: Sequence[Category], everything: str) -> list[tuple[str, str]]:
    return [(ALL, everything), *((c.code, c.label) for c in categories)]


class InsightsForm(forms.Form):
    period = forms.CharField(
        label="Period",
        max_length=40,
        required=False,
        help_text=f"Write {periods.EXAMPLES}. Only periods that have ended can be shown.",
    )
    service = forms.ChoiceField(label="Service", required=False)
    district = forms.ChoiceField(label="District", required=False)
    offence_group = forms.ChoiceField(label="Offence group", required=False)
    source = forms.ChoiceField(label="Route in", required=False)
    age_band = forms.ChoiceField(label="Age band", required=False)
    by = forms.ChoiceField(label="Break each measure down by", required=False)

    # The kinds of period the page can show, and what to say otherwise.
    kinds: tuple[PeriodKind, ...] = tuple(PeriodKind)
    kinds_error = ""

    def __init__(self, data: Any, *, services: Sequence[Category], today: date, **kwargs: Any) -> None:
        self.today = today
        # An unchosen period is the default one, shown in the box so the page says which period it is.
        data = {key: data.get(key, "") for key in self.base_fields} if data is not None else {}
        data["period"] = str(data.get("period") or "").strip() or self.default_period().code
        super().__init__(data, **kwargs)
        self._choose(
            "service",
            _choices([*services, Category(NOT_RECORDED, NOT_RECORDED_LABEL)], "All services"),
        )
        for name, everything in (
            (dims.DISTRICT, "All districts"),
            (dims.OFFENCE_GROUP, "All offence groups"),
            (dims.SOURCE, "All routes in"),
            (dims.AGE_BAND, "All ages"),
        ):
            self._choose(name, _choices(dims.categories(name), everything))
        self._choose(
            "by",
            [
                (BY_DEFAULT, "Each measure's first breakdown"),
                (BY_TOTAL, "No breakdown: totals only"),
                *((d, dims.DIMENSION_TITLES[d]) for d in BREAKDOWNS),
            ],
        )

    def _choose(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def default_period(self) -> Period:
        return periods.last_complete_quarter(today=self.today)

    def clean_period(self) -> Period:
        text = (self.cleaned_data.get("period") or "").strip()
        try:
            period = periods.check_publishable(periods.parse(text), today=self.today)
        except PeriodError as error:
            raise forms.ValidationError(str(error)) from error
        if period.kind not in self.kinds:
            raise forms.ValidationError(self.kinds_error or f"{period.label} is not a period this page shows.")
        return period

    @property
    def chosen_period(self) -> Period:
        value = self.cleaned_data["period"]
        assert isinstance(value, Period)
        return value

    @property
    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(**{name: (data.get(name) or None) for name in dims.FILTER_DIMENSIONS})

    @property
    def breakdown(self) -> str:
        return str(self.cleaned_data.get("by") or BY_DEFAULT)

    def filters_label(self) -> str:
        """The filters in words, for the page and an export's metadata."""
        parts = []
        for name in dims.FILTER_DIMENSIONS:
            value = self.cleaned_data.get(name)
            if value:
                label = dict(self.fields[name].choices).get(value, value)  # type: ignore[attr-defined]
                parts.append(f"{dims.DIMENSION_TITLES[name]}: {label}")
        return "; ".join(parts) or "No filters"


class QuarterForm(InsightsForm):
    """The quarterly return: a financial quarter only."""

    kinds = (PeriodKind.QUARTER,)
    kinds_error = "The quarterly return is for a financial quarter: write one such as FY2026-27-Q1."

    def __init__(self, data: Any, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.fields["period"].label = "Financial quarter"
        self.fields[
            "period"
        ].help_text = (
            "Write a financial quarter such as FY2026-27-Q1 (Q1 is April to June). Only quarters that have ended."
        )


class YearForm(InsightsForm):
    """The needs-assessment report: a financial year only."""

    kinds = (PeriodKind.YEAR,)
    kinds_error = "The report is for a financial year: write one such as FY2025-26."

    def __init__(self, data: Any, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.fields["period"].label = "Financial year"
        self.fields[
            "period"
        ].help_text = "Write a financial year such as FY2025-26 (April to March). Only years that have ended."

    def default_period(self) -> Period:
        return periods.last_complete_financial_year(today=self.today)


class CommentaryForm(forms.Form):
    text = forms.CharField(
        label="Commentary",
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="What the board should know about these figures. Write about services and trends, never a person.",
        error_messages={"required": "Write the commentary before saving it."},
    )

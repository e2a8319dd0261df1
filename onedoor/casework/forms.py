"""Casework forms: they parse input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms

from onedoor.accounts.models import User
from onedoor.casework.measures import MeasureSpec
from onedoor.casework.models import (
    CloseReason,
    ContactChannel,
    ContactOutcome,
    Coped,
    GoalStatus,
    GroundsDecision,
    Intervention,
    Level,
    Measure,
    MeasureStage,
    SafeguardingAgency,
    SessionKind,
)
from onedoor.core.models import NeedCategory
from onedoor.directory.models import Service, ServiceKind

YES_NO = [("yes", "Yes"), ("no", "No")]


class NeedChoiceField(forms.ModelChoiceField[NeedCategory]):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class ContactAttemptForm(forms.Form):
    channel = forms.ChoiceField(label="How did you try to make contact?", choices=ContactChannel.choices)
    outcome = forms.ChoiceField(label="What happened?", choices=ContactOutcome.choices)
    at = forms.DateTimeField(
        label="When", required=False, help_text="For example 2026-11-26 14:30. Leave blank for now."
    )
    note = forms.CharField(label="Note (optional)", required=False, max_length=500, widget=forms.Textarea)


class AssessmentForm(forms.Form):
    risk_to_self = forms.ChoiceField(label="Risk to self", choices=Level.choices)
    risk_from_others = forms.ChoiceField(label="Risk from others", choices=Level.choices)
    risk_to_others = forms.ChoiceField(label="Risk to others", choices=Level.choices)
    safeguarding_concern = forms.BooleanField(label="A safeguarding concern has been raised", required=False)
    safeguarding_referred_to = forms.ChoiceField(
        label="Safeguarding concern referred to",
        choices=[("none", "Not referred"), *[(v, label) for v, label in SafeguardingAgency.choices if v]],
        initial="none",
    )
    enhanced_rights = forms.ChoiceField(
        label="Is the person eligible for the Victims' Code Enhanced Rights?",
        choices=YES_NO,
        help_text="Worked out from the referral; change it if you know better.",
    )

    def __init__(self, *args: Any, needs: list[NeedCategory], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.needs = needs
        for need in needs:
            self.fields[f"need_{need.slug}"] = forms.ChoiceField(label=need.name, choices=Level.choices)
            self.fields[f"note_{need.slug}"] = forms.CharField(
                label=f"Note on {need.name.lower()} (optional)", required=False, max_length=300
            )

    def clean_safeguarding_referred_to(self) -> str:
        value: str = self.cleaned_data["safeguarding_referred_to"]
        return "" if value == "none" else value

    def need_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"need_{n.slug}"], self[f"note_{n.slug}"]) for n in self.needs]

    def ratings(self) -> dict[str, tuple[str, str]]:
        d = self.cleaned_data
        return {n.slug: (d[f"need_{n.slug}"], d[f"note_{n.slug}"]) for n in self.needs}


class PlanForm(forms.Form):
    headline = forms.CharField(
        label="Plan headline", max_length=300, help_text="One line. Shared with joint-working partners."
    )
    review_on = forms.DateField(label="Review date", help_text="For example 2026-12-24")


class GoalForm(forms.Form):
    need = NeedChoiceField(
        label="Need this goal addresses",
        queryset=NeedCategory.objects.all(),
        empty_label=None,
        error_messages={
            "required": "Choose the need this goal addresses",
            "invalid_choice": "Choose the need this goal addresses from the list",
        },
    )
    description = forms.CharField(
        label="Goal",
        max_length=300,
        error_messages={
            "required": "Describe the goal",
            "max_length": "Describe the goal in 300 characters or fewer",
        },
    )
    intervention = forms.ChoiceField(
        label="Intervention",
        choices=Intervention.choices,
        error_messages={
            "required": "Choose the intervention for this goal",
            "invalid_choice": "Choose an intervention this service offers",
        },
    )

    def __init__(self, *args: Any, offers: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if offers:  # only what the service offers
            self.fields["intervention"].choices = [c for c in Intervention.choices if c[0] in offers]  # type: ignore[attr-defined]


class ProgressNoteForm(forms.Form):
    note = forms.CharField(label="Progress note", max_length=1000, widget=forms.Textarea)
    status = forms.ChoiceField(label="Goal status", choices=GoalStatus.choices)


class MeasureForm(forms.Form):
    """One administration, item by item, with the published wording and answer options."""

    stage = forms.ChoiceField(
        label="When is this being given?",
        choices=MeasureStage.choices,
        error_messages={"required": "Say whether this is at the start, a review or closure"},
    )
    administered_on = forms.DateField(
        label="Date given",
        required=False,
        help_text="Leave blank for today",
        error_messages={"invalid": "Enter the date given as a real date, for example 27 3 2026"},
    )

    def __init__(self, *args: Any, spec: MeasureSpec, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = spec.items
        choices = [(str(v), option) for v, option in enumerate(spec.published.options)]
        for q in spec.questions:
            self.fields[f"item_{q.number}"] = forms.TypedChoiceField(
                label=f"{q.number}. {q.text}",
                choices=choices,
                coerce=int,
                help_text=(
                    f"Reverse-scored: OneDoor scores “{spec.published.options[0]}” as {spec.item_max} "
                    f"and “{spec.published.options[-1]}” as 0. Enter the answer as given."
                    if q.reverse
                    else ""
                ),
                error_messages={"required": f"Choose an answer for item {q.number}"},
            )

    def item_fields(self) -> list[forms.BoundField]:
        return [self[f"item_{n}"] for n in range(1, self.items + 1)]

    def answers(self) -> list[int]:
        return [self.cleaned_data[f"item_{n}"] for n in range(1, self.items + 1)]


class WaitingListForm(forms.Form):
    interim_support = forms.CharField(
        label="Interim support offered while waiting", required=False, max_length=500, widget=forms.Textarea
    )
    check_in_every_days = forms.IntegerField(label="Welfare check-in every (days)", initial=14, min_value=1)


class InterimSupportForm(forms.Form):
    interim_support = forms.CharField(
        label="Interim support offered",
        max_length=500,
        widget=forms.Textarea,
        help_text="For example online resources, group work, or a helpline",
    )


class CheckInForm(forms.Form):
    note = forms.CharField(label="How are they?", required=False, max_length=500)


class JointWorkingForm(forms.Form):
    partner_service = forms.ModelChoiceField(
        label="The other service", queryset=Service.objects.filter(kind=ServiceKind.COMMISSIONED, active=True)
    )
    consent_to_share = forms.ChoiceField(
        label="Has the person consented to sharing a summary with that service?", choices=YES_NO
    )


class OnwardForm(forms.Form):
    to_service = forms.ModelChoiceField(
        label="Refer to", queryset=Service.objects.filter(kind=ServiceKind.COMMISSIONED, active=True)
    )


class ExternalOnwardForm(forms.Form):
    to_service = forms.ModelChoiceField(
        label="Service from the directory", queryset=Service.objects.filter(kind=ServiceKind.SIGNPOST, active=True)
    )
    outcome = forms.CharField(label="Outcome, if known", required=False, max_length=300)


class TransitionForm(forms.Form):
    to_service = forms.ModelChoiceField(
        label="Adults' service",
        queryset=Service.objects.filter(kind=ServiceKind.COMMISSIONED, active=True, min_age__gte=18),
    )
    handover_meeting_on = forms.DateField(label="Handover meeting date", help_text="For example 2026-12-10")
    plan = forms.CharField(label="Transition plan", max_length=1000, widget=forms.Textarea)


class ModernSlaveryForm(forms.Form):
    first_responder = forms.CharField(label="First responder organisation", max_length=200)
    submitted_on = forms.DateField(label="Date submitted", help_text="For example 2026-11-26")
    adult_consents = forms.ChoiceField(
        label="Adults only: does the person consent to an NRM referral?",
        choices=YES_NO,
        required=False,
        help_text="Not asked for a child: a child is always referred into the NRM.",
    )


class GroundsForm(forms.Form):
    stage = forms.ChoiceField(
        label="Decision", choices=[("reasonable", "Reasonable grounds"), ("conclusive", "Conclusive grounds")]
    )
    decision = forms.ChoiceField(
        label="Outcome", choices=[(GroundsDecision.POSITIVE, "Positive"), (GroundsDecision.NEGATIVE, "Negative")]
    )
    decided_on = forms.DateField(label="Decision date")


class CloseForm(forms.Form):
    reason = forms.ChoiceField(label="Why is the case closing?", choices=CloseReason.choices)
    better_able_to_cope = forms.ChoiceField(
        label="Did the person feel better able to cope and recover?", choices=Coped.choices
    )
    needs_improved = forms.ModelMultipleChoiceField(
        label="Which needs improved?",
        queryset=NeedCategory.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    referrer_note = forms.CharField(
        label="Note for the referrer (optional)",
        required=False,
        max_length=500,
        help_text="The referrer sees that the case is closed and this note; nothing else.",
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(label="Why re-open the case?", max_length=500)


class SessionForm(forms.Form):
    practitioner: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Practitioner", queryset=User.objects.none(), empty_label=None
    )
    kind = forms.ChoiceField(label="Type", choices=SessionKind.choices)
    on = forms.DateField(label="Date", help_text="For example 2026-11-20")

    def __init__(self, *args: Any, practitioners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["practitioner"].queryset = practitioners  # type: ignore[attr-defined]


MEASURE_CHOICES = Measure.choices

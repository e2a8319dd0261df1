"""The standard referral form. The web page and the API both validate through this one class."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone

from onedoor.areas.current import out_of_area
from onedoor.core.contact import valid_phone_e164
from onedoor.core.models import CategoryKind, Characteristic, DemographicCategory, District, Flag, OffenceGroup
from onedoor.directory.models import Service
from onedoor.directory.selectors import district_for_postcode
from onedoor.referrals.eligibility import RerouteTarget, SuggestionGroup
from onedoor.referrals.models import ConsentGivenBy, DeclineReason, LawfulBasis
from onedoor.referrals.services import ReferralDetails

if TYPE_CHECKING:
    from onedoor.directory.models import Service

YES_NO = [("yes", "Yes"), ("no", "No")]
POSTCODE_RE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?) ?(\d[A-Z]{2})$")
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d %m %Y", "%d-%m-%Y")


def parse_flexible_date(value: str) -> date | None:
    cleaned = " ".join(value.strip().split())
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, fmt).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    return None


class DemographicChoiceField(forms.ModelChoiceField[DemographicCategory]):
    def label_from_instance(self, obj: DemographicCategory) -> str:
        return str(obj.label)


def _demographic(characteristic: str, label: str, hint: str = "") -> DemographicChoiceField:
    qs = DemographicCategory.objects.filter(characteristic=characteristic).exclude(kind=CategoryKind.NOT_RECORDED)
    return DemographicChoiceField(
        queryset=qs,
        required=False,
        label=label,
        help_text=hint,
        empty_label="Not asked",
        to_field_name="code",
    )


class ReferralForm(forms.Form):
    # The person
    first_name = forms.CharField(
        max_length=100, label="First name", error_messages={"required": "Enter the person's first name"}
    )
    last_name = forms.CharField(max_length=100, required=False, label="Last name")
    date_of_birth = forms.CharField(
        required=False,
        label="Date of birth",
        help_text="For example, 27/3/2008. If you do not know it, give their age instead.",
    )
    age = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=130,
        label="Age, if you do not know their date of birth",
        error_messages={
            "min_value": "Age must be 0 or more",
            "max_value": "Age must be 130 or less",
            "invalid": "Enter the age as a whole number, like 15",
        },
    )
    preferred_language = forms.CharField(
        max_length=60, required=False, label="Preferred language", help_text="For example, English, Polish, Panjabi"
    )
    interpreter_needed = forms.ChoiceField(
        choices=YES_NO,
        label="Do they need an interpreter?",
        error_messages={"required": "Say whether they need an interpreter"},
    )
    communication_needs = forms.CharField(
        max_length=500,
        required=False,
        label="Communication needs",
        help_text="For example, British Sign Language, easy read, large print, or a hearing loop",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    ethnicity = _demographic(Characteristic.ETHNICITY, "Ethnic group")
    sex = _demographic(Characteristic.SEX, "Sex")
    gender_identity = _demographic(
        Characteristic.GENDER_IDENTITY,
        "Is the gender they identify with the same as their sex registered at birth?",
        "Ask only people aged 16 or over",
    )
    sexual_orientation = _demographic(
        Characteristic.SEXUAL_ORIENTATION, "Sexual orientation", "Ask only people aged 16 or over"
    )
    disability = _demographic(
        Characteristic.DISABILITY,
        "Do they have a physical or mental health condition or illness lasting, or expected to last, "
        "12 months or more?",
    )
    religion = _demographic(Characteristic.RELIGION, "Religion")

    # Contact
    phone = forms.CharField(max_length=30, required=False, label="Phone number", help_text="A UK mobile or landline")
    email = forms.EmailField(
        required=False,
        label="Email address",
        error_messages={"invalid": "Enter an email address in the correct format, like name@example.com"},
    )
    phone_is_own = forms.BooleanField(
        required=False, label="I have checked this is the person's own number, not someone else's"
    )
    safe_to_call = forms.BooleanField(required=False, label="Call")
    safe_to_text = forms.BooleanField(required=False, label="Send a text message")
    safe_to_email = forms.BooleanField(required=False, label="Send an email")
    safe_to_leave_voicemail = forms.BooleanField(required=False, label="Leave a voicemail")
    best_times = forms.CharField(
        max_length=200, required=False, label="Best times to contact them", help_text="For example, weekdays after 4pm"
    )

    # Where
    district = forms.ModelChoiceField(
        queryset=District.objects.all(),
        to_field_name="gss_code",
        required=False,
        label="District where the person lives",
        empty_label="Choose a district",
        help_text="Leave this if you give their full postcode: the district is found from it",
    )
    postcode = forms.CharField(max_length=20, required=False, label="Postcode (optional)")

    # The crime
    reported_to_police = forms.ChoiceField(
        choices=YES_NO,
        label="Has it been reported to the police?",
        error_messages={"required": "Say whether it has been reported to the police"},
    )
    crime_reference = forms.CharField(max_length=40, required=False, label="Crime reference number")
    offence_group = forms.ModelChoiceField(
        queryset=OffenceGroup.objects.all(),
        to_field_name="slug",
        required=False,
        label="What kind of offence?",
        empty_label="Not known",
    )
    flags = forms.ModelMultipleChoiceField(
        queryset=Flag.objects.all(),
        to_field_name="slug",
        required=False,
        label="Does any of this apply?",
        widget=forms.CheckboxSelectMultiple,
    )

    # Why now
    reason = forms.CharField(
        max_length=500,
        label="Why are you referring now?",
        help_text="A sentence or two is enough. Do not include intimate details of what happened.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Say briefly why you are referring now",
            "max_length": "Keep the reason to 500 characters or fewer",
        },
    )
    risks_to_person = forms.CharField(
        max_length=500, required=False, label="Risks to the person", widget=forms.Textarea(attrs={"rows": 2})
    )
    risks_to_staff = forms.CharField(
        max_length=500,
        required=False,
        label="Risks the person may pose to staff",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    urgent = forms.BooleanField(
        required=False,
        label="The person is in immediate danger",
        help_text="First contact is then due today, and the service's team is alerted at once. If someone is in "
        "danger now, call 999 first.",
    )
    risk_to_life = forms.BooleanField(
        required=False, label="There is a risk to life", help_text="As for immediate danger: due today, team alerted."
    )

    # Consent
    consent = forms.ChoiceField(
        choices=[
            ("yes", "Yes, they (or a parent or guardian) agreed to the referral"),
            ("lawful_basis", "No, but there is a lawful basis to share without consent"),
            ("no", "No"),
        ],
        label="Has the person agreed to their details being shared with the support service?",
        error_messages={"required": "Say whether the person agreed to their details being shared"},
    )
    consent_given_by = forms.ChoiceField(choices=ConsentGivenBy.choices, required=False, label="Who gave consent?")
    consent_given_on = forms.CharField(
        required=False, label="When was consent given?", help_text="For example, 27/3/2026. Leave blank for today."
    )
    lawful_basis = forms.ChoiceField(
        choices=[c for c in LawfulBasis.choices if c[0]], required=False, label="Lawful basis for sharing"
    )
    lawful_basis_note = forms.CharField(
        max_length=500,
        required=False,
        label="Why does the lawful basis apply?",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    sections = [
        (
            "The person",
            [
                "first_name",
                "last_name",
                "date_of_birth",
                "age",
                "preferred_language",
                "interpreter_needed",
                "communication_needs",
            ],
        ),
        (
            "About them (optional)",
            ["ethnicity", "sex", "gender_identity", "sexual_orientation", "disability", "religion"],
        ),
        ("Contact", ["phone", "phone_is_own", "email", "best_times"]),
        ("Where", ["district", "postcode"]),
        ("The crime", ["reported_to_police", "crime_reference", "offence_group", "flags"]),
        ("Why now", ["reason", "risks_to_person", "risks_to_staff", "urgent", "risk_to_life"]),
        ("Consent", ["consent", "consent_given_by", "consent_given_on", "lawful_basis", "lawful_basis_note"]),
    ]
    safe_contact_fields = ["safe_to_call", "safe_to_text", "safe_to_email", "safe_to_leave_voicemail"]

    def clean_date_of_birth(self) -> date | None:
        raw = self.cleaned_data.get("date_of_birth", "")
        if not raw:
            return None
        dob = parse_flexible_date(raw)
        if dob is None:
            raise forms.ValidationError("Enter the date of birth as day/month/year, like 27/3/2008")
        if dob > timezone.localdate():
            raise forms.ValidationError("Date of birth must be in the past")
        if dob.year < 1890:
            raise forms.ValidationError("Check the year of the date of birth")
        return dob

    def clean_phone(self) -> str:
        raw = self.cleaned_data.get("phone", "").strip()
        if not raw:
            return ""
        number = valid_phone_e164(raw)
        if number is None:
            raise forms.ValidationError("Enter a UK phone number, like 07700 900 123 or 01926 123 456")
        return number

    def clean_postcode(self) -> str:
        raw = self.cleaned_data.get("postcode", "").upper().strip()
        if not raw:
            return ""
        match = POSTCODE_RE.match(" ".join(raw.split()))
        if not match:
            raise forms.ValidationError("Enter a full UK postcode, like CV34 4RL")
        # The area file's out-of-area rule: postcode districts a neighbouring force covers.
        if elsewhere := out_of_area(match.group(1)):
            raise forms.ValidationError(
                f"{match.group(1)} is in {elsewhere.place}, which {elsewhere.force} covers. "
                f"Refer to {elsewhere.place} services"
            )
        return f"{match.group(1)} {match.group(2)}"

    def _district_from_postcode(self, data: dict[str, Any]) -> None:
        """The district is the full postcode's, where OneDoor knows the postcode (ONSPD, for the area's postcode
        districts; a postcode district can straddle a boundary, so never the outward code's). Asked for
        otherwise."""
        if "postcode" in self.errors or "district" in self.errors:
            return
        derived = district_for_postcode(data.get("postcode", ""))
        chosen = data.get("district")
        if derived.district is not None:
            if chosen is not None and chosen.pk != derived.district.pk:
                self.add_error(
                    "district",
                    f"{data['postcode']} is in {derived.district.name}, not {chosen.name}. "
                    "Choose that district, or check the postcode",
                )
            else:
                data["district"] = derived.district
        elif derived.outside_area:
            self.add_error(
                "postcode",
                f"{data['postcode']} is not in one of this area's districts. Check the postcode, or refer the "
                "person to services where they live",
            )
        elif chosen is None:
            self.add_error(
                "district",
                "Choose the district where the person lives"
                + (" (we could not find that postcode)" if data.get("postcode") and derived.looked_up else ""),
            )

    def clean_consent_given_on(self) -> date | None:
        raw = self.cleaned_data.get("consent_given_on", "")
        if not raw:
            return None
        day = parse_flexible_date(raw)
        if day is None:
            raise forms.ValidationError("Enter the date consent was given as day/month/year, like 27/3/2026")
        if day > timezone.localdate():
            raise forms.ValidationError("The date consent was given must be today or in the past")
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._district_from_postcode(data)
        if (
            data.get("date_of_birth") is None
            and data.get("age") is None
            and "date_of_birth" not in self.errors
            and "age" not in self.errors
        ):
            self.add_error("date_of_birth", "Enter the person's date of birth, or their age if you do not know it")
        if (
            not data.get("phone")
            and not data.get("email")
            and "phone" not in self.errors
            and "email" not in self.errors
        ):
            self.add_error("phone", "Enter a phone number or an email address, so the service can contact the person")
        if data.get("phone") and not data.get("phone_is_own"):
            self.add_error(
                "phone_is_own", "Confirm you have checked the phone number is the person's own, not someone else's"
            )
        if not any(data.get(f) for f in self.safe_contact_fields):
            self.add_error("safe_to_call", "Choose at least one safe way to contact the person")
        if data.get("safe_to_text") and not data.get("phone") and "phone" not in self.errors:
            self.add_error("safe_to_text", "Enter a phone number, or do not choose text messages")
        if data.get("safe_to_email") and not data.get("email") and "email" not in self.errors:
            self.add_error("safe_to_email", "Enter an email address, or do not choose email")
        if data.get("reported_to_police") == "yes" and not data.get("crime_reference"):
            self.add_error("crime_reference", "Enter the crime reference number the police gave")
        if not data.get("offence_group") and not data.get("flags"):
            self.add_error("offence_group", "Choose the kind of offence, or at least one thing that applies")
        consent = data.get("consent")
        if consent == "yes" and not data.get("consent_given_by"):
            self.add_error("consent_given_by", "Say who gave consent: the person, or a parent or guardian")
        if consent == "lawful_basis":
            if not data.get("lawful_basis"):
                self.add_error("lawful_basis", "Choose the lawful basis for sharing without consent")
            if not data.get("lawful_basis_note"):
                self.add_error("lawful_basis_note", "Explain briefly why the lawful basis applies")
        if consent == "no":
            self.add_error(
                "consent",
                "You cannot refer without the person's consent or a lawful basis. Ask them for consent, "
                "record the lawful basis, or give them the services' contact details instead",
            )
        return data

    def to_details(self, *, referrer_organisation: str = "") -> ReferralDetails:
        d = self.cleaned_data
        consent = d["consent"] == "yes"
        return ReferralDetails(
            first_name=d["first_name"].strip(),
            last_name=d.get("last_name", "").strip(),
            date_of_birth=d.get("date_of_birth"),
            age=d.get("age"),
            preferred_language=d.get("preferred_language", ""),
            interpreter_needed=d["interpreter_needed"] == "yes",
            communication_needs=d.get("communication_needs", ""),
            demographics={
                c: d.get(c)
                for c in ("ethnicity", "sex", "gender_identity", "sexual_orientation", "disability", "religion")
            },
            phone=d.get("phone", ""),
            email=d.get("email", ""),
            safe_to_call=d.get("safe_to_call", False),
            safe_to_text=d.get("safe_to_text", False),
            safe_to_email=d.get("safe_to_email", False),
            safe_to_leave_voicemail=d.get("safe_to_leave_voicemail", False),
            best_times=d.get("best_times", ""),
            phone_is_own=d.get("phone_is_own", False),
            district=d["district"],
            postcode=d.get("postcode", ""),
            reported_to_police=d["reported_to_police"] == "yes",
            crime_reference=d.get("crime_reference", ""),
            offence_group=d.get("offence_group"),
            flags=list(d.get("flags") or []),
            reason=d["reason"],
            risks_to_person=d.get("risks_to_person", ""),
            risks_to_staff=d.get("risks_to_staff", ""),
            urgent=d.get("urgent", False),
            risk_to_life=d.get("risk_to_life", False),
            consent_given=consent,
            consent_given_by=d.get("consent_given_by", "") if consent else "",
            consent_given_on=d.get("consent_given_on") if consent else None,
            lawful_basis=d.get("lawful_basis", "") if d["consent"] == "lawful_basis" else "",
            lawful_basis_note=d.get("lawful_basis_note", "") if d["consent"] == "lawful_basis" else "",
            referrer_organisation=referrer_organisation,
        )


class DeclineForm(forms.Form):
    reason_code = forms.ChoiceField(
        label="Why are you declining this referral?",
        choices=[],
        error_messages={"required": "Choose why you are declining the referral"},
    )
    suggested_service = forms.ChoiceField(
        required=False,
        label="Suggest another service (optional)",
        help_text="Services that fit this referral's age, offence and district are listed first.",
        error_messages={"invalid_choice": "Choose a service from the list, or no suggestion"},
    )
    referrer_note = forms.CharField(
        max_length=500,
        required=False,
        label="Note for the referrer (optional)",
        help_text="The referrer will see this. Do not include case notes.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, groups: list[SuggestionGroup] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason_code"].choices = DeclineReason.choices  # type: ignore[attr-defined]
        self.services = {s.slug: s for g in groups or [] for s in g.services}
        self.fields["suggested_service"].choices = [  # type: ignore[attr-defined]
            ("", "No suggestion"),
            *((g.label, [(s.slug, s.name) for s in g.services]) for g in groups or []),
        ]

    def clean_suggested_service(self) -> Service | None:
        slug = self.cleaned_data.get("suggested_service") or ""
        return self.services.get(slug) if slug else None


class RerouteForm(forms.Form):
    to_service = forms.ChoiceField(
        label="Which service should this referral go to?",
        error_messages={
            "required": "Choose the service to send the referral to",
            "invalid_choice": "Choose a service from the list",
        },
    )
    override_reason = forms.CharField(
        max_length=500,
        required=False,
        label="If the service does not fit: why send it there anyway?",
        help_text="Needed only when the routing rules or the service's eligibility (age, offence, district) do not "
        "fit this referral. Kept with the referral for the teams, and audited; the referrer does not see it.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    referrer_note = forms.CharField(
        max_length=500,
        required=False,
        label="Note for the referrer (optional)",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, targets: list[RerouteTarget] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.targets = {t.service.slug: t for t in targets or []}
        fits = [(t.service.slug, t.service.name) for t in targets or [] if not t.mismatches]
        others = [
            (t.service.slug, f"{t.service.name} (does not fit: give a reason)") for t in targets or [] if t.mismatches
        ]
        self.fields["to_service"].choices = [  # type: ignore[attr-defined]
            ("", "Choose a service"),
            *([("Fits this referral", fits)] if fits else []),
            *([("Does not fit this referral", others)] if others else []),
        ]

    def clean_to_service(self) -> Service:
        return self.targets[self.cleaned_data["to_service"]].service

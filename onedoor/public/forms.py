"""Forms for the public pages. Labels are in plain words and translated."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onedoor.core.models import District, NeedCategory
from onedoor.directory.models import Satisfaction
from onedoor.directory.postcodes import postcode_find, postcode_normalise, postcodes_loaded
from onedoor.directory.selectors import district_for_postcode
from onedoor.public.journey import SITUATION_BY_KEY, SITUATIONS, Situation

OUTSIDE = "outside"


def district_choices() -> list[tuple[str, Any]]:
    return [
        *[(d.gss_code, d.name) for d in District.objects.all()],
        (OUTSIDE, _("Somewhere else, or I'd rather not say")),
    ]


def need_choices() -> list[tuple[str, Any]]:
    return [(n.slug, gettext(n.plain_name)) for n in NeedCategory.objects.all()]


class FindSupportForm(forms.Form):
    happened = forms.ChoiceField(
        label=_("What happened?"),
        help_text=_("Choose the one that is closest. You can tell a support service more later, if you want to."),
        choices=[(s.key, s.label) for s in SITUATIONS],
        error_messages={"required": _("Choose what happened, or 'Something else'")},
    )
    age = forms.IntegerField(
        label=_("How old are you?"),
        help_text=_("Some services are for children and young people, some for adults."),
        min_value=0,
        max_value=120,
        error_messages={
            "required": _("Enter your age in years"),
            "invalid": _("Enter your age as a number, like 15"),
            "min_value": _("Enter your age as a number, like 15"),
            "max_value": _("Enter your age as a number, like 15"),
        },
    )
    postcode = forms.CharField(
        label=_("Your postcode (optional)"),
        help_text=_("To show the nearest places first. Then you do not need to choose where you live."),
        max_length=10,
        required=False,
    )
    district = forms.ChoiceField(
        label=_("Where do you live?"),
        help_text=_("You can leave this if you gave your postcode."),
        choices=(),
        required=False,
    )
    told_police = forms.ChoiceField(
        label=_("Have you told the police?"),
        help_text=_("It is fine if you have not. You can get support either way."),
        choices=[("yes", _("Yes")), ("no", _("No")), ("not-sure", _("I'm not sure"))],
        required=False,
    )
    needs = forms.MultipleChoiceField(
        label=_("What would help? Choose any that matter to you"),
        choices=(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = district_choices()  # type: ignore[attr-defined]
        self.fields["needs"].choices = need_choices()  # type: ignore[attr-defined]

    def clean_postcode(self) -> str:
        raw = self.cleaned_data.get("postcode", "").strip()
        if not raw:
            return ""
        normal = postcode_normalise(raw)
        if normal is None:
            raise forms.ValidationError(_("Enter a full postcode, like CV34 4RL, or leave it empty"))
        return normal

    def clean(self) -> dict[str, Any]:
        """Where the person lives is their full postcode's district, where OneDoor knows the postcode; they
        choose it only when it cannot be found."""
        data = super().clean() or {}
        if "postcode" in self.errors:
            return data
        derived = district_for_postcode(data.get("postcode", ""))
        if derived.district is not None:
            data["district"] = derived.district.gss_code
        elif derived.outside_area:
            data["district"] = OUTSIDE
        elif not data.get("district"):
            message = _("Choose where you live, or 'Somewhere else'")
            if data.get("postcode") and derived.looked_up:
                message = _("We could not find that postcode. Choose where you live, or 'Somewhere else'")
            self.add_error("district", message)
        return data

    @property
    def situation(self) -> Situation:
        return SITUATION_BY_KEY[self.cleaned_data["happened"]]

    @property
    def district_code(self) -> str | None:
        value = self.cleaned_data.get("district")
        return None if value in (None, "", OUTSIDE) else value


class NearMeForm(forms.Form):
    postcode = forms.CharField(
        label=_("Your postcode"),
        help_text=_("We show the places nearest to it first. It is not kept."),
        max_length=10,
        error_messages={"required": _("Enter a postcode, like CV34 4RL")},
    )

    def clean_postcode(self) -> str:
        normal = postcode_normalise(self.cleaned_data.get("postcode", ""))
        if normal is None:
            raise forms.ValidationError(_("Enter a full postcode, like CV34 4RL"))
        if not postcodes_loaded():
            raise forms.ValidationError(
                _("Searching by postcode is not available at the moment. Call or text a service instead.")
            )
        if postcode_find(normal) is None:
            raise forms.ValidationError(_("We could not find that postcode in this area. Check it, or call a service"))
        return normal


LANGUAGE_CHOICES = [
    ("English", _("English")),
    ("Polish", _("Polish")),
    ("Panjabi", _("Panjabi")),
    ("Urdu", _("Urdu")),
    ("Gujarati", _("Gujarati")),
    ("Romanian", _("Romanian")),
    ("Portuguese", _("Portuguese")),
    ("Arabic", _("Arabic")),
    ("Nepali", _("Nepali")),
    ("British Sign Language", _("British Sign Language")),
    ("Other", _("Another language")),
]


class SelfReferralForm(FindSupportForm):
    """Refer yourself. No account. Only what a support service needs to get in touch safely."""

    first_name = forms.CharField(
        label=_("What should we call you?"),
        help_text=_("Your first name, or a name you are happy for us to use."),
        max_length=100,
        error_messages={"required": _("Enter a name we can call you")},
    )
    phone = forms.CharField(label=_("Phone number"), max_length=20, required=False)
    email = forms.EmailField(
        label=_("Email address"),
        required=False,
        error_messages={"invalid": _("Enter an email address like name@example.com")},
    )
    safe_ways = forms.MultipleChoiceField(
        label=_("Which ways are safe to contact you?"),
        help_text=_("We will only use the ways you choose. Think about who else might see or hear."),
        choices=[
            ("call", _("Phone call")),
            ("text", _("Text message")),
            ("email", _("Email")),
            ("voicemail", _("Leave a voicemail")),
        ],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one safe way to contact you")},
    )
    best_times = forms.CharField(
        label=_("When is a good and safe time to contact you? (optional)"),
        help_text=_("For example: weekdays after 3pm."),
        max_length=200,
        required=False,
    )
    language = forms.ChoiceField(label=_("Which language do you want to use?"), choices=LANGUAGE_CHOICES)
    interpreter = forms.BooleanField(label=_("I would like an interpreter"), required=False)
    what_happened = forms.CharField(
        label=_("Is there anything you want to tell us about what happened? (optional)"),
        help_text=_("A few words is enough. You do not have to say anything now."),
        max_length=600,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    consent = forms.BooleanField(
        label=_("I agree that OneDoor can pass these details to a support service so that they can contact me."),
        error_messages={"required": _("You need to agree before we can pass your details on")},
    )
    # A honeypot: hidden from people and screen readers; automated form-fillers fill it in.
    website = forms.CharField(required=False, label=_("Leave this empty"))

    field_order = [
        "first_name",
        "age",
        "postcode",
        "district",
        "happened",
        "what_happened",
        "told_police",
        "phone",
        "email",
        "safe_ways",
        "best_times",
        "language",
        "interpreter",
        "needs",
        "consent",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["postcode"].help_text = _("So that the service knows which area you are in.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        ways = set(data.get("safe_ways") or [])
        phone, email = data.get("phone", ""), data.get("email", "")
        if ways & {"call", "text", "voicemail"} and not phone:
            self.add_error("phone", gettext("Enter a phone number, or untick phone, text and voicemail"))
        if "email" in ways and not email:
            self.add_error("email", gettext("Enter an email address, or untick email"))
        if not phone and not email and "phone" not in self.errors and "email" not in self.errors:
            self.add_error(
                "phone", gettext("Enter a phone number or an email address so that a service can contact you")
            )
        return data

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("website"))


class FeedbackForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=_("Overall, how satisfied are you with the support you got?"),
        choices=[
            (Satisfaction.VERY_SATISFIED, _("Very satisfied")),
            (Satisfaction.SATISFIED, _("Satisfied")),
            (Satisfaction.NEITHER, _("Neither satisfied nor dissatisfied")),
            (Satisfaction.DISSATISFIED, _("Dissatisfied")),
            (Satisfaction.VERY_DISSATISFIED, _("Very dissatisfied")),
        ],
        coerce=int,
        error_messages={"required": _("Choose how satisfied you are")},
    )
    could_be_better = forms.CharField(
        label=_("What could be better? (optional)"),
        help_text=_(
            "Please do not include names or anything that could identify you, unless you want us to contact you."
        ),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    wants_contact = forms.BooleanField(label=_("I would like someone to contact me about my feedback"), required=False)
    contact_name = forms.CharField(
        label=_("Your name (only if you want us to contact you)"), max_length=100, required=False
    )
    contact_detail = forms.CharField(
        label=_("Phone number or email address (only if you want us to contact you)"), max_length=200, required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("wants_contact") and not data.get("contact_detail"):
            self.add_error("contact_detail", gettext("Enter a phone number or email address so we can contact you"))
        if not data.get("wants_contact"):
            data["contact_name"] = ""
            data["contact_detail"] = ""
        return data


class RightsForm(forms.Form):
    reported = forms.ChoiceField(
        label=_("Have you reported the crime to the police?"),
        choices=[("yes", _("Yes")), ("no", _("No, or not yet"))],
        required=False,
    )
    court = forms.ChoiceField(
        label=_("Is the case going to court?"),
        choices=[
            ("no", _("No, or I don't know yet")),
            ("yes", _("Yes")),
            ("convicted", _("Yes, and someone has been found guilty")),
        ],
        required=False,
    )

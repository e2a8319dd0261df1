from django import forms
from django.conf import settings

from onedoor.police.models import ReviewDecision


def upload_too_large(size: int | None) -> str | None:
    """The error for a transfer file over `ONEDOOR_POLICE_UPLOAD_MAX_MB`, said the same way on the upload
    page and in the API; None when the size is within it."""
    limit_mb = settings.ONEDOOR_POLICE_UPLOAD_MAX_MB
    if size is None or size <= limit_mb * 1024 * 1024:
        return None
    return (
        f"The file is {size / (1024 * 1024):,.1f} MB; the largest this service accepts is {limit_mb:,} MB. "
        "Split it into smaller files (each with the header row) and upload them one after another."
    )


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Upload the overnight transfer file",
        help_text="A CSV file in the police transfer format, version 1",
        error_messages={"required": "Choose the CSV file to upload"},
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        problem = upload_too_large(upload.size)
        if problem:
            raise forms.ValidationError(problem, code="too_large")
        return upload


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label="What should OneDoor do?",
        choices=ReviewDecision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to offer support to this person"},
    )
    note = forms.CharField(
        label="Note",
        help_text=(
            "Say what you checked and why you decided, for example the crime record you looked at. "
            "Do not write the person's name or contact details here."
        ),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Write a note saying what you checked, for example the crime record you looked at",
            "max_length": "The note must be 1,000 characters or fewer",
        },
    )

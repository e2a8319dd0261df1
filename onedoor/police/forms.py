from django import forms


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Upload the overnight transfer file",
        help_text="A CSV file in the police transfer format, version 1",
        error_messages={"required": "Choose the CSV file to upload"},
    )

"""Render Django form fields as GOV.UK Design System components."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def field_kind(bound: forms.BoundField) -> str:
    widget = bound.field.widget
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(bound.field, forms.ModelChoiceField):
        return "select"
    if isinstance(bound.field, forms.ChoiceField):
        return "radios"
    return "input"


def _choices(bound: forms.BoundField, kind: str) -> list[dict[str, Any]]:
    """The field's choices for the template. A select keeps its option groups, as {"group": label,
    "options": [...]}; radios and checkboxes have none."""
    value = bound.value()
    selected = {str(v) for v in value} if isinstance(value, list | tuple) else {str(value)} if value else set()
    out: list[dict[str, Any]] = []
    for i, (val, label) in enumerate(bound.field.choices):  # type: ignore[attr-defined]
        if isinstance(label, list | tuple):  # optgroup
            if kind == "select":
                options = [
                    {"value": str(v), "label": lab, "checked": str(v) in selected, "id": f"{bound.auto_id}-{i}-{j}"}
                    for j, (v, lab) in enumerate(label)
                ]
                out.append({"group": val, "options": options})
            continue
        key = str(getattr(val, "value", val))
        if key == "" and kind != "select":  # a select keeps its empty choice ("All ...", "Choose ...")
            continue
        out.append({"value": key, "label": label, "checked": key in selected, "id": f"{bound.auto_id}-{i}"})
    return out


@register.simple_tag
def govuk_field(bound: forms.BoundField, **options: Any) -> SafeString:
    kind = options.pop("kind", None) or field_kind(bound)
    context = {
        "field": bound,
        "kind": kind,
        "choices": _choices(bound, kind) if kind in {"radios", "checkboxes", "select"} else [],
        "errors": bound.errors,
        "value": bound.value() if bound.value() is not None else "",
        "inline": options.pop("inline", False),
        "width": options.pop("width", ""),
        **options,
    }
    return mark_safe(render_to_string("govuk/field.html", context))  # noqa: S308 - autoescaped template


@register.simple_tag
def govuk_error_summary(*forms_: forms.Form) -> SafeString:
    errors: list[dict[str, str]] = []
    for form in forms_:
        if form is None or not form.is_bound or form.is_valid():
            continue
        for name, msgs in form.errors.items():
            anchor = form[name].auto_id if name in form.fields else ""
            errors.extend({"anchor": anchor, "message": str(m)} for m in msgs)
    if not errors:
        return mark_safe("")
    return mark_safe(render_to_string("govuk/error_summary.html", {"errors": errors}))  # noqa: S308

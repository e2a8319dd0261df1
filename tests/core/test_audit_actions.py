"""The audit-action registry is whole: every member is written somewhere, every change in the admin has its
members, and no call writes an action that is not a member. The conftest checks that every audit row any
test writes has a member's action (tests/conftest.py, `_assert_audit_actions_registered`)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.contrib import admin

from onedoor.core.admin_audit import AuditedModelAdmin
from onedoor.core.audit_actions import ADMIN_VERBS, AuditAction, admin_action

SOURCE = Path(__file__).resolve().parents[2] / "onedoor"
AUDIT_CALLS = {"audit_record", "audit_config_change", "audit_record_many", "audit_record_rows"}


def _sources() -> dict[Path, str]:
    return {
        path: path.read_text()
        for path in SOURCE.rglob("*.py")
        if "migrations" not in path.parts and path.name != "audit_actions.py"
    }


def _audited_admin_models() -> dict[str, AuditedModelAdmin]:  # type: ignore[type-arg]
    return {
        model._meta.label_lower: model_admin
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, AuditedModelAdmin)
    }


def test_every_member_outside_the_admin_is_written_somewhere() -> None:
    used = set()
    for text in _sources().values():
        used |= set(re.findall(r"\bAuditAction\.([A-Z0-9_]+)\b", text))
    unused = {m.name for m in AuditAction if not m.name.startswith("ADMIN_")} - used
    assert not unused, f"AuditAction members nothing writes (remove them, or write them): {sorted(unused)}"
    unknown = used - set(AuditAction.__members__)
    assert not unknown


def test_every_audited_admin_model_has_its_members_and_no_admin_member_is_left_over() -> None:
    expected = set()
    for label, model_admin in _audited_admin_models().items():
        verbs = ADMIN_VERBS if model_admin.audit_additions else ADMIN_VERBS[1:]
        for verb in verbs:
            expected.add(admin_action(label=label, verb=verb))  # ValueError names a missing member
    admin_members = {m for m in AuditAction if m.name.startswith("ADMIN_")}
    assert admin_members == expected


def _is_a_string(value: ast.expr) -> bool:
    """A literal or f-string action, directly or as either branch of a conditional."""
    if isinstance(value, ast.IfExp):
        return _is_a_string(value.body) or _is_a_string(value.orelse)
    if any(isinstance(part, ast.JoinedStr) for part in ast.walk(value)):
        return True
    return isinstance(value, ast.Constant) and isinstance(value.value, str)


def test_no_call_passes_an_action_that_is_not_a_member() -> None:
    offenders = []
    for path, text in _sources().items():
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name not in AUDIT_CALLS:
                continue
            for keyword in node.keywords:
                if keyword.arg == "action" and _is_a_string(keyword.value):
                    offenders.append(f"{path.relative_to(SOURCE.parent)}:{node.lineno}")
    assert not offenders, f"audit actions written as strings (use an AuditAction member): {offenders}"

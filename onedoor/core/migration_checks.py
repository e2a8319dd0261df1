"""Checks a migration runs before it adds a database constraint: rows that already break the constraint are
reported by table, constraint and offending values (codes, never personal details), instead of the bare
IntegrityError the database would give halfway through the migration."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import migrations, models
from django.db.migrations.operations.base import Operation


class ExistingRowsBreakConstraint(Exception):
    """Rows already in the database do not satisfy a constraint a migration is about to add."""


def _fields(condition: object) -> list[str]:
    if not isinstance(condition, models.Q):
        return []
    names: set[str] = set()
    for child in condition.children:
        if isinstance(child, models.Q):
            names.update(_fields(child))
        else:
            names.add(str(child[0]).split("__")[0])  # type: ignore[index]  # a (lookup, value) pair
    return sorted(names)


def rows_must_satisfy(app_label: str, operations: Sequence[Operation]) -> migrations.RunPython:
    """A RunPython that refuses to go on while any row breaks a CheckConstraint the `operations` add."""
    checks = [
        (op.model_name, op.constraint)
        for op in operations
        if isinstance(op, migrations.AddConstraint) and isinstance(op.constraint, models.CheckConstraint)
    ]

    def check(apps: Any, schema_editor: Any) -> None:
        problems = []
        for model_name, constraint in checks:
            model = apps.get_model(app_label, model_name)
            breaking = model._base_manager.using(schema_editor.connection.alias).exclude(constraint.condition)
            count = breaking.count()
            if count:
                fields = _fields(constraint.condition)
                values = sorted({repr(v) for v in breaking.values_list(*fields).distinct()[:10]}) if fields else []
                problems.append(
                    f"{count} {app_label}.{model_name} row(s) break {constraint.name}; their {', '.join(fields)}: "
                    + ", ".join(values)
                )
        if problems:
            raise ExistingRowsBreakConstraint("Correct these rows, then migrate again:\n  " + "\n  ".join(problems))

    return migrations.RunPython(check, migrations.RunPython.noop, elidable=True)

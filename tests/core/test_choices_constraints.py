"""Every model field with choices has a database check, so a value outside them is refused by the database
itself (SQLite and PostgreSQL alike), not only by forms. Migrations check existing rows first."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, migrations, models, transaction

from onedoor.accounts.models import User
from onedoor.core.migration_checks import ExistingRowsBreakConstraint, rows_must_satisfy
from onedoor.messaging.models import Channel, InvalidContact, Message
from onedoor.referrals.models import SignpostRecord
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

# The fields whose checks issue 16 added (the others had theirs already, each tested with its model).
ADDED = {
    "core.DemographicCategory": ["characteristic", "kind"],
    "core.VictimsCodeRight": ["applies_to"],
    "accounts.Organisation": ["kind"],
    "accounts.User": ["role"],
    "directory.Service": ["kind"],
    "directory.Phone": ["kind"],
    "directory.TranslationReview": ["status"],
    "referrals.Referral": ["consent_given_by", "lawful_basis"],
    "referrals.StatusEvent": ["from_status"],
    "referrals.RoutingRule": ["precedence"],
    "referrals.SignpostRecord": ["source"],
    "messaging.Message": ["channel"],
    "messaging.InvalidContact": ["channel"],
}


def _choices_fields() -> list[tuple[type[models.Model], models.Field]]:  # type: ignore[type-arg]
    return [
        (model, field)
        for model in apps.get_models()
        if model.__module__.startswith("onedoor.")
        for field in model._meta.concrete_fields
        if field.choices
    ]


def _required_lookups(condition: object) -> set[str]:
    """The lookups a condition requires of every row: its own when it is a plain AND, or those every branch
    of an OR requires (so `Q(x__in=...) | Q(x="")` requires nothing, but the database check still holds)."""
    if not isinstance(condition, models.Q) or condition.negated:
        return set()
    parts = [
        _required_lookups(child) if isinstance(child, models.Q) else {str(child[0])}  # type: ignore[index]
        for child in condition.children
    ]
    if condition.connector == models.Q.AND:
        return set().union(*parts)
    return {lookup for lookup in parts[0] if all(lookup in part for part in parts)} if parts else set()


def _checked(model: type[models.Model], field: models.Field) -> bool:  # type: ignore[type-arg]
    # `field__in` the choices (alone, ANDed with other rules, or OR'd with a blank), or for integer choices
    # that are a run (satisfaction 1 to 5) a range.
    for constraint in model._meta.constraints:
        if not isinstance(constraint, models.CheckConstraint):
            continue
        condition = constraint.condition
        required = _required_lookups(condition)
        if isinstance(condition, models.Q) and condition.connector == models.Q.OR and not condition.negated:
            blank_or_in = {str(c[0]) for c in condition.children if not isinstance(c, models.Q)}  # type: ignore[index]
            if {f"{field.name}__in", field.name} <= blank_or_in:
                return True
        if f"{field.name}__in" in required or {f"{field.name}__gte", f"{field.name}__lte"} <= required:
            return True
    return False


def test_every_choices_field_has_a_database_check() -> None:
    missing = [f"{m._meta.label}.{f.name}" for m, f in _choices_fields() if not _checked(m, f)]
    assert not missing, f"choices fields without a CheckConstraint: {missing}"


def test_the_database_refuses_a_value_outside_the_choices(referrer: User) -> None:
    make_referral(referrer=referrer)  # a referral, its status event and (perhaps) its messages
    SignpostRecord.objects.create(source="self", reason="test")
    Message.objects.create(kind="test", channel=Channel.SMS)
    InvalidContact.objects.create(channel=Channel.SMS, contact_key="k" * 64, marked_at="2026-01-01T00:00:00Z")
    refused, untested = [], []
    added = [(m, f) for m, f in _choices_fields() if f.name in ADDED.get(m._meta.label, [])]
    assert len(added) == sum(len(names) for names in ADDED.values())
    for model, field in added:
        row = model._base_manager.order_by("pk").first()
        if row is None:
            untested.append(f"{model._meta.label}.{field.name}")
            continue
        bogus = 999 if isinstance(field, models.IntegerField) else "zz"
        try:
            with transaction.atomic():
                model._base_manager.filter(pk=row.pk).update(**{field.attname: bogus})
        except IntegrityError:
            refused.append(field)
        else:
            pytest.fail(f"{connection.vendor} accepted {bogus!r} in {model._meta.label}.{field.name}")
    assert not untested, f"no row to try: {untested}"
    assert len(refused) == len(added)


def test_a_migration_names_the_rows_that_break_a_new_constraint() -> None:
    constraint = models.CheckConstraint(condition=models.Q(kind__in=["voluntary"]), name="only_voluntary")
    check = rows_must_satisfy("accounts", [migrations.AddConstraint(model_name="organisation", constraint=constraint)])
    with pytest.raises(ExistingRowsBreakConstraint, match=r"accounts\.organisation row\(s\) break only_voluntary"):
        check.code(apps, SimpleNamespace(connection=connection))  # type: ignore[arg-type]
    allowed = models.CheckConstraint(condition=~models.Q(kind="not-a-kind"), name="anything_real")
    fine = rows_must_satisfy("accounts", [migrations.AddConstraint(model_name="organisation", constraint=allowed)])
    fine.code(apps, SimpleNamespace(connection=connection))  # type: ignore[arg-type]  # no error: passes

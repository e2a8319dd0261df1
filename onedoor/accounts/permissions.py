"""What the administrator role may do in the admin: configuration, never cases.

Administrators manage organisations, users, services and the directory, routing rules, message templates and
reference data. They can see the ledgers (police batches, messages' statuses, audit events) but not change
them, and they can remove a user's authenticator device so that the user can enrol again. Referrals and
casework are not in the admin at all. The group is kept in step with this list after every migration.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import transaction

ADMINISTRATORS_GROUP = "Administrators"

MANAGE = ("view", "add", "change")
VIEW = ("view",)

ADMINISTRATOR_PERMISSIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("accounts", "organisation"): MANAGE,
    ("accounts", "user"): MANAGE,  # deactivate rather than delete: the audit log points at users
    ("accounts", "apitoken"): (*MANAGE, "delete"),
    ("otp_totp", "totpdevice"): ("view", "delete"),  # reset a lost authenticator
    ("core", "district"): ("view", "change"),
    ("core", "offencegroup"): ("view", "change"),
    ("core", "flag"): ("view", "change"),
    ("core", "needcategory"): ("view", "change"),
    ("core", "victimscoderight"): ("view", "change"),
    ("core", "demographiccategory"): ("view", "change"),
    ("core", "outcometype"): ("view", "change"),
    ("core", "referencedataversion"): VIEW,
    ("core", "auditevent"): VIEW,
    ("core", "workerheartbeat"): VIEW,  # the "Workers and backlog" page
    ("directory", "service"): MANAGE,
    ("directory", "directoryorganisation"): MANAGE,
    ("directory", "taxonomy"): MANAGE,
    ("directory", "taxonomyterm"): MANAGE,
    ("directory", "location"): (*MANAGE, "delete"),
    ("directory", "translationreview"): ("view", "change"),
    ("directory", "feedback"): VIEW,
    ("directory", "feedbacklink"): VIEW,
    ("referrals", "routingrule"): (*MANAGE, "delete"),
    ("messaging", "messagetemplate"): ("view", "change"),
    ("messaging", "message"): VIEW,
    ("messaging", "invalidcontact"): VIEW,
    ("police", "policebatch"): VIEW,
    ("django_tasks_database", "dbtaskresult"): VIEW,
}


@transaction.atomic
def sync_administrators_group(**kwargs: Any) -> None:
    group, _ = Group.objects.get_or_create(name=ADMINISTRATORS_GROUP)
    wanted = [f"{action}_{model}" for (_app, model), actions in ADMINISTRATOR_PERMISSIONS.items() for action in actions]
    perms = [
        p
        for p in Permission.objects.filter(codename__in=wanted).select_related("content_type")
        if (p.content_type.app_label, p.content_type.model) in ADMINISTRATOR_PERMISSIONS
        and p.codename.split("_", 1)[0] in ADMINISTRATOR_PERMISSIONS[(p.content_type.app_label, p.content_type.model)]
    ]
    group.permissions.set(perms)

"""Caseworker and team-lead pages. Views parse input and call onedoor.casework.services; every case they
show is fetched through a selector that answers 404 to anyone who may not see it, and every view of a
case is audited."""

from onedoor.casework.views.assessments import assessment
from onedoor.casework.views.case_page import case
from onedoor.casework.views.caseloads import alert_acknowledge, alerts, my_cases, sessions, shared_summary, team
from onedoor.casework.views.closure import close, reopen
from onedoor.casework.views.contacts import contact, unable_to_contact
from onedoor.casework.views.joint_working import joint, joint_end, onward, onward_external, transition
from onedoor.casework.views.measures import measure
from onedoor.casework.views.modern_slavery import slavery, slavery_decision
from onedoor.casework.views.plans import goal_add, goal_note, plan
from onedoor.casework.views.waiting import (
    check_in,
    interim_support,
    position_message,
    start_support,
    waiting_add,
    waiting_list,
)

__all__ = [
    "alert_acknowledge",
    "alerts",
    "assessment",
    "case",
    "check_in",
    "close",
    "contact",
    "goal_add",
    "goal_note",
    "interim_support",
    "joint",
    "joint_end",
    "measure",
    "my_cases",
    "onward",
    "onward_external",
    "plan",
    "position_message",
    "reopen",
    "sessions",
    "shared_summary",
    "slavery",
    "slavery_decision",
    "start_support",
    "team",
    "transition",
    "unable_to_contact",
    "waiting_add",
    "waiting_list",
]

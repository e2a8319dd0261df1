"""Every casework change, one module per part of the work (DESIGN: services). Each function is one
transaction that writes the change and its audit row together; status changes go through
onedoor.referrals.services, one function per transition. Import from here: the modules are the layout,
this package is the interface."""

from onedoor.casework.selectors import enhanced_rights_suggestion
from onedoor.casework.services._common import CASE_STATUSES, CaseworkError, UnsafeContact
from onedoor.casework.services.assessment import assessment_record
from onedoor.casework.services.closure import case_close, case_reopen
from onedoor.casework.services.contact import contact_attempt_record, contact_unable_to_contact_close
from onedoor.casework.services.joint_working import (
    joint_working_end,
    joint_working_start,
    onward_referral_external,
    onward_referral_make,
    transition_start,
)
from onedoor.casework.services.measures import alert_acknowledge, measure_record
from onedoor.casework.services.modern_slavery import modern_slavery_decision_record, modern_slavery_record
from onedoor.casework.services.plan import goal_add, goal_progress_note_add, support_plan_save
from onedoor.casework.services.practitioners import practitioner_session_record
from onedoor.casework.services.waiting_list import (
    support_start,
    waiting_list_add,
    waiting_list_interim_support_record,
    waiting_list_position_message_request,
    welfare_check_in_complete,
)

__all__ = [
    "CASE_STATUSES",
    "CaseworkError",
    "UnsafeContact",
    "alert_acknowledge",
    "assessment_record",
    "case_close",
    "case_reopen",
    "contact_attempt_record",
    "contact_unable_to_contact_close",
    "enhanced_rights_suggestion",
    "goal_add",
    "goal_progress_note_add",
    "joint_working_end",
    "joint_working_start",
    "measure_record",
    "modern_slavery_decision_record",
    "modern_slavery_record",
    "onward_referral_external",
    "onward_referral_make",
    "practitioner_session_record",
    "support_plan_save",
    "support_start",
    "transition_start",
    "waiting_list_add",
    "waiting_list_interim_support_record",
    "waiting_list_position_message_request",
    "welfare_check_in_complete",
]

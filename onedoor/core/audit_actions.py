"""Every action the audit log records, in one registry. `audit_record` and its siblings accept only a member,
so an action is never a free string or built by an f-string: a new action is a new member here.

The stored value is the member's string, unchanged from before the registry, so existing rows still read
the same and `AuditEvent.objects.filter(action="referral.accepted")` still works (a StrEnum equals its value).
"""

from __future__ import annotations

from enum import StrEnum, unique


@unique
class AuditAction(StrEnum):
    # -- refused access (onedoor.core.audit.audit_refusal) --
    ACCESS_REFUSED = "access.refused"

    # -- accounts: sign-in, sessions, passwords, two-factor, API tokens --
    API_TOKEN_CREATED = "api_token.created"
    API_TOKEN_REVOKED = "api_token.revoked"
    USER_CREATED = "user.created"
    USER_STATUS_EMAILS_CHANGED = "user.status_emails_changed"
    USER_SIGNED_IN = "user.signed_in"
    USER_SIGNED_IN_WITH_LINK = "user.signed_in_with_link"
    USER_SIGNED_OUT = "user.signed_out"
    USER_SESSION_ENDED = "user.session_ended"
    USER_SIGN_IN_FAILED = "user.sign_in_failed"
    USER_SIGN_IN_LOCKED_OUT = "user.sign_in_locked_out"
    USER_SIGN_IN_UNLOCKED = "user.sign_in_unlocked"
    USER_SIGN_IN_LINK_REQUESTED = "user.sign_in_link_requested"
    USER_PASSWORD_RESET_REQUESTED = "user.password_reset_requested"
    USER_PASSWORD_RESET_SENT = "user.password_reset_sent"
    USER_PASSWORD_RESET = "user.password_reset"
    USER_PASSWORD_CHANGED = "user.password_changed"
    TWO_FACTOR_ENROLLED = "two_factor.enrolled"
    TWO_FACTOR_CONFIRMED = "two_factor.confirmed"
    TWO_FACTOR_VERIFIED = "two_factor.verified"
    TWO_FACTOR_FAILED = "two_factor.failed"

    # -- the personal data lifecycle (onedoor.privacy) --
    RETENTION_APPLIED = "retention.applied"
    RETENTION_DRY_RUN = "retention.dry_run"
    LEGAL_HOLD_SET = "legal_hold.set"
    LEGAL_HOLD_LIFTED = "legal_hold.lifted"
    SUBJECT_SEARCHED = "subject_access.searched"
    SUBJECT_EXPORTED = "subject_access.exported"
    SUBJECT_REFERRAL_VIEWED = "subject_access.referral_viewed"
    PERSON_RECTIFIED = "person.rectified"
    PERSON_ERASED = "person.erased"
    ERASURE_REFUSED = "erasure.refused"
    PROCESSING_RESTRICTED = "processing.restricted"
    PROCESSING_RESTRICTION_LIFTED = "processing.restriction_lifted"
    CONSENT_WITHDRAWN = "consent.withdrawn"
    MATCH_KEYS_REKEYED = "match_keys.rekeyed"

    # -- area configuration --
    AREA_LOADED = "area.loaded"
    AREA_RESET = "area.reset"

    # -- insights context: public crime files and Census comparators as reference data (issue 13) --
    CONTEXT_LSOA_LOOKUP_LOADED = "context.lsoa_lookup_loaded"
    CONTEXT_POLICE_UK_IMPORTED = "context.police_uk_imported"
    CONTEXT_CENSUS_LOADED = "context.census_loaded"
    CONTEXT_BOUNDARIES_LOADED = "context.boundaries_loaded"

    # -- the public front door and the directory --
    POSTCODES_LOADED = "postcodes.loaded"
    FEEDBACK_RECEIVED = "feedback.received"
    FEEDBACK_LINK_ISSUED = "feedback_link.issued"

    # -- referrals: creation, each status a transition reaches, assignment, views --
    REFERRAL_CREATED = "referral.created"
    REFERRAL_SIGNPOSTED = "referral.signposted"
    REFERRAL_TRIAGED = "referral.triaged"
    REFERRAL_ACCEPTED = "referral.accepted"
    REFERRAL_WAITING = "referral.waiting"
    REFERRAL_CONTACT_ATTEMPTED = "referral.contact_attempted"
    REFERRAL_CONTACTED = "referral.contacted"
    REFERRAL_ENGAGED = "referral.engaged"
    REFERRAL_NOT_ENGAGED = "referral.not_engaged"
    REFERRAL_DECLINED = "referral.declined"
    REFERRAL_REROUTED = "referral.rerouted"
    REFERRAL_REROUTE_OVERRIDDEN = "referral.reroute_overridden"
    REFERRAL_CLOSED = "referral.closed"
    REFERRAL_CLAIMED = "referral.claimed"
    REFERRAL_ASSIGNED = "referral.assigned"
    REFERRAL_CONTACT_UPDATED = "referral.contact_updated"
    REFERRAL_CONTACT_INVALID = "referral.contact_invalid"
    REFERRAL_VIEWED_CASE = "referral.viewed.case"
    REFERRAL_VIEWED_TIMELINE = "referral.viewed.timeline"
    REFERRAL_VIEWED_API = "referral.viewed.api"
    REFERRAL_VIEWED_CASEWORK = "referral.viewed.casework"
    REFERRAL_VIEWED_SHARED_SUMMARY = "referral.viewed.shared_summary"
    REFERRAL_VIEWED_FORM = "referral.viewed.form"
    REFERRAL_VIEWED_CONTACT = "referral.viewed.contact"
    REFERRAL_VIEWED_ASSESSMENT = "referral.viewed.assessment"
    REFERRAL_VIEWED_PLAN = "referral.viewed.plan"
    REFERRAL_VIEWED_GOAL_ADD = "referral.viewed.goal_add"
    REFERRAL_VIEWED_GOAL_NOTE = "referral.viewed.goal_note"
    REFERRAL_VIEWED_WAITING_ADD = "referral.viewed.waiting_add"
    REFERRAL_VIEWED_CHECK_IN = "referral.viewed.check_in"
    REFERRAL_VIEWED_INTERIM_SUPPORT = "referral.viewed.interim_support"
    REFERRAL_VIEWED_MEASURE = "referral.viewed.measure"
    REFERRAL_VIEWED_JOINT = "referral.viewed.joint"
    REFERRAL_VIEWED_ONWARD = "referral.viewed.onward"
    REFERRAL_VIEWED_ONWARD_EXTERNAL = "referral.viewed.onward_external"
    REFERRAL_VIEWED_TRANSITION = "referral.viewed.transition"
    REFERRAL_VIEWED_SLAVERY = "referral.viewed.slavery"
    REFERRAL_VIEWED_CLOSE = "referral.viewed.close"
    REFERRAL_VIEWED_REOPEN = "referral.viewed.reopen"

    # -- casework --
    CASEWORK_ASSESSMENT = "casework.assessment"
    CASEWORK_CLOSED = "casework.closed"
    CASEWORK_CONTACT_ATTEMPT = "casework.contact_attempt"
    CASEWORK_JOINT_WORKING_STARTED = "casework.joint_working_started"
    CASEWORK_JOINT_WORKING_ENDED = "casework.joint_working_ended"
    CASEWORK_ONWARD_COMMISSIONED = "casework.onward_commissioned"
    CASEWORK_ONWARD_TRANSITION = "casework.onward_transition"
    CASEWORK_ONWARD_EXTERNAL = "casework.onward_external"
    CASEWORK_MEASURE = "casework.measure"
    CASEWORK_ALERT_RAISED = "casework.alert_raised"
    CASEWORK_ALERT_ACKNOWLEDGED = "casework.alert_acknowledged"
    CASEWORK_MODERN_SLAVERY_NRM = "casework.modern_slavery_nrm"
    CASEWORK_MODERN_SLAVERY_MS1 = "casework.modern_slavery_ms1"
    CASEWORK_MODERN_SLAVERY_REASONABLE_GROUNDS = "casework.modern_slavery_reasonable_grounds"
    CASEWORK_MODERN_SLAVERY_CONCLUSIVE_GROUNDS = "casework.modern_slavery_conclusive_grounds"
    CASEWORK_PLAN_CREATED = "casework.plan_created"
    CASEWORK_PLAN_UPDATED = "casework.plan_updated"
    CASEWORK_GOAL_ADDED = "casework.goal_added"
    CASEWORK_PROGRESS_NOTE = "casework.progress_note"
    CASEWORK_PRACTITIONER_SESSION = "casework.practitioner_session"
    CASEWORK_WAITING_LIST_ADDED = "casework.waiting_list_added"
    CASEWORK_INTERIM_SUPPORT = "casework.interim_support"
    CASEWORK_CHECK_IN = "casework.check_in"
    CASEWORK_POSITION_MESSAGE_QUEUED = "casework.position_message_queued"

    # -- messaging --
    MESSAGE_CONTACT_INVALID = "message.contact_invalid"

    # -- the police transfer --
    POLICE_BATCH_STARTED = "police_batch.started"
    POLICE_BATCH_COMPLETED = "police_batch.completed"
    POLICE_BATCH_FAILED = "police_batch.failed"
    POLICE_BATCH_REJECTED = "police_batch.rejected"
    POLICE_RECORD_UPDATED = "police_record.updated"
    POLICE_RECORD_CONTACT_INVALID = "police_record.contact_invalid"
    POLICE_RECORD_FLAGGED_FOR_REVIEW = "police_record.flagged_for_review"
    POLICE_RECORD_REVIEWED = "police_record.reviewed"
    POLICE_RECORD_VIEWED = "police_record.viewed"

    # -- commissioner insights: every export, every commentary version --
    INSIGHTS_EXPORTED = "insights.exported"
    INSIGHTS_COMMENTARY_SAVED = "insights.commentary_saved"

    # -- background tasks --
    TASK_ABANDONED = "task.abandoned"
    TASK_RECOVERED = "task.recovered"

    # -- changes made in the admin (onedoor.core.admin_audit): "<app>.<model>.<created|changed|deleted>" --
    ADMIN_ACCOUNTS_APITOKEN_CREATED = "accounts.apitoken.created"
    ADMIN_ACCOUNTS_APITOKEN_CHANGED = "accounts.apitoken.changed"
    ADMIN_ACCOUNTS_APITOKEN_DELETED = "accounts.apitoken.deleted"
    ADMIN_ACCOUNTS_ORGANISATION_CREATED = "accounts.organisation.created"
    ADMIN_ACCOUNTS_ORGANISATION_CHANGED = "accounts.organisation.changed"
    ADMIN_ACCOUNTS_ORGANISATION_DELETED = "accounts.organisation.deleted"
    ADMIN_ACCOUNTS_USER_CHANGED = "accounts.user.changed"
    ADMIN_ACCOUNTS_USER_DELETED = "accounts.user.deleted"
    ADMIN_CORE_DEMOGRAPHICCATEGORY_CREATED = "core.demographiccategory.created"
    ADMIN_CORE_DEMOGRAPHICCATEGORY_CHANGED = "core.demographiccategory.changed"
    ADMIN_CORE_DEMOGRAPHICCATEGORY_DELETED = "core.demographiccategory.deleted"
    ADMIN_CORE_DISTRICT_CREATED = "core.district.created"
    ADMIN_CORE_DISTRICT_CHANGED = "core.district.changed"
    ADMIN_CORE_DISTRICT_DELETED = "core.district.deleted"
    ADMIN_CORE_FLAG_CREATED = "core.flag.created"
    ADMIN_CORE_FLAG_CHANGED = "core.flag.changed"
    ADMIN_CORE_FLAG_DELETED = "core.flag.deleted"
    ADMIN_CORE_NEEDCATEGORY_CREATED = "core.needcategory.created"
    ADMIN_CORE_NEEDCATEGORY_CHANGED = "core.needcategory.changed"
    ADMIN_CORE_NEEDCATEGORY_DELETED = "core.needcategory.deleted"
    ADMIN_CORE_OFFENCEGROUP_CREATED = "core.offencegroup.created"
    ADMIN_CORE_OFFENCEGROUP_CHANGED = "core.offencegroup.changed"
    ADMIN_CORE_OFFENCEGROUP_DELETED = "core.offencegroup.deleted"
    ADMIN_CORE_OUTCOMETYPE_CREATED = "core.outcometype.created"
    ADMIN_CORE_OUTCOMETYPE_CHANGED = "core.outcometype.changed"
    ADMIN_CORE_OUTCOMETYPE_DELETED = "core.outcometype.deleted"
    ADMIN_CORE_VICTIMSCODERIGHT_CREATED = "core.victimscoderight.created"
    ADMIN_CORE_VICTIMSCODERIGHT_CHANGED = "core.victimscoderight.changed"
    ADMIN_CORE_VICTIMSCODERIGHT_DELETED = "core.victimscoderight.deleted"
    ADMIN_DIRECTORY_DIRECTORYORGANISATION_CREATED = "directory.directoryorganisation.created"
    ADMIN_DIRECTORY_DIRECTORYORGANISATION_CHANGED = "directory.directoryorganisation.changed"
    ADMIN_DIRECTORY_DIRECTORYORGANISATION_DELETED = "directory.directoryorganisation.deleted"
    ADMIN_DIRECTORY_FEEDBACKLINK_CREATED = "directory.feedbacklink.created"
    ADMIN_DIRECTORY_FEEDBACKLINK_CHANGED = "directory.feedbacklink.changed"
    ADMIN_DIRECTORY_FEEDBACKLINK_DELETED = "directory.feedbacklink.deleted"
    ADMIN_DIRECTORY_LOCATION_CREATED = "directory.location.created"
    ADMIN_DIRECTORY_LOCATION_CHANGED = "directory.location.changed"
    ADMIN_DIRECTORY_LOCATION_DELETED = "directory.location.deleted"
    ADMIN_DIRECTORY_SERVICE_CREATED = "directory.service.created"
    ADMIN_DIRECTORY_SERVICE_CHANGED = "directory.service.changed"
    ADMIN_DIRECTORY_SERVICE_DELETED = "directory.service.deleted"
    ADMIN_DIRECTORY_TAXONOMY_CREATED = "directory.taxonomy.created"
    ADMIN_DIRECTORY_TAXONOMY_CHANGED = "directory.taxonomy.changed"
    ADMIN_DIRECTORY_TAXONOMY_DELETED = "directory.taxonomy.deleted"
    ADMIN_DIRECTORY_TAXONOMYTERM_CREATED = "directory.taxonomyterm.created"
    ADMIN_DIRECTORY_TAXONOMYTERM_CHANGED = "directory.taxonomyterm.changed"
    ADMIN_DIRECTORY_TAXONOMYTERM_DELETED = "directory.taxonomyterm.deleted"
    ADMIN_DIRECTORY_TRANSLATIONREVIEW_CREATED = "directory.translationreview.created"
    ADMIN_DIRECTORY_TRANSLATIONREVIEW_CHANGED = "directory.translationreview.changed"
    ADMIN_DIRECTORY_TRANSLATIONREVIEW_DELETED = "directory.translationreview.deleted"
    ADMIN_MESSAGING_MESSAGETEMPLATE_CREATED = "messaging.messagetemplate.created"
    ADMIN_MESSAGING_MESSAGETEMPLATE_CHANGED = "messaging.messagetemplate.changed"
    ADMIN_MESSAGING_MESSAGETEMPLATE_DELETED = "messaging.messagetemplate.deleted"
    ADMIN_OTP_TOTP_TOTPDEVICE_CREATED = "otp_totp.totpdevice.created"
    ADMIN_OTP_TOTP_TOTPDEVICE_CHANGED = "otp_totp.totpdevice.changed"
    ADMIN_OTP_TOTP_TOTPDEVICE_DELETED = "otp_totp.totpdevice.deleted"
    ADMIN_REFERRALS_ROUTINGRULE_CREATED = "referrals.routingrule.created"
    ADMIN_REFERRALS_ROUTINGRULE_CHANGED = "referrals.routingrule.changed"
    ADMIN_REFERRALS_ROUTINGRULE_DELETED = "referrals.routingrule.deleted"


ADMIN_VERBS = ("created", "changed", "deleted")


def admin_action(*, label: str, verb: str) -> AuditAction:
    """The member for a change to a model in the admin (`label` is the model's `app.model`). A model
    registered with `AuditedModelAdmin` needs its members above: without them this raises ValueError,
    which tests/core/test_audit_actions.py catches for every registered model."""
    if verb not in ADMIN_VERBS:
        raise ValueError(f"An admin change is one of {ADMIN_VERBS}, not {verb!r}")
    return AuditAction(f"{label}.{verb}")

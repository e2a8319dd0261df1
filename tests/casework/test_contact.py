from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from onedoor.accounts.models import Role, User
from onedoor.casework.models import ContactAttempt
from onedoor.casework.services import UnsafeContact, contact_attempt_record
from onedoor.core.models import AuditEvent
from onedoor.referrals.models import Referral, Status
from onedoor.referrals.selectors import referrer_timeline


def test_voicemail_where_unsafe_is_refused_and_says_why(
    accepted_case: Callable[..., Referral], caseworker: User
) -> None:
    case = accepted_case(safe_to_call=True, safe_to_leave_voicemail=False)
    with pytest.raises(UnsafeContact, match="not safe to leave a voicemail"):
        contact_attempt_record(referral=case, actor=caseworker, channel="phone", outcome="voicemail_left")
    assert not ContactAttempt.objects.filter(referral=case).exists()
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED


def test_text_where_unsafe_is_refused(accepted_case: Callable[..., Referral], caseworker: User) -> None:
    case = accepted_case(safe_to_text=False)
    with pytest.raises(UnsafeContact, match="not safe to text"):
        contact_attempt_record(referral=case, actor=caseworker, channel="text", outcome="no_answer")


def test_voicemail_where_safe_is_logged(accepted_case: Callable[..., Referral], caseworker: User) -> None:
    case = accepted_case(safe_to_leave_voicemail=True)
    contact_attempt_record(referral=case, actor=caseworker, channel="phone", outcome="voicemail_left")
    case.refresh_from_db()
    assert case.status == Status.CONTACT_ATTEMPTED


def test_first_successful_contact_moves_to_contacted_with_audit(
    accepted_case: Callable[..., Referral], caseworker: User
) -> None:
    case = accepted_case()
    contact_attempt_record(referral=case, actor=caseworker, channel="phone", outcome="no_answer")
    contact_attempt_record(referral=case, actor=caseworker, channel="phone", outcome="wrong_number")
    attempt = contact_attempt_record(referral=case, actor=caseworker, channel="phone", outcome="reached")
    case.refresh_from_db()
    assert case.status == Status.CONTACTED
    assert case.first_contacted_at is not None
    assert AuditEvent.objects.filter(action="casework.contact_attempt", object_id=str(attempt.pk)).exists()
    # A later successful contact changes nothing.
    contact_attempt_record(referral=case, actor=caseworker, channel="phone", outcome="reached")
    case.refresh_from_db()
    assert case.status == Status.CONTACTED


def test_unable_to_contact_after_n_attempts_over_m_days_is_not_engaged(
    accepted_case: Callable[..., Referral], caseworker: User
) -> None:
    case = accepted_case()  # Victim Support: 3 attempts over 10 days
    now = timezone.now()
    contact_attempt_record(
        referral=case, actor=caseworker, channel="phone", outcome="no_answer", at=now - timedelta(days=10)
    )
    contact_attempt_record(
        referral=case, actor=caseworker, channel="phone", outcome="no_answer", at=now - timedelta(days=5)
    )
    case.refresh_from_db()
    assert case.status == Status.CONTACT_ATTEMPTED
    contact_attempt_record(referral=case, actor=caseworker, channel="text", outcome="no_answer", at=now)
    case.refresh_from_db()
    assert case.status == Status.NOT_ENGAGED
    last = list(referrer_timeline(referral=case))[-1]
    assert last.to_status == Status.NOT_ENGAGED
    assert last.reason_code == "unable_to_contact"
    assert last.referrer_note == "Unable to contact after 3 attempts over 10 days."


def test_three_attempts_in_two_days_do_not_close(accepted_case: Callable[..., Referral], caseworker: User) -> None:
    case = accepted_case()
    now = timezone.now()
    for days in (2, 1, 0):
        contact_attempt_record(
            referral=case, actor=caseworker, channel="phone", outcome="no_answer", at=now - timedelta(days=days)
        )
    case.refresh_from_db()
    assert case.status == Status.CONTACT_ATTEMPTED


def test_another_organisation_cannot_log_contact(
    accepted_case: Callable[..., Referral], make_user: Callable[..., User]
) -> None:
    case = accepted_case()
    outsider = make_user(Role.CASEWORKER, org="rosa")
    with pytest.raises(PermissionDenied):
        contact_attempt_record(referral=case, actor=outsider, channel="phone", outcome="reached")


def test_close_as_unable_to_contact_once_the_window_has_passed(
    accepted_case: Callable[..., Referral], caseworker: User
) -> None:
    from onedoor.casework.services import CaseworkError, contact_unable_to_contact_close

    case = accepted_case()
    now = timezone.now()
    for days in (3, 2, 1):
        contact_attempt_record(
            referral=case, actor=caseworker, channel="phone", outcome="no_answer", at=now - timedelta(days=days)
        )
    with pytest.raises(CaseworkError, match="3 attempts over 10 days"):
        contact_unable_to_contact_close(referral=case, actor=caseworker)
    ContactAttempt.objects.filter(referral=case).update(at=now - timedelta(days=11))
    closed = contact_unable_to_contact_close(referral=case, actor=caseworker)
    assert closed.status == Status.NOT_ENGAGED
    assert (
        list(referrer_timeline(referral=case))[-1].referrer_note == "Unable to contact after 3 attempts over 11 days."
    )

"""The feedback rules: submission checks, workflow transitions, working-day deadlines, figures."""

import datetime as dt

import pytest

from core.errors import MESSAGES
from feedback.rules import (
    MAX_TEXT,
    TRANSITIONS,
    FeedbackProblem,
    add_working_days,
    allowed_moderation,
    check_moderation,
    check_status_change,
    clean_text,
    contact_kind,
    content_hash,
    format_tracking_code,
    is_overdue,
    new_tracking_code,
    normalize_tracking_code,
    response_figures,
    validate_submission,
)

FRIDAY = dt.date(2026, 11, 20)


# ---------------------------------------------------------------- deadlines

@pytest.mark.parametrize("start, days, expected", [
    (FRIDAY, 0, FRIDAY),
    (FRIDAY, 1, dt.date(2026, 11, 23)),  # Monday: Saturday and Sunday skipped
    (dt.date(2026, 11, 21), 1, dt.date(2026, 11, 23)),  # submitted on Saturday
    (dt.date(2026, 11, 22), 1, dt.date(2026, 11, 23)),  # submitted on Sunday
    (dt.date(2026, 11, 16), 4, dt.date(2026, 11, 20)),  # Monday + 4 = Friday, same week
    (dt.date(2026, 11, 16), 5, dt.date(2026, 11, 23)),
    (dt.date(2026, 11, 2), 15, dt.date(2026, 11, 23)),  # the default: three working weeks
    (FRIDAY, 15, dt.date(2026, 12, 11)),
])
def test_deadline_counts_working_days_after_submission(start, days, expected):
    assert add_working_days(start, days) == expected


def test_holidays_are_skipped_like_weekends():
    independence_day = frozenset({dt.date(2026, 12, 16)})
    assert add_working_days(dt.date(2026, 12, 15), 1) == dt.date(2026, 12, 16)
    assert add_working_days(dt.date(2026, 12, 15), 1, independence_day) == dt.date(2026, 12, 17)
    # A holiday on a weekend changes nothing.
    assert add_working_days(FRIDAY, 1, frozenset({dt.date(2026, 11, 21)})) == dt.date(2026, 11, 23)


def test_negative_days_are_refused():
    with pytest.raises(ValueError):
        add_working_days(FRIDAY, -1)


def test_overdue_only_after_the_deadline_day_and_only_while_open():
    deadline = dt.date(2026, 12, 11)
    assert not is_overdue(deadline, "received", deadline)
    assert is_overdue(deadline, "received", deadline + dt.timedelta(days=1))
    assert is_overdue(deadline, "in_review", deadline + dt.timedelta(days=1))
    for status in ("answered", "resolved", "rejected"):
        assert not is_overdue(deadline, status, deadline + dt.timedelta(days=30))


def test_response_figures_count_due_items_only():
    today = dt.date(2026, 12, 31)
    d = dt.date
    figures = response_figures([
        (d(2026, 11, 2), d(2026, 11, 23), d(2026, 11, 10)),  # on time, 8 days
        (d(2026, 11, 2), d(2026, 11, 23), d(2026, 11, 23)),  # on the deadline day: on time, 21 days
        (d(2026, 11, 2), d(2026, 11, 23), d(2026, 11, 30)),  # late, 28 days
        (d(2026, 11, 2), d(2026, 11, 23), None),  # open past its deadline: due, not on time
        (d(2026, 12, 30), d(2027, 1, 20), None),  # open, not yet due: not counted
    ], today)
    assert (figures.received, figures.due, figures.on_time) == (5, 4, 2)
    assert figures.on_time_share == 0.5
    assert figures.median_days == 21


def test_response_figures_without_items():
    figures = response_figures([], dt.date(2026, 1, 1))
    assert figures.on_time_share is None and figures.median_days is None and figures.received == 0


# ---------------------------------------------------------------- workflow

def test_the_workflow_goes_received_review_answered_resolved():
    check_status_change("received", "in_review")
    check_status_change("in_review", "answered", answer="The roof is repaired.")
    check_status_change("answered", "resolved")


@pytest.mark.parametrize("current, target", [
    ("received", "resolved"), ("in_review", "received"), ("resolved", "in_review"),
    ("rejected", "answered"), ("answered", "rejected"), ("received", "received"),
])
def test_disallowed_transitions_are_refused(current, target):
    with pytest.raises(FeedbackProblem) as caught:
        check_status_change(current, target, answer="x", reason="y")
    assert caught.value.code == "feedback_bad_transition"


def test_final_statuses_allow_nothing():
    assert TRANSITIONS["resolved"] == TRANSITIONS["rejected"] == frozenset()


def test_an_answer_needs_text_and_a_rejection_a_reason():
    with pytest.raises(FeedbackProblem) as caught:
        check_status_change("in_review", "answered", answer="   ")
    assert caught.value.code == "feedback_answer_required"
    with pytest.raises(FeedbackProblem) as caught:
        check_status_change("received", "rejected")
    assert caught.value.code == "feedback_reason_required"
    check_status_change("received", "rejected", reason="Not about this facility.")


def test_unknown_status_is_refused():
    with pytest.raises(FeedbackProblem) as caught:
        check_status_change("received", "deleted")
    assert caught.value.code == "feedback_unknown_status"


def test_moderation_rules():
    check_moderation("pending", "published")
    check_moderation("published", "hidden", reason="Insults")
    check_moderation("spam", "published")
    for current, target in [("pending", "pending"), ("published", "pending"), ("published", "published"),
                            ("pending", "deleted")]:
        with pytest.raises(FeedbackProblem):
            check_moderation(current, target)
    with pytest.raises(FeedbackProblem) as caught:
        check_moderation("pending", "hidden", reason=" ")
    assert caught.value.code == "feedback_reason_required"
    assert allowed_moderation("pending") == ("published", "hidden", "spam")
    assert allowed_moderation("hidden") == ("published", "spam")


# ---------------------------------------------------------------- submission

def test_a_valid_submission_is_cleaned():
    submission, problems = validate_submission({
        "kind": "complaint", "text": "  Крыша течёт\r\nс мая.  ", "rating": "2",
        "author_name": " Айгүл ", "contact": "aigul@example.kz", "budget_line_id": "7"}, line_ids=[7, 8])
    assert problems == {}
    assert submission.text == "Крыша течёт\nс мая."
    assert (submission.rating, submission.author_name, submission.contact_kind, submission.budget_line_id) == \
        (2, "Айгүл", "email", 7)


def test_every_field_problem_is_reported_at_once():
    submission, problems = validate_submission({
        "kind": "rant", "text": "x" * (MAX_TEXT + 1), "rating": "6", "author_name": "n" * 101,
        "contact": "call me", "budget_line_id": "99"}, line_ids=[7])
    assert submission is None
    assert {field: problem.code for field, problem in problems.items()} == {
        "kind": "feedback_kind_required", "text": "feedback_too_long", "rating": "feedback_bad_rating",
        "author_name": "feedback_too_long", "contact": "feedback_bad_contact",
        "budget_line_id": "feedback_unknown_line"}
    assert problems["text"].params == {"limit": MAX_TEXT, "length": MAX_TEXT + 1}
    assert all(problem.code in MESSAGES for problem in problems.values())


def test_text_limits_are_one_to_two_thousand_characters():
    assert validate_submission({"kind": "praise", "text": "x" * MAX_TEXT})[1] == {}
    assert validate_submission({"kind": "praise", "text": "ә"})[1] == {}
    assert validate_submission({"kind": "praise", "text": " \n\t "})[1]["text"].code == "feedback_text_required"


def test_optional_fields_may_be_empty():
    submission, problems = validate_submission({"kind": "question", "text": "When?", "rating": "",
                                                "author_name": "", "contact": "  "})
    assert problems == {}
    assert (submission.rating, submission.author_name, submission.contact, submission.budget_line_id) == \
        (None, None, None, None)


@pytest.mark.parametrize("contact, kind", [
    ("aigul@example.kz", "email"), ("+7 (701) 234-56-78", "phone"), ("87012345678", "phone"),
    ("123", None), ("<script>@x.kz", None), ("not an address", None),
])
def test_contact_kinds(contact, kind):
    assert contact_kind(contact) == kind


def test_clean_text_never_leaves_a_control_character_but_keeps_lines():
    assert clean_text("a\x00b\x1bc\x85\nd\te\r\nf") == "abc\nd\te\nf"


@pytest.mark.parametrize("field", ["text", "author_name", "contact"])
@pytest.mark.parametrize("control", ["\x00", "\x07", "\x1b", "\x7f", "\x9b"])
def test_control_characters_are_refused_with_their_own_message(field, control):
    form = {"kind": "complaint", "text": "Крыша течёт", "author_name": "Айгүл", "contact": "aigul@example.kz"}
    form[field] = form[field][:3] + control + form[field][3:]
    submission, problems = validate_submission(form)
    assert submission is None
    assert {name: problem.code for name, problem in problems.items()} == {field: "feedback_control_characters"}
    assert "control characters" in str(problems[field])


def test_tabs_and_line_ends_are_text():
    submission, problems = validate_submission({"kind": "praise", "text": "Спасибо!\tОчень\r\nхорошо.\r"})
    assert problems == {} and submission.text == "Спасибо!\tОчень\nхорошо."


def test_text_is_stored_in_nfkc():
    submission, problems = validate_submission({"kind": "question", "text": "＝ＳＵＭ(A1) ﬁx №５ 120 м²\u00a0!",
                                                "author_name": "Ａйгүл", "contact": "ａigul@example.kz"})
    assert problems == {}
    assert submission.text == "=SUM(A1) fix №5 120 м² !"  # № and ² as Kazakh and Russian write them
    assert (submission.author_name, submission.contact) == ("Aйгүл", "aigul@example.kz")


def test_answers_reasons_and_moderation_refuse_control_characters():
    for check in (lambda: check_status_change("received", "answered", answer="Done\x00"),
                  lambda: check_status_change("received", "rejected", reason="No\x1b[31m"),
                  lambda: check_moderation("pending", "hidden", reason="Spam\x00")):
        with pytest.raises(FeedbackProblem) as refused:
            check()
        assert refused.value.code == "feedback_control_characters"


def test_duplicate_hash_ignores_case_and_spacing_but_not_the_facility():
    assert content_hash(1, "Roof  leaks\n") == content_hash(1, "roof leaks")
    assert content_hash(1, "roof leaks") != content_hash(2, "roof leaks")


def test_tracking_codes_are_random_and_forgiving_to_type():
    code = new_tracking_code()
    assert len(code) == 12 and code != new_tracking_code()
    shown = format_tracking_code(code)
    assert shown.count("-") == 2
    assert normalize_tracking_code(shown.lower()) == code
    assert normalize_tracking_code("K7QM P4XD 2RTO") == "K7QMP4XD2RT0"  # O read as zero
    assert normalize_tracking_code("short") is None
    assert normalize_tracking_code("<script>x</script>") is None

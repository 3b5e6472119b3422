"""Risk flags in words: rule names and plain explanations in the chosen language.

``risk.rules`` gives rule ids and figures; this turns them into sentences that say which
rule fired, on which figures (money and percentages in the language's style) and against which
threshold. Nothing here decides a flag.
"""

from __future__ import annotations

from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.web.i18n import FACILITY_TYPE_LABELS, STATUS_LABELS, WORK_TYPE_LABELS, label_of, money, percent
from risk.rules import ANY_RISK, NOT_JUDGED, RAISED, RULES

RULE_LABELS = {
    "paid_above_allocated": _l("Paid or contracted above the allocation"),
    "paid_ahead_of_progress": _l("Payment ahead of the works"),
    "repeat_repair": _l("Repeated repairs"),
    "unit_cost_outlier": _l("Unusually high unit cost"),
    "overdue": _l("Overdue works"),
    "contractor_concentration": _l("Contractor concentration"),
    "stalled": _l("Paid more, no progress"),
}

_work, _type, _status = label_of(WORK_TYPE_LABELS), label_of(FACILITY_TYPE_LABELS), label_of(STATUS_LABELS)


def rule_label(rule: str | None) -> str:
    if rule == ANY_RISK:
        return _("Any risk flag")
    return str(RULE_LABELS[rule]) if rule in RULE_LABELS else (rule or "")


def filter_choices() -> list[tuple[str, str]]:
    """(value, label) of the map filter's risk choices, "any" first."""
    return [(ANY_RISK, rule_label(ANY_RISK))] + [(rule, rule_label(rule)) for rule in RULES]


def _number(value) -> str:
    return "—" if value is None else format_decimal(value)


def _unit(figures: dict) -> str:
    """What a unit cost is per: m², or one unit of the facility's capacity (its unit as given)."""
    if figures.get("unit") == "m2":
        return _("m²")
    if figures.get("unit"):
        return _("unit of capacity (%(unit)s)", unit=figures["unit"])
    return _("unit of capacity")


def _size(figures: dict) -> str:
    """The floor area or capacity a unit cost divides by: '472.3 m²', '100 places'."""
    unit = _("m²") if figures.get("unit") == "m2" else (figures.get("unit") or "")
    return f"{_number(figures.get('basis_value'))} {unit}".strip()


def explain(flag: dict, district: str = "") -> str:
    """One flag (a ``risk_flags`` row: rule, outcome, figures, threshold...) as a sentence or two."""
    rule, figures, threshold = flag["rule"], flag["figures"] or {}, flag.get("threshold")
    if rule == "paid_above_allocated":
        parts = []
        if figures.get("paid_over"):
            parts.append(_("Paid %(paid)s against an allocation of %(allocated)s (%(share)s of it). "
                           "The rule flags payments above %(limit)s of the allocation.",
                           paid=money(figures["paid_tiyn"]), allocated=money(figures["allocated_tiyn"]),
                           share=percent(figures.get("paid_pct")),
                           limit=percent(100 + (figures.get("paid_limit_pct") or 0))))
        if figures.get("contracted_over"):
            parts.append(_("Contracted %(contracted)s against an allocation of %(allocated)s "
                           "(%(share)s of it). The rule flags contracts above %(limit)s of the allocation.",
                           contracted=money(figures["contracted_tiyn"]),
                           allocated=money(figures["allocated_tiyn"]),
                           share=percent(figures.get("contracted_pct")),
                           limit=percent(100 + (figures.get("contracted_limit_pct") or 0))))
        return " ".join(parts)
    if rule == "paid_ahead_of_progress":
        return _("Paid %(paid)s, %(share)s of the allocation of %(allocated)s, while the works are "
                 "%(progress)s done: the payment is %(gap)s points ahead of the works. The rule flags "
                 "more than %(limit)s points.", paid=money(figures["paid_tiyn"]),
                 share=percent(figures["paid_share_pct"]), allocated=money(figures["allocated_tiyn"]),
                 progress=percent(figures["progress_pct"]), gap=_number(figures["gap_points"]),
                 limit=_number(threshold))
    if rule == "repeat_repair":
        repairs = "; ".join(
            _("%(year)s: %(works)s, %(amount)s", year=r["year"],
              works=", ".join(_work(w) for w in r["work_types"]), amount=money(r["allocated_tiyn"]))
            for r in figures["repairs"])
        return _("Repairs of this facility in %(count)s different years within %(window)s consecutive "
                 "years (%(repairs)s). The rule flags repairs in two of any %(window)s consecutive years.",
                 count=len(figures["repairs"]), window=figures["window_years"], repairs=repairs)
    if rule == "unit_cost_outlier":
        unit = _unit(figures)
        group = _("%(type)s, %(work)s", type=_type(figures.get("facility_type")),
                  work=_work(flag.get("work_type")))
        if flag.get("outcome") == NOT_JUDGED:
            return ngettext("Not judged: only %(num)d comparable work (%(group)s) in the "
                            "region, and the rule needs at least %(minimum)s to tell an unusual cost from an "
                            "ordinary one. Allocated %(rate)s per %(unit)s.",
                            "Not judged: only %(num)d comparable works (%(group)s) in the "
                            "region, and the rule needs at least %(minimum)s to tell an unusual cost from an "
                            "ordinary one. Allocated %(rate)s per %(unit)s.", figures["group_size"],
                            group=group, unit=unit, minimum=figures["min_group"], rate=money(figures["rate_tiyn"]))
        return _("Allocated %(amount)s for %(size)s: %(rate)s per %(unit)s. Across the region's "
                 "%(count)s comparable works (%(group)s), Q1 is %(q1)s and Q3 %(q3)s per %(unit)s; the "
                 "rule flags more than Q3 + %(factor)s × IQR = %(limit)s per %(unit)s.",
                 rate=money(figures["rate_tiyn"]), unit=unit, amount=money(figures["allocated_tiyn"]),
                 size=_size(figures), count=figures["group_size"], group=group,
                 q1=money(figures["q1_tiyn"]), q3=money(figures["q3_tiyn"]),
                 factor=_number(figures["iqr_factor"]), limit=money(figures["limit_tiyn"]))
    if rule == "overdue":
        status = _status(figures["status"]) if figures.get("status") else _("no status")
        text = ngettext("The works were due to end on %(end)s. On %(as_of)s, the publication date of "
                        "this data, they were %(num)d day late, not completed (status: %(status)s, "
                        "progress %(progress)s).",
                        "The works were due to end on %(end)s. On %(as_of)s, the publication date of "
                        "this data, they were %(num)d days late, not completed (status: %(status)s, "
                        "progress %(progress)s).", figures["days_overdue"], end=figures["end_date"],
                        as_of=figures["as_of"], status=status, progress=percent(figures.get("progress_pct")))
        if threshold:
            text += " " + ngettext("The rule allows %(num)d day after the end date.",
                                   "The rule allows %(num)d days after the end date.", int(threshold))
        return text
    if rule == "contractor_concentration":
        contractor = figures.get("contractor_name") or figures.get("contractor_bin") or _("A contractor")
        return ngettext("%(contractor)s holds %(num)d contract worth %(amount)s in %(district)s in "
                        "%(year)s: %(share)s of the %(total)s allocated to the district's facilities that "
                        "year (this facility: %(here)s). The rule flags more than %(limit)s.",
                        "%(contractor)s holds %(num)d contracts worth %(amount)s in %(district)s in "
                        "%(year)s: %(share)s of the %(total)s allocated to the district's facilities that "
                        "year (this facility: %(here)s). The rule flags more than %(limit)s.",
                        figures["contracts"], contractor=contractor, amount=money(figures["contractor_tiyn"]),
                        district=district or figures.get("district_kato", ""), year=flag["fiscal_year"],
                        share=percent(figures["share_pct"]), total=money(figures["district_tiyn"]),
                        here=money(figures["facility_tiyn"]), limit=percent(threshold))
    if rule == "stalled":
        return _("Paid rose from %(before)s to %(after)s compared with the data this version replaced, "
                 "while progress went from %(progress_before)s to %(progress)s. The rule flags more "
                 "payment with progress up by %(limit)s points or less.",
                 before=money(figures["paid_before_tiyn"]), after=money(figures["paid_tiyn"]),
                 progress_before=percent(figures["progress_before_pct"]),
                 progress=percent(figures["progress_pct"]), limit=_number(threshold))
    return ""


def facility_section(flags: list[dict], check: dict | None, district: str = "") -> dict:
    """What the facility page shows: raised flags, checks not made, and when the data was checked."""
    def item(flag: dict) -> dict:
        return {"rule": flag["rule"], "label": rule_label(flag["rule"]), "year": flag["fiscal_year"],
                "work": _work(flag["work_type"]) if flag.get("work_type") else "",
                "text": explain(flag, district)}

    return {"raised": [item(f) for f in flags if f["outcome"] == RAISED],
            "not_judged": [item(f) for f in flags if f["outcome"] == NOT_JUDGED],
            "check": check}


def popup_note(flags: list[dict]) -> str:
    """'2 risk flags: Overdue works, Repeated repairs' for the map popup ('' without flags)."""
    raised = [f for f in flags if f["outcome"] == RAISED]
    if not raised:
        return ""
    names = list(dict.fromkeys(rule_label(f["rule"]) for f in raised))
    return ngettext("%(num)d risk flag: %(rules)s", "%(num)d risk flags: %(rules)s", len(raised),
                    rules=", ".join(names))

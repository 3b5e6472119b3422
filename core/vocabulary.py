"""The words every feature shares about a budget line: facility types, work types, funding
sources, statuses, and what makes a line unique.

Stored values are these English codes; pages translate them (``core.web.i18n``). The budget
table (``budget.format``), the filters, the risk rules and the open data all use this one list.
"""

FACILITY_TYPES = (
    "school", "kindergarten", "college", "clinic", "hospital",
    "sports", "culture", "social_care", "water_supply", "other",
)
WORK_TYPES = ("construction", "capital_repair", "current_repair", "maintenance", "equipment")
FUNDING_SOURCES = ("republican", "oblast", "district", "other")
STATUSES = ("planned", "tendering", "in_progress", "completed", "suspended", "cancelled")

# What makes a budget line unique inside one file (and one version).
LINE_KEY = ("facility_id", "fiscal_year", "work_type", "funding_source", "budget_program_code")

# A line's money, in integer tiyn (1 tenge = 100 tiyn).
MONEY_FIELDS = ("allocated_tiyn", "contracted_tiyn", "paid_tiyn")

"""Controlled vocabularies of the data contract (from ../shared/gold/GUIDE.md and DESIGN.md)."""

UNITS = (
    "CNY", "person", "person_time", "household", "project", "enterprise", "item", "event", "case",
    "percent", "mu", "sqm", "tonne", "MW", "km", "head",
)
QUALIFIERS = ("exact", "at_least", "approx", "at_most", "range")
METRIC_TYPES = (
    "funding", "investment", "output_value", "sales", "trade", "insurance", "fiscal", "projects",
    "personnel", "beneficiaries", "trainees", "patients", "students", "enterprises", "facilities",
    "events", "jobs", "agriculture", "growth_rate", "other",
)
CATEGORIES = ("industry", "livelihood", "education", "health", "employment", "talent", "culture", "exchange", "other")
SECTION_KINDS = ("lead", "body", "appended", "caption")
SCRIPTS = ("simplified", "traditional", "mixed")
# metric types an amount of money (unit CNY) can have; a count type such as `facilities` never applies to money
MONEY_TYPES = ("funding", "investment", "output_value", "sales", "trade", "insurance", "fiscal", "other")
# what time a figure covers and whether it is about the aid (GUIDE.md, section Facts)
PERIODS = ("year", "to_date", "cumulative", "plan", "unspecified")
SCOPES = ("aid", "context")

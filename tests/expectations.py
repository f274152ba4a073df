"""Who may do what, written out by hand: the tests compare the app against this table."""

from indicators.models import Indicator, Measurement, Milestone

ALL_ROLES = ["anonymous", "nobody", "superuser", "staff_a", "staff_b", "referent_a",
             "assembly_a", "auditor_a"]

# Everybody with a role in ambito A reads A; staff of B reads only B.
VIEW_A = {"superuser", "staff_a", "referent_a", "assembly_a", "auditor_a"}
VIEW_B = {"superuser", "staff_b"}

# Writes: the Ufficio di Piano of the ambito; referenti only indicators,
# measurements and milestones of their own objectives.
REFERENT_EDITABLE = {Indicator, Measurement, Milestone}


def may_change_a(role, model):
    if role in {"superuser", "staff_a"}:
        return True
    return role == "referent_a" and model in REFERENT_EDITABLE


def may_change_b(role, model):
    return role in {"superuser", "staff_b"}

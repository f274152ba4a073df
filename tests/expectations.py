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


def may_add(role, model):
    """Adding rows of ``model`` somewhere (admin add page, imports)."""
    from governance.models import Membership

    if model is Membership:  # roles are granted by superusers only
        return role == "superuser"
    if role in {"superuser", "staff_a", "staff_b"}:
        return True
    return role == "referent_a" and model in REFERENT_EDITABLE


# Every page of ambito A's plans (budget grid, quarterly pages and their exports, structure,
# acts, variations, entrate, approval, closing, the plan's budget in Excel): every role of
# the ambito reads them, revisori and the Assemblea included (issue 18); whoever may not
# write gets the read view, and a 403 with the reason on a write. Pages that exist only to
# change something (forms, imports, "nuovo piano dall'anno") stay with their writers.
PLAN_PAGE_READERS_A = frozenset(VIEW_A)
PLAN_WRITERS_A = {"superuser", "staff_a"}  # budget grid, structure, acts, entrate, closing
APPROVERS_A = PLAN_WRITERS_A | {"assembly_a"}  # approval of the plan and the Piano di Zona
MEASUREMENT_WRITERS_A = PLAN_WRITERS_A | {"referent_a"}  # quarterly values, milestones


def mirror_b(roles_a):
    """Who gets the same answer for ambito B's object as ``roles_a`` get for A's: the
    superuser, and staff of B where staff of A is in the set."""
    mirrored = roles_a & {"superuser"}
    if "staff_a" in roles_a:
        mirrored |= {"staff_b"}
    return mirrored

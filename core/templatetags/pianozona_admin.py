"""Template filters of the admin's own templates (templates/admin/)."""

import json

from django import template

from core.wording import FEMININE, FEMININE_PLURAL, MASCULINE_PLURAL, gender_of

register = template.Library()

_ANOTHER = {FEMININE: "un'altra", FEMININE_PLURAL: "altre", MASCULINE_PLURAL: "altri"}


def _another(verbose_name):
    return _ANOTHER.get(gender_of(str(verbose_name)), "un altro")


def add_another(verbose_name):
    """'Aggiungi un'altra azione', 'Aggiungi un altro referente': Django's "Add another
    %(verbose_name)s" has one Italian form, "Aggiungi un altro", whatever the gender."""
    return f"Aggiungi {_another(verbose_name)} {verbose_name}"


@register.filter
def save_and_add_another(verbose_name):
    """The button "Salva e aggiungi un'altra" of a variazione, "… un altro" of an obiettivo."""
    return f"Salva e aggiungi {_another(verbose_name)}"


@register.filter
def inline_formset_data_it(inline_admin_formset):
    """Django's ``InlineAdminFormSet.inline_formset_data`` (the JSON that inlines.js reads)
    with the "add another" link in agreement with the rows' name."""
    data = json.loads(inline_admin_formset.inline_formset_data())
    data["options"]["addText"] = add_another(inline_admin_formset.opts.verbose_name)
    data["options"]["deleteText"] = "Rimuovi"
    return json.dumps(data)

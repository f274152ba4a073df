"""Italian wording: counted nouns and the gender of a model's name.

Plurals go through ``ngettext``: the source strings are Italian, and gettext's rule without
a catalog (singular for 1 only) is the Italian one, so "1 riga nuova", "0 righe nuove".

Italian agrees article and participle with the noun: "La variazione di bilancio «X» è
stata aggiunta.", "L'obiettivo «X» è stato aggiunto.", "Lo stesso…". A model's gender is
read from its verbose name (``gender_of``): the admin's messages (core/scoped_admin.py)
are written from it instead of Django's "Il {name} … è stato aggiunto".
"""

from django.utils.html import format_html
from django.utils.translation import ngettext

MASCULINE, FEMININE = "m", "f"
MASCULINE_PLURAL, FEMININE_PLURAL = "mp", "fp"

_VOWELS = "aeiouàèéìòóùh"
# Masculine nouns that take "lo"/"gli": s + consonant, z, gn, ps, pn, x, y.
_LO_STARTS = ("gn", "ps", "pn", "x", "y", "z")


def counted_rows(new, updated, unchanged=None, deleted=None):
    """'1 riga nuova, 2 modificate, 0 invariate' (the parts given)."""
    parts = [
        ngettext("%(n)d riga nuova", "%(n)d righe nuove", new) % {"n": new},
        ngettext("%(n)d modificata", "%(n)d modificate", updated) % {"n": updated},
    ]
    if unchanged is not None:
        parts.append(ngettext("%(n)d invariata", "%(n)d invariate", unchanged) % {"n": unchanged})
    if deleted is not None:
        parts.append(ngettext("%(n)d eliminata", "%(n)d eliminate", deleted) % {"n": deleted})
    return ", ".join(parts)


def gender_of(name):
    """The gender of an Italian noun phrase by its first word: -a, -ione, -tà, -tù are
    feminine ("variazione di bilancio", "riga", "entrata"), the rest masculine
    ("obiettivo", "canale", "Comune"). Names the rule gets wrong declare theirs
    (``ScopedAdmin.gender``)."""
    word = str(name).split()[0].lower() if str(name).split() else ""
    if word.endswith(("a", "ione", "tà", "tù")):
        return FEMININE
    return MASCULINE


def _takes_lo(word):
    return (word.startswith(_LO_STARTS)
            or (word[:1] == "s" and len(word) > 1 and word[1] not in _VOWELS))


def article(name, gender):
    """The definite article of ``name``, capitalised: 'La', "L'", 'Il', 'Lo', 'I', 'Gli', 'Le'."""
    word = str(name).lower()
    vowel = word[:1] in _VOWELS
    if gender == FEMININE:
        return "L'" if vowel else "La"
    if gender == FEMININE_PLURAL:
        return "Le"
    if gender == MASCULINE_PLURAL:
        return "Gli" if vowel or _takes_lo(word) else "I"
    if vowel:
        return "L'"
    return "Lo" if _takes_lo(word) else "Il"


def with_article(name, gender):
    """'La variazione di bilancio', "L'obiettivo", 'Il Comune'."""
    art = article(name, gender)
    return f"{art}{name}" if art.endswith("'") else f"{art} {name}"


def _ending(gender):
    return {FEMININE: "a", MASCULINE_PLURAL: "i", FEMININE_PLURAL: "e"}.get(gender, "o")


def saved_message(*, name, gender, obj, verb, follow=None):
    """The admin's message after a save or delete, in agreement with the model's gender.

    ``verb``: 'add', 'change' or 'delete'; ``obj``: the object's text or link (escaped by
    format_html); ``follow``: None, 'edit' (the form stays open) or 'another' (an empty
    form to add another).
    """
    end = _ending(gender)
    plural = gender in (MASCULINE_PLURAL, FEMININE_PLURAL)
    done = {"add": "aggiunt", "change": "modificat", "delete": "eliminat"}[verb] + end
    been = ("sono stat" if plural else "è stat") + end
    text = "{subject} «{obj}» {been} {done}."
    if follow == "edit":
        text += " Puoi modificarl{pronoun} di nuovo qui sotto."
    elif follow == "another":
        text += " Qui sotto puoi aggiungere {another} {name}."
    another = {FEMININE: "un'altra", MASCULINE_PLURAL: "altri",
               FEMININE_PLURAL: "altre"}.get(gender, "un altro")
    return format_html(
        text, subject=with_article(name, gender), obj=obj, been=been, done=done,
        pronoun=end, another=another, name=name,
    )

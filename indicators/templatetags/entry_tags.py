from django import template

from indicators.values import display_measure

register = template.Library()


@register.filter
def measure(measurement):
    """A measurement as the plans print it: value, N.D. or –."""
    return display_measure(measurement)


@register.filter
def outcome(milestone):
    return {"si": "Sì", "no": "No", "nd": "–"}.get(milestone.achieved, "non indicato")

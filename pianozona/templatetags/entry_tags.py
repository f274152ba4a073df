from django import template

from pianozona.numbers import format_measure

register = template.Library()


@register.filter
def measure(measurement):
    """A measurement as the plans print it: value, N.D. or –."""
    if measurement is None:
        return ""
    if measurement.state == "nd":
        return "N.D."
    if measurement.state == "not_applicable":
        return "–"
    if measurement.indicator.kind == "boolean" and measurement.value is not None:
        return "Sì" if measurement.value else "No"
    if measurement.value is not None:
        text = format_measure(measurement.value)
        return f"{text}%" if measurement.indicator.kind == "percentage" else text
    return measurement.text_value


@register.filter
def outcome(milestone):
    return {"si": "Sì", "no": "No", "nd": "–"}.get(milestone.achieved, "non indicato")

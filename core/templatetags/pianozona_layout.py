"""Layout helpers of the app's pages.

``{% scroll_region "Obiettivi del piano" %}<table>…</table>{% end_scroll_region %}`` wraps a
wide table in the box that scrolls sideways on a phone: a region named for screen readers
and reachable with the keyboard (tabindex 0), so that a keyboard can scroll it too (axe:
scrollable-region-focusable). Every table of the app's pages goes in one.
"""

from django import template
from django.utils.html import format_html

register = template.Library()


class ScrollRegionNode(template.Node):
    def __init__(self, label, nodelist):
        self.label, self.nodelist = label, nodelist

    def render(self, context):
        return format_html(
            '<div class="table-responsive scroll-region" role="region" aria-label="{}" '
            'tabindex="0">{}</div>',
            self.label.resolve(context), self.nodelist.render(context),
        )


@register.tag
def scroll_region(parser, token):
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("scroll_region vuole un'etichetta: "
                                           '{% scroll_region "Etichetta" %}')
    nodelist = parser.parse(("end_scroll_region",))
    parser.delete_first_token()
    return ScrollRegionNode(parser.compile_filter(bits[1]), nodelist)

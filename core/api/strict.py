"""Strict query parameters: what a view does not understand is a 400, never ignored.

An auditor who mistypes a filter (``anno=2015`` for ``year=2015``) must not receive every
row believing them filtered. Every list, detail, history and export refuses:

- a parameter it does not take (the error names it and lists those it takes);
- a value of the wrong type or outside its choices (the filterset's form, with the
  accepted values appended);
- an ordering field it does not offer (``StableOrderingFilter`` in viewsets.py);
- a page or page size that is not a positive integer (``ApiPagination``);
- a ``format`` it cannot render (instead of DRF's 404).

The body is DRF's validation error, the shape of every 400 of the API:
``{"<parameter>": ["<message>", …]}``. An empty value (``?year=``) counts as absent, as
in an HTML form.
"""

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.settings import api_settings

from .dialects import DIALECT_PARAMETER, requested_dialect

# The browsable API's own links carry ?format=api: accepted, not advertised.
HIDDEN_FORMATS = frozenset({"api"})


def _listed(values):
    return ", ".join(str(v) for v in values)


def refuse(parameter, message):
    raise ValidationError({parameter: [message]})


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter's backend whose 400 also says which values a filter accepts."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            raise ValidationError(_explained(filterset))
        return filterset.qs

    def query_parameters(self, view):
        filterset_class = getattr(view, "filterset_class", None)
        return set(filterset_class.base_filters) if filterset_class else set()


def _explained(filterset):
    errors = {}
    for name, messages in filterset.errors.items():
        messages = list(messages)
        hint = accepted_values(filterset.form.fields.get(name))
        if hint:
            messages.append(f"Valori ammessi: {hint}.")
        errors[name] = messages
    return errors


def accepted_values(field):
    """The values a form field of a filter takes, as a person would type them, or None."""
    if field is None:
        return None
    accepted = getattr(field, "accepted_values", None)
    if accepted:
        return _listed(accepted)
    choices = getattr(field, "choices", None)
    if choices:
        return _listed(value for value, _ in choices if value not in ("", None))
    return None


class StrictQueryMixin:
    """Refuses query parameters the view does not take (see the module's docstring).

    The parameters a view takes: ``format`` (one of its renderers'); on a list,
    those of its filter backends (``query_parameters(view)``) and of its paginator; on the
    ``history`` of an object, those of the paginator without the cursor; plus
    ``extra_query_parameters``.
    """

    extra_query_parameters = ()
    paginated_actions = ("list", "history")

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        allowed = self.query_parameters()
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            raise ValidationError({
                name: [f"Parametro sconosciuto. Parametri ammessi: {_listed(sorted(allowed))}."]
                for name in unknown
            })
        requested_dialect(request)  # an unknown CSV dialect is a 400 whatever the format

    def query_parameters(self):
        action = getattr(self, "action", "list")
        # ``format`` is checked against the renderers in perform_content_negotiation.
        names = {api_settings.URL_FORMAT_OVERRIDE, DIALECT_PARAMETER,
                 *self.extra_query_parameters}
        if action == "list":
            for backend in self.filter_backends:
                names |= set(getattr(backend(), "query_parameters", lambda view: ())(self))
        paginator = getattr(self, "paginator", None)
        if paginator is not None and action in self.paginated_actions:
            names |= paginator.query_parameters(with_cursor=action == "list")
        return names

    def visible_formats(self):
        return [renderer.format for renderer in self.get_renderers()]

    def perform_content_negotiation(self, request, force=False):
        if not force:
            wanted = request.query_params.get(api_settings.URL_FORMAT_OVERRIDE)
            formats = self.visible_formats()
            if wanted and wanted not in formats:
                shown = [f for f in formats if f not in HIDDEN_FORMATS]
                refuse(api_settings.URL_FORMAT_OVERRIDE,
                       f"Formato sconosciuto: «{wanted}». Valori ammessi: {_listed(shown)}.")
        return super().perform_content_negotiation(request, force)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # An error is JSON whatever format was asked: a CSV of {"detail": …} helps nobody.
        if getattr(response, "exception", False) and not isinstance(
                getattr(response, "accepted_renderer", None), BrowsableAPIRenderer):
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = JSONRenderer.media_type
        return response

import re

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

CURSOR_ERROR = ("Cursore non valido: usa il link «next» della risposta precedente, o "
                "cursor= vuoto per iniziare.")


# A cursor is the id of the last row received: a client may also resume from the last id it
# has. Nine digits at most: every id the database holds, and a pattern the schema can state.
CURSOR_PATTERN = r"[0-9]{1,9}"


def decode_cursor(value):
    """The id a page starts after (None: from the first row); ValidationError if garbled."""
    if not value:
        return None
    if not re.fullmatch(CURSOR_PATTERN, value):
        raise ValidationError({"cursor": [CURSOR_ERROR]})
    return int(value)


def _bounded_integer(name, raw, maximum):
    """``raw`` as an integer from 1 to ``maximum``; a 400 naming the parameter otherwise."""
    value = int(raw) if raw.isascii() and raw.isdigit() else None
    if value is None or not 1 <= value <= maximum:
        raise ValidationError({name: [f"Valore non valido: «{raw}». Atteso un numero intero da "
                                      f"1 a {maximum}."]})
    return value


class ApiPagination(PageNumberPagination):
    """Page numbers, the same for JSON and CSV; the total and the next page also travel as headers.

    The headers let a CSV client (which only sees rows) walk every page.

    ``?cursor=`` (empty to start) walks the rows by id instead: each page continues after the
    last id of the previous one, so a full pull costs the same per page however deep it is
    (``?page=N`` must skip N pages of rows, and counts every row on every page). A cursor
    page carries no total (``count`` is null, no X-Total-Count) and only a ``next`` link.
    """

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    cursor_query_param = "cursor"
    page_query_description = (
        "Numero della pagina (da 1); oltre l'ultima pagina la risposta è 404."
    )
    page_size_query_description = (
        "Righe per pagina (predefinito 100, da 1 a 1000; fuori da questi limiti la risposta "
        "è 400)."
    )
    cursor_query_description = (
        "Scorrimento per cursore (alternativo a page): vuoto per la prima pagina, poi il "
        "valore nel link «next», che è l'id dell'ultima riga ricevuta (si può riprendere "
        "da qualsiasi id: le righe con id maggiore). Righe in ordine di id, nessun totale; "
        "consigliato per scaricare tutte le righe."
    )
    cursor_schema = {"type": "string", "pattern": f"^({CURSOR_PATTERN})?$"}

    # ``?page=last`` is not an integer: the schema says page is one.
    last_page_strings = ()
    invalid_page_message = "Pagina inesistente: oltre l'ultima pagina."

    def query_parameters(self, with_cursor=True):
        names = {self.page_query_param, self.page_size_query_param}
        return names | {self.cursor_query_param} if with_cursor else names

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param, "")
        if raw == "":
            return self.page_size
        return _bounded_integer(self.page_size_query_param, raw, self.max_page_size)

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param, "")
        if raw == "":
            return 1
        return _bounded_integer(self.page_query_param, raw, 2**31 - 1)

    def paginate_queryset(self, queryset, request, view=None):
        self.cursor_mode = (
            self.cursor_query_param in request.query_params and hasattr(queryset, "filter")
        )
        if not self.cursor_mode:
            return super().paginate_queryset(queryset, request, view)
        self.request = request
        self.get_page_number(request, None)  # ignored beside a cursor, but still an integer
        after = self.decode_cursor(request.query_params[self.cursor_query_param])
        size = self.get_page_size(request)
        rows = list(self.rows_after(queryset, after, view)[: size + 1])
        self.next_after = self.cursor_key(rows[size - 1]) if len(rows) > size else None
        return rows[:size]

    # The keyset of the cursor, for lists of model objects: the primary key. A list of other
    # rows (the change feed) overrides these three.
    def decode_cursor(self, value):
        return decode_cursor(value)

    def rows_after(self, queryset, after, view):
        rows = queryset.order_by("pk")
        return rows if after is None else rows.filter(pk__gt=after)

    def cursor_key(self, row):
        return row.pk

    def get_next_link(self):
        if getattr(self, "cursor_mode", False):
            if self.next_after is None:
                return None
            url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
            return replace_query_param(url, self.cursor_query_param, str(self.next_after))
        return super().get_next_link()

    def get_previous_link(self):
        if getattr(self, "cursor_mode", False):
            return None
        return super().get_previous_link()

    def get_paginated_response(self, data):
        if getattr(self, "cursor_mode", False):
            response = Response({"count": None, "next": self.get_next_link(),
                                 "previous": None, "results": data})
        else:
            response = super().get_paginated_response(data)
            response["X-Total-Count"] = str(self.page.paginator.count)
        links = [
            f'<{url}>; rel="{rel}"'
            for url, rel in ((self.get_next_link(), "next"), (self.get_previous_link(), "prev"))
            if url
        ]
        if links:
            response["Link"] = ", ".join(links)
        return response

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {self.page_query_param: 2**31 - 1, self.page_size_query_param: self.max_page_size}
        for parameter in parameters:
            if parameter["name"] in bounds:
                parameter["schema"].update(minimum=1, maximum=bounds[parameter["name"]])
        parameters.append({
            "name": self.cursor_query_param,
            "required": False,
            "in": "query",
            "description": self.cursor_query_description,
            "schema": self.cursor_schema,
        })
        return parameters

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        properties = paginated["properties"]
        properties["count"]["description"] = (
            "Numero totale di righe (tutte le pagine); null con cursor."
        )
        properties["count"]["nullable"] = True
        properties["next"]["description"] = "Indirizzo della pagina successiva (null se ultima)."
        properties["previous"]["description"] = (
            "Indirizzo della pagina precedente (null se prima, e sempre null con cursor)."
        )
        properties["results"]["description"] = "Le righe di questa pagina."
        return paginated

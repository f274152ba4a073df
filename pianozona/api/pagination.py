from rest_framework.pagination import PageNumberPagination


class ApiPagination(PageNumberPagination):
    """Page numbers, the same for JSON and CSV; the total and the next page also travel as headers.

    The headers let a CSV client (which only sees rows) walk every page.
    """

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    page_query_description = "Numero della pagina (da 1)."
    page_size_query_description = "Righe per pagina (predefinito 100, massimo 1000)."

    def get_paginated_response(self, data):
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

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        properties = paginated["properties"]
        properties["count"]["description"] = "Numero totale di righe (tutte le pagine)."
        properties["next"]["description"] = "Indirizzo della pagina successiva (null se ultima)."
        properties["previous"]["description"] = "Indirizzo della pagina precedente (null se prima)."
        properties["results"]["description"] = "Le righe di questa pagina."
        return paginated

"""From report data to HTML (Django templates) and to PDF (WeasyPrint).

WeasyPrint is imported on first use, so that only the processes that render
(the Celery worker, the command, the benchmark) load it. Its resources come from
the URL fetcher below: the report's own static files, and nothing from outside.
"""

import logging
import mimetypes
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from core.garbage_collection import one_full_collection_at_the_end

from . import charts
from .builders import BUILDERS, ReportData

BASE_URL = "https://pianozona.invalid/"
ASSETS_URL = BASE_URL + "static/"

PDF_UA = "pdf/ua-1"
PDF_A = "pdf/a-3b"
VARIANTS = (PDF_UA, PDF_A)


class ResourceRefused(ValueError):
    """A report asked for something that is not one of its own static files."""


def static_path(url):
    """The local file behind one of the report's asset URLs, or None."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}/" != BASE_URL or not parts.path.startswith("/static/"):
        return None
    relative = parts.path.removeprefix("/static/")
    if not relative or relative.startswith("/") or ".." in Path(relative).parts:
        return None
    found = finders.find(relative)
    if found:
        return Path(found)
    candidate = Path(settings.STATIC_ROOT) / relative
    return candidate if candidate.is_file() else None


@cache
def _weasyprint():
    import weasyprint

    # WeasyPrint logs every page at INFO: worker logs would drown in layout steps.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalOnlyFetcher(URLFetcher):
        """Serves the report's static files and inline data; refuses the network and disk."""

        def __init__(self):
            super().__init__(allowed_protocols={"https", "data"}, allow_redirects=False)

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)  # inline, never leaves the process
            path = static_path(url)
            if path is None:
                raise ResourceRefused(f"risorsa non consentita nei report: {url}")
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if path.suffix == ".otf":
                mime = "font/otf"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})

    return weasyprint, LocalOnlyFetcher


def url_fetcher():
    return _weasyprint()[1]()


def build(kind, target):
    return BUILDERS[kind](target)


def _charts_in(value, found):
    if isinstance(value, charts.LazyChart):
        found.append(value)
    elif isinstance(value, dict):
        for item in value.values():
            _charts_in(item, found)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _charts_in(item, found)
    return found


def render_html(data: ReportData):
    charts.draw_all(_charts_in(data.context, []))
    context = {
        **data.context,
        "kind": data.kind,
        "data_version": data.data_version,
        "css_url": ASSETS_URL + "reports/report.css",
    }
    return render_to_string(data.template, context)


def html_to_pdf(html, *, variant=PDF_UA):
    """The PDF bytes and page count; ``variant`` is PDF/UA-1 or PDF/A-3b, both tagged.

    The archival copy is PDF/A-3b with the same structure tags as the accessible one
    (``pdf_tags``): its language (``lang="it"``) and title (``<title>``, shown as the
    window title) come from the HTML, as for PDF/UA-1.
    """
    if variant not in VARIANTS:
        raise ValueError(f"formato PDF non previsto: {variant}")
    weasyprint, _fetcher = _weasyprint()
    options = {"pdf_variant": variant, "pdf_tags": True}
    document = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=url_fetcher()).render(
        **options
    )
    pdf = document.write_pdf(**options)
    return pdf, len(document.pages)


@dataclass
class Rendered:
    pdf: bytes
    pages: int
    html: str = field(repr=False)
    data_version: str
    timings: dict


def render(kind, target, *, variant=PDF_UA, data=None, on_step=None):
    """Build, draw and print one report; ``on_step(percent, label)`` reports progress."""
    step = on_step or (lambda percent, label: None)
    timings = {}
    started = time.perf_counter()
    if data is None:
        step(10, "Raccolta dei dati")
        data = build(kind, target)
    timings["data"] = time.perf_counter() - started
    step(30, "Grafici e impaginazione")
    mark = time.perf_counter()
    html = render_html(data)
    timings["html"] = time.perf_counter() - mark
    step(50, "Generazione del PDF")
    mark = time.perf_counter()
    with one_full_collection_at_the_end():
        pdf, pages = html_to_pdf(html, variant=variant)
    timings["pdf"] = time.perf_counter() - mark
    timings["total"] = time.perf_counter() - started
    step(95, "Salvataggio")
    return Rendered(pdf, pages, html, data.data_version, timings)

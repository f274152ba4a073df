"""The three seed reports, rendered once per test session (they take seconds each)."""

import io
from dataclasses import dataclass

import pytest
from pypdf import PdfReader

from objectives.models import OperatingPlan, ZonePlan
from reports import rendering


@dataclass
class SeedReport:
    rendered: rendering.Rendered
    data: object
    pages: list  # text of each page

    @property
    def text(self):
        return "\n".join(self.pages)

    @property
    def html(self):
        return self.rendered.html


def pdf_pages(pdf):
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def _render(kind, target):
    data = rendering.build(kind, target)
    rendered = rendering.render(kind, target, data=data)
    return SeedReport(rendered, data, pdf_pages(rendered.pdf))


@pytest.fixture(scope="session")
def seed_reports(django_db_setup, django_db_blocker):
    """Rendered lazily: a test run that needs none of them pays for none."""
    cache = {}

    def get(name):
        if name not in cache:
            with django_db_blocker.unblock():
                plans = OperatingPlan.objects.filter(zone_plan__ambito__slug="cremasco")
                if name == "po-2015":
                    cache[name] = _render("piano-operativo", plans.get(year=2015))
                elif name == "consuntivo-2018":
                    cache[name] = _render("consuntivo", plans.get(year=2018))
                else:
                    target = ZonePlan.objects.get(ambito__slug="cremona", start_year=2019)
                    cache[name] = _render("piano-di-zona", target)
        return cache[name]

    return get


@pytest.fixture
def po_2015(seed_reports):
    return seed_reports("po-2015")


@pytest.fixture
def consuntivo_2018(seed_reports):
    return seed_reports("consuntivo-2018")


@pytest.fixture
def pdz_2019(seed_reports):
    return seed_reports("pdz-2019-2020")

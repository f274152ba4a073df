"""The archival PDF is as accessible as the other: tagged, with its language and title."""

import io

import pytest
from pypdf import PdfReader

from objectives.models import OperatingPlan
from reports import rendering

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("variant", rendering.VARIANTS)
def test_both_variants_tagged_with_language_and_title(world, variant):
    result = rendering.render("piano-operativo", world.a[OperatingPlan], variant=variant)
    reader = PdfReader(io.BytesIO(result.pdf))
    root = reader.trailer["/Root"]
    assert str(root["/MarkInfo"]["/Marked"]).lower() == "true"
    assert "/StructTreeRoot" in root
    assert str(root["/Lang"]) == "it"
    assert str(root["/ViewerPreferences"]["/DisplayDocTitle"]).lower() == "true"
    assert reader.metadata.title and world.a[OperatingPlan].zone_plan.ambito.name in \
        reader.metadata.title
    if variant == rendering.PDF_A:
        xmp = root["/Metadata"].get_object().get_data().decode()
        assert "pdfaid" in xmp and "/OutputIntents" in root

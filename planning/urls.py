"""The pages of the plan's year; each task keeps its routes in a module of its own."""

from . import (
    urls_acts,
    urls_approval,
    urls_carry,
    urls_closing,
    urls_income,
    urls_spending,
    urls_structure,
    urls_variations,
)

app_name = "planning"

urlpatterns = [
    *urls_structure.urlpatterns,
    *urls_carry.urlpatterns,
    *urls_approval.urlpatterns,
    *urls_acts.urlpatterns,
    *urls_variations.urlpatterns,
    *urls_closing.urlpatterns,
    *urls_income.urlpatterns,
    *urls_spending.urlpatterns,
]

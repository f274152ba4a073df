"""Routes of the budget app, registered under /api/v1/budget/ by pianozona.api.urls."""

from . import views

routes = [
    ("funding-channels", views.FundingChannelViewSet, "fundingchannel"),
    ("channel-references", views.ChannelReferenceViewSet, "channelreference"),
    ("allocations", views.FundingAllocationViewSet, "fundingallocation"),
    ("budget-lines", views.BudgetLineViewSet, "budgetline"),
    ("surplus", views.SurplusViewSet, "surplus"),
    ("variations", views.VariationViewSet, "variation"),
    ("agency-figures", views.AgencyYearFigureViewSet, "agencyyearfigure"),
]

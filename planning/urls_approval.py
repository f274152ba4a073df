"""Routes of the plan pages: approval."""

urlpatterns = []

"""Routes of the plan pages: closing."""

urlpatterns = []

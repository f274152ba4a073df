"""Routes of the plan pages: structure."""

urlpatterns = []

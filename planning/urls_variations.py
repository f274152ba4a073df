"""Routes of the plan pages: variations."""

urlpatterns = []

"""Routes of the plan pages: acts."""

urlpatterns = []

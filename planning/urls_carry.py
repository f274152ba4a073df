"""Routes of the plan pages: carry."""

urlpatterns = []

"""Admin base classes that route every permission through governance.scoping."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from governance.roles import ADD, CHANGE, DELETE, VIEW, Role
from governance.scoping import ScopedModel, can, grants_for


def _restricted(model, request, action):
    return model._default_manager.restrict(request.user, action)


def _allowed(model, request, action, obj):
    if not can(request.user, action, model):
        return False
    return obj is None or _restricted(model, request, action).filter(pk=obj.pk).exists()


def _choices_for(related_model, request):
    """FK choices: objects of the ambiti where the user may write."""
    qs = related_model._default_manager.all()
    user = request.user
    if user.is_superuser:
        return qs
    ambiti = grants_for(user).ambiti(Role.STAFF, Role.REFERENT)
    return qs.filter(**{f"{related_model.scope_ambito}__in": ambiti})


def _check_saved(model, request, obj):
    """Refuse a write that would put an object outside the user's scope (rolled back)."""
    if obj.pk and not _restricted(model, request, CHANGE).filter(pk=obj.pk).exists():
        raise PermissionDenied("Non hai i permessi per modificare questo oggetto.")


class ScopedRelatedFilter(admin.RelatedFieldListFilter):
    """A sidebar filter that offers only the related objects the user may see."""

    def field_choices(self, field, request, model_admin):
        related = field.related_model
        if not (isinstance(related, type) and issubclass(related, ScopedModel)):
            return super().field_choices(field, request, model_admin)
        visible = related._default_manager.restrict(request.user, VIEW)
        ordering = self.field_admin_ordering(field, request, model_admin)
        if ordering:
            visible = visible.order_by(*ordering)
        return [(obj.pk, str(obj)) for obj in visible]


def _scoped_filter(model, entry):
    if not isinstance(entry, str):
        return entry
    field = None
    current = model
    for part in entry.split("__"):
        field = current._meta.get_field(part)
        current = field.related_model
    if field is not None and field.is_relation:
        return (entry, ScopedRelatedFilter)
    return entry


class ScopedPermissionsMixin:
    # Amounts are typed the Italian way ("1.234,56").
    formfield_overrides = {models.DecimalField: {"localize": True}}

    def get_queryset(self, request):
        return super().get_queryset(request).restrict(request.user, VIEW)

    def get_list_filter(self, request):
        return [_scoped_filter(self.model, entry) for entry in super().get_list_filter(request)]

    def has_module_permission(self, request):
        return can(request.user, VIEW, self.model)

    def has_view_permission(self, request, obj=None):
        return _allowed(self.model, request, VIEW, obj)

    def has_add_permission(self, request, obj=None):
        return can(request.user, ADD, self.model)

    def has_change_permission(self, request, obj=None):
        return _allowed(self.model, request, CHANGE, obj)

    def has_delete_permission(self, request, obj=None):
        return _allowed(self.model, request, DELETE, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if isinstance(related, type) and issubclass(related, ScopedModel):
            kwargs["queryset"] = _choices_for(related, request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ScopedInline(ScopedPermissionsMixin, admin.TabularInline):
    extra = 0
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return can(request.user, ADD, self.model) and (
            obj is None or _allowed(self.parent_model, request, CHANGE, obj)
        )


class ScopedAdmin(ScopedPermissionsMixin, SimpleHistoryAdmin):
    list_per_page = 50

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _check_saved(self.model, request, obj)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        for instance in formset.new_objects + [o for o, _ in formset.changed_objects]:
            _check_saved(type(instance), request, instance)

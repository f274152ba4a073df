"""Admin base classes that route every permission through core.scoping."""

import functools

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models, transaction
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from core import freeze
from core.formatting import format_euro
from core.roles import ADD, CHANGE, DELETE, VIEW, Role
from core.scoping import ScopedModel, can, grants_for
from core.wording import gender_of, saved_message

from .admin_actions import ActionsByPermissionMixin
from .forms import ItalianDecimalField


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

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        # Django offers the empty choice as "-", which reads as nothing to a person (and to
        # a screen reader): name it, as the text filters do.
        self.empty_value_display = "(non indicato)"

    def field_choices(self, field, request, model_admin):
        related = field.related_model
        if not (isinstance(related, type) and issubclass(related, ScopedModel)):
            return super().field_choices(field, request, model_admin)
        visible = related._default_manager.restrict(request.user, VIEW)
        ordering = self.field_admin_ordering(field, request, model_admin)
        if ordering:
            visible = visible.order_by(*ordering)
        return [(obj.pk, shown_name(obj)) for obj in visible]


@functools.cache
def _euro_column(model, name):
    """A list column showing a money field the Italian way ("4.000,00 €", not "4000,00")."""

    @admin.display(description=model._meta.get_field(name).verbose_name, ordering=name)
    def column(obj):
        return format_euro(getattr(obj, name))

    column.__name__ = name
    return column


def shown_name(obj):
    """What a person reads for ``obj``: its ``label`` property where the model has one (a
    funding channel by the name people know, not DOPO_DI_NOI), else its text."""
    if isinstance(getattr(type(obj), "label", None), property):
        return str(obj.label)
    return str(obj)


@functools.cache
def _label_column(model, name):
    """A list column showing a related object by its label (FundingChannel.label)."""

    @admin.display(description=model._meta.get_field(name).verbose_name, ordering=name)
    def column(obj):
        related = getattr(obj, name)
        return "-" if related is None else shown_name(related)

    column.__name__ = name
    return column


def _list_column(model, entry):
    if not isinstance(entry, str):
        return entry
    try:
        field = model._meta.get_field(entry)
    except FieldDoesNotExist:
        return entry
    if getattr(field, "money", False):
        return _euro_column(model, entry)
    related = field.related_model if field.many_to_one else None
    if related is not None and isinstance(getattr(related, "label", None), property):
        return _label_column(model, entry)
    return entry


class NamedBlankValuesFilter(admin.AllValuesFieldListFilter):
    """A sidebar filter of a text field's values where the empty value has a name: Django
    offers it as a link with no text (axe: link-name)."""

    def choices(self, changelist):
        for choice in super().choices(changelist):
            if not str(choice["display"]).strip():
                choice = {**choice, "display": "(non indicato)"}
            yield choice


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
    if isinstance(field, models.CharField | models.TextField) and not field.choices:
        return (entry, NamedBlankValuesFilter)
    return entry


class ScopedPermissionsMixin:
    # Amounts are typed the Italian way ("1.234,56").
    formfield_overrides = {models.DecimalField: {"form_class": ItalianDecimalField}}

    def get_queryset(self, request):
        return super().get_queryset(request).restrict(request.user, VIEW)

    def get_list_display(self, request):
        return [_list_column(self.model, entry) for entry in super().get_list_display(request)]

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
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and isinstance(getattr(related, "label", None), property):
            field.label_from_instance = shown_name  # channels by name in the select
        return field


class LabelledInlineFormSet(BaseInlineFormSet):
    """A tabular inline names its columns in the table's header, which no input is tied
    to: each visible input gets its own name, column and row ("Titolo, riga 3")."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for field in form.fields.values():
            if field.widget.is_hidden:
                continue
            label = str(field.label or "")
            if index is not None:
                label = f"{label}, riga {index + 1}"
            # A related field's select sits inside Django's wrapper (add/change links).
            widget = getattr(field.widget, "widget", field.widget)
            widget.attrs["aria-label"] = label


class ScopedInline(ScopedPermissionsMixin, admin.TabularInline):
    """Inline rows of a parent object.

    Django hands inlines the *parent* object, so the per-object checks look at the parent
    (the user must see it); which rows may be written is enforced row by row when the
    formset is saved (ScopedAdmin.save_formset).
    """

    extra = 0
    show_change_link = True
    formset = LabelledInlineFormSet
    template = "admin/edit_inline/tabular_labelled.html"

    def _parent_visible(self, request, obj):
        return obj is None or _allowed(self.parent_model, request, VIEW, obj)

    def has_view_permission(self, request, obj=None):
        return can(request.user, VIEW, self.model) and self._parent_visible(request, obj)

    def has_add_permission(self, request, obj=None):
        return (can(request.user, ADD, self.model) and self._parent_visible(request, obj)
                and _freeze_allows(self.model, obj, "add"))

    def has_change_permission(self, request, obj=None):
        return (can(request.user, CHANGE, self.model) and self._parent_visible(request, obj)
                and _freeze_allows(self.model, obj, "change"))

    def has_delete_permission(self, request, obj=None):
        return (can(request.user, DELETE, self.model) and self._parent_visible(request, obj)
                and _freeze_allows(self.model, obj, "delete"))

    def get_readonly_fields(self, request, obj=None):
        return _frozen_readonly(self, super().get_readonly_fields(request, obj), obj)


class ItalianHistoryMixin:
    """django-simple-history's title of a past version, in Italian (the package has no
    Italian catalog: "Revert …")."""

    def history_form_view_title(self, request, obj):
        if self.revert_disabled(request, obj):
            return f"Versione di {obj}"
        return f"Ripristino di {obj}"


class ScopedAdmin(ActionsByPermissionMixin, ScopedPermissionsMixin, ItalianHistoryMixin,
                  SimpleHistoryAdmin):
    list_per_page = 50
    # The verbose name's gender (core.wording) where the rule by its ending is wrong.
    gender = None

    # --- Messages in agreement with the model's gender ("La variazione … è stata aggiunta")

    def _say_saved(self, request, verb, obj, *, link=None):
        post = request.POST
        follow = None
        if verb != "delete" and ("_continue" in post or "_saveasnew" in post):
            follow = "edit" if self.has_change_permission(request, obj) else None
        elif verb != "delete" and "_addanother" in post:
            follow = "another"
        shown = format_html('<a href="{}">{}</a>', link, obj) if link else str(obj)
        request._pianozona_saved = saved_message(
            name=self.opts.verbose_name, gender=self.gender or gender_of(self.opts.verbose_name),
            obj=shown, verb=verb, follow=follow)

    def response_add(self, request, obj, post_url_continue=None):
        link = None
        if self.has_change_permission(request, obj):
            link = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                           args=(obj.pk,), current_app=self.admin_site.name)
        self._say_saved(request, "add", obj, link=link)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        self._say_saved(request, "change", obj, link=request.path)
        return super().response_change(request, obj)

    def response_delete(self, request, obj_display, obj_id):
        self._say_saved(request, "delete", obj_display)
        return super().response_delete(request, obj_display, obj_id)

    def message_user(self, request, message, level=messages.INFO, extra_tags="",
                     fail_silently=False):
        saved = getattr(request, "_pianozona_saved", None)
        if saved is not None and level == messages.SUCCESS:
            request._pianozona_saved = None
            message = saved
        super().message_user(request, message, level, extra_tags, fail_silently)

    # --- The freeze rule (core/freeze.py): what an approved or closed plan offers --------

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and _freeze_allows(
            self.model, obj, "change")

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and _freeze_allows(
            self.model, obj, "delete")

    def get_readonly_fields(self, request, obj=None):
        return _frozen_readonly(self, super().get_readonly_fields(request, obj), obj)

    def _refusing_frozen(self, request, view):
        """Run ``view``; a write the freeze rule refuses is undone and said in Italian."""
        try:
            with transaction.atomic():
                return view()
        except freeze.FrozenError as exc:
            for message in dict.fromkeys(exc.messages):
                messages.error(request, message)
            return HttpResponseRedirect(request.get_full_path())

    def _frozen_post(self, request, object_id, operation):
        if request.method != "POST" or not object_id:
            return None
        obj = self.get_object(request, unquote(object_id))
        view = freeze.admin_view(self.model, obj)
        if view is None or _view_allows(view, operation):
            return None
        messages.error(request, view.message())
        return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        refused = self._frozen_post(request, object_id, "change")
        if refused is not None:
            return refused
        if request.method == "GET" and object_id:
            view = freeze.admin_view(self.model, self.get_object(request, unquote(object_id)))
            if view is not None and view.message():
                messages.warning(request, view.message())
        return self._refusing_frozen(request, lambda: super(ScopedAdmin, self).changeform_view(
            request, object_id, form_url, extra_context))

    def delete_view(self, request, object_id, extra_context=None):
        refused = self._frozen_post(request, object_id, "delete")
        if refused is not None:
            return refused
        return self._refusing_frozen(request, lambda: super(ScopedAdmin, self).delete_view(
            request, object_id, extra_context))

    def changelist_view(self, request, extra_context=None):
        # Admin actions (delete_selected, the transitions) and list edits.
        if request.method == "POST" and request.POST.get("action") == "delete_selected":
            pks = request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME)
            for obj in self.get_queryset(request).filter(pk__in=pks):
                view = freeze.admin_view(self.model, obj)
                if view is not None and not view.may_delete():
                    messages.error(request, view.message())
                    return HttpResponseRedirect(request.get_full_path())
        return self._refusing_frozen(request, lambda: super(ScopedAdmin, self).changelist_view(
            request, extra_context))

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # django-simple-history saves a POSTed old version (a "revert") after checking only
        # the *view* permission: without this, whoever may read an object could overwrite
        # it, e.g. staff raising a role through the history of a Membership.
        if request.method == "POST":
            obj = self.get_object(request, unquote(object_id))
            if obj is None or not self.has_change_permission(request, obj):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _check_saved(self.model, request, obj)

    def save_formset(self, request, form, formset, change):
        # Rows that already exist: the user must be allowed to write them as they are now.
        for row in formset.forms:
            if row.instance.pk and (row in formset.deleted_forms or row.has_changed()):
                _check_saved(type(row.instance), request, row.instance)
        super().save_formset(request, form, formset, change)
        for instance in formset.new_objects + [o for o, _ in formset.changed_objects]:
            _check_saved(type(instance), request, instance)


def plan_of(obj):
    """The Piano Operativo whose structure or budget ``obj`` belongs to (None outside one)."""
    for _ in range(4):
        if obj is None or obj._meta.label == "objectives.OperatingPlan":
            return obj
        obj = next(
            (getattr(obj, name) for name in ("plan", "objective", "action") if hasattr(obj, name)),
            None,
        )
    return None


FROZEN_PLAN = "Il piano è approvato: le modifiche al budget passano da una variazione."


def _view_allows(view, operation):
    if operation == "add":
        return view.may_add()
    if operation == "delete":
        return view.may_delete()
    return view.editable_fields() != set()


def _freeze_allows(model, obj, operation):
    """Whether the freeze rule leaves ``operation`` on rows of ``model`` in the plan of
    ``obj`` (the row itself, or an inline's parent)."""
    view = freeze.admin_view(model, obj)
    return view is None or _view_allows(view, operation)


def _frozen_readonly(model_admin, readonly, obj):
    view = freeze.admin_view(model_admin.model, obj)
    editable = None if view is None else view.editable_fields()
    readonly = list(readonly)
    if editable is None:
        return readonly
    names = model_admin.fields or [
        f.name for f in model_admin.model._meta.fields if f.editable and not f.auto_created
    ]
    flat = []
    for name in names:
        flat.extend(name if isinstance(name, list | tuple) else [name])
    return readonly + [n for n in flat if n not in editable and n not in readonly]


class FrozenPlanMixin:
    """Kept for the admins that name it: the freeze rule now applies to every ScopedAdmin
    and ScopedInline of a model that belongs to a plan (core/freeze.py, objectives/freeze.py):
    read-only fields, no add/delete on a frozen plan, and an Italian refusal if a POST tries
    anyway. ``locked_states`` and ``approved_editable`` are no longer read: each model
    declares what stays editable (``approved_fields``, ``approved_rows``)."""

    locked_states = ()
    approved_editable = None

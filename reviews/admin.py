from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html_join

from core.admin import ReadOnlyAdmin
from projects.models import SignoffRole
from reviews.models import (
    ChecklistTemplate,
    ItemEvidence,
    Review,
    ReviewItem,
    ReviewItemChange,
    SignOff,
    TemplateItem,
    TemplateSection,
    Workshop,
)
from reviews.services.checklist_formats import CSV_COLUMNS
from reviews.services.checklists import (
    EXPORT_CONTENT_TYPES,
    EXPORT_FORMATS,
    IMPORT_MAX_BYTES,
    ChecklistImportError,
    checklist_export,
    checklist_import,
    format_from_filename,
    template_key_from_filename,
)
from reviews.uploads import upload_refusal

# --- Checklist templates ------------------------------------------------------


class ChecklistImportForm(forms.Form):
    file = forms.FileField(
        help_text="A YAML file, or a CSV (UTF-8) or XLSX file with one row per item."
    )
    format = forms.ChoiceField(
        choices=[("", "From the file name"), ("yaml", "YAML"), ("csv", "CSV"), ("xlsx", "XLSX")],
        required=False,
    )
    key = forms.SlugField(
        max_length=100,
        required=False,
        help_text="Default: the YAML file's key, or the CSV or XLSX file's name. "
        "Importing a key that exists creates its next version.",
    )
    name = forms.CharField(
        max_length=200, required=False, help_text="Default: the file's or the last version's."
    )

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is None:
            return cleaned
        if upload.size > IMPORT_MAX_BYTES:
            limit = IMPORT_MAX_BYTES // (1024 * 1024)
            self.add_error("file", f"The file is larger than {limit} MB; a checklist never is.")
        fmt = cleaned.get("format") or format_from_filename(upload.name)
        if not cleaned.get("key") and fmt in ("csv", "xlsx"):
            cleaned["key"] = template_key_from_filename(upload.name)
        cleaned["format"] = fmt
        if not fmt:
            self.add_error("format", "Cannot tell from the file name; choose YAML, CSV or XLSX.")
        return cleaned


class TemplateSectionInline(admin.TabularInline):
    model = TemplateSection
    fields = readonly_fields = ["order", "key", "title", "default_signoff_role"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class TemplateItemInline(admin.TabularInline):
    """Items of one version; a change means importing the next version, so they are read-only."""

    model = TemplateItem
    fields = readonly_fields = [
        "section", "order", "key", "title", "severity", "mandatory", "roles", "scope_list",
    ]  # fmt: skip
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("section")

    @admin.display(description="sign-off roles")
    def roles(self, item):
        labels = dict(SignoffRole.choices)
        return ", ".join(labels.get(role, role) for role in item.signoff_roles)

    @admin.display(description="scopes")
    def scope_list(self, item):
        return ", ".join(item.scopes)


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "version", "active", "item_count", "export_links"]
    list_filter = ["active", "key"]
    search_fields = ["name", "key"]
    fields = ["name", "key", "version", "description", "active", "created_at", "updated_at"]
    readonly_fields = ["key", "version", "created_at", "updated_at"]
    inlines = [TemplateSectionInline, TemplateItemInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(number_of_items=Count("items"))

    @admin.display(description="items", ordering="number_of_items")
    def item_count(self, template):
        return template.number_of_items

    @admin.display(description="export")
    def export_links(self, template):
        return format_html_join(
            " · ",
            '<a href="{}">{}</a>',
            ((self._export_url(template, fmt), fmt.upper()) for fmt in EXPORT_FORMATS),
        )

    def _export_url(self, template, fmt):
        return reverse("admin:reviews_checklisttemplate_export", args=[template.pk, fmt])

    def get_urls(self):
        own = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="reviews_checklisttemplate_import",
            ),
            path(
                "<path:object_id>/export/<str:fmt>/",
                self.admin_site.admin_view(self.export_view),
                name="reviews_checklisttemplate_export",
            ),
        ]
        return own + super().get_urls()  # before the catch-all "<path:object_id>/"

    def add_view(self, request, form_url="", extra_context=None):
        # A template is only ever created by importing a file.
        return redirect("admin:reviews_checklisttemplate_import")

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        posted = request.method == "POST"
        form = ChecklistImportForm(request.POST if posted else None, request.FILES or None)
        errors = []
        refusal = upload_refusal(request) if posted else None
        if refusal:  # stopped as it arrived, far over any checklist's size
            form.is_valid()
            form.errors.pop("file", None)  # not "required": say why it is missing
            form.add_error("file", refusal)
        if posted and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                template = checklist_import(
                    data=upload.read(),
                    fmt=form.cleaned_data["format"],
                    acting_user=request.user,
                    template_key=form.cleaned_data["key"] or None,
                    name=form.cleaned_data["name"] or None,
                )
            except ChecklistImportError as exc:
                errors = exc.errors
            else:
                self.log_addition(request, template, f"Imported from {upload.name}.")
                self.message_user(
                    request,
                    f"Imported {template} with {template.items.count()} items from {upload.name}; "
                    "it is now the active version of its key.",
                    messages.SUCCESS,
                )
                return redirect("admin:reviews_checklisttemplate_change", template.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": "Import checklist",
            "opts": self.model._meta,
            "form": form,
            "import_errors": errors,
            "csv_columns": CSV_COLUMNS,
        }
        return TemplateResponse(
            request, "admin/reviews/checklisttemplate/import_form.html", context
        )

    def export_view(self, request, object_id, fmt):
        template = self.get_object(request, object_id)
        if template is None or fmt not in EXPORT_FORMATS:
            raise Http404("No such checklist template or export format.")
        if not self.has_view_permission(request, template):
            raise PermissionDenied
        response = HttpResponse(
            checklist_export(template=template, fmt=fmt), content_type=EXPORT_CONTENT_TYPES[fmt]
        )
        filename = f"{template.key}-v{template.version}.{fmt}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


@admin.register(TemplateSection)
class TemplateSectionAdmin(ReadOnlyAdmin):
    list_display = ["title", "key", "order", "template"]
    list_filter = ["template"]
    list_select_related = ["template"]
    search_fields = ["key", "title"]


@admin.register(TemplateItem)
class TemplateItemAdmin(ReadOnlyAdmin):
    list_display = ["title", "key", "section", "severity", "mandatory", "template"]
    list_filter = ["template", "severity", "mandatory"]
    list_select_related = ["template", "section"]
    search_fields = ["key", "title", "description"]


# --- Reviews and what hangs off them: read-only, so every change goes through the services
# (and is recorded in the history) rather than around them.


class ReviewItemInline(admin.TabularInline):
    model = ReviewItem
    fields = ["key", "title", "status", "owner", "due_date", "is_blocker", "version"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("owner", "section")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = [
        "title",
        "project",
        "status",
        "scheduled_date",
        "template_name",
        "template_version",
    ]
    list_filter = ["status"]
    list_select_related = ["project"]
    search_fields = ["title", "project__name"]
    inlines = [ReviewItemInline]


@admin.register(ReviewItem)
class ReviewItemAdmin(ReadOnlyAdmin):
    list_display = ["title", "review", "status", "owner", "is_blocker", "version"]
    list_filter = ["status", "is_blocker", "mandatory"]
    list_select_related = ["review", "owner"]
    search_fields = ["key", "title", "response"]


@admin.register(ReviewItemChange)
class ReviewItemChangeAdmin(ReadOnlyAdmin):
    list_display = ["item", "user", "created_at", "version", "note"]
    list_select_related = ["item", "user"]
    date_hierarchy = "created_at"


@admin.register(SignOff)
class SignOffAdmin(ReadOnlyAdmin):
    list_display = ["item", "signer", "as_role", "decision", "created_at", "superseded_at"]
    list_filter = ["decision", "as_role"]
    list_select_related = ["item", "signer"]


@admin.register(ItemEvidence)
class ItemEvidenceAdmin(ReadOnlyAdmin):
    list_display = ["title", "item", "added_by", "created_at", "removed_at"]
    list_select_related = ["item", "added_by"]


@admin.register(Workshop)
class WorkshopAdmin(ReadOnlyAdmin):
    list_display = ["title", "review", "starts_at", "facilitator"]
    list_select_related = ["review", "facilitator"]

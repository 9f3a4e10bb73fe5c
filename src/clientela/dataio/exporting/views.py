"""Export pages: a list with its filters as CSV, XLSX, JSON or vCard; one person's data;
the full export of everything for administrators."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from clientela.core.permissions import capability_required
from clientela.customers import listing, selectors
from clientela.customers.forms import ListFilterForm
from clientela.customers.models import Contact
from clientela.dataio.exporting import services as exporting

export_required = capability_required("export")
staff_required = capability_required("manage_settings")


@require_safe
@export_required
def list_export(request, record_type: str):
    """The list exactly as the page shows it (same selector, same filters), every row."""
    if record_type not in listing.MODELS:
        raise Http404
    fmt = request.GET.get("format", "csv")
    if fmt not in exporting.FORMATS:
        raise Http404(_("Unknown export format."))
    spec = (listing.contact_spec if record_type == "contact" else listing.company_spec)(
        request.user
    )
    form = ListFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    queryset = listing.apply_filters(
        request.user, spec, listing.base_queryset(request.user, record_type), data, request.GET
    )
    export = exporting.ListExport(request.user, record_type, queryset)
    name = exporting.filename(record_type, fmt)
    if fmt == "xlsx":
        path = export.xlsx_file()
        handle = path.open("rb")
        path.unlink()  # the open handle keeps the file readable until the response ends
        return FileResponse(
            handle, as_attachment=True, filename=name, content_type=exporting.CONTENT_TYPES[fmt]
        )
    chunks = {"csv": export.csv_lines, "json": export.json_chunks, "vcard": export.vcards}[fmt]()
    response = StreamingHttpResponse(chunks, content_type=exporting.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_safe
@export_required
def person_export(request, pk: int):
    """One contact's full data as JSON: the answer to "what do you keep about me?" (R26)."""
    try:
        # person_data reads the e-mails, phones, addresses and tags itself.
        contact = selectors.contact_list(request.user).get(pk=pk)
    except Contact.DoesNotExist:
        raise Http404(_("There is no such contact.")) from None
    data = exporting.person_data(actor=request.user, contact=contact)
    response = StreamingHttpResponse(
        [json.dumps(data, ensure_ascii=False, indent=2)], content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="contact-{contact.pk}-data.json"'
    return response


@require_http_methods(["GET", "POST"])
@staff_required
def full_export(request):
    if request.method == "POST":
        path = exporting.full_export()
        messages.success(
            request,
            _("Export %(name)s written: everything, ready to download.") % {"name": path.name},
        )
        return redirect("exports:full")
    archives = [(path.name, path.stat().st_size) for path in exporting.export_archives()]
    return render(request, "dataio/full_export.html", {"archives": archives})


@require_safe
@staff_required
def full_export_download(request, name: str):
    path = exporting.export_archive(name)
    if path is None:
        raise Http404(_("There is no export with that name."))
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)

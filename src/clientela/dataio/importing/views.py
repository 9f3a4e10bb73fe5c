"""The Import pages: upload a file, map its columns with a preview, run it in the
background with a progress bar, read and download the rejected rows, undo or resume."""

from __future__ import annotations

import csv
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRefresh

from clientela.core.concurrency import StaleRecordError
from clientela.core.forms import add_service_errors
from clientela.core.permissions import capability_required
from clientela.core.phones import countries
from clientela.core.phones import display as display_phone
from clientela.core.text import Echo, spreadsheet_safe
from clientela.customers import corrections
from clientela.dataio.importing import calls as call_import
from clientela.dataio.importing import mapping, merge_queue, reading, selectors, services, summary
from clientela.dataio.importing.forms import PhoneCorrectionForm
from clientela.dataio.importing.rows import OTHER_TYPES
from clientela.dataio.models import DuplicateMode, ImportRun, MappingTemplate, SuspectedDuplicate
from clientela.users import selectors as user_selectors

import_required = capability_required("import")
RECORD_TYPES = (
    ("contact", _("Contacts")),
    ("company", _("Companies")),
    ("deal", _("Deals")),
    ("product", _("Products and prices")),
    ("order", _("Orders with their lines")),
    ("activity", _("Notes, calls, meetings and e-mails")),
    ("task", _("Tasks")),
)
ENCODING_CHOICES = (
    ("utf-8", "UTF-8"),
    ("utf-8-sig", "UTF-8 (BOM)"),
    ("utf-16", "UTF-16"),
    ("cp1250", "Windows-1250"),
    ("cp1252", "Windows-1252"),
    ("iso-8859-2", "ISO-8859-2"),
)
DELIMITER_CHOICES = ((",", ","), (";", ";"), ("\t", "Tab"), ("|", "|"))
Status = ImportRun.Status
CHECK_STATUSES = {Status.CHECKING, Status.REFUSED}
FINISHED_STATUSES = {Status.DONE, Status.FAILED, Status.STOPPED, Status.UNDONE}
UNDOABLE_STATUSES = {Status.DONE, Status.FAILED, Status.STOPPED}


def _number(value) -> int:
    """A posted id, or 0 (which matches nothing) when it is not a number."""
    return int(value) if value and str(value).isdigit() else 0


def _run(request, pk: int) -> ImportRun:
    try:
        return selectors.run_for(request.user, pk)
    except ImportRun.DoesNotExist:
        raise Http404(_("There is no such import.")) from None


@require_http_methods(["GET", "POST"])
@import_required
def start(request):
    errors = []
    record_type = request.POST.get("record_type", request.GET.get("type", "contact"))
    if request.method == "POST":
        upload = request.FILES.get("file")
        template = selectors.templates(record_type).filter(pk=_number(request.POST.get("template")))
        if upload is None:
            errors.append(_("Choose a file to import."))
        else:
            try:
                run = services.receive(
                    actor=request.user,
                    source=upload,
                    file_name=upload.name,
                    record_type=record_type,
                    template=template.first(),
                )
            except ValidationError as error:
                errors.extend(error.messages)
            else:
                return redirect("imports:run", pk=run.pk)
    return render(
        request,
        "dataio/import_start.html",
        {
            "errors": errors,
            "record_type": record_type,
            "record_types": RECORD_TYPES,
            "runs": selectors.recent_runs(request.user),
            "templates": selectors.all_templates(),
        },
        status=400 if errors else 200,
    )


def _mapping_context(request, run: ImportRun, errors=None) -> dict:
    targets = mapping.targets(run.record_type, request.user)
    shown = services.preview(run)
    labels = {target.key: str(target.label) for target in targets}
    # A deal's columns shown under the field they are stored in.
    labels |= {PREVIEW_KEYS[key]: labels[key] for key in DEAL_PREVIEW if key in labels}
    used = [key for key in dict.fromkeys(run.mapping) if key]
    return {
        "run": run,
        "columns": list(
            zip(range(len(run.headers)), run.headers, run.mapping, _samples(run), strict=False)
        ),
        "targets": targets,
        "preview": shown,
        "summary": summary.summarise(run, services.lookups_for(run)),
        "preview_fields": [(key, labels.get(key, key)) for key in _shown_fields(run, used)],
        "modes": DuplicateMode.choices,
        "encodings": ENCODING_CHOICES,
        "delimiters": DELIMITER_CHOICES,
        "templates": selectors.templates(run.record_type),
        "owners": user_selectors.by_name(),
        "errors": errors or [],
    }


PREVIEW_KEYS = {
    "email": "emails",
    "phone": "phones",
    "mobile": "phones",
    "street": "addresses",
    "city": "addresses",
    "region": "addresses",
    "postal_code": "addresses",
    "country": "addresses",
    "deal_name": "name",
    "deal_stage": "stage",
    "contact_email": "contacts",
}
DEAL_PREVIEW = ("deal_name", "deal_stage", "contact_email")


def _shown_fields(run: ImportRun, used: list[str]) -> list[str]:
    """The preview's columns: stored fields in the mapping's order, each once."""
    keys = []
    remap = run.record_type not in OTHER_TYPES  # those show their cells by target
    for key in used:
        if key in {"external_id", mapping.NEW_CUSTOM}:
            continue
        if remap:
            key = "custom" if key.startswith(mapping.CUSTOM_PREFIX) else PREVIEW_KEYS.get(key, key)
        if key not in keys:
            keys.append(key)
    return keys


def _samples(run: ImportRun) -> list[str]:
    """The first data row's values, shown beside each column to help map it."""
    info = reading.FileInfo(run.format, run.encoding, run.delimiter)
    first = next(reading.data_rows(Path(run.path), info), (0, []))[1]
    return [first[i] if i < len(first) else "" for i in range(len(run.headers))]


def _posted_columns(request, run: ImportRun) -> list[str]:
    return [request.POST.get(f"col_{i}", "") for i in range(len(run.headers))]


@require_http_methods(["GET", "POST"])
@import_required
def run_page(request, pk: int):
    run = _run(request, pk)
    if run.status in CHECK_STATUSES:
        return render(request, "dataio/import_check.html", {"run": run})
    if run.status != ImportRun.Status.DRAFT:
        return render(request, "dataio/import_run.html", _progress_context(run))
    errors = []
    if request.method == "POST":
        action = request.POST.get("action", "preview")
        if action == "discard":
            services.discard(actor=request.user, run=run)
            messages.success(request, _("The file was set aside; nothing was imported."))
            return redirect("imports:start")
        try:
            if action == "template":
                template = selectors.templates(run.record_type).get(
                    pk=_number(request.POST.get("template"))
                )
                allowed = {t.key for t in mapping.targets(run.record_type, request.user)}
                columns = mapping.from_template(run.headers, template.mapping, allowed)
            else:
                columns = _posted_columns(request, run)
            services.configure(
                actor=request.user,
                run=run,
                columns=columns,
                duplicate_mode=request.POST.get("duplicate_mode", run.duplicate_mode),
                dry_run=request.POST.get("dry_run") == "on",
                encoding=request.POST.get("encoding", ""),
                delimiter=request.POST.get("delimiter", ""),
                default_owner=user_selectors.active_person(
                    _number(request.POST.get("default_owner"))
                ),
            )
            if action == "save":
                saved = services.save_template(
                    actor=request.user, run=run, name=request.POST.get("template_name", "")
                )
                messages.success(request, _("Mapping “%(name)s” saved.") % {"name": saved.name})
            if action == "start":
                services.start(actor=request.user, run=run)
                return redirect("imports:run", pk=run.pk)
        except ValidationError as error:
            errors.extend(error.messages)
        except MappingTemplate.DoesNotExist:
            errors.append(_("Choose a saved mapping."))
        run.refresh_from_db()
        if request.htmx and action == "preview":
            return render(request, "dataio/_import_preview.html", _mapping_context(request, run))
    return render(
        request,
        "dataio/import_map.html",
        _mapping_context(request, run, errors),
        status=400 if errors else 200,
    )


def _progress_context(run: ImportRun) -> dict:
    done = selectors.progress(run)
    return {
        "run": run,
        "progress": done,
        "time_left": selectors.duration(done.seconds_left),
        "stalled": services.stalled(run),
        "rejections": selectors.rejections(run, limit=100),
        "notes": selectors.notes(run, limit=100),
        "finished": run.status in FINISHED_STATUSES,
        "undoable": not run.dry_run
        and (run.status == ImportRun.Status.DONE or (run.created or run.updated))
        and run.status in UNDOABLE_STATUSES,
        "undoing": run.status == ImportRun.Status.UNDOING,
    }


@require_safe
@import_required
def progress(request, pk: int):
    run = _run(request, pk)
    if run.status in CHECK_STATUSES:
        return render(request, "dataio/_import_check.html", {"run": run})
    if run.status == ImportRun.Status.DRAFT and request.htmx:
        # Checked: the page that polled reloads into the mapping form.
        return HttpResponseClientRefresh()
    return render(request, "dataio/_import_progress.html", _progress_context(run))


@require_safe
@import_required
def rejected_csv(request, pk: int):
    """The rejected rows as CSV: row, column, reason, then the row's own cells."""
    run = _run(request, pk)
    writer = csv.writer(Echo())

    def lines():
        yield "\ufeff" + writer.writerow(
            [_("Row"), _("Column"), _("Reason"), *map(spreadsheet_safe, run.headers)]
        )
        for rejection in selectors.rejections(run).iterator(chunk_size=1000):
            yield writer.writerow(
                [
                    rejection.row,
                    spreadsheet_safe(rejection.column),
                    rejection.reason,
                    *map(spreadsheet_safe, rejection.values),
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rejected-rows-{run.pk}.csv"'
    return response


@require_safe
@import_required
def report_csv(request, pk: int):
    """The whole report as CSV, row by row: rejected, skipped, merged or warned of, the
    column, the message, and a rejected row's own cells."""
    run = _run(request, pk)
    writer = csv.writer(Echo())

    def lines():
        yield "\ufeff" + writer.writerow(
            [
                _("Row"),
                _("Outcome"),
                _("Column"),
                _("Message"),
                *map(spreadsheet_safe, run.headers),
            ]
        )
        for row, outcome, column, message, values in selectors.report(run):
            yield writer.writerow(
                [
                    row,
                    outcome,
                    spreadsheet_safe(column),
                    spreadsheet_safe(message),
                    *map(spreadsheet_safe, values),
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-report-{run.pk}.csv"'
    return response


@require_POST
@import_required
def undo(request, pk: int):
    run = _run(request, pk)
    try:
        services.request_undo(actor=request.user, run=run)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _(
                "Undoing the import: its new records go to the trash and the records it "
                "changed go back to how they were. This page shows when it is done."
            ),
        )
    return redirect("imports:run", pk=run.pk)


@require_POST
@import_required
def resume(request, pk: int):
    run = _run(request, pk)
    try:
        services.resume(actor=request.user, run=run)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The import carries on from its last saved batch."))
    return redirect("imports:run", pk=run.pk)


@require_safe
@import_required
def duplicates(request):
    """The merge queue: contacts an import stored beside a namesake at the same company,
    each pair compared and merged on the merge page, or dismissed as two people."""
    return render(
        request,
        "dataio/duplicates.html",
        {"pairs": selectors.suspected_duplicates(request.user)},
    )


@require_safe
@import_required
def data_health(request):
    """What an import brought in that needs a person's eye: the phone numbers it kept as
    written, unverified, each with a form to correct it in place."""
    return _data_health_page(request)


def _data_health_page(request, correcting: int | None = None, form=None, status: int = 200):
    """The page; `form`, bound and refused, is shown with its errors on the row of phone
    `correcting` (the others start from the number kept and the record's country)."""
    page = selectors.unverified_phones(request.user, request.GET.get("after"))
    rows = [
        (
            phone,
            phone.contact or phone.company,
            form
            if phone.pk == correcting
            else PhoneCorrectionForm(
                initial={
                    "number": phone.raw,
                    "country": phone.address_country,
                    "version": (phone.contact or phone.company).version,
                },
                prefix=f"phone-{phone.pk}",
            ),
        )
        for phone in page.items
    ]
    return render(
        request,
        "dataio/data_health.html",
        {
            "page": page,
            "rows": rows,
            "countries": countries(get_language() or settings.LANGUAGE_CODE),
            "query": "",
            "next_query": urlencode({"after": page.next_cursor}) if page.next_cursor else "",
            "is_first_page": not request.GET.get("after"),
        },
        status=status,
    )


@require_POST
@import_required
def correct_phone(request, pk: int):
    """One number of data health corrected: checked in the country chosen, stored in
    E.164 and verified; refused with the reason beside the field, nothing written."""
    phone = selectors.unverified_phone(request.user, pk)
    if phone is None:
        raise Http404(_("There is no such unverified number."))
    form = PhoneCorrectionForm(request.POST, prefix=f"phone-{pk}")
    if form.is_valid():
        try:
            record = corrections.correct_phone(
                actor=request.user,
                phone=phone,
                number=form.cleaned_data["number"],
                country=form.cleaned_data["country"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except (PermissionDenied, StaleRecordError) as error:
            messages.error(request, str(error))
            return redirect("imports:data-health")
        else:
            messages.success(
                request,
                _("%(record)s: %(number)s is checked and stored.")
                % {"record": record, "number": display_phone(record.phone)},
            )
            return redirect("imports:data-health")
    return _data_health_page(request, correcting=pk, form=form, status=400)


@require_POST
@import_required
def dismiss_duplicate(request, pk: int):
    return _settle_pair(request, pk, merge_queue.dismiss_duplicate, _("Kept as two people."))


@require_POST
@import_required
def merge_duplicate(request, pk: int):
    return _settle_pair(request, pk, merge_queue.merge_duplicate, _("Merged into one contact."))


def _settle_pair(request, pk: int, settle, done: str):
    pair = SuspectedDuplicate.objects.filter(pk=pk).first()
    visible = {item.pair.pk for item in selectors.suspected_duplicates(request.user)}
    if pair is None or pair.pk not in visible:
        raise Http404(_("There is no such pair."))
    try:
        settle(actor=request.user, pair=pair)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, done)
    return redirect("imports:duplicates")


@require_http_methods(["GET", "POST"])
@import_required
def calls(request):
    """A phone system's call log: each call on the timeline of the contact it was with."""
    errors: list[str] = []
    result = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            errors.append(_("Choose the call log to import."))
        else:
            try:
                result = call_import.import_calls(
                    actor=request.user,
                    source=upload,
                    recordings=request.FILES.getlist("recordings"),
                )
            except ValidationError as error:
                errors.extend(error.messages)
    return render(
        request,
        "dataio/import_calls.html",
        {"errors": errors, "result": result},
        status=400 if errors else 200,
    )

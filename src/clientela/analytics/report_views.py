"""The report builder's pages: thin, the figures come from analytics.reports and every
write from analytics.services."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from clientela.analytics import reports, services
from clientela.analytics.forms import ReportForm
from clientela.analytics.models import Report
from clientela.core import filters, permissions
from clientela.core.text import spreadsheet_safe


@require_safe
def report_list(request):
    return render(
        request,
        "analytics/reports.html",
        {
            "reports": reports.reports_for(request.user),
            "may_build": services.may_build(request.user),
        },
    )


def _initial(report: Report | None) -> dict:
    if report is None:
        return {"record_type": "deal", "measure": "count"}
    return {
        "name": report.name,
        "record_type": report.record_type,
        "group_by": report.group_by,
        "measure": report.measure,
        "measure_field": report.measure_field,
        "filters": report.filters,
        "team": report.team_id,
        "role": report.role_id,
        "schedule": report.schedule,
    }


@require_http_methods(["GET", "HEAD", "POST"])
def report_build(request, pk: int | None = None):
    if not services.may_build(request.user):
        raise PermissionDenied
    report = None
    if pk is not None:
        report = get_object_or_404(reports.reports_for(request.user), pk=pk)
        if not services.may_change(request.user, report):
            raise PermissionDenied
    action = request.POST.get("action", "")
    # Editing the filter or changing the record type draws the form again, no figures.
    editing = request.method == "POST" and (action.startswith("filter-") or action == "refresh")
    form = ReportForm(
        request.POST if request.method == "POST" and not editing else None,
        user=request.user,
        initial=_initial(report),
        posted=request.POST if editing else None,
    )
    result = None
    if form.is_bound and form.is_valid():
        if request.POST.get("action") == "save":
            if not form.cleaned_data["name"].strip():
                form.add_error("name", _("Give the report a name."))
            else:
                saved = services.save_report(
                    actor=request.user, report=report, data=form.cleaned_data
                )
                messages.success(request, _("Report saved."))
                return redirect(saved)
        result = reports.run(request.user, form.definition)
    elif report is not None and request.method != "POST":
        # An existing report opens with its figures shown, as its author's role sees them.
        _report, result, _problem = _visible(request, report.pk)
    return render(
        request,
        "analytics/report_build.html",
        {"form": form, "report": report, "result": result, "editor_url": request.path},
    )


def _visible(request, pk: int) -> tuple[Report, reports.Result | None, str]:
    report = get_object_or_404(reports.reports_for(request.user), pk=pk)
    try:
        definition = reports.definition_of(request.user, report)
    except (filters.FilterError, reports.ReportError) as error:
        message = error.messages[0] if isinstance(error, ValidationError) else str(error)
        return report, None, message
    return report, reports.run(request.user, definition), ""


@require_safe
def report_detail(request, pk: int):
    report, result, problem = _visible(request, pk)
    return render(
        request,
        "analytics/report.html",
        {
            "report": report,
            "result": result,
            "problem": problem,
            "may_change": services.may_change(request.user, report),
            "may_export": permissions.can(request.user, "export"),
        },
    )


@require_POST
def report_delete(request, pk: int):
    report = get_object_or_404(reports.reports_for(request.user), pk=pk)
    services.delete_report(actor=request.user, report=report)
    messages.success(request, _("Report deleted. It stays in the audit trail."))
    return redirect("analytics:reports")


@require_safe
def report_export(request, pk: int, fmt: str):
    permissions.require(request.user, "export")
    report, result, problem = _visible(request, pk)
    if result is None:
        raise PermissionDenied(problem)
    rows = reports.table(result)
    name = slugify(report.name) or "report"
    if fmt == "csv":
        buffer = io.StringIO()
        csv.writer(buffer).writerows([[spreadsheet_safe(v) for v in row] for row in rows])
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(
            _xlsx(rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    elif fmt == "pdf":
        from weasyprint import HTML  # imported here: loading Pango takes a moment

        html = render_to_string(
            "analytics/report_pdf.html", {"report": report, "result": result}, request=request
        )
        response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _xlsx(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    for i, row in enumerate(rows):
        sheet.append([_number(v) if i and j else spreadsheet_safe(v) for j, v in enumerate(row)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _number(value: str) -> object:
    try:
        return float(value) if value else None
    except ValueError:
        return spreadsheet_safe(value)

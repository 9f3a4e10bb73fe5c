"""The desk's settings pages: departments (members, lead, assignment, hours, holidays)
and the routing rules in their order. For roles that manage settings."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from clientela.core import permissions
from clientela.core.forms import add_service_errors
from clientela.tickets import configuration, selectors, services
from clientela.tickets.forms import DepartmentForm, RuleForm
from clientela.tickets.models import DEFAULT_HOURS, Department, RoutingRule


@require_safe
@permissions.capability_required("manage_settings")
def desk_settings(request):
    services.ensure_department()
    return render(
        request,
        "tickets/settings.html",
        {
            "departments": selectors.departments(),
            "rules": selectors.rules(),
            "policies": selectors.sla_policies(),
            "transitions": selectors.transitions(),
        },
    )


def _department_initial(department: Department | None) -> dict:
    initial: dict[str, object]
    if department is None:
        hours, initial = DEFAULT_HOURS, {"time_zone": "Europe/Bucharest"}
    else:
        hours = department.hours
        initial = {
            "name": department.name,
            "lead": department.lead_id,
            "members": list(department.members.all()),
            "assignment": department.assignment,
            "time_zone": department.time_zone,
            "holidays": "\n".join(department.holidays),
        }
    for day in range(7):
        opens, closes = (hours or {}).get(str(day), ["", ""])
        initial[f"opens_{day}"], initial[f"closes_{day}"] = opens, closes
    return initial


@require_http_methods(["GET", "POST"])
@permissions.capability_required("manage_settings")
def department_edit(request, pk: int | None = None):
    department = get_object_or_404(Department, pk=pk) if pk else None
    form = DepartmentForm(request.POST or None, initial=_department_initial(department))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = configuration.save_department(
                actor=request.user,
                department=department,
                name=data["name"],
                lead=data["lead"],
                members=list(data["members"]),
                assignment=data["assignment"],
                time_zone=data["time_zone"],
                hours=configuration.parse_hours(form.hour_rows()),
                holidays=configuration.parse_holidays(data["holidays"]),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": saved.name})
            return redirect("tickets:departments")
    return render(
        request,
        "tickets/department_edit.html",
        {"form": form, "department": department},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@permissions.capability_required("manage_settings")
def rule_edit(request, pk: int | None = None):
    rule = get_object_or_404(RoutingRule, pk=pk) if pk else None
    if request.method == "POST" and rule is not None and request.POST.get("action") == "delete":
        configuration.delete_rule(actor=request.user, rule=rule)
        messages.success(request, _("Rule %(name)s deleted.") % {"name": rule.name})
        return redirect("tickets:departments")
    services.ensure_department()
    initial = (
        {
            "name": rule.name,
            "department": rule.department_id,
            "position": rule.position,
            "keywords": rule.keywords,
            "customer_tag": rule.customer_tag,
            "channel": rule.channel,
            "language": rule.language,
            "order_stage": rule.order_stage,
            "active": rule.active,
        }
        if rule
        else {"position": (RoutingRule.objects.count() + 1) * 10, "active": True}
    )
    form = RuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = configuration.save_rule(actor=request.user, rule=rule, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Rule %(name)s saved.") % {"name": saved.name})
            return redirect("tickets:departments")
    return render(
        request,
        "tickets/rule_edit.html",
        {"form": form, "rule": rule},
        status=400 if form.errors else 200,
    )

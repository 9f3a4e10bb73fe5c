"""Pages that combine apps: the home page by role and the settings index."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from clientela.activities import selectors as activity_selectors
from clientela.activities.models import Activity, ActivityKind
from clientela.core import (
    audit,
    demo_records,
    first_steps,
    navigation,
    permissions,
    presenting,
    redirects,
)
from clientela.customers import selectors as customer_selectors
from clientela.customers.models import Contact
from clientela.deals import selectors as deal_selectors
from clientela.deals.models import Deal
from clientela.orders import selectors as order_selectors
from clientela.tickets import selectors as ticket_selectors
from clientela.users import selectors as user_selectors
from clientela.users import services as user_services
from clientela.users.models import User


@require_safe
def home(request):
    """A representative sees their day; a role with team reports also sees the team's
    numbers and what is stuck; a support agent sees their tickets by deadline, and a
    department's lead every queue's load and breaches."""
    user = request.user
    day = activity_selectors.my_day(user)
    context = {
        "attention": customer_selectors.needs_attention(user),
        # The records the tasks are on, as the user may see them (a deal without amount).
        "overdue": presenting.present_attached(user, day["overdue"][:5]),
        "today": presenting.present_attached(user, day["today"][:5]),
        "can_invite": permissions.can(user, "manage_users"),
        "can_import": permissions.can(user, "import"),
        "can_connect_mail": permissions.can(user, "manage_settings"),
        "steps": None if user.first_steps_dismissed_at else _first_steps(user),
        "desk": ticket_selectors.desk_home(user),
        **demo_records.banner(user),
    }
    members = user_selectors.reported_on(user)
    context["stale"] = _stale_work(user, [m.pk for m in members] or [user.pk], team=bool(members))
    if members:
        ids = [member.pk for member in members]
        book = customer_selectors.team_book(user, ids)
        work = activity_selectors.team_workload(ids)
        context["team"] = {
            "name": user.team.name if user.team_id else None,
            "rows": [{"member": m, **book[m.pk], **work[m.pk]} for m in members],
            "stuck": customer_selectors.team_stuck(user, ids),
            "overdue": presenting.present_attached(
                user, activity_selectors.team_overdue(user, ids)
            ),
        }
    return render(request, "workspace/home.html", context)


def _stale_work(user, owner_ids: list[int], *, team: bool) -> dict:
    """Open deals gone quiet and orders stuck in a stage: the user's own, or a manager's
    team's, oldest first (each list one query, none read for a role that cannot see it)."""
    deals = (
        presenting.present_all(user, deal_selectors.stale_deals(user, owner_ids))
        if permissions.scope(user, "deal", "view") != permissions.NONE
        else []
    )
    orders = (
        presenting.present_all(user, order_selectors.stuck_orders(user, owner_ids))
        if permissions.scope(user, "order", "view") != permissions.NONE
        else []
    )
    return {
        "deals": deals,
        "orders": orders,
        "team": team,
        "deal_days": settings.DEAL_STALE_AFTER_DAYS,
        "order_days": settings.ORDER_STUCK_AFTER_DAYS,
    }


def _first_steps(user) -> dict[str, bool]:
    """Which of the first steps this person has taken, from what they did (the audit trail,
    their calls, and what the imports and e-mail apps register in core.first_steps).
    Searching with Ctrl+K is ticked in the browser (app.js), where the palette opens."""
    taken = first_steps.taken(user)
    steps = {
        "contact": audit.has_done(user, "create", Contact) or taken.get("import", False),
        "call": Activity.objects.filter(author=user, kind=ActivityKind.CALL).exists(),
        "deal": audit.has_done(user, "create", Deal),
        "invite": permissions.can(user, "manage_users") and audit.has_done(user, "create", User),
        "email": taken.get("email", False),
        "password": audit.has_done(user, "password", User),
    }
    steps["all"] = all(steps.values())
    return steps


@require_POST
def dismiss_first_steps(request):
    user_services.dismiss_first_steps(actor=request.user)
    return redirect("workspace:home")


@require_POST
def remove_demo(request):
    """The demo banner's button: the example records go to the trash, where they can be
    restored from; the user's own records stay."""
    if not demo_records.may_remove(request.user):
        raise PermissionDenied
    moved = demo_records.remove(actor=request.user)
    messages.success(
        request,
        ngettext(
            "%(count)d example record moved to the trash; restore it from there if needed.",
            "%(count)d example records moved to the trash; restore them from there if needed.",
            moved,
        )
        % {"count": moved},
    )
    return redirects.back(request, "workspace:home")


@require_safe
def settings_index(request):
    sections = navigation.sections_for(request.user)
    if not sections:
        raise PermissionDenied
    return render(request, "workspace/settings.html", {"sections": sections})

"""Every URL, every role, against records owned by another team: nothing leaks.

Each URL pattern of the product must have a probe below; a new URL without one makes
`test_every_url_has_a_probe` fail, so no page or endpoint ships unchecked. A probe
says what the request touches: the other team's record in view (`view`), in a list
or search (`list`), a change to it (`edit`, `delete`), something only its owner may
use (`owner`), settings pages (`settings`), Django's admin (`staff`), amounts only roles with
sensitive access see (`sensitive`), or nothing of anyone else's (`self`). A probe is judged by
the role's scopes on its record type (contacts unless it says otherwise: a support agent
answers every ticket, yet changes only their own contacts)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver

from clientela.activities import services as activity_services
from clientela.activities import timers
from clientela.activities.models import Activity, TimeEntry
from clientela.analytics.models import Report
from clientela.api import services as api_services
from clientela.api.models import ApiToken
from clientela.core import audit, permissions, record_services
from clientela.core.models import SavedView
from clientela.customers import services
from clientela.customers.models import Contact, PhoneNumber
from clientela.dataio.models import (
    ImportedRecord,
    ImportRejection,
    ImportRun,
    SuspectedDuplicate,
)
from clientela.deals import services as deal_services
from clientela.deals.models import Deal, DealLine, Pipeline
from clientela.notifications import services as notifications
from clientela.orders import invoicing, shipping
from clientela.orders import services as order_services
from clientela.orders.models import Invoice, Order, Payment, Shipment
from clientela.projects import services as project_services
from clientela.projects.models import Project
from clientela.tickets import configuration as desk_configuration
from clientela.tickets import knowledge
from clientela.tickets import services as ticket_services
from clientela.tickets.models import (
    Article,
    ArticleCategory,
    CannedReply,
    Department,
    RoutingRule,
    SlaPolicy,
    StatusTransition,
    Ticket,
    TicketArticle,
    TicketMessage,
)
from clientela.users.services import create_user, role_named, team_named
from clientela.webhooks.models import Delivery, Subscription
from tests.orders.conftest import build_shop

SECRET = "Secreta Ionescu"
RATE = {"currency": "EUR", "day": "2026-03-02", "rate": "4.9753"}
RATE_FORM = {"rate-currency": "EUR", "rate-day": "2026-03-02", "rate-rate": "4.9753"}
SECRET_COMPANY = "Compania Secretă"


@dataclass(frozen=True)
class Probe:
    kind: str  # view, list, edit, delete, owner, staff, self
    method: str
    url: str
    data: dict | None = None
    capability: str = "manage_settings"  # what a "settings" probe needs
    record_type: str = "contact"  # whose scopes judge it
    follow: bool = False  # judged on the page a redirect leads to
    adds: str = ""  # a "new" page: the record type it adds, which the role must also may add


def probes(w) -> dict[str, Probe]:
    """w: the other team's world (records, ids) built by the fixture."""
    c, co, o, d = w["contact"].pk, w["company"].pk, w["owner"].pk, w["deal"].pk
    token = f"contact:{c}"
    edit_form = {
        "full_name": "Changed",
        "lifecycle_stage": w["contact"].lifecycle_stage_id,
        "source": "web",
    }
    return {
        "workspace:home": Probe("self", "GET", "/"),
        "core:healthz": Probe("self", "GET", "/healthz"),
        "core:favicon": Probe("self", "GET", "/favicon.ico"),
        "core:javascript-catalogue": Probe("self", "GET", "/jsi18n/?l=ro&v=1"),
        # One's own language only: it changes nobody else's account.
        "users:choose-language": Probe(
            "self", "POST", "/language/", {"language": "es", "next": "/"}
        ),
        "core:search": Probe("list", "GET", "/search/?q=secreta"),
        "core:search-palette": Probe("list", "GET", "/search/palette/?q=secreta"),
        "customers:contact-list": Probe("list", "GET", "/contacts/?q=secreta"),
        "customers:contact-create": Probe("self", "GET", "/contacts/new/"),
        "customers:quick-add": Probe("self", "GET", "/contacts/quick-add/"),
        "customers:quick-add-check": Probe(
            "list", "GET", "/contacts/quick-add/check/?email=secreta@firma-b.ro"
        ),
        "customers:contact-detail": Probe("view", "GET", f"/contacts/{c}/"),
        "customers:contact-panel": Probe("view", "GET", f"/contacts/{c}/panels/order-files/"),
        "customers:contact-edit": Probe("edit", "POST", f"/contacts/{c}/edit/", edit_form),
        "customers:company-list": Probe("list", "GET", "/companies/?q=compania"),
        "customers:company-create": Probe("self", "GET", "/companies/new/"),
        "customers:company-suggest": Probe("list", "GET", "/companies/suggest/?q=compania"),
        "customers:company-detail": Probe("view", "GET", f"/companies/{co}/"),
        # Cards that load after the page's first paint answer only for a visible record.
        "customers:company-panel": Probe("view", "GET", f"/companies/{co}/panels/shipments/"),
        "customers:company-edit": Probe(
            "edit", "POST", f"/companies/{co}/edit/", {"name": "Changed", "status": "active"}
        ),
        "customers:inline-edit": Probe(
            "edit",
            "POST",
            f"/records/contact/{c}/inline/",
            {**edit_form, "version": w["contact"].version},
        ),
        "customers:bulk-action": Probe(
            "edit",
            "POST",
            "/lists/contact/bulk/",
            {"action": "tag", "ids": [c], "tags": "hacked", "confirm": "yes"},
        ),
        "customers:save-view": Probe(
            "self", "POST", "/lists/contact/views/", {"name": "Mine", "query": "owner=me"}
        ),
        "customers:delete-view": Probe("owner", "POST", f"/lists/views/{w['view'].pk}/delete/"),
        "core:trash": Probe("list", "GET", "/trash/"),
        "core:trash-action": Probe(
            "delete",
            "POST",
            "/trash/action/",
            {"type": "contact", "id": w["trashed"].pk, "action": "restore"},
        ),
        "customers:undo-trash": Probe("self", "POST", "/trash/undo/"),
        "core:record-history": Probe("view", "GET", f"/records/contact/{c}/history/"),
        "core:restore-version": Probe("edit", "POST", f"/history/{w['version'].pk}/restore/"),
        "customers:merge": Probe("delete", "POST", f"/merge/contact/{c}/{w['other'].pk}/"),
        "customers:merge-undo": Probe("self", "POST", "/merge/undo/"),
        "activities:my-day": Probe("self", "GET", "/my-day/"),
        # A feed is reached by its secret address alone: a wrong one is a 404 for anyone.
        "activities:calendar-feed": Probe("self", "GET", "/calendar/" + "x" * 43 + ".ics"),
        "users:calendar-feed": Probe("self", "GET", "/account/calendar/"),
        "activities:log-activity": Probe(
            "edit", "POST", f"/records/{token}/log/", {"kind": "note", "body": "hacked"}
        ),
        "activities:task-create": Probe(
            "edit", "POST", f"/records/{token}/tasks/", {"title": "hacked"}
        ),
        "activities:file-upload": Probe(
            "edit",
            "POST",
            f"/records/{token}/files/",
            {"file": SimpleUploadedFile("x.txt", b"hacked")},
        ),
        "activities:task-done": Probe("owner", "POST", f"/tasks/{w['task'].pk}/done/"),
        # A task changes in the hands of its assignee, its giver or their manager only.
        "activities:task-edit": Probe(
            "owner",
            "POST",
            f"/tasks/{w['task'].pk}/edit/",
            {"title": "hacked", "priority": "urgent", "due_at": "2030-01-01T09:00"},
        ),
        "activities:task-add": Probe("self", "POST", "/tasks/new/", {"title": "Mine"}),
        # A timer runs on a task one may change (a ticket one may see: tests/activities).
        "activities:timer-start": Probe("owner", "POST", "/timers/start/", {"task": w["task"].pk}),
        # Stops one's own timer only.
        "activities:timer-stop": Probe("self", "POST", "/timers/stop/"),
        # The tasks of the people one oversees: a role with team reports.
        "activities:team-tasks": Probe(
            "settings", "GET", "/tasks/team/", capability="view_reports"
        ),
        "activities:file-download": Probe("view", "GET", f"/files/{w['file'].pk}/"),
        "security:login": Probe("self", "GET", "/login/"),
        "security:login-code": Probe("self", "GET", "/login/code/"),
        "security:two-factor": Probe("self", "GET", "/account/two-factor/"),
        "users:logout": Probe(
            "self", "GET", "/account/password/"
        ),  # logging out would end the probe
        "users:password_change": Probe("self", "GET", "/account/password/"),
        "users:password_change_done": Probe("self", "GET", "/account/password/done/"),
        "users:password_reset": Probe("self", "GET", "/password-reset/"),
        "users:password_reset_done": Probe("self", "GET", "/password-reset/sent/"),
        "users:password_reset_confirm": Probe("self", "GET", "/password-reset/MQ/bad-token/"),
        "users:password_reset_complete": Probe("self", "GET", "/password-reset/complete/"),
        "dataio:backups": Probe("settings", "GET", "/settings/backups/"),
        "dataio:back_up_now": Probe("settings", "POST", "/settings/backups/run/"),
        "dataio:download": Probe("settings", "GET", "/settings/backups/none.tar.gz/download/"),
        "jobs:board": Probe("settings", "GET", "/jobs/"),
        "jobs:retry": Probe("settings", "POST", "/jobs/00000000-0000-0000-0000-000000000000/retry"),
        "notifications:index": Probe("self", "GET", "/notifications/"),
        "notifications:preferences": Probe(
            "self", "POST", "/notifications/preferences", {"in_app": "on"}
        ),
        "notifications:bell": Probe("self", "GET", "/notifications/bell"),
        "notifications:menu": Probe("self", "GET", "/notifications/menu"),
        "notifications:open": Probe("owner", "POST", f"/notifications/{w['notification'].pk}/open"),
        "notifications:read_all": Probe("self", "POST", "/notifications/read-all"),
        "orders:list": Probe("list", "GET", "/orders/"),
        "orders:create": Probe("view", "GET", f"/orders/new/?customer={token}", adds="order"),
        # Lists only the customers the role may see.
        "orders:choose-customer": Probe("list", "GET", "/orders/new/customer/?q=secreta"),
        "orders:detail": Probe("view", "GET", f"/orders/{w['order'].pk}/"),
        "orders:move": Probe(
            "edit",
            "POST",
            f"/orders/{w['order'].pk}/stage/",
            {"to": "cancelled", "version": w["order"].version},
        ),
        "orders:invoice": Probe("edit", "POST", f"/orders/{w['order'].pk}/invoice/"),
        "orders:ship": Probe(
            "edit",
            "POST",
            f"/orders/{w['order'].pk}/shipments/",
            {"carrier": w["carrier"].pk, "tracking_number": "HACK", f"ship_{w['line'].pk}": 1},
        ),
        "orders:credit-note": Probe(
            "edit", "POST", f"/invoices/{w['invoice'].pk}/credit-note/", {"reason": "hacked"}
        ),
        "orders:payment": Probe(
            "edit",
            "POST",
            f"/invoices/{w['invoice'].pk}/payments/",
            {"amount": "1.00", "received_on": "2026-01-05"},
        ),
        "orders:invoice-pdf": Probe("sensitive", "GET", f"/invoices/{w['invoice'].pk}/pdf/"),
        "orders:shipment-status": Probe(
            "edit", "POST", f"/shipments/{w['shipment'].pk}/status/", {"status": "exception"}
        ),
        **order_api_probes(w),
        **ticket_probes(w),
        **project_probes(w),
        **settings_list_probes(w),
        **mail_probes(w),
        "admin": Probe("staff", "GET", "/admin/"),
        **api_probes(w),
        "workspace:settings": Probe("self", "GET", "/settings/"),
        "workspace:demo-remove": Probe("settings", "POST", "/demo/remove/"),
        "workspace:first-steps-dismiss": Probe("self", "POST", "/first-steps/dismiss/"),
        # The personal dashboard counts the reader's own records; the others need reports.
        "analytics:mine": Probe("self", "GET", "/dashboards/"),
        "analytics:executive": Probe(
            "settings", "GET", "/dashboards/executive/", capability="view_reports"
        ),
        "analytics:sales": Probe(
            "settings", "GET", "/dashboards/sales/", capability="view_reports"
        ),
        "analytics:support": Probe(
            "settings", "GET", "/dashboards/support/", capability="view_reports"
        ),
        "analytics:forecast": Probe(
            "settings", "GET", "/dashboards/forecast/", capability="view_reports"
        ),
        # Everyone's own figures; a manager's team's too (tests/analytics/test_people.py).
        # Counts of the contacts the role may see: every role that sees contacts.
        "analytics:marketing": Probe("list", "GET", "/dashboards/marketing/"),
        "analytics:people": Probe("self", "GET", "/dashboards/people/"),
        # The rating's weights are the installation's: a role with team reports sets them.
        "analytics:people-weights": Probe(
            "settings",
            "POST",
            "/dashboards/people/weights/",
            {"calls": 1, "meetings": 1, "tasks_on_time": 1, "deals_won": 1, "tickets_in_time": 1},
            capability="view_reports",
        ),
        # Reports: the list shows one's own and shared ones; another's private one is not
        # there to open, change, delete or export.
        "analytics:reports": Probe("self", "GET", "/reports/"),
        "analytics:report-new": Probe(
            "settings", "GET", "/reports/new/", capability="view_reports"
        ),
        "analytics:report": Probe("owner", "GET", f"/reports/{w['report'].pk}/"),
        "analytics:report-edit": Probe("owner", "GET", f"/reports/{w['report'].pk}/edit/"),
        "analytics:report-delete": Probe("owner", "POST", f"/reports/{w['report'].pk}/delete/"),
        "analytics:report-export": Probe("owner", "GET", f"/reports/{w['report'].pk}/export/csv/"),
        "core:audit-trail": Probe(
            "settings", "GET", "/settings/audit/", capability="view_audit_trail"
        ),
        "core:audit-export": Probe(
            "settings", "GET", "/settings/audit/export.csv", capability="view_audit_trail"
        ),
        "users:people": Probe("settings", "GET", "/settings/people/", capability="manage_users"),
        "users:people-invite": Probe(
            "settings", "GET", "/settings/people/invite/", capability="manage_users"
        ),
        "users:person": Probe(
            "settings", "GET", f"/settings/people/{o}/", capability="manage_users"
        ),
        "users:person-deactivate": Probe(
            "settings", "POST", f"/settings/people/{o}/deactivate/", capability="manage_users"
        ),
        "users:person-reactivate": Probe(
            "settings", "POST", f"/settings/people/{o}/reactivate/", capability="manage_users"
        ),
        "users:person-invitation": Probe(
            "settings", "POST", f"/settings/people/{o}/invitation/", capability="manage_users"
        ),
        "users:team-create": Probe(
            "settings", "POST", "/settings/teams/", {"name": "Hijack"}, capability="manage_users"
        ),
        "users:roles": Probe("settings", "GET", "/settings/roles/", capability="manage_users"),
        "users:role-create": Probe(
            "settings", "GET", "/settings/roles/new/", capability="manage_users"
        ),
        "users:role": Probe(
            "settings", "GET", f"/settings/roles/{w['role'].pk}/", capability="manage_users"
        ),
        "deals:deal-board": Probe("list", "GET", "/deals/"),
        "deals:deal-board-pipeline": Probe("list", "GET", f"/deals/pipeline/{w['pipeline'].pk}/"),
        "deals:deal-list": Probe("list", "GET", "/deals/list/?q=secreta"),
        "deals:deal-create": Probe("self", "GET", "/deals/new/"),
        "deals:deal-contacts": Probe(
            "list", "GET", "/deals/contacts/?company=Compania%20Secret%C4%83"
        ),
        "deals:deal-funnel": Probe("list", "GET", "/deals/funnel/"),
        "deals:deal-detail": Probe("view", "GET", f"/deals/{d}/"),
        "deals:deal-edit": Probe(
            "edit",
            "POST",
            f"/deals/{d}/edit/",
            {
                "name": "Changed",
                "stage": w["stage"].pk,
                "currency": "EUR",
                "source": "web",
                "version": w["deal"].version,
            },
        ),
        "deals:deal-move": Probe(
            "edit", "POST", f"/deals/{d}/move/", {"stage": w["stage"].pk, "version": ""}
        ),
        "deals:deal-close": Probe("edit", "POST", f"/deals/{d}/close/", {"outcome": "won"}),
        "deals:deal-reopen": Probe("edit", "POST", f"/deals/{w['lost_deal'].pk}/reopen/"),
        "deals:deal-line-add": Probe(
            "edit",
            "POST",
            f"/deals/{d}/lines/",
            {"product": w["product"].pk, "quantity": 5, "version": w["deal"].version},
        ),
        "deals:deal-line": Probe(
            "edit",
            "POST",
            f"/deals/{d}/lines/{w['deal_line'].pk}/",
            {"quantity": 9, "unit_price": "1", "version": w["deal"].version},
        ),
        # The deal is open: no role may order it, however far it sees.
        "deals:deal-order": Probe("edit", "POST", f"/deals/{d}/order/"),
        **deal_api_probes(w),
        "deals:deal-trash": Probe("delete", "POST", f"/deals/{d}/trash/"),
        "deals:pipeline-settings": Probe("settings", "GET", "/settings/pipelines/"),
        "deals:pipeline-create": Probe(
            "settings",
            "POST",
            "/settings/pipelines/new/",
            {"name": "Hacked", "rows": "1", "stage-0-name": "X", "stage-0-probability": "5"},
        ),
        "deals:pipeline-edit": Probe("settings", "GET", f"/settings/pipelines/{w['pipeline'].pk}/"),
        "imports:start": Probe("self", "GET", "/imports/"),
        "imports:calls": Probe("self", "GET", "/imports/calls/"),
        "imports:run": Probe("owner", "GET", f"/imports/{w['import_run'].pk}/"),
        "imports:progress": Probe("owner", "GET", f"/imports/{w['import_run'].pk}/progress/"),
        "imports:rejected": Probe("owner", "GET", f"/imports/{w['import_run'].pk}/rejected.csv"),
        "imports:report": Probe("owner", "GET", f"/imports/{w['import_run'].pk}/report.csv"),
        "imports:undo": Probe("owner", "POST", f"/imports/{w['import_run'].pk}/undo/"),
        "imports:resume": Probe("owner", "POST", f"/imports/{w['import_run'].pk}/resume/"),
        # The merge queue lists a pair only when the role sees both contacts.
        "imports:duplicates": Probe("list", "GET", "/imports/duplicates/"),
        "imports:data-health": Probe("list", "GET", "/imports/data-health/"),
        # Correcting a number there is an edit of its record.
        "imports:correct-phone": Probe(
            "edit",
            "POST",
            f"/imports/data-health/{w['unverified'].pk}/correct/",
            {"number": "0722 123 456", "country": "RO"},
        ),
        "imports:dismiss-duplicate": Probe(
            "self", "POST", f"/imports/duplicates/{w['suspected'].pk}/dismiss/"
        ),
        # Merging a pair trashes the imported contact of the two.
        "imports:merge-duplicate": Probe(
            "delete", "POST", f"/imports/duplicates/{w['suspected'].pk}/merge/"
        ),
        "exports:list": Probe("list", "GET", "/exports/contact/?format=csv&q=secreta"),
        # One person's data: like a list, it must never hold a contact the role can't see.
        "exports:person": Probe("list", "GET", f"/contacts/{c}/data/"),
        "exports:full": Probe("settings", "GET", "/settings/export/"),
        "exports:full_download": Probe(
            "settings", "GET", "/settings/export/clientela-export-none.zip/download/"
        ),
    }


def api_probes(w) -> dict[str, Probe]:
    """The API and its settings pages: the browser's session reaches the same endpoints a
    token does, so each role must get 404 for the other team's records here too."""
    c, co, a, t = w["contact"].pk, w["company"].pk, w["activity"].pk, w["task"].pk
    sub, delivery = w["subscription"].pk, w["delivery"].pk
    v1 = "/api/v1"
    found = {
        "api:api-root": Probe("self", "GET", "/api/"),
        "api:openapi-json": Probe("self", "GET", "/api/openapi.json"),
        "api:openapi-view": Probe("self", "GET", "/api/docs"),
        "api:not-found": Probe("self", "GET", "/api/v2/contacts/"),
        "api:tokens": Probe("self", "GET", "/account/api-tokens/"),
        "api:token-revoke": Probe("owner", "POST", f"/account/api-tokens/{w['token'].pk}/revoke/"),
        "core:currencies": Probe("settings", "GET", "/settings/currencies/"),
        "core:telephony": Probe("settings", "GET", "/settings/telephony/"),
        "core:currency-rate-add": Probe(
            "settings", "POST", "/settings/currencies/rates/", RATE_FORM
        ),
        "core:currency-rate-delete": Probe(
            "settings", "POST", "/settings/currencies/rates/1/delete/"
        ),
        "webhooks:index": Probe("settings", "GET", "/settings/webhooks/"),
        "webhooks:detail": Probe("settings", "GET", f"/settings/webhooks/{sub}/"),
        "webhooks:toggle": Probe("settings", "POST", f"/settings/webhooks/{sub}/toggle/"),
        "webhooks:delete": Probe("settings", "POST", f"/settings/webhooks/{sub}/delete/"),
        "webhooks:redeliver": Probe(
            "settings", "POST", f"/settings/webhooks/deliveries/{delivery}/redeliver/"
        ),
        "api:tags-list": Probe("self", "GET", f"{v1}/tags/"),
        "api:tags-get": Probe("self", "GET", f"{v1}/tags/1"),
        "api:users-list": Probe("self", "GET", f"{v1}/users/"),
        "api:users-get": Probe("self", "GET", f"{v1}/users/{w['owner'].pk}"),
        "api:custom-fields-list": Probe("self", "GET", f"{v1}/custom-fields/"),
        "api:custom-fields-get": Probe("self", "GET", f"{v1}/custom-fields/1"),
        "api:exchange-rates-list": Probe("self", "GET", f"{v1}/exchange-rates/"),
        "api:exchange-rates-get": Probe("self", "GET", f"{v1}/exchange-rates/1"),
        "api:exchange-rates-create": Probe(
            "settings", "POST", f"{v1}/exchange-rates/", {**RATE, "currency": "USD"}
        ),
        "api:exchange-rates-bulk-create": Probe(
            "settings", "POST", f"{v1}/exchange-rates/bulk", {"items": [RATE]}
        ),
        "api:activities-list": Probe("list", "GET", f"{v1}/activities/?record=contact:{c}"),
        "api:activities-get": Probe("view", "GET", f"{v1}/activities/{a}"),
        "api:activities-create": Probe(
            "edit",
            "POST",
            f"{v1}/activities/",
            {"record": f"contact:{c}", "kind": "note", "body": "x"},
        ),
        "api:activities-bulk-create": Probe(
            "edit",
            "POST",
            f"{v1}/activities/bulk",
            {"items": [{"record": f"contact:{c}", "kind": "note", "body": "x"}]},
        ),
        "api:time-entries-list": Probe("list", "GET", f"{v1}/time-entries/"),
        "api:time-entries-get": Probe("owner", "GET", f"{v1}/time-entries/{w['time_entry'].pk}"),
        "api:time-entries-create": Probe("owner", "POST", f"{v1}/time-entries/", {"task_id": t}),
        "api:time-entries-bulk-create": Probe(
            "owner", "POST", f"{v1}/time-entries/bulk", {"items": [{"task_id": t}]}
        ),
        "api:time-entries-stop": Probe(
            "owner", "POST", f"{v1}/time-entries/{w['time_entry'].pk}/stop", {}
        ),
        "api:tasks-list": Probe("list", "GET", f"{v1}/tasks/"),
        "api:tasks-get": Probe("owner", "GET", f"{v1}/tasks/{t}"),
        "api:tasks-create": Probe("self", "POST", f"{v1}/tasks/", {"title": "Mine"}),
        "api:tasks-bulk-create": Probe(
            "self", "POST", f"{v1}/tasks/bulk", {"items": [{"title": "M"}]}
        ),
        "api:tasks-update": Probe(
            "owner", "PATCH", f"{v1}/tasks/{t}", {"done": True, "title": "hacked"}
        ),
        "api:tasks-bulk-update": Probe(
            "owner", "PATCH", f"{v1}/tasks/bulk", {"items": [{"id": t, "done": True}]}
        ),
    }
    for name, pk in (("contacts", c), ("companies", co)):
        change = {"full_name": "Changed"} if name == "contacts" else {"name": "Changed"}
        found |= record_api_probes(name, pk, change)
    return found


def record_api_probes(
    name: str, pk: int, change: dict, record_type: str = "contact"
) -> dict[str, Probe]:
    """List, read, create, change and delete of one record type in the API."""
    v1, t = "/api/v1", record_type
    return {
        f"api:{name}-list": Probe("list", "GET", f"{v1}/{name}/?q=secreta", record_type=t),
        f"api:{name}-get": Probe("view", "GET", f"{v1}/{name}/{pk}", record_type=t),
        f"api:{name}-create": Probe("self", "POST", f"{v1}/{name}/", change, record_type=t),
        f"api:{name}-bulk-create": Probe(
            "self", "POST", f"{v1}/{name}/bulk", {"items": [change]}, record_type=t
        ),
        f"api:{name}-update": Probe("edit", "PATCH", f"{v1}/{name}/{pk}", change, record_type=t),
        f"api:{name}-bulk-update": Probe(
            "edit", "PATCH", f"{v1}/{name}/bulk", {"items": [{"id": pk, **change}]}, record_type=t
        ),
        f"api:{name}-delete": Probe("delete", "DELETE", f"{v1}/{name}/{pk}", record_type=t),
    }


def project_probes(w) -> dict[str, Probe]:
    """The other team's project (for its secret company) on its pages; the trash comes
    last: it moves the project away."""
    p, co = w["project"].pk, w["company"].pk

    def project(kind: str, method: str, url: str, data: dict | None = None) -> Probe:
        return Probe(kind, method, url, data, record_type="project")

    api = record_api_probes("projects", p, {"status": "done"}, "project")
    api["api:projects-create"] = Probe(
        "self", "POST", "/api/v1/projects/", {"name": "Mine", "company_id": co}
    )
    api["api:projects-bulk-create"] = Probe(
        "self", "POST", "/api/v1/projects/bulk", {"items": [{"name": "Mine", "company_id": co}]}
    )
    delete = {"api:projects-delete": api.pop("api:projects-delete")}
    return {
        **api,
        "projects:list": project("list", "GET", "/projects/?q=secreta"),
        "projects:create": Probe(
            "view", "GET", f"/projects/new/?customer=company:{co}", adds="project"
        ),
        "projects:detail": project("view", "GET", f"/projects/{p}/"),
        "projects:edit": project(
            "edit", "POST", f"/projects/{p}/edit/", {"name": "Hacked", "status": "done"}
        ),
        **delete,
        "projects:trash": project("delete", "POST", f"/projects/{p}/trash/"),
    }


def ticket_probes(w) -> dict[str, Probe]:
    """The other team's ticket on its pages and in the API, the desk's settings, and the
    public request form. The trash probes come last: they move the ticket away."""
    t, c = w["ticket"].pk, w["contact"].pk

    def ticket(kind: str, method: str, url: str, data: dict | None = None) -> Probe:
        return Probe(kind, method, url, data, record_type="ticket")

    api = record_api_probes("tickets", t, {"subject": "Changed"}, "ticket")
    delete = {"api:tickets-delete": api.pop("api:tickets-delete")}
    return {
        "tickets:list": ticket("list", "GET", "/tickets/?q=secreta"),
        "tickets:create": Probe(
            "view", "GET", f"/tickets/new/?customer=contact:{c}", adds="ticket"
        ),
        "tickets:detail": ticket("view", "GET", f"/tickets/{t}/"),
        "tickets:reply": ticket("edit", "POST", f"/tickets/{t}/reply/", {"body": "hacked"}),
        "tickets:status": ticket("edit", "POST", f"/tickets/{t}/status/", {"to": "resolved"}),
        "tickets:assign": ticket("edit", "POST", f"/tickets/{t}/assign/", {"assignee": ""}),
        "tickets:transfer": ticket(
            "edit",
            "POST",
            f"/tickets/{t}/transfer/",
            {"department": w["other_department"].pk, "reason": "hacked"},
        ),
        **api,
        "api:tickets-messages": ticket(
            "edit", "POST", f"/api/v1/tickets/{t}/messages", {"body": "hacked"}
        ),
        **script_probes(w),
        **delete,
        "tickets:trash": ticket("delete", "POST", f"/tickets/{t}/trash/"),
        "tickets:departments": Probe("settings", "GET", "/settings/desk/"),
        "tickets:department-create": Probe("settings", "GET", "/settings/desk/departments/new/"),
        "tickets:department-edit": Probe(
            "settings", "GET", f"/settings/desk/departments/{w['department'].pk}/"
        ),
        "tickets:rule-create": Probe("settings", "GET", "/settings/desk/rules/new/"),
        "tickets:rule-edit": Probe(
            "settings", "POST", f"/settings/desk/rules/{w['rule'].pk}/", {"action": "delete"}
        ),
        "tickets:public-form": Probe("self", "GET", "/support/"),
        "tickets:public-thanks": Probe("self", "GET", "/support/thanks/"),
        # The survey link is the customer's key: without a valid signature it opens nothing.
        "tickets:survey": Probe("self", "POST", "/survey/not-a-link/", {"rating": "5"}),
    }


def script_probes(w) -> dict[str, Probe]:
    """Canned replies and articles (every role reads them; the roles' scopes on them judge
    their changes), using them on the other team's ticket, and merging its duplicate. The
    trash probes come last."""
    t, t2, a, r = w["ticket"].pk, w["ticket2"].pk, w["article"].pk, w["canned"].pk

    def ticket(kind: str, method: str, url: str, data: dict | None = None) -> Probe:
        return Probe(kind, method, url, data, record_type="ticket")

    def article(kind: str, method: str, url: str, data: dict | None = None) -> Probe:
        return Probe(kind, method, url, data, record_type="article")

    def canned(kind: str, method: str, url: str, data: dict | None = None) -> Probe:
        return Probe(kind, method, url, data, record_type="cannedreply")

    api = record_api_probes("articles", a, {"title": "Changed", "body": "x"}, "article")
    api |= record_api_probes("canned-replies", r, {"name": "Changed", "body": "x"}, "cannedreply")
    delete = {name: api.pop(name) for name in ("api:articles-delete", "api:canned-replies-delete")}
    return {
        "tickets:compose": ticket("edit", "POST", f"/tickets/{t}/compose/", {"canned": r}),
        "tickets:link-article": ticket("edit", "POST", f"/tickets/{t}/articles/", {"article": a}),
        "api:tickets-articles": ticket(
            "edit", "POST", f"/api/v1/tickets/{t}/articles", {"article_id": a}
        ),
        "tickets:merge": ticket("edit", "POST", f"/tickets/{t}/merge/", {"other": t2}),
        "api:tickets-merge": ticket(
            "edit", "POST", f"/api/v1/tickets/{t2}/merge", {"duplicate_id": t}
        ),
        "tickets:merge-undo": ticket("edit", "POST", f"/tickets/{t}/merge/undo/"),
        "api:tickets-unmerge": ticket("edit", "POST", f"/api/v1/tickets/{t}/unmerge", {}),
        "tickets:canned-list": canned("list", "GET", "/tickets/replies/"),
        "tickets:canned-create": canned("self", "GET", "/tickets/replies/new/"),
        "tickets:canned-edit": canned(
            "edit", "POST", f"/tickets/replies/{r}/", {"name": "Hacked", "body": "x"}
        ),
        "tickets:articles": article("list", "GET", "/kb/?q=guide"),
        "tickets:article-create": article("self", "GET", "/kb/new/"),
        "tickets:category-create": article("self", "POST", "/kb/categories/", {"name": "New"}),
        "tickets:article": article("view", "GET", f"/kb/{a}/"),
        "tickets:article-edit": article(
            "edit", "POST", f"/kb/{a}/edit/", {"title": "Hacked", "body": "x"}
        ),
        **api,
        **delete,
        "tickets:canned-trash": canned("delete", "POST", f"/tickets/replies/{r}/trash/"),
        "tickets:article-trash": article("delete", "POST", f"/kb/{a}/trash/"),
    }


def mail_world(owner_b) -> dict:
    """owner_b's own mail account (servers that answer nothing) and a message from the
    secret contact in it, on her timeline."""
    from clientela.channels import services as channels

    account = channels.save_account(
        actor=None,
        instance=None,
        data={
            "name": "B's mail",
            "address": "owner@firma-b.ro",
            "owner": owner_b,
            "imap_host": "127.0.0.1",
            "imap_port": 9,
            "imap_security": "none",
            "imap_username": "owner",
            "imap_password": "secret",
            "smtp_host": "127.0.0.1",
            "smtp_port": 9,
            "smtp_security": "none",
        },
    )
    raw = (
        f"From: {SECRET} <secreta@firma-b.ro>\r\nTo: owner@firma-b.ro\r\n"
        "Subject: Terms\r\nMessage-ID: <terms@firma-b.ro>\r\n\r\nThe terms as agreed\r\n"
    ).encode()
    message = channels.receive(account=account, raw=raw)
    from datetime import timedelta

    from django.utils import timezone

    from clientela.channels.models import OutgoingMail

    outgoing = OutgoingMail.objects.create(
        account=account,
        author=account.owner,
        record="contact:0",
        to="secreta@firma-b.ro",
        body="Waiting",
        send_at=timezone.now() + timedelta(hours=1),
    )
    from clientela.channels.models import EmailTemplate

    template = EmailTemplate.objects.create(name="Terms", body="Dear {{ contact.first_name }}")
    return {
        "mail_account": account,
        "mail_message": message,
        "outgoing": outgoing,
        "email_template": template,
        **messenger_world(owner_b),
    }


def messenger_world(owner_b) -> dict:
    """owner_b's own Telegram bot, and a message from the secret contact (known by her
    chat id) waiting in the inbox."""
    from clientela.channels import inbox
    from clientela.channels.models import ContactHandle

    bot = inbox.save_messenger(
        actor=None,
        instance=None,
        data={
            "kind": "telegram",
            "name": "B's bot",
            "owner": owner_b,
            "access_token": "1:secret",
            "webhook_secret": "s",
        },
    )
    contact = Contact.objects.get(full_name=SECRET)
    ContactHandle.objects.create(channel="telegram", handle="4242", contact=contact)
    update = {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "from": {"id": 4242, "is_bot": False, "first_name": SECRET},
            "chat": {"id": 4242, "first_name": SECRET, "type": "private"},
            "date": 1796630400,
            "text": "The terms as agreed",
        },
    }
    (message,) = inbox.receive(bot, update)
    return {"messenger": bot, "messenger_message": message}


def mail_probes(w) -> dict[str, Probe]:
    m, a, token = w["mail_message"], w["mail_account"], f"contact:{w['contact'].pk}"
    return {
        "channels:inbox": Probe("list", "GET", "/mail/"),
        "channels:conversation": Probe("view", "GET", f"/mail/conversations/{m.conversation_id}/"),
        # A message found by the search opens in its conversation.
        "channels:message": Probe("view", "GET", f"/mail/messages/{m.pk}/", follow=True),
        "channels:create-contact": Probe("settings", "POST", f"/mail/messages/{m.pk}/contact/"),
        "channels:send": Probe(
            "edit",
            "POST",
            f"/mail/send/{token}/",
            {"account": a.pk, "to": "secreta@firma-b.ro", "subject": "x", "body": "hacked"},
        ),
        "channels:account-test": Probe("settings", "GET", f"/mail/accounts/{a.pk}/test/"),
        # Only its author takes an e-mail back: every other person gets 404.
        "channels:cancel": Probe("owner", "POST", f"/mail/outgoing/{w['outgoing'].pk}/cancel/"),
        **inbox_probes(w),
    }


def inbox_probes(w) -> dict[str, Probe]:
    """The unified inbox on owner_b's bot's conversation with the secret contact: only
    those who may use the bot or change the contact work on it."""
    m = w["messenger_message"]
    c = m.conversation_id
    return {
        "inbox:unified": Probe("list", "GET", "/inbox/?state=open"),
        "inbox:reply": Probe("edit", "POST", f"/inbox/{c}/reply/", {"text": "hacked"}),
        "inbox:assign": Probe(
            "edit", "POST", f"/inbox/{c}/assign/", {"assignee": str(w["owner"].pk)}
        ),
        "inbox:snooze": Probe("edit", "POST", f"/inbox/{c}/snooze/", {"for": "1h"}),
        "inbox:done": Probe("edit", "POST", f"/inbox/{c}/done/"),
        "inbox:create-contact": Probe("settings", "POST", f"/inbox/{c}/contact/"),
        "inbox:ticket": Probe("edit", "POST", f"/inbox/messages/{m.pk}/ticket/"),
        # The provider's door: no login, and nothing without the bot's secret.
        "inbox:webhook": Probe("self", "GET", f"/hooks/messengers/{w['messenger'].webhook_key}/"),
    }


def settings_list_probes(w) -> dict[str, Probe]:
    """Every settings list (core.settings_pages) and its form, delete and put back, on real
    rows (w["settings"]: a row's id by list), each judged by the list's capability."""
    from clientela.core import settings_pages

    found = {}
    for key, page in settings_pages.PAGES.items():
        name, url, pk = f"core:settings-{key}", f"/settings/{key}/", w["settings"].get(key, 1)

        def probe(method: str, address: str, capability=page.capability) -> Probe:
            return Probe("settings", method, address, capability=capability)

        found[name] = probe("GET", url)
        if page.single is not None:
            continue
        found[f"{name}-new"] = probe("GET", f"{url}new/")
        if page.editable:
            found[f"{name}-edit"] = probe("GET", f"{url}{pk}/")
        if page.deletable:
            found[f"{name}-delete"] = probe("POST", f"{url}{pk}/delete/")
            found[f"{name}-restore"] = probe("POST", f"{url}restore/{w['settings_deleted']}/")
    return found


def deal_api_probes(w) -> dict[str, Probe]:
    """Before the deal page's trash probe, as either moves the deal to the trash."""
    d = w["deal"].pk
    return {
        "api:pipelines-list": Probe("self", "GET", "/api/v1/pipelines/"),
        "api:pipelines-get": Probe("self", "GET", f"/api/v1/pipelines/{w['pipeline'].pk}"),
        # Moving and closing go through PATCH: probed apart from the plain change.
        "api:deals-move": Probe("edit", "PATCH", f"/api/v1/deals/{d}", {"stage_id": w["stage"].pk}),
        "api:deals-close": Probe("edit", "PATCH", f"/api/v1/deals/{d}", {"status": "won"}),
        **record_api_probes("deals", d, {"name": "Changed"}),
    }


def order_api_probes(w) -> dict[str, Probe]:
    """Products (anyone reads them; changing them is the admin's permission), and the
    other team's orders, invoices and shipments in the API."""
    v1, o, p = "/api/v1", w["order"].pk, w["product"].pk
    invoice, shipment = w["invoice"].pk, w["shipment"].pk
    product = {"sku": "HACK-1", "name": "Hacked"}
    new_order = {"contact_id": w["contact"].pk, "lines": [{"product_id": p, "quantity": 1}]}
    parcel = {
        "order_id": o,
        "carrier_id": w["carrier"].pk,
        "lines": [{"line_id": w["line"].pk, "quantity": 1}],
    }
    return {
        "api:products-list": Probe("self", "GET", f"{v1}/products/"),
        "api:products-get": Probe("self", "GET", f"{v1}/products/{p}"),
        # The catalogue is written by roles that manage it, as on its Settings pages.
        "api:products-create": Probe(
            "settings", "POST", f"{v1}/products/", product, capability="manage_catalogue"
        ),
        "api:products-bulk-create": Probe(
            "settings",
            "POST",
            f"{v1}/products/bulk",
            {"items": [product]},
            capability="manage_catalogue",
        ),
        "api:products-update": Probe(
            "settings",
            "PATCH",
            f"{v1}/products/{p}",
            {"name": "Hacked"},
            capability="manage_catalogue",
        ),
        "api:products-bulk-update": Probe(
            "settings",
            "PATCH",
            f"{v1}/products/bulk",
            {"items": [{"id": p, "active": False}]},
            capability="manage_catalogue",
        ),
        "api:orders-list": Probe("list", "GET", f"{v1}/orders/"),
        "api:orders-get": Probe("view", "GET", f"{v1}/orders/{o}"),
        # An order for their contact: refused as no such contact unless the role sees it.
        "api:orders-create": Probe("self", "POST", f"{v1}/orders/", new_order),
        "api:orders-bulk-create": Probe(
            "self", "POST", f"{v1}/orders/bulk", {"items": [new_order]}
        ),
        "api:orders-lines": Probe(
            "edit", "POST", f"{v1}/orders/{o}/lines", {"product_id": p, "quantity": 1}
        ),
        "api:invoices-list": Probe("list", "GET", f"{v1}/invoices/"),
        "api:invoices-get": Probe("view", "GET", f"{v1}/invoices/{invoice}"),
        "api:invoices-pdf": Probe("sensitive", "GET", f"{v1}/invoices/{invoice}/pdf"),
        "api:invoices-create": Probe("edit", "POST", f"{v1}/invoices/", {"order_id": o}),
        "api:invoices-bulk-create": Probe(
            "edit", "POST", f"{v1}/invoices/bulk", {"items": [{"order_id": o}]}
        ),
        "api:invoices-payments": Probe(
            "edit", "POST", f"{v1}/invoices/{invoice}/payments", {"amount": "1.00"}
        ),
        "api:shipments-list": Probe("list", "GET", f"{v1}/shipments/"),
        "api:shipments-get": Probe("view", "GET", f"{v1}/shipments/{shipment}"),
        "api:shipments-create": Probe("edit", "POST", f"{v1}/shipments/", parcel),
        "api:shipments-bulk-create": Probe(
            "edit", "POST", f"{v1}/shipments/bulk", {"items": [parcel]}
        ),
        "api:shipments-events": Probe(
            "edit", "POST", f"{v1}/shipments/{shipment}/events", {"status": "exception"}
        ),
        # Moves last: a cancelled order takes no line, invoice or parcel.
        "api:orders-update": Probe("edit", "PATCH", f"{v1}/orders/{o}", {"stage": "cancelled"}),
        "api:orders-bulk-update": Probe(
            "edit", "PATCH", f"{v1}/orders/bulk", {"items": [{"id": o, "stage": "cancelled"}]}
        ),
    }


def url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    names.add("admin")
                    continue
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern):
                names.add(f"{namespace}{pattern.name}")

    walk(get_resolver().url_patterns)
    return names


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # Each role asks the API some hundred times in a few seconds, and the counts, kept in
    # the cache, outlive the test whose user id the next test's user takes again: the
    # matrix judges access, not the rate limit (tests/api has its own tests of that).
    settings.API_RATE_PER_MINUTE = 100_000
    team_b = team_named("Sales Bucharest")
    owner_b = create_user(email="owner@firma-b.ro", full_name="Bogdan B", team=team_b)
    contact = services.create_contact(
        actor=owner_b,
        data={
            "full_name": SECRET,
            "emails": ["secreta@firma-b.ro"],
            "company_name": SECRET_COMPANY,
        },
    )
    other = services.create_contact(actor=owner_b, data={"full_name": "Secreta I. (duplicate)"})
    trashed = services.create_contact(actor=owner_b, data={"full_name": "Secreta Gunoi"})
    record_services.move_to_trash(actor=owner_b, records=[trashed])
    services.update_contact(
        actor=owner_b, contact=contact, data={"position": "CFO"}, expected_version=None
    )
    activity_services.log_activity(
        actor=owner_b, record=contact, kind="note", body="Secret deal terms"
    )
    file = activity_services.attach_file(
        actor=owner_b, record=contact, upload=SimpleUploadedFile("secret.pdf", b"%PDF secret")
    )
    task = activity_services.create_task(
        actor=owner_b, title="Secret call", assignee=owner_b, record=contact
    )
    subscription = Subscription.objects.create(
        owner=owner_b, url="http://127.0.0.1:9/hook", events=["contact.updated"], secret="s"
    )
    delivery = Delivery.objects.create(
        subscription=subscription, event="contact.updated", payload={"name": SECRET}
    )
    orders = order_world(owner_b, contact, settings)
    tickets = ticket_world(owner_b, contact)
    settings_rows, settings_deleted = settings_world(contact)
    mail = mail_world(owner_b)
    settings_rows["mail-accounts"] = mail["mail_account"].pk
    settings_rows["messengers"] = mail["messenger"].pk
    settings_rows["email-templates"] = mail["email_template"].pk
    contact.refresh_from_db()
    # An import owner_b ran, which created the secret contact and rejected a secret row.
    import_run = ImportRun.objects.create(
        created_by=owner_b,
        record_type="contact",
        file_name="secret.csv",
        path="/nonexistent/secret.csv",
        format="csv",
        headers=["Name"],
        mapping=["full_name"],
        status=ImportRun.Status.DONE,
        created=1,
        rejected=1,
    )
    ImportedRecord.objects.create(
        run=import_run, record_type="contact", object_id=contact.pk, created=True
    )
    ImportRejection.objects.create(
        run=import_run, row=3, column="Name", reason="bad", values=[SECRET]
    )
    suspected = SuspectedDuplicate.objects.create(
        run=import_run, first_id=contact.pk, second_id=contact.pk
    )
    # A number the import kept as written: data health lists it with the secret contact.
    unverified = PhoneNumber.objects.create(
        contact=contact, raw="0722 12", e164="072212", digits="072212", verified=False
    )
    pipeline = deal_services.ensure_pipeline()
    first, second = list(pipeline.stages.all())[:2]
    deal = deal_services.create_deal(
        actor=owner_b,
        data={
            "name": f"{SECRET} renewal",
            "stage": first,
            "company": contact.company,
            "contacts": [contact],
            "amount": "777000",
        },
    )
    deal_line = deal.lines.create(product=orders["product"], quantity=1, unit_price=1)
    lost_deal = deal_services.create_deal(actor=owner_b, data={"name": f"{SECRET} lost"})
    project = project_services.create_project(
        actor=owner_b, data={"name": f"{SECRET} fit-out", "client": contact.company}
    )
    deal_services.close_deal(
        actor=owner_b, deal=lost_deal, outcome="lost", reason="Price", expected_version=None
    )
    return {
        "import_run": import_run,
        "suspected": suspected,
        "unverified": unverified,
        "deal": deal,
        "deal_line": deal_line,
        "lost_deal": lost_deal,
        "project": project,
        "pipeline": pipeline,
        "stage": second,
        "contact": contact,
        "company": contact.company,
        "other": other,
        "trashed": trashed,
        "file": file,
        "task": task,
        "time_entry": timers.start_timer(actor=owner_b, task=task),
        "version": audit.history(contact).last(),
        "view": SavedView.objects.create(
            user=owner_b, record_type="contact", name="B's", query="q=x"
        ),
        "notification": notifications.notify(
            owner_b, key="secret", title="Secret reminder", url=contact.get_absolute_url()
        ),
        "owner": owner_b,
        "report": Report.objects.create(
            owner=owner_b, name=f"{SECRET} report", record_type="deal", group_by="stage"
        ),
        "activity": Activity.objects.filter(body="Secret deal terms").get(),
        "token": api_services.create_token(actor=owner_b, name="B's", scopes=["contacts:read"])[0],
        "subscription": subscription,
        "delivery": delivery,
        "role": owner_b.role,
        "settings": settings_rows,
        "settings_deleted": settings_deleted,
        **mail,
        **orders,
        **tickets,
    }


def settings_world(contact) -> tuple[dict[str, int], int]:
    """A row of every settings list (the other team's order uses the product, price list,
    warehouse and carrier), and the audit entry of a deleted carrier to put back."""
    from clientela.core import settings_pages, settings_services
    from clientela.core.models import AuditEntry, CustomField
    from clientela.customers.models import Tag
    from clientela.orders.models import Carrier, OrderStage, Price, StockLevel

    price = Price.objects.select_related("price_list", "product").first()
    rows = {
        "products": price.product_id,
        "price-lists": price.price_list_id,
        "prices": price.pk,
        "warehouses": StockLevel.objects.first().warehouse_id,
        "stock": StockLevel.objects.first().pk,
        "carriers": Carrier.objects.first().pk,
        "order-stages": OrderStage.objects.create(key="secret-stage", name="Secret stage").pk,
        "lifecycle-stages": contact.lifecycle_stage_id,
        "tags": Tag.objects.create(name="Secret tag").pk,
        "custom-fields": CustomField.objects.create(
            record_type="contact", key="secret", label="Secret field", field_type="text"
        ).pk,
        "sla-policies": SlaPolicy.objects.create(
            priority="low", tier="secret", first_response_minutes=60, resolution_minutes=600
        ).pk,
        "ticket-statuses": StatusTransition.objects.get_or_create(
            from_status="closed", to_status="open"
        )[0].pk,
        "article-categories": ArticleCategory.objects.create(name="Secret shelf").pk,
    }
    gone = Carrier.objects.create(name="Old carrier")
    gone_id = gone.pk
    settings_services.delete_setting(
        actor=None, page=settings_pages.PAGES["carriers"], instance=gone
    )
    return rows, AuditEntry.objects.get(action="delete", object_id=gone_id).pk


def ticket_world(owner_b, contact) -> dict:
    """The other team's ticket, in a department of its own, assigned to owner_b."""

    def department(name: str) -> Department:
        return desk_configuration.save_department(
            actor=None,
            department=None,
            name=name,
            lead=owner_b,
            members=[owner_b],
            assignment="round_robin",
            time_zone="UTC",
            hours={},
            holidays=[],
        )

    home, other = department("Desk B"), department("Desk B2")
    rule = desk_configuration.save_rule(
        actor=None, rule=None, name="Secret rule", department=other, position=1, keywords="zzz"
    )
    ticket, ticket2 = (
        ticket_services.open_ticket(
            actor=owner_b,
            channel="ui",
            subject=f"{SECRET} {subject}",
            contact=contact,
            department=home,
            assignee=owner_b,
        )
        for subject in ("complaint", "complaint again")
    )
    # The other team's scripts (owner_b's, whose role may not write them: written by the
    # system for them): no secret in them, as every role reads them.
    article = knowledge.create_article(
        actor=None, data={"title": "Desk B guide", "body": "How desk B answers."}
    )
    canned = knowledge.create_canned_reply(
        actor=None, data={"name": "Desk B hello", "body": "Hello {{ contact.first_name }}"}
    )
    for script in (article, canned):
        type(script).objects.filter(pk=script.pk).update(owner=owner_b)
    return {
        "ticket": ticket,
        "ticket2": ticket2,
        "article": article,
        "canned": canned,
        "department": home,
        "other_department": other,
        "rule": rule,
    }


def tickets_state(world) -> tuple:
    ticket = world["ticket"].pk
    return (
        Ticket.objects.filter(pk=ticket)
        .values_list("subject", "status", "version", "owner", "department", "deleted_at")
        .get(),
        TicketMessage.objects.filter(ticket_id=ticket).count(),
        sorted(RoutingRule.objects.values_list("name", flat=True)),
        Ticket.objects.filter(pk=world["ticket2"].pk).values_list("merged_into", "status").get(),
        TicketArticle.objects.count(),
        Article.objects.values_list("title", "body", "version", "deleted_at").get(
            pk=world["article"].pk
        ),
        CannedReply.objects.values_list("name", "body", "version", "deleted_at").get(
            pk=world["canned"].pk
        ),
    )


def order_world(owner_b, contact, settings) -> dict:
    """Three orders of the other team's contact: one placed (to move, invoice and ship),
    one invoiced and unpaid (to pay or credit), one shipped (to track)."""
    settings.ORDERS_SHIP_BEFORE_PAYMENT = True
    shop = build_shop(owner_b)
    line = [{"product": shop["chair"], "quantity": 1}]
    order = order_services.create_order_for_customer(actor=owner_b, customer=contact, lines=line)
    invoiced = order_services.create_order_for_customer(actor=owner_b, customer=contact, lines=line)
    invoice = invoicing.issue_invoice(actor=owner_b, order=invoiced)
    shipped = order_services.create_order_for_customer(actor=owner_b, customer=contact, lines=line)
    shipment = shipping.create_shipment(
        actor=owner_b,
        order=shipped,
        carrier=shop["carrier"],
        quantities={shipped.lines.get().pk: 1},
        tracking_number="SECRET1",
    )
    order.refresh_from_db()
    return {
        "order": order,
        "line": order.lines.get(),
        "invoice": invoice,
        "shipment": shipment,
        "carrier": shop["carrier"],
        "product": shop["chair"],
    }


def orders_state(world) -> tuple:
    ids = [world["order"].pk, world["invoice"].order_id, world["shipment"].order_id]
    return (
        list(Order.objects.filter(pk__in=ids).order_by("pk").values_list("stage_id", "version")),
        Invoice.objects.count(),
        Payment.objects.count(),
        list(Shipment.objects.order_by("pk").values_list("status", flat=True)),
    )


def test_every_url_has_a_probe():
    fake = {
        key: type("R", (), {"pk": 1, "version": 1, "lifecycle_stage_id": 1})()
        for key in (
            "contact",
            "company",
            "other",
            "trashed",
            "file",
            "task",
            "time_entry",
            "version",
            "view",
            "notification",
            "report",
            "activity",
            "token",
            "subscription",
            "delivery",
            "owner",
            "role",
            "deal",
            "lost_deal",
            "pipeline",
            "stage",
            "order",
            "line",
            "invoice",
            "suspected",
            "unverified",
            "shipment",
            "carrier",
            "import_run",
            "product",
            "deal_line",
            "ticket",
            "ticket2",
            "article",
            "canned",
            "department",
            "other_department",
            "rule",
            "project",
            "mail_account",
        )
    }
    fake["mail_message"] = type("M", (), {"pk": 1, "conversation_id": 1})()
    fake["outgoing"] = type("O", (), {"pk": 1})()
    fake["messenger_message"] = type("M", (), {"pk": 1, "conversation_id": 1})()
    fake["messenger"] = type("B", (), {"pk": 1, "webhook_key": "k"})()
    fake["settings"], fake["settings_deleted"] = {}, 1
    missing = url_names() - set(probes(fake))
    assert not missing, f"URLs with no access probe: {sorted(missing)}"


def request(client, probe: Probe):
    if probe.method == "GET":
        return client.get(probe.url, follow=probe.follow)
    if probe.url.startswith("/api/"):
        return client.generic(
            probe.method, probe.url, json.dumps(probe.data or {}), "application/json"
        )
    return client.post(probe.url, probe.data or {})


def state_of(world) -> tuple:
    contact = Contact.objects.get(pk=world["contact"].pk)
    return (
        contact.full_name,
        contact.version,
        contact.deleted_at,
        Contact.objects.get(pk=world["trashed"].pk).deleted_at,
        Contact.objects.get(pk=world["other"].pk).deleted_at,
        sorted(contact.tags.values_list("name", flat=True)),
        world["task"]
        .__class__.objects.filter(pk=world["task"].pk)
        .values_list("done_at", "title", "priority", "due_at", "assignee")
        .get(),
        TimeEntry.objects.values_list("user", "task", "stopped_at").order_by("pk")[::1],
        SavedView.objects.filter(pk=world["view"].pk).exists(),
        world["notification"].__class__.objects.get(pk=world["notification"].pk).read_at,
        ApiToken.objects.get(pk=world["token"].pk).revoked_at,
        list(Subscription.objects.values_list("pk", "is_active")),
        Delivery.objects.count(),
        Deal.objects.filter(pk=world["deal"].pk)
        .values_list("name", "version", "stage", "status", "deleted_at", "currency", "order")
        .get(),
        Deal.objects.get(pk=world["lost_deal"].pk).status,
        list(DealLine.objects.order_by("pk").values_list("quantity", "unit_price")),
        sorted(Pipeline.objects.values_list("name", flat=True)),
        orders_state(world),
        tickets_state(world),
        Project.objects.filter(pk=world["project"].pk)
        .values_list("name", "status", "version", "deleted_at")
        .get(),
        conversations_state(),
    )


def conversations_state() -> tuple:
    from clientela.channels.models import Conversation, Message

    return (
        list(
            Conversation.objects.order_by("pk").values_list(
                "state", "assignee", "awaiting_reply", "contact"
            )
        ),
        Message.objects.count(),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role_key", sorted(permissions.DEFAULT_ROLES))
def test_no_role_reaches_another_teams_records_beyond_its_scope(client, world, role_key):
    team_a = team_named("Sales Cluj")
    user = create_user(email=f"{role_key}@firma-a.ro", role=role_named(role_key), team=team_a)
    client.force_login(user)
    leaks = []
    for name, probe in probes(world).items():
        may = {
            action: permissions.scope(user, probe.record_type, action) == permissions.ALL
            for action in permissions.ACTIONS
        }
        # Only these kinds are judged on what the request changed: reading the whole
        # world's state twice for the others (most probes) would only cost time.
        judged_on_changes = probe.kind in {"edit", "delete", "owner", "self"}
        before = state_of(world) if judged_on_changes else None
        response = request(client, probe)
        body = (
            response.content.decode(errors="replace")
            if not response.streaming
            else b"".join(response.streaming_content).decode(errors="replace")
        )
        shows_secret = (
            SECRET in body
            or SECRET_COMPANY in body
            or "Secret deal terms" in body
            or "%PDF secret" in body
            or "777,000" in body
            or "777000.00" in body  # the API's
        )
        amount_shown = "777,000" in body or "777000.00" in body
        if amount_shown and not permissions.can(user, "see_sensitive"):
            leaks.append(f"{name}: shows a deal amount to a role without see_sensitive")
        changed = judged_on_changes and state_of(world) != before
        if response.status_code >= 500:
            leaks.append(f"{name}: server error {response.status_code}")
        if probe.kind == "view":
            if not may["view"] and (response.status_code == 200 or shows_secret):
                leaks.append(f"{name}: {response.status_code} shows the other team's record")
            adds = not probe.adds or permissions.may_add(user, probe.adds)
            if may["view"] and adds and response.status_code != 200:
                leaks.append(f"{name}: {response.status_code}, but the role may see it")
            if not adds and response.status_code != 403:
                leaks.append(f"{name}: {response.status_code} for a role that may not add these")
        elif probe.kind == "list":
            if not may["view"] and shows_secret and name != "core:trash":
                leaks.append(f"{name}: lists the other team's record")
            if name == "core:trash" and not may["delete"] and "Secreta Gunoi" in body:
                leaks.append("trash: lists a record the role may not restore")
        elif probe.kind in {"edit", "delete"}:
            allowed = may["edit"] if probe.kind == "edit" else (may["delete"] and may["edit"])
            if changed and not allowed:
                leaks.append(f"{name}: changed the other team's record ({response.status_code})")
            if shows_secret and not may["view"]:
                leaks.append(f"{name}: answer shows the other team's record")
        elif probe.kind == "owner":
            # Refused outright, or sent back to one's own page: never the owner's target.
            followed = response.get("Location") == world["contact"].get_absolute_url()
            if changed or shows_secret or followed or response.status_code == 200:
                leaks.append(
                    f"{name}: {response.status_code}, changed={changed}: only its owner may"
                )
        elif probe.kind == "sensitive":
            sees = may["view"] and permissions.can(user, "see_sensitive")
            if response.status_code == 200 and not sees:
                leaks.append(f"{name}: 200 for a role that may not see its amounts")
            if sees and response.status_code != 200:
                leaks.append(f"{name}: {response.status_code}, but the role may see it")
        elif probe.kind == "staff":
            if response.status_code == 200 and not user.is_staff:
                leaks.append(f"{name}: open to a non-staff role")
        elif probe.kind == "settings":
            if response.status_code < 400 and not permissions.can(user, probe.capability):
                leaks.append(
                    f"{name}: {response.status_code} for a role without {probe.capability}"
                )
        elif probe.kind == "self":
            if shows_secret and not may["view"]:
                leaks.append(f"{name}: shows the other team's record")
            if changed and not (may["edit"] and may["delete"]):
                leaks.append(f"{name}: changed the other team's records")
    assert not leaks, "\n".join(leaks)


NEW_PAGES = {  # every "new" page, with what it needs to draw its form
    "customers:contact-create": ("contact", "/contacts/new/"),
    "customers:company-create": ("company", "/companies/new/"),
    "deals:deal-create": ("deal", "/deals/new/"),
    "projects:create": ("project", "/projects/new/?customer=company:{company}"),
    "tickets:create": ("ticket", "/tickets/new/?customer=contact:{contact}"),
    "orders:create": ("order", "/orders/new/?customer=contact:{contact}"),
    "orders:choose-customer": ("order", "/orders/new/customer/"),
    "tickets:canned-create": ("cannedreply", "/tickets/replies/new/"),
    "tickets:article-create": ("article", "/kb/new/"),
}


def test_every_new_page_of_the_plus_menu_is_checked():
    from clientela.core import records

    declared = {t.create_url for t in records.TYPES.values() if t.create_url}
    assert declared <= set(NEW_PAGES)


@pytest.mark.django_db
@pytest.mark.parametrize("role_key", sorted(permissions.DEFAULT_ROLES))
def test_a_new_page_is_offered_only_to_roles_that_may_add_its_records(client, role_key):
    """A form that could never be saved is refused at once (403, saying why), not after
    the user has filled it in; the roles that may add get the form."""
    user = create_user(email=f"{role_key}@firma.ro", role=role_named(role_key))
    contact = services.create_contact(actor=None, data={"full_name": "Ioana Pop", "owner": user})
    company = services.create_company(actor=None, data={"name": "Livada Verde", "owner": user})
    client.force_login(user)
    wrong = []
    for name, (record_type, url) in NEW_PAGES.items():
        response = client.get(url.format(contact=contact.pk, company=company.pk))
        expected = 200 if permissions.may_add(user, record_type) else 403
        if response.status_code != expected:
            wrong.append(f"{name}: {response.status_code}, expected {expected}")
        if expected == 403 and "does not allow adding" not in response.content.decode():
            wrong.append(f"{name}: the refusal does not say why")
    assert not wrong, "\n".join(wrong)
    if role_key == "read-only":  # the role that may add nothing is refused everywhere
        assert not any(permissions.may_add(user, t) for t, _url in NEW_PAGES.values())

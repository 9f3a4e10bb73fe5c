"""What a second import of a corrected file changes on a deal, order, timeline entry or
task an earlier import brought in, and how its undo puts each back as it stood before."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.dateparse import parse_date, parse_datetime

from clientela.activities import imported as activity_imports
from clientela.activities import services as activity_services
from clientela.activities.models import Activity, Task
from clientela.core import audit
from clientela.customers.models import Company, Contact
from clientela.deals import services as deal_services
from clientela.deals.models import Deal, Pipeline, Stage
from clientela.orders import services as order_services
from clientela.orders.models import Order, Product
from clientela.users.models import User


def task_state(task: Task) -> dict:
    state = {name: getattr(task, name) for name in activity_services.TASK_FIELDS}
    state["assignee"] = task.assignee_id
    return audit.plain_state(state) | {"done": task.done_at is not None}


# What a deals file writes on a deal, kept before a re-import changes it.
DEAL_STATE = ("name", "amount", "currency", "expected_close", "custom")


def deal_state(deal: Deal) -> dict:
    state = audit.plain_state({name: getattr(deal, name) for name in DEAL_STATE})
    return state | {
        "pipeline": deal.pipeline_id,
        "stage": deal.stage_id,
        "company": deal.company_id,
        "owner": deal.owner_id,
        "contacts": sorted(contact.pk for contact in deal.contacts.all()),
    }


def _deal_data(state: dict) -> dict:
    """A deal's kept state as `update_deal` takes it."""
    data = {name: state[name] for name in DEAL_STATE}
    data["expected_close"] = parse_date(state["expected_close"] or "") or None
    data["pipeline"] = Pipeline.objects.get(pk=state["pipeline"])
    data["stage"] = Stage.objects.get(pk=state["stage"])
    data["company"] = Company.objects.filter(pk=state["company"]).first()
    data["owner"] = User.objects.filter(pk=state["owner"]).first()
    data["contacts"] = list(Contact.objects.filter(pk__in=state["contacts"]))
    return data


def moments(state: dict, names: tuple[str, ...]) -> dict:
    return {
        name: parse_datetime(value) if name in names and value else value
        for name, value in state.items()
    }


def put_back(actor, record: Deal | Order | Activity | Task, before: dict) -> int:
    """A deal, order, timeline entry or task a re-import wrote again, as it stood before;
    0 when it can no longer be (an order since paid or shipped keeps its lines, a deal's
    stage gone)."""
    try:
        if isinstance(record, Deal):
            if record.deleted_at is not None:
                return 0
            deal_services.update_deal(
                actor=actor, deal=record, data=_deal_data(before), expected_version=None
            )
        elif isinstance(record, Order):
            if record.deleted_at is not None:
                return 0
            products = Product.objects.in_bulk([line["product"] for line in before["lines"]])
            lines = [
                {
                    "product": products[line["product"]],
                    "quantity": line["quantity"],
                    "agreed_price": line["price"],
                }
                for line in before["lines"]
            ]
            order_services.rewrite_imported_order(
                actor=actor,
                order=record,
                lines=lines,
                notes=before["notes"],
                custom=before["custom"],
            )
        elif isinstance(record, Activity):
            activity_imports.update_imported(
                actor=actor,
                record=None,
                activity=record,
                changes=moments(before, ("occurred_at", "ends_at")),
            )
        else:
            values = moments(before, ("due_at", "reminder_at"))
            done = values.pop("done")
            values["assignee"] = User.objects.get(pk=values["assignee"])
            activity_services.update_task(actor=actor, task=record, changes=values)
            if done != (record.done_at is not None):
                activity_services.set_task_done(actor=actor, task=record, done=done)
    except (
        ValidationError,
        PermissionDenied,
        KeyError,
        User.DoesNotExist,
        Pipeline.DoesNotExist,
        Stage.DoesNotExist,
    ):
        return 0
    return 1

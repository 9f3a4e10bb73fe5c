"""Timeline composer, tasks, files and the My day page."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from clientela.activities import calendar, file_types, selectors, services
from clientela.activities.forms import ComposerForm, FileForm, TaskForm, TeamTasksForm
from clientela.activities.models import Attachment, Task
from clientela.core import demo_records, permissions, presenting, redirects
from clientela.core.permissions import capability_required
from clientela.core.records import visible_record
from clientela.users import selectors as user_selectors
from clientela.users.models import User


def _back(request, record):
    return redirects.back(request, record.get_absolute_url())


def _errors(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


def _form_errors(request, form) -> None:
    """Each of a form's errors as a message, named by its field's label."""
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        text = " ".join(str(error) for error in errors)
        messages.error(request, f"{label}: {text}" if label else text)


@require_POST
def log_activity(request, token: str):
    record = visible_record(request.user, token)
    form = ComposerForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(request, record)
    data = form.cleaned_data
    kind = data["kind"]
    fields = {"subject": data["subject"], "body": data["body"]}
    extra = {}
    if kind == "call":
        minutes = data["duration_minutes"]
        fields.update(
            direction=data["direction"] or "outbound",
            duration_seconds=minutes * 60 if minutes is not None else None,
            outcome=data["outcome"],
        )
        extra = {"recording": data["recording"], "callback_at": data["callback_at"]}
    elif kind == "meeting":
        fields.update(
            ends_at=data["ends_at"],
            place=data["place"],
            attendees=data["attendees"],
            outcome=data["meeting_outcome"],
        )
        extra = {
            "attendee_users": list(user_selectors.active().filter(pk__in=data["attendee_users"])),
            "invite": data["invite"],
        }
    try:
        services.log_activity(
            actor=request.user,
            record=record,
            kind=kind,
            occurred_at=data["occurred_at"],
            **fields,
            **extra,
        )
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("Logged."))
    return _back(request, record)


def _add_task(request, record=None) -> None:
    """Add the task the form describes, on `record` or on no record (My day)."""
    form = TaskForm(request.POST)
    if not form.is_valid():
        if "title" in form.errors:
            messages.error(request, _("A task needs a title."))
        else:
            _form_errors(request, form)
        return
    data = form.cleaned_data
    assignee = (
        user_selectors.active_person(data["assignee"]) if data["assignee"] else None
    ) or request.user
    try:
        services.create_task(
            actor=request.user,
            title=data["title"],
            assignee=assignee,
            due_at=data["due_at"],
            reminder_at=data["reminder_at"],
            priority=data["priority"],
            record=record,
            notes=data["notes"],
            repeat=form.repeat_rule(),
        )
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("Task added."))


@require_POST
def task_create(request, token: str):
    record = visible_record(request.user, token)
    _add_task(request, record)
    return _back(request, record)


@require_POST
def task_add(request):
    """A task on no record, from My day."""
    _add_task(request)
    return redirects.back(request, "activities:my-day")


def _task_row(request, task: Task, next_url: str | None, **extra) -> HttpResponse:
    """A task's row as its lists show it, for htmx to swap in place of the old one."""
    selectors.with_records([task], request.user)
    selectors.mark_changeable(request.user, [task])
    context = {"task": task, "users": user_selectors.by_name(), "next_url": next_url, **extra}
    return render(request, "activities/_task.html", context)


def _typed(form: TaskForm) -> dict[str, object]:
    """What the person typed into a task's edit form, to show it again beside its errors."""
    data = form.data
    assignee = data.get("assignee", "")
    return {
        "title": data.get("title", ""),
        "due_at": data.get("due_at", ""),
        "reminder_at": data.get("reminder_at", ""),
        "priority": data.get("priority", ""),
        "assignee": int(assignee) if str(assignee).isdigit() else None,
        "notes": data.get("notes", ""),
    }


def _edit_refused(request, task: Task, form: TaskForm, errors: Mapping[str, Iterable[Any]]):
    """The edit form again, holding what was typed, each error beside its field: in the
    task's row for htmx, else on a page of its own. Nothing was saved."""
    next_url = redirects.safe_url(request, request.POST.get("next"))
    # "__all__" cannot be named in a template: errors of no one field are the form's.
    shown = {("form" if name == "__all__" else name): list(texts) for name, texts in errors.items()}
    extra = {"draft": _typed(form), "errors": shown}
    if request.htmx:
        return _task_row(request, task, next_url, **extra)
    selectors.with_records([task], request.user)
    context = {"task": task, "users": user_selectors.by_name(), "next_url": next_url, **extra}
    return render(request, "activities/task_edit.html", context)


@require_POST
def task_edit(request, pk: int):
    """Edit, reschedule or reassign a task: its assignee's, its giver's or their manager's.
    A refused edit shows the form again with what was typed, never a reset form."""
    try:
        task = selectors.task_for_change(request.user, pk)
    except Task.DoesNotExist:
        raise Http404 from None
    form = TaskForm(request.POST)
    if not form.is_valid():
        return _edit_refused(request, task, form, form.errors)
    data = form.cleaned_data
    assignee: User | None = task.assignee
    if data["assignee"] and data["assignee"] != task.assignee_id:
        assignee = user_selectors.active_person(data["assignee"])
    if assignee is None:
        return _edit_refused(
            request, task, form, {"assignee": [_("There is no such active user.")]}
        )
    changes = {name: data[name] for name in ("title", "notes", "due_at", "reminder_at")}
    try:
        services.update_task(
            actor=request.user,
            task=task,
            changes={**changes, "priority": data["priority"], "assignee": assignee},
        )
    except ValidationError as error:
        errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        return _edit_refused(request, task, form, errors)
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Task saved."))
    response = redirects.back(request, "activities:my-day")
    if request.htmx:
        # The task may have moved to another day's list: the page is shown anew.
        return HttpResponseClientRedirect(response.url)
    return response


@require_POST
def task_done(request, pk: int):
    task = get_object_or_404(Task, pk=pk, assignee=request.user)
    services.set_task_done(actor=request.user, task=task, done=request.POST.get("done") != "no")
    if request.htmx:
        # The page the task is on, for its forms to come back to.
        return _task_row(
            request, task, redirects.safe_url(request, request.htmx.current_url_abs_path)
        )
    return redirects.back(request, "activities:my-day")


@require_POST
def file_upload(request, token: str):
    record = visible_record(request.user, token)
    form = FileForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to attach."))
        return _back(request, record)
    try:
        services.attach_file(actor=request.user, record=record, upload=form.cleaned_data["file"])
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("File attached."))
    return _back(request, record)


@require_safe
def file_download(request, pk: int):
    """A file as the server finds it to be, decided on every download (files stored before
    the type was decided on upload too): shown in the browser only when it is an image,
    PDF, audio or plain text and asked to be, always sandboxed, never sniffed."""
    try:
        attachment = selectors.attachment_for(request.user, pk)
    except Attachment.DoesNotExist:
        raise Http404 from None
    stream = attachment.file.open("rb")
    served = file_types.sniff(stream, attachment.name)
    inline = served.inline and (served.is_audio or request.GET.get("inline") == "1")
    response = FileResponse(
        stream,
        as_attachment=not inline,
        filename=attachment.name,
        content_type=served.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = file_types.FILE_POLICY
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@require_safe
def my_day(request):
    groups = {
        name: presenting.present_attached(
            request.user, selectors.mark_changeable(request.user, tasks)
        )
        for name, tasks in selectors.my_day(request.user).items()
    }
    sections = [
        ("overdue", _("Overdue")),
        ("today", _("Today")),
        ("upcoming", _("Upcoming")),
        ("someday", _("No due date")),
    ]
    context = {
        "groups": groups,
        "sections": sections,
        "users": user_selectors.by_name(),
        "oversees": permissions.can(request.user, "view_reports"),
        **demo_records.banner(request.user),
    }
    return render(request, "activities/my_day.html", context)


@require_safe
@capability_required("view_reports")
def team_tasks(request):
    """The open tasks of the people a manager oversees, the most overdue first; one
    person's, or only the overdue, when the filters say so."""
    people = user_selectors.reported_on(request.user)
    form = TeamTasksForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    chosen = next((p for p in people if p.pk == filters.get("person")), None)
    ids = [chosen.pk] if chosen is not None else [person.pk for person in people]
    page = selectors.team_tasks(
        request.user,
        ids,
        overdue=bool(filters.get("overdue")),
        cursor=request.GET.get("after"),
    )
    overseen = {request.user.pk, *(person.pk for person in people)}
    for task in page.items:
        task.changeable = selectors.may_change_task(request.user, task, overseen)
    presenting.present_attached(request.user, page.items)
    query = request.GET.copy()
    query.pop("after", None)
    next_query = query.copy()
    if page.next_cursor:
        next_query["after"] = page.next_cursor
    context = {
        "page": page,
        "people": people,
        "chosen": chosen,
        "overdue": bool(filters.get("overdue")),
        "users": user_selectors.by_name(),
        "query": query.urlencode(),
        "next_query": next_query.urlencode() if page.next_cursor else "",
        "is_first_page": not request.GET.get("after"),
    }
    return render(request, "activities/team_tasks.html", context)


@login_not_required
@require_safe
def calendar_feed(request, token: str):
    """A person's meetings and due tasks for their calendar app, at the secret address
    from their account menu; an unknown or revoked address is a 404."""
    user = calendar.feed_owner(token)
    if user is None:
        raise Http404
    response = HttpResponse(calendar.feed(user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="clientela.ics"'
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response

"""The Backups page: last backup, its verification, the archives, download and back up now."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from clientela.core.permissions import capability_required
from clientela.dataio.backups import backup, selectors

# Backups hold every record of the business: only roles that manage settings see them.
staff_required = capability_required("manage_settings")


@require_safe
@staff_required
def backups(request):
    return render(
        request,
        "dataio/backups.html",
        {
            "latest": selectors.latest_backup(),
            "latest_verified": selectors.latest_verified_backup(),
            "warning": selectors.needs_backup_warning(),
            "archives": selectors.archive_rows(),
            "keep_daily": settings.CLIENTELA_BACKUP_KEEP_DAILY,
            "keep_weekly": settings.CLIENTELA_BACKUP_KEEP_WEEKLY,
            "backup_dir": settings.BACKUP_DIR,
        },
    )


@require_POST
@staff_required
def back_up_now(request):
    try:
        record = backup.create_backup(user=request.user)
    except backup.BackupError as error:
        messages.error(request, str(error))
        return redirect("dataio:backups")
    result = backup.verify_backup(record)
    if result.ok:
        messages.success(
            request,
            _("Backup %(name)s written and verified: every table matches.")
            % {"name": record.file_name},
        )
    else:
        messages.error(
            request,
            _("Backup %(name)s was written but failed verification: %(problem)s")
            % {"name": record.file_name, "problem": result.problem},
        )
    return redirect("dataio:backups")


@require_safe
@staff_required
def download(request, name: str):
    path = selectors.archive_path(name)
    if path is None:
        raise Http404(_("There is no backup with that name."))
    # FileResponse streams the file in blocks: a large archive never sits in memory.
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)

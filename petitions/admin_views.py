"""Organizers' pages in the Wagtail admin: a case's report, the export, the paper import."""

import datetime
from typing import TypedDict
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from campaigns.models import UrgentAction
from campaigns.permissions import requires
from campaigns.replica import replica_alias

from . import counts, paper, services
from .models import PaperSignature, PaperTally, Signature
from .services import exports

EXPORT_PERMISSION = "petitions.export_signatures"


def _case(action_id: int) -> UrgentAction:
    return get_object_or_404(UrgentAction, pk=action_id)


class CountryCount(TypedDict):
    code: str
    name: str
    online: int
    paper: int
    total: int


class DayCount(TypedDict):
    day: datetime.date
    n: int


class SourceCount(TypedDict):
    source: str
    n: int


class ReasonCount(TypedDict):
    flag_reason: str
    n: int


class Breakdown(TypedDict):
    pending: int
    confirmed: int
    flagged: int
    by_country: list[CountryCount]
    by_day: list[DayCount]
    by_source: list[SourceCount]
    flag_reasons: list[ReasonCount]
    paper_tallied: int
    paper_named: int
    total: int


def breakdown(action: UrgentAction) -> Breakdown:
    """The organizers' numbers for a case, each from one grouped query.

    Grouped by the database on the (action, status, …) indexes, so the cost is one index
    range per table, not a loop over signatures in Python. The signatures are read from
    the replica when there is one; paper signatures from the primary, as the organizer
    may just have imported them.
    """
    signatures = Signature.objects.using(replica_alias()).filter(action=action)
    counted = signatures.filter(status=Signature.Status.CONFIRMED, is_flagged=False)
    status = signatures.aggregate(
        pending=Count("pk", filter=Q(status=Signature.Status.PENDING, is_flagged=False)),
        confirmed=Count("pk", filter=Q(status=Signature.Status.CONFIRMED, is_flagged=False)),
        flagged=Count("pk", filter=Q(is_flagged=True)),
    )
    online_by_country = dict(
        counted.values_list("country").annotate(n=Count("pk")).values_list("country", "n")
    )
    paper_by_country = dict(
        PaperSignature.objects.filter(action=action)
        .values_list("country")
        .annotate(n=Count("pk"))
        .values_list("country", "n")
    )
    by_country = sorted(
        (
            CountryCount(
                code=code,
                name=countries.name(code) or code,
                online=online_by_country.get(code, 0),
                paper=paper_by_country.get(code, 0),
                total=online_by_country.get(code, 0) + paper_by_country.get(code, 0),
            )
            for code in online_by_country.keys() | paper_by_country.keys()
        ),
        key=lambda row: (-row["total"], row["name"]),
    )
    by_day = list(
        counted.annotate(day=TruncDate("confirmed_at"))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by("day")
    )
    by_source = list(counted.values("source").annotate(n=Count("pk")).order_by("-n", "source"))
    flag_reasons = list(
        signatures.filter(is_flagged=True)
        .values("flag_reason")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )
    tallied = PaperTally.objects.filter(action=action).aggregate(n=Sum("count"))["n"] or 0
    named = sum(paper_by_country.values())
    return Breakdown(
        pending=status["pending"],
        confirmed=status["confirmed"],
        flagged=status["flagged"],
        by_country=by_country,
        by_day=by_day,
        by_source=by_source,
        flag_reasons=flag_reasons,
        paper_tallied=tallied,
        paper_named=named,
        total=status["confirmed"] + tallied + named,
    )


@requires("petitions.view_signature")
def report(request: HttpRequest, action_id: int) -> HttpResponse:
    action = _case(action_id)
    return TemplateResponse(
        request,
        "petitions/admin/report.html",
        {
            "action": action,
            "numbers": breakdown(action),
            "cached_total": counts.counts_for(action).total,
            "can_export": request.user.has_perm(EXPORT_PERMISSION),
            "header_title": _("Signatures of UA %s") % action.number,
        },
    )


@requires(EXPORT_PERMISSION)
def export(request: HttpRequest, action_id: int) -> HttpResponse | StreamingHttpResponse:
    """Stream the confirmed signatures of a case as CSV; logged in ExportLog."""
    action = _case(action_id)
    user = request.user
    assert user.is_authenticated  # @requires lets no anonymous visitor this far
    _log, lines = exports.export_signatures(action=action, user=user)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    filename = f"signatures-ua-{action.slug}.csv"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "no-store"
    return response


class PaperImportForm(forms.Form):
    action = forms.ModelChoiceField(
        label=gettext_lazy("Case"),
        queryset=UrgentAction.objects.exclude(status=UrgentAction.Status.DRAFT).order_by(
            "-issued_on"
        ),
    )
    batch = forms.CharField(
        label=gettext_lazy("Batch"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("Which stack of cards this is; the file name if left empty."),
    )
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "UTF-8, first row: name, country (two-letter code or name), and optionally city "
            "and collected_on (2026-11-20)."
        ),
    )


@requires("petitions.add_papersignature")
def paper_import(request: HttpRequest) -> HttpResponse:
    """Check a CSV of named paper signatures and import it whole, or report every problem."""
    form = PaperImportForm(request.POST or None, request.FILES or None)
    context = {"form": form, "header_title": _("Import paper signatures")}
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > paper.MAX_BYTES:
                    # Refused before reading it into memory.
                    raise paper.FileProblem(
                        _("The file is larger than %(mb)d MB: split it into smaller files.")
                        % {"mb": paper.MAX_BYTES // (1024 * 1024)},
                        status=413,
                    )
                result = paper.read_paper_csv(upload.read())
            except paper.FileProblem as problem:
                context["file_problem"] = problem.message
                status = problem.status
            else:
                if result.is_valid:
                    action = form.cleaned_data["action"]
                    imported = services.import_paper_signatures(
                        action=action,
                        rows=result.rows,
                        batch=form.cleaned_data["batch"] or upload.name,
                    )
                    messages.success(
                        request,
                        _("Imported %(n)d paper signatures for UA %(number)s.")
                        % {"n": imported, "number": action.number},
                    )
                    return redirect(reverse("petitions_report", args=[action.pk]))
                context["report"] = result
                context["report_csv_href"] = "data:text/csv;charset=utf-8," + quote(result.as_csv())
    return TemplateResponse(request, "petitions/admin/paper_import.html", context, status=status)

"""The public pages of what a supporter does on several apps at once: writing a letter,
which can also sign the case's petition. Request → form → service → response."""

from typing import TypedDict

from django.core.exceptions import ValidationError
from django.forms import BoundField
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from campaigns.defences import client_network
from campaigns.http import allow
from campaigns.models import Target, UrgentAction
from campaigns.pages import live_revision_id
from campaigns.public import number_of
from campaigns.public_forms import send_back, too_many
from letters.forms import CONSENT_LABEL, ChooseForm, WriteForm
from letters.services import composing

from . import services


class _GroupView(TypedDict):
    """One letter of the page: its language group's officials, fields and previews."""

    language: str
    language_name: str
    targets: list[Target]
    first: Target
    subject: BoundField
    body: BoundField
    sample_body: str
    share: int
    beside: composing.LetterText | None
    preview: composing.LetterText


def _case(slug: str) -> UrgentAction:
    """A public case by its URL number (58-20); drafts do not exist for the public."""
    number = number_of(slug)
    if number is None:
        raise Http404("No such case.")
    action: UrgentAction = get_object_or_404(
        UrgentAction.objects.exclude(status=UrgentAction.Status.DRAFT), number=number
    )
    return action


def _closed(request: HttpRequest, action: UrgentAction) -> HttpResponse:
    # 409: the request is fine, the case's state refuses it.
    return render(request, "letters/closed.html", {"action": action}, status=409)


def _language_name(code: str) -> str:
    try:
        name: str = translation.get_language_info(code)["name_translated"]
    except KeyError:
        return code
    return name


def _compose(
    request: HttpRequest, action: UrgentAction, form: WriteForm, status: int = 200
) -> HttpResponse:
    language = translation.get_language()
    supporter = form.example_supporter()
    groups: list[_GroupView] = []
    for group in form.groups:
        own = composing.sample_in(action, language) if group.language != language else None
        first = group.targets[0]
        text = composing.LetterText(
            subject=str(form[f"subject_{group.language}"].value() or ""),
            body=str(form[f"body_{group.language}"].value() or ""),
        )
        groups.append(
            {
                "language": group.language,
                "language_name": _language_name(group.language),
                "targets": group.targets,
                "first": first,
                "subject": form[f"subject_{group.language}"],
                "body": form[f"body_{group.language}"],
                "sample_body": group.sample.body,
                "share": composing.personal_share(body=text.body, sample=group.sample.body),
                "beside": composing.preview(
                    composing.LetterText(subject=own.subject, body=own.body),
                    target=first,
                    supporter=supporter,
                    action=action,
                )
                if own
                else None,
                "preview": composing.preview(
                    text, target=first, supporter=supporter, action=action
                ),
            }
        )
    context = {"action": action, "form": form, "groups": groups, "supporter": supporter}
    return render(request, "actions/letters/write.html", context, status=status)


# A public form: no CSRF token, the post's origin is checked (campaigns/defences.py).
@csrf_exempt
@never_cache
@allow("GET", "POST")
def write_letter(request: HttpRequest, slug: str) -> HttpResponse:
    """GET with the case page's choice shows the letter to edit; POST writes it.

    The case page submits the country and the officials with GET (no personal data, no
    CSRF token needed, so that page stays the same for everyone); this page is per
    visitor and never cached. Here, not in letters, because the form also signs the
    petition when the case has one (actions.services.write_letter).
    """
    action = _case(slug)
    if not action.is_open:
        return _closed(request, action)
    language = translation.get_language()
    offers_signing = services.offers_signing(action)
    if request.method == "POST":
        form = WriteForm(
            request.POST, action=action, language=language, offers_signing=offers_signing
        )
        if not form.is_valid():
            return _compose(request, action, form, status=400)
        data = form.cleaned_data
        screening = form.screen(request, scope=f"write:{action.pk}", email=data["email"])
        if screening.over_rate:
            return too_many(request, {"action": action})
        if screening.refusal:
            return _compose(request, action, send_back(form, screening.refusal), status=400)
        if screening.flag:
            # Accepted like any other, and nothing written: a bot learns nothing.
            return redirect("letters:check_email", slug=action.slug)
        try:
            services.write_letter(
                action=action,
                name=data["name"],
                email=data["email"],
                country=data["country"],
                city=data.get("city", ""),
                language=language,
                target_ids=data["targets"],
                texts=form.texts(),
                also_sign=bool(data.get("also_sign")),
                consent_text=str(CONSENT_LABEL) if data["consent"] else "",
                # The revision this site showed, not one the browser names.
                page_revision_id=live_revision_id(action, language),
                network=client_network(request),
            )
        except composing.WritingClosed:
            return _closed(request, action)
        except ValidationError as error:
            form.add_error(None, error)
            return _compose(request, action, form, status=400)
        # The same redirect for a first and a repeated writer: nothing to probe.
        return redirect("letters:check_email", slug=action.slug)
    choose = ChooseForm(request.GET or None, action=action)
    if not choose.is_bound or not choose.is_valid():
        status = 400 if choose.is_bound else 200
        return render(
            request,
            "actions/letters/choose.html",
            {"action": action, "form": choose},
            status=status,
        )
    form = WriteForm(
        action=action,
        language=language,
        offers_signing=offers_signing,
        initial={
            "country": choose.cleaned_data["country"],
            "targets": choose.cleaned_data["targets"],
        },
    )
    return _compose(request, action, form)

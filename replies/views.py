"""Public pages of replies: the questionnaire's answers, uploads and follow-up letters, and
which officials answer. Request → form → service → response; redirect after POST."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from campaigns.http import allow

from . import services
from .forms import AnswerForm, FollowUpForm, UploadForm
from .models import ReplyQuestion
from .responsiveness import responsiveness

Answer = ReplyQuestion.Answer


def _question_or_none(token: str) -> ReplyQuestion | None:
    try:
        return services.question_for_token(token)
    except services.QuestionLinkError:
        return None


def _link_problem(request: HttpRequest) -> HttpResponse:
    return render(request, "replies/link_problem.html", status=400)


def _page(
    request: HttpRequest,
    question: ReplyQuestion,
    token: str,
    *,
    status: int = 200,
    upload_form: UploadForm | None = None,
    follow_up_form: FollowUpForm | None = None,
) -> HttpResponse:
    chosen = request.GET.get("answer", "")
    if follow_up_form is None and services.can_follow_up(question):
        subject, body = services.follow_up_text(question)
        follow_up_form = FollowUpForm(initial={"subject": subject, "body": body})
    context = {
        "question": question,
        "token": token,
        "case": question.letter.case,
        "target": question.target,
        "answers": services.ANSWERS,
        "chosen": chosen if chosen in Answer.values else question.answer,
        "upload_form": upload_form or UploadForm(),
        "follow_up_form": follow_up_form if services.can_follow_up(question) else None,
    }
    return render(request, "replies/question.html", context, status=status)


@never_cache
@allow("GET", "POST")
def question(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the buttons (link scanners change nothing); POST records the answer."""
    found = _question_or_none(token)
    if found is None:
        return _link_problem(request)
    if request.method != "POST":
        return _page(request, found, token)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the answers."))
        return _page(request, found, token, status=400)
    services.answer_question(question=found, answer=form.cleaned_data["answer"])
    messages.success(request, _("Thank you: your answer is recorded."))
    return HttpResponseRedirect(reverse("replies:question", args=[token]), status=303)


@never_cache
@allow("POST")
def upload(request: HttpRequest, token: str) -> HttpResponse:
    found = _question_or_none(token)
    if found is None:
        return _link_problem(request)
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        content = form.cleaned_data["file"].read(settings.PLUMA_REPLY_ATTACHMENT_MAX_BYTES + 1)
        why = services.upload_postal_reply(question=found, content=content)
        if not why:
            messages.success(request, _("Thank you: we will look at the letter you sent."))
            return HttpResponseRedirect(reverse("replies:question", args=[token]), status=303)
        form.add_error("file", _("We could not keep this file: %(why)s.") % {"why": why})
    return _page(request, found, token, status=400, upload_form=form)


@never_cache
@allow("POST")
def follow_up(request: HttpRequest, token: str) -> HttpResponse:
    found = _question_or_none(token)
    if found is None:
        return _link_problem(request)
    if not services.can_follow_up(found):
        messages.info(
            request, _("This follow-up letter was already written, or the case is closed.")
        )
        return HttpResponseRedirect(reverse("replies:question", args=[token]), status=303)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        return _page(request, found, token, status=400, follow_up_form=form)
    letter = services.write_follow_up(
        question=found, subject=form.cleaned_data["subject"], body=form.cleaned_data["body"]
    )
    if letter is None:
        messages.info(
            request, _("This follow-up letter was already written, or the case is closed.")
        )
    else:
        messages.success(request, _("Your follow-up letter is on its way."))
    return HttpResponseRedirect(reverse("replies:question", args=[token]), status=303)


@allow("GET")
def responsiveness_page(request: HttpRequest) -> HttpResponse:
    return render(request, "replies/responsiveness.html", {"rows": responsiveness()})

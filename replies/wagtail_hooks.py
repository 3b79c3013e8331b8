"""The replies inbox in the Wagtail admin: read, link quarantined mail, publish; and the
review of postal replies supporters uploaded."""

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, URLResolver, path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from campaigns.models import UrgentAction
from campaigns.permissions import WrittenBySitePolicy, requires
from campaigns.private_files import stream_private

from . import services
from .forms import LinkForm, PublishForm
from .models import Reply, ReplyAttachment, ReplyQuestion

# Replies and answers come from outside; organizers handle them, never invent them.
for _model in (Reply, ReplyQuestion):
    register_permission_policy(_model, WrittenBySitePolicy(_model, denied=("add", "delete")))


def _organizer(request: HttpRequest) -> User | None:
    """Who acts in an admin view; `requires` lets in only users with the permission."""
    return request.user if request.user.is_authenticated else None


class ReplyIndexView(generic.IndexView):
    def get_base_queryset(self) -> QuerySet[Reply]:
        replies: QuerySet[Reply] = super().get_base_queryset()
        return replies.select_related("case", "target")

    def get_edit_url(self, instance: Reply) -> str:
        # A message's title opens it for reading (and marks it read), not the edit form.
        url: str = self.get_inspect_url(instance)
        return url


class ReplyInspectView(generic.InspectView):
    """Reading a reply marks it read; the page carries the publish and link forms."""

    template_name = "replies/admin/inspect.html"

    def get_object(self, queryset: QuerySet[Reply] | None = None) -> Reply:
        return get_object_or_404(
            Reply.objects.select_related("case", "target", "delivery", "inbound"), pk=self.pk
        )

    def get(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        services.mark_reply_read(reply=self.object)
        response: HttpResponse = super().get(request, *args, **kwargs)
        return response

    def get_fields(self) -> list[str]:
        return ["kind", "state", "case", "target", "routed_by", "quarantine_reason"]

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        context: dict[str, object] = super().get_context_data(**kwargs)
        reply: Reply = self.object
        can_change = self.request.user.has_perm("replies.change_reply")
        context["reply"] = reply
        context["attachments"] = reply.attachments.all()
        context["can_publish"] = (
            can_change
            and reply.kind == Reply.Kind.REPLY
            and reply.case_id is not None
            and reply.state != Reply.State.PUBLISHED
        )
        context["can_link"] = can_change and reply.state != Reply.State.PUBLISHED
        context["publish_form"] = PublishForm(initial={"summary": reply.summary})
        context["link_form"] = LinkForm(initial={"case": reply.case_id, "target": reply.target_id})
        return context


@require_POST
@requires("replies.change_reply")
def publish_reply(request: HttpRequest, pk: int) -> HttpResponse:
    reply = get_object_or_404(Reply, pk=pk)
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a summary to publish this reply."))
    elif services.publish_reply(
        reply=reply, summary=form.cleaned_data["summary"], user=_organizer(request)
    ):
        messages.success(
            request, _("Published on the case page; the supporters who wrote are being told.")
        )
    else:
        messages.warning(
            request, _("Only a reply linked to a case can be published, and only once.")
        )
    return redirect("reply_inbox:inspect", pk)


@require_POST
@requires("replies.change_reply")
def link_reply(request: HttpRequest, pk: int) -> HttpResponse:
    reply = get_object_or_404(Reply, pk=pk)
    form = LinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the case this message belongs to."))
    elif reply.state == Reply.State.PUBLISHED:
        messages.warning(request, _("A published reply stays with its case."))
    else:
        case: UrgentAction = form.cleaned_data["case"]
        services.link_reply(reply=reply, case=case, target=form.cleaned_data["target"])
        messages.success(request, _("Linked to UA %(number)s.") % {"number": case.number})
    return redirect("reply_inbox:inspect", pk)


@requires("replies.view_reply")
def reply_attachment(request: HttpRequest, pk: int) -> FileResponse:
    """An attachment, always as a download with the type read from its content; logged."""
    attachment = get_object_or_404(ReplyAttachment, pk=pk)
    if not attachment.file:
        raise Http404(_("This attachment was not kept."))
    return stream_private(
        request,
        file=attachment.file,
        filename=attachment.filename or f"attachment-{pk}",
        content_type=attachment.content_type or "application/octet-stream",
        what=attachment,
        kind="attachment",
    )


class ReplyViewSet(ModelViewSet):
    model = Reply
    icon = "mail"
    menu_label = _("Replies inbox")
    index_view_class = ReplyIndexView
    inspect_view_enabled = True
    inspect_view_class = ReplyInspectView
    copy_view_enabled = False
    list_display = [
        "__str__",
        "from_address",
        "kind",
        "state",
        "case",
        "target",
        Column("received_at", label=_("Received")),
    ]
    list_filter = ["case", "target", "kind", "state"]
    search_fields = ["subject", "text", "from_address"]
    # The edit view changes the published summary only; routing has its own forms.
    form_fields = ["summary"]

    def get_urlpatterns(self) -> list[URLPattern | URLResolver]:
        patterns: list[URLPattern | URLResolver] = super().get_urlpatterns()
        return patterns + [
            path("<int:pk>/publish/", publish_reply, name="publish"),
            path("<int:pk>/link/", link_reply, name="link"),
            path("attachment/<int:pk>/", reply_attachment, name="attachment"),
        ]


class ReplyQuestionInspectView(generic.InspectView):
    template_name = "replies/admin/question_inspect.html"

    def get_fields(self) -> list[str]:
        return [
            "letter",
            "target",
            "asked_at",
            "reminded_at",
            "answer",
            "answered_at",
            "upload_state",
            "uploaded_at",
            "follow_up_letter",
        ]

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        context: dict[str, object] = super().get_context_data(**kwargs)
        question: ReplyQuestion = self.object
        context["question"] = question
        context["can_review"] = (
            self.request.user.has_perm("replies.change_replyquestion")
            and question.upload_state == ReplyQuestion.Review.WAITING
        )
        return context


@require_POST
@requires("replies.change_replyquestion")
def review_upload(request: HttpRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(ReplyQuestion, pk=pk)
    accepted = request.POST.get("decision") == "accept"
    if services.review_upload(question=question, accepted=accepted, user=_organizer(request)):
        messages.success(request, _("Review recorded."))
    else:
        messages.warning(request, _("This upload was already reviewed."))
    return redirect("reply_questions:inspect", pk)


@requires("replies.view_replyquestion")
def question_upload(request: HttpRequest, pk: int) -> FileResponse:
    """The photo or PDF of a postal reply a supporter uploaded, as a download; logged."""
    question = get_object_or_404(ReplyQuestion, pk=pk)
    if not question.upload:
        raise Http404(_("Nothing was uploaded."))
    return stream_private(
        request,
        file=question.upload,
        filename=f"postal-reply-{pk}",
        content_type=question.upload_content_type or "application/octet-stream",
        what=question,
        kind="upload",
    )


class ReplyQuestionIndexView(generic.IndexView):
    def get_edit_url(self, instance: ReplyQuestion) -> str:
        url: str = self.get_inspect_url(instance)
        return url


class ReplyQuestionViewSet(ModelViewSet):
    model = ReplyQuestion
    index_view_class = ReplyQuestionIndexView
    icon = "help"
    menu_label = _("Did you get a reply?")
    inspect_view_enabled = True
    inspect_view_class = ReplyQuestionInspectView
    copy_view_enabled = False
    list_display = [
        "__str__",
        "target",
        "answer",
        "upload_state",
        Column("asked_at", label=_("Asked")),
    ]
    list_filter = ["answer", "upload_state", "target"]
    form_fields = ["answer"]

    def get_urlpatterns(self) -> list[URLPattern | URLResolver]:
        patterns: list[URLPattern | URLResolver] = super().get_urlpatterns()
        return patterns + [
            path("<int:pk>/review/", review_upload, name="review"),
            path("<int:pk>/upload/", question_upload, name="upload"),
        ]


class RepliesViewSetGroup(ViewSetGroup):
    menu_label = _("Replies")
    menu_icon = "mail"
    menu_order = 175
    items = (ReplyViewSet("reply_inbox"), ReplyQuestionViewSet("reply_questions"))


@hooks.register("register_admin_viewset")  # type: ignore[untyped-decorator]  # Wagtail is untyped
def register_viewset() -> RepliesViewSetGroup:
    return RepliesViewSetGroup()

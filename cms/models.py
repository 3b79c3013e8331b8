"""Wagtail pages: the presentation of cases. The facts of a case live in campaigns."""

from django.core.paginator import Paginator
from django.db import models
from django.db.models import Prefetch
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from campaigns.models import ActionTarget, FollowUp, UrgentAction, in_listing_order

from .blocks import BaseStreamBlock

ACTIONS_PER_PAGE = 24
HOME_OPEN_ACTIONS = 6


class HomePage(Page):
    intro = RichTextField(_("intro"), blank=True)
    body = StreamField(BaseStreamBlock(), verbose_name=_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["cms.ActionIndexPage", "cms.StandardPage"]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["open_action_pages"] = (
            ActionPage.objects.live()
            .filter(locale=self.locale, action__status=UrgentAction.Status.OPEN)
            .select_related("action")
            .order_by("-action__opened_at", "-action__issued_on", "-pk")[:HOME_OPEN_ACTIONS]
        )
        context["action_index"] = ActionIndexPage.objects.live().filter(locale=self.locale).first()
        return context


class ActionIndexPage(Page):
    intro = RichTextField(_("intro"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.ActionPage"]

    class Meta:
        verbose_name = _("urgent action index")

    def action_pages(self):
        """Live case pages under this index, in its locale, in the cases' listing order."""
        pages = (
            ActionPage.objects.live()
            .child_of(self)
            .filter(locale=self.locale)
            .select_related("action")
        )
        return in_listing_order(pages, via="action__")

    def get_context(self, request, *args, **kwargs):
        from .forms import ActionFilterForm

        context = super().get_context(request, *args, **kwargs)
        form = ActionFilterForm(request.GET or None)
        pages = self.action_pages()
        if form.is_bound and form.is_valid():
            pages = form.filter(pages)
        elif form.is_bound:
            pages = pages.none()
        paginator = Paginator(pages, ACTIONS_PER_PAGE)
        context["filter_form"] = form
        context["action_list"] = paginator.get_page(request.GET.get("page"))
        context["paginator"] = paginator
        return context

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        # A bad filter value is the visitor's mistake, not a missing page: say so with 400.
        if isinstance(response, TemplateResponse):
            form = response.context_data.get("filter_form")
            if form is not None and form.is_bound and not form.is_valid():
                response.status_code = 400
        return response


class ActionPage(Page):
    action = models.ForeignKey(
        "campaigns.UrgentAction",
        verbose_name=_("urgent action"),
        on_delete=models.PROTECT,
        # Not unique: every translation of the page presents the same case.
        related_name="pages",
    )
    summary = models.TextField(_("summary"), help_text=_("A teaser shown in lists of cases."))
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("hero image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hero_caption = models.CharField(_("hero caption"), max_length=250, blank=True)
    body = StreamField(BaseStreamBlock(), verbose_name=_("body"), blank=True)
    outcome_summary = models.TextField(
        _("outcome summary"),
        blank=True,
        help_text=_(
            "The outcome in this page's language, shown when the case closes. "
            "Leave empty to show the case's outcome text."
        ),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("action"),
        FieldPanel("summary"),
        MultiFieldPanel(
            [FieldPanel("hero_image"), FieldPanel("hero_caption")], heading=_("Hero image")
        ),
        FieldPanel("body"),
        FieldPanel("outcome_summary"),
    ]

    parent_page_types = ["cms.ActionIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("urgent action page")
        verbose_name_plural = _("urgent action pages")

    @property
    def outcome_text(self) -> str:
        return self.outcome_summary or self.action.outcome

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # One query per relation instead of one per target and per follow-up.
        action = (
            UrgentAction.objects.filter(pk=self.action_id)
            .prefetch_related(
                Prefetch(
                    "action_targets",
                    queryset=ActionTarget.objects.select_related("target").order_by(
                        "sort_order", "pk"
                    ),
                ),
                Prefetch(
                    "follow_ups",
                    queryset=FollowUp.objects.prefetch_related("texts").order_by("sequence"),
                ),
                "deadline_extensions",
            )
            .get()
        )
        self.action = action
        links = list(action.action_targets.all())
        language = translation.get_language() or self.locale.language_code
        context.update(
            action=action,
            primary_targets=[
                link.target for link in links if link.tier == ActionTarget.Tier.PRIMARY
            ],
            copy_targets=[link.target for link in links if link.tier == ActionTarget.Tier.COPY],
            timeline=build_timeline(action, language),
            days_left=(action.deadline - timezone.localdate()).days,
        )
        return context


def build_timeline(action: UrgentAction, language: str) -> list[dict]:
    """Follow-ups and deadline extensions of a case, oldest first, for the case page."""
    entries = []
    for follow_up in action.follow_ups.all():
        entries.append(
            {
                "kind": "follow_up",
                "date": follow_up.issued_on,
                "follow_up": follow_up,
                "text": follow_up.text_in(language),
            }
        )
    for extension in action.deadline_extensions.all():
        entries.append(
            {
                "kind": "extension",
                "date": timezone.localdate(extension.extended_at),
                "extension": extension,
            }
        )
    return sorted(entries, key=lambda entry: entry["date"])


class StandardPage(Page):
    body = StreamField(BaseStreamBlock(), verbose_name=_("body"))

    content_panels = [*Page.content_panels, FieldPanel("body")]

    parent_page_types = ["cms.HomePage", "cms.StandardPage"]
    subpage_types = ["cms.StandardPage"]

    class Meta:
        verbose_name = _("standard page")

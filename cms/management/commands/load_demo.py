"""Load the demo site: three cases, their targets, embassies, sample letters, and pages in
English and Spanish.

Idempotent: things are found by UA number, target name + organisation, sample letter case +
language, and page slug + locale, and whatever already exists is left as it is (an editor may have changed it in the
admin since). The open cases are dated from today, and a later run moves a passed deadline
forward again, so the demo always has cases to act on.
"""

import contextlib
import datetime
import logging
import random
from io import BytesIO

from django.conf import settings
from django.core.files.images import ImageFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from PIL import Image as PILImage
from PIL import ImageDraw
from wagtail.images import get_image_model
from wagtail.models import Collection, Locale, Page, Site

from campaigns.models import ActionTarget, FollowUp, FollowUpText, Target, UrgentAction
from campaigns.services import (
    close_action,
    extend_deadline,
    open_action,
    publish_follow_up,
    reopen_action,
)
from cms import demo
from cms.models import ActionIndexPage, ActionPage, HomePage, StandardPage
from letters.models import LetterTemplate

BANNER_SIZE = (1600, 600)
CHATTY_LOGGERS = ("wagtail", "django_tasks", "modelsearch", "campaigns", "cms")


class Command(BaseCommand):
    help = "Load the demo cases, targets and pages (English and Spanish). Safe to run again."

    def handle(self, *args, **options):
        today = timezone.localdate()
        try:
            # Read and checked in full first: a mistake in a data file writes nothing.
            content = demo.read(today=today)
        except demo.DemoDataError as error:
            raise CommandError(f"The demo data does not load: {error}") from error
        loader = DemoLoader(content=content, today=today)
        # Publishing a dozen pages logs a few lines each (revisions, search index, reference
        # index); below -v 2 that drowns the summary, so only warnings get through.
        with quiet_loggers(enabled=options["verbosity"] < 2), transaction.atomic():
            # One transaction: a failure halfway leaves the site as it was.
            loader.load()
        for verbosity, line in loader.log:
            if options["verbosity"] >= verbosity:
                self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(loader.summary()))


@contextlib.contextmanager
def quiet_loggers(*, enabled: bool):
    loggers = [logging.getLogger(name) for name in CHATTY_LOGGERS] if enabled else []
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


class DemoLoader:
    def __init__(self, *, content: demo.Demo, today: datetime.date):
        self.content = content
        self.today = today
        self.log: list[tuple[int, str]] = []  # (least verbosity to show it, line)
        self.created = {"pages": 0, "cases": 0, "targets": 0, "images": 0, "letters": 0}

    def load(self) -> None:
        self.en, _ = Locale.objects.get_or_create(language_code="en")
        self.es, _ = Locale.objects.get_or_create(language_code="es")
        home = self.load_home()
        index = self.load_page(
            ActionIndexPage, parent=home, data=self.content.action_index, fields=("title", "intro")
        )
        self.load_page(
            StandardPage, parent=home, data=self.content.privacy, fields=("title", "body")
        )
        targets = self.load_targets()
        for case in self.content.cases:
            self.load_case(case, index=index, targets=targets)

    def note(self, *, line: str, verbosity: int = 1) -> None:
        self.log.append((verbosity, line))

    def summary(self) -> str:
        return (
            f"Demo loaded: {UrgentAction.objects.count()} cases, {Target.objects.count()} targets, "
            f"{Page.objects.filter(depth__gt=1).count()} pages "
            f"(created now: {self.created['cases']} cases, {self.created['targets']} targets, "
            f"{self.created['pages']} pages, {self.created['images']} images, "
            f"{self.created['letters']} sample letters)."
        )

    # Pages

    def load_home(self) -> HomePage:
        # Wagtail's migrations create the tree root; a database flushed since (as tests
        # with real transactions do) has none, so make one the same way.
        root = Page.get_first_root_node() or Page.add_root(
            title="Root", slug="root", locale=self.en
        )
        if Collection.get_first_root_node() is None:
            Collection.add_root(name="Root")
        data = self.content.home
        home = HomePage.objects.filter(locale=self.en, slug=data["slug"]).first()
        if home is None:
            # Wagtail's "Welcome" page holds the slug "home" until it is deleted below.
            root.get_children().exact_type(Page).filter(slug=data["slug"]).update(
                slug="welcome-replaced"
            )
            home = self.create_page(
                HomePage, parent=root, data=data, fields=("title", "intro", "body")
            )
        else:
            self.ensure_translation(home, data, fields=("title", "intro", "body"))
        site = Site.objects.filter(is_default_site=True).first() or Site(is_default_site=True)
        if (site.hostname, site.port, site.root_page_id) != ("localhost", 80, home.pk):
            site.hostname, site.port, site.root_page = "localhost", 80, home
            site.site_name = site.site_name or settings.WAGTAIL_SITE_NAME
            site.save()
            self.note(line="Default site (localhost:80) now serves the demo home page.")
        # Only now: a Site cascades with its root page, so the welcome page goes last.
        for old in root.get_children().exact_type(Page):
            self.note(line=f"Deleted Wagtail's default page {old.title!r}.")
            old.delete()
        return home

    def load_page(self, model, *, parent: Page, data: dict, fields: tuple[str, ...]):
        page = model.objects.filter(locale=self.en, slug=data["slug"]).first()
        if page is None:
            return self.create_page(model, parent=parent, data=data, fields=fields)
        self.ensure_translation(page, data, fields=fields)
        return page

    def create_page(self, model, *, parent: Page, data: dict, fields: tuple[str, ...], **extra):
        page = model(slug=data["slug"], locale=self.en, **extra, **pick(data["en"], fields))
        parent.add_child(instance=page)
        page.save_revision().publish()
        self.created["pages"] += 1
        self.note(verbosity=2, line=f"Created page {page.url_path} ({page.title}).")
        self.ensure_translation(page, data, fields=fields)
        return page

    def ensure_translation(self, page: Page, data: dict, *, fields: tuple[str, ...]) -> None:
        """Give ``page`` its Spanish version unless it has one; its parent must have one."""
        if page.get_translation_or_none(self.es) is not None:
            return
        translation = page.copy_for_translation(self.es)
        for name, value in pick(data["es"], fields).items():
            setattr(translation, name, value)
        translation.save_revision().publish()
        self.created["pages"] += 1
        self.note(verbosity=2, line=f"Created page {translation.url_path} ({translation.title}).")

    # Targets and cases

    def load_targets(self) -> dict[tuple[str, str], Target]:
        targets = {}
        for data in self.content.targets:
            fields = dict(data)
            key = (fields.pop("name"), fields.pop("organisation"))
            target, created = Target.objects.get_or_create(
                name=key[0], organisation=key[1], defaults=fields
            )
            if created:
                self.created["targets"] += 1
                self.note(verbosity=2, line=f"Created target {target}.")
            targets[key] = target
        return targets

    def load_case(self, case: dict, *, index: ActionIndexPage, targets: dict) -> None:
        action = UrgentAction.objects.filter(number=case["number"]).first()
        if action is None:
            action = UrgentAction.objects.create(
                **pick(
                    case,
                    (
                        "number",
                        "title",
                        "summary",
                        "category",
                        "country",
                        "issued_on",
                        "deadline",
                        "writes_to_embassy",
                    ),
                )
            )
            self.created["cases"] += 1
            self.note(line=f"Created case {action}.")
        for order, (name, organisation, tier) in enumerate(case["targets"]):
            ActionTarget.objects.get_or_create(
                action=action,
                target=targets[(name, organisation)],
                defaults={"tier": tier, "sort_order": order},
            )
        self.load_letters(action, case)

        page_data = case["page"]
        fields = ("title", "summary", "hero_caption", "body", "outcome_summary")
        page = ActionPage.objects.filter(locale=self.en, slug=page_data["slug"]).first()
        if page is None:
            self.create_page(
                ActionPage,
                parent=index,
                data=page_data,
                fields=fields,
                action=action,
                hero_image=self.banner(f"UA {action.number}", colours=page_data["hero"]),
            )
        else:
            self.ensure_translation(page, page_data, fields=fields)
        # Publishing the page opens a draft case; this covers a page that already existed.
        if open_action(action=action):
            self.note(line=f"Opened UA {action.number}.")

        if not action.follow_ups.exists():
            for follow_up in case.get("follow_ups", []):
                texts = [
                    FollowUpText(language=language, title=title, body=body)
                    for language, (title, body) in follow_up["texts"].items()
                ]
                publish_follow_up(
                    follow_up=FollowUp(action=action, issued_on=follow_up["issued_on"], texts=texts)
                )
                self.note(line=f"Published a follow-up on UA {action.number}.")

        if case.get("outcome_kind"):
            self.close(action, case)
        else:
            self.keep_open(action, case)

    def load_letters(self, action: UrgentAction, case: dict) -> None:
        """The case's sample letters; one that exists, maybe edited since, is left alone."""
        for language, data in case["letters"].items():
            _template, created = LetterTemplate.objects.get_or_create(
                case=action, language=language, defaults=data
            )
            if created:
                self.created["letters"] += 1
                self.note(verbosity=2, line=f"Created the {language} sample letter of {action}.")

    def close(self, action: UrgentAction, case: dict) -> None:
        if not close_action(
            action=action, outcome_kind=case["outcome_kind"], outcome=case["outcome"]
        ):
            return
        # The story happened in 2020: date the transitions then, not on the day of loading.
        closed_at = datetime.datetime.combine(
            case["closed_on"], datetime.time(12), tzinfo=datetime.UTC
        )
        opened_at = datetime.datetime.combine(
            case["issued_on"], datetime.time(9), tzinfo=datetime.UTC
        )
        UrgentAction.objects.filter(pk=action.pk).update(opened_at=opened_at, closed_at=closed_at)
        self.note(line=f"Closed UA {action.number} ({action.get_outcome_kind_display()}).")

    def keep_open(self, action: UrgentAction, case: dict) -> None:
        """On a later run, move a passed deadline forward and reopen a case that expired."""
        if action.deadline >= self.today:
            return
        extend_deadline(
            action=action,
            new_deadline=case["deadline"],
            reason="Demo reloaded: the case stays open.",
        )
        if action.outcome_kind == UrgentAction.OutcomeKind.DEADLINE_PASSED:
            reopen_action(action=action)
        self.note(line=f"UA {action.number} is open until {case['deadline']:%d %B %Y}.")

    # Images

    def banner(self, name: str, *, colours: tuple[tuple[int, int, int], ...]):
        """An abstract banner for a case, drawn once and then found by its title."""
        Image = get_image_model()
        title = f"Demo banner: {name}"
        image = Image.objects.filter(title=title).first()
        if image is not None:
            return image
        buffer = BytesIO()
        draw_banner(seed=title, colours=colours).save(buffer, "JPEG", quality=85)
        filename = "demo-" + name.lower().replace(" ", "-").replace("/", "-") + ".jpg"
        image = Image(title=title, file=ImageFile(buffer, name=filename))
        image.save()
        self.created["images"] += 1
        return image


def draw_banner(*, seed: str, colours: tuple[tuple[int, int, int], ...]) -> PILImage.Image:
    """A diagonal gradient between two colours with a few soft, translucent circles."""
    start, end = colours
    width, height = BANNER_SIZE
    across = PILImage.linear_gradient("L").rotate(90).resize(BANNER_SIZE)
    down = PILImage.linear_gradient("L").resize(BANNER_SIZE)
    mask = PILImage.blend(across, down, 0.35)
    picture = PILImage.composite(
        PILImage.new("RGB", BANNER_SIZE, end), PILImage.new("RGB", BANNER_SIZE, start), mask
    ).convert("RGBA")
    overlay = PILImage.new("RGBA", BANNER_SIZE, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    shapes = random.Random(seed)  # noqa: S311 - decoration, not security
    for _ in range(7):
        radius = shapes.randint(height // 6, height // 2)
        x, y = shapes.randint(0, width), shapes.randint(0, height)
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=(255, 255, 255, 28))
    return PILImage.alpha_composite(picture, overlay).convert("RGB")


def pick(data: dict, fields: tuple[str, ...]) -> dict:
    return {name: data[name] for name in fields if name in data}

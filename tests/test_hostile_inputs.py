"""Hostile input on every route the URLconf serves: never a 500, and nothing half-written.

The corpus is tests/hostile_inputs.json: strings, byte sequences that are not UTF-8, and
whole bodies (a form in UTF-16, a charset that does not exist, broken multipart, …). Each
value goes, one field at a time, into an otherwise valid post to every public form, and
into every ESP webhook with and without its secret; the short list also into every path
argument and query parameter. Routes come from django.urls' resolver, so a new route is
attacked as soon as it exists, and one nobody said how to reach (RECIPES) fails the test.
Admin routes are requested anonymously: the login page must answer, not a 500.

Marked `services`: on PostgreSQL, a NUL byte or an integer past 2**63 is an error where
SQLite shrugs. Each request has its own transaction, as in production. The figures
(requests, posts, responses >= 500, refused posts that wrote) are printed in pytest's
summary.
"""

import base64
import dataclasses
import json
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote, unquote_to_bytes

import pytest
from django.apps import apps as app_registry
from django.db import connection
from django.test import Client
from django.urls import NoReverseMatch, reverse
from wagtail.models import Locale, Page, Site

from campaigns.mail import make_data_token, make_subscription_token, make_unsubscribe_token
from campaigns.models import ActionTarget
from cms.models import ActionIndexPage, ActionPage, HomePage
from letters.models import Letter
from letters.services import composing
from petitions.models import FieldMode
from petitions.tokens import make_token as signature_token
from replies.models import ReplyQuestion
from replies.services import link_token
from tests.factories import (
    ActionTargetFactory,
    ConsentFactory,
    LetterFactory,
    LetterTemplateFactory,
    PetitionFactory,
    SignatureFactory,
    SubscriptionFactory,
    SupporterFactory,
    TargetFactory,
    UrgentActionFactory,
)
from tests.forms import started
from tests.routes import Route, routes

pytestmark = [
    pytest.mark.services,
    # A transaction per request, as in production: a database error in one request shows
    # as that request's 500 instead of poisoning the next ones.
    pytest.mark.django_db(transaction=True),
]

CORPUS = json.loads((Path(__file__).parent / "hostile_inputs.json").read_text())
WEBHOOK_SECRET = "hostile:secret"
# Stand-ins for path arguments, replaced by the hostile value in the URL reverse() made.
PLACEHOLDER = "zz-placeholder-zz"
INT_PLACEHOLDER = "987654321"
# The fields every public form has (campaigns.public_forms.DefendedForm): attacked one
# at a time on the signing form only, as the same code reads them everywhere.
DEFENCE_FIELDS = ("started", "website", "altcha")
# Fields that take one of a few values (choices, boxes to tick): every other value is
# refused alike, so the short list is enough for them.
CHOICE_FIELDS = frozenset(
    {"country", "countries", "categories", "frequency", "kind", "answer", "language", "targets"}
    | {"consent", "share_name", "also_sign", "agree", "cancel", "confirm"}
)
# Query parameters tried on every GET, besides those a recipe names.
QUERY_NAMES = ("page", "q", "next", "utm_source", "format")
METHODS = ("PUT", "PATCH", "DELETE", "OPTIONS")


@dataclasses.dataclass(frozen=True)
class Hostile:
    name: str
    # Percent-encoded, ready for a path segment, a query string or a form body.
    encoded: str

    @property
    def raw(self) -> bytes:
        return unquote_to_bytes(self.encoded)


def _text(entry: dict) -> str:
    if "repeat" in entry:
        return entry["repeat"] * entry["times"]
    return entry["value"] if "value" in entry else entry["text"]


VALUES = [Hostile(e["name"], quote(_text(e).encode(), safe="")) for e in CORPUS["strings"]] + [
    Hostile(e["name"], quote(bytes.fromhex(e["hex"].replace(" ", "")), safe=""))
    for e in CORPUS["bytes"]
]
SHORT_LIST = [v for v in VALUES if v.name in CORPUS["in_paths_and_queries"]]
assert len(SHORT_LIST) == len(CORPUS["in_paths_and_queries"]), "a name there is not in the corpus"
# For what a view should not read at all: a post to a path no view answers, a query
# parameter no view reads.
UNREAD = [v for v in VALUES if v.name in ("NUL byte", "2**63", "invalid UTF-8 (FF FE)")]

Form = dict[str, str | list[str]]


def encoded(data: Form) -> Form:
    return {
        key: [quote(v) for v in value] if isinstance(value, list) else quote(value)
        for key, value in data.items()
    }


def form_body(data: Form, *, encoding: str = "utf-8") -> bytes:
    """An urlencoded body of values that are percent-encoded already."""
    pairs = [
        f"{quote(key)}={one}"
        for key, value in data.items()
        for one in (value if isinstance(value, list) else [value])
    ]
    return "&".join(pairs).encode(encoding)


def raw_body(entry: dict, form: Form) -> tuple[bytes, str]:
    """One of the corpus's bodies; a form one carries ``form``."""
    if "form_encoded_as" in entry:
        return form_body(encoded(form), encoding=entry["form_encoded_as"]), entry["content_type"]
    if "hex" in entry:
        return bytes.fromhex(entry["hex"].replace(" ", "")), entry["content_type"]
    return _text(entry).encode(), entry["content_type"]


# --- what the forms act on ---------------------------------------------------------------


@dataclasses.dataclass
class World:
    """A case that takes every kind of post, and a genuine link of every kind."""

    case_slug: str
    official_id: int
    consent_id: int
    tokens: dict[str, str]


def build_world() -> World:
    case = UrgentActionFactory(number="58/20")
    PetitionFactory(
        action=case,
        postal_code_field=FieldMode.OPTIONAL,
        city_field=FieldMode.OPTIONAL,
        comment_field=FieldMode.OPTIONAL,
        allows_solidarity_messages=True,
    )
    official = TargetFactory(language="es")
    ActionTargetFactory(action=case, target=official, tier=ActionTarget.Tier.PRIMARY)
    LetterTemplateFactory(case=case, language="es")
    LetterTemplateFactory(case=case, language="en", subject="UA {ua_number}", body="{salutation}")

    pending = SignatureFactory(action=case, nonce="signature-nonce")
    letter = LetterFactory(case=case, targets=[official], status=Letter.Status.PENDING_CONFIRMATION)
    subscription = SubscriptionFactory()
    unconfirmed = SubscriptionFactory(confirmed_at=None)
    supporter = SupporterFactory(access_nonce="data-nonce")
    consent = ConsentFactory(supporter=supporter, action=case)
    sent = LetterFactory(case=case, targets=[official], status=Letter.Status.CONFIRMED)
    question = ReplyQuestion.objects.create(letter=sent, target=official)

    # The page tree's root and the default site come from migrations, and a transactional
    # test that ran before this one may have flushed them.
    english, _created = Locale.objects.get_or_create(language_code="en")
    root = Page.get_first_root_node() or Page.add_root(
        instance=Page(title="Root", slug="root", locale=english)
    )
    home = root.add_child(instance=HomePage(title="Pluma", slug="pluma"))
    Site.objects.update_or_create(
        is_default_site=True, defaults={"root_page": home, "hostname": "localhost"}
    )
    index = home.add_child(instance=ActionIndexPage(title="Urgent Actions", slug="actions"))
    index.add_child(
        instance=ActionPage(action=case, title=case.title, slug=case.slug, summary="A defender.")
    )
    for page in (home, index, *index.get_children()):
        page.specific.save_revision().publish()

    subscription_token = make_subscription_token(
        subscription_id=subscription.pk, token=subscription.token
    )
    return World(
        case_slug=case.slug,
        official_id=official.pk,
        consent_id=consent.pk,
        tokens={
            "signature": signature_token(signature_id=pending.pk, nonce=pending.nonce),
            "letters": composing.make_token([letter.pk]),
            "new subscription": make_subscription_token(
                subscription_id=unconfirmed.pk, token=unconfirmed.token
            ),
            "subscription": subscription_token,
            "unsubscribe": make_unsubscribe_token(supporter_id=supporter.pk, action_id=case.pk),
            "data": make_data_token(supporter_id=supporter.pk, nonce=supporter.access_nonce),
            "question": link_token(question),
        },
    )


# --- how each route is reached -------------------------------------------------------------


@dataclasses.dataclass
class Recipe:
    """How a genuine request reaches a route's code, so that hostile values get that far.

    ``kwargs`` are genuine path arguments; ``form`` a valid post (None: the route takes
    no form), whose fields and ``extra_fields`` (what a browser or a forger might add)
    are attacked one at a time; ``query`` the GET parameters the view reads. Routes
    without a name give their ``url``, and ``hostile_urls`` with {} for the value.
    """

    kwargs: dict[str, object] = dataclasses.field(default_factory=dict)
    form: Form | None = None
    extra_fields: tuple[str, ...] = ()
    query: tuple[str, ...] = ()
    url: str = ""
    hostile_urls: tuple[str, ...] = ()
    upload_field: str = ""
    attack_defences: bool = False


def recipes(world: World) -> dict[str, Recipe]:
    slug = {"slug": world.case_slug}
    tokens = world.tokens
    person = {"name": "Ana López", "email": "ana@example.org", "country": "CA"}
    defended = {"started": started(), "website": ""}
    return {
        "petitions:sign": Recipe(
            slug,
            form={
                **defended,
                **person,
                "postal_code": "K1A 0B1",
                "city": "Ottawa",
                "comment": "Protect her.",
                "consent": "on",
                "share_name": "on",
                "source": "newsletter",
                "altcha": "",
            },
            # Browsers of pages cached before it was dropped still send it.
            extra_fields=("page_revision",),
            query=("utm_source",),
            attack_defences=True,
        ),
        "petitions:check_email": Recipe(slug),
        "petitions:new_link": Recipe(slug, form={**defended, "email": "ana@example.org"}),
        "petitions:thanks": Recipe(slug),
        "petitions:confirm": Recipe({"token": tokens["signature"]}, form={}),
        "petitions:report_action": Recipe(
            slug, form={**defended, "kind": "called", "email": "ana@example.org"}
        ),
        "petitions:action_reported": Recipe(slug),
        "petitions:write_message": Recipe(
            slug, form={**defended, **person, "message": "You are not alone."}
        ),
        "petitions:message_sent": Recipe(slug),
        "actions:write_letter": Recipe(
            slug,
            form={
                **defended,
                **person,
                "city": "Ottawa",
                "targets": [str(world.official_id)],
                "subject_es": "Proteja al defensor",
                "body_es": "Señor Gobernador: le escribo para pedirle que proteja al defensor.",
                "also_sign": "on",
                "consent": "on",
            },
            extra_fields=("page_revision", "subject_en", "body_en"),
            query=("country", "targets"),
        ),
        "letters:check_email": Recipe(slug),
        "letters:thanks": Recipe(slug),
        "letters:confirm": Recipe({"token": tokens["letters"]}, form={}),
        "handovers:verify": Recipe(query=("fingerprint",)),
        "campaigns:subscribe": Recipe(
            form={
                **defended,
                "email": "ana@example.org",
                "categories": ["defenders"],
                "countries": ["MX"],
                "frequency": "immediate",
                "agree": "on",
            }
        ),
        "campaigns:subscribe_sent": Recipe(),
        "campaigns:confirm_subscription": Recipe({"token": tokens["new subscription"]}, form={}),
        "campaigns:manage": Recipe(
            {"token": tokens["subscription"]},
            form={"categories": ["defenders"], "countries": ["MX"], "frequency": "weekly"},
            # Last: it ends the subscription.
            extra_fields=("cancel",),
        ),
        "campaigns:subscription_unsubscribe": Recipe({"token": tokens["subscription"]}, form={}),
        "campaigns:unsubscribe": Recipe({"token": tokens["unsubscribe"]}, form={}),
        "campaigns:my_data": Recipe(form={**defended, "email": "ana@example.org"}),
        "campaigns:open_my_data": Recipe({"token": tokens["data"]}, form={}),
        "campaigns:my_data_view": Recipe(),
        "campaigns:my_data_download": Recipe(),
        "campaigns:withdraw": Recipe({"consent_id": world.consent_id}, form={}),
        "campaigns:erase": Recipe(form={}, extra_fields=("confirm",)),
        "replies:question": Recipe(
            {"token": tokens["question"]}, form={"answer": "by_post"}, query=("answer",)
        ),
        "replies:upload": Recipe({"token": tokens["question"]}, upload_field="file"),
        "replies:follow_up": Recipe(
            {"token": tokens["question"]},
            form={"subject": "Again", "body": "Please answer my letter of last month."},
        ),
        "replies:responsiveness": Recipe(),
        "petitions_api:session": Recipe(slug),
        "petitions_api:challenge": Recipe(slug),
        "actions_api:action_list": Recipe(query=("status", "country")),
        "actions_api:action_detail": Recipe(slug),
        "actions_api:openapi": Recipe(),
        "set_language": Recipe(form={"language": "es", "next": "/"}, query=("next",)),
        "wagtailcore_login": Recipe(form={"username": "ana", "password": "secret"}),
        "wagtailadmin_login": Recipe(form={"username": "ana", "password": "secret"}),
        "wagtailcore_authenticate_with_password": Recipe(
            {"page_view_restriction_id": 1, "page_id": 1}, form={"password": "secret"}
        ),
        "wagtaildocs_authenticate_with_password": Recipe(
            {"restriction_id": 1}, form={"password": "secret"}
        ),
        "wagtaildocs_serve": Recipe(
            url="/documents/1/case.pdf",
            hostile_urls=("/documents/{}/case.pdf", "/documents/1/{}"),
        ),
        "wagtail_serve": Recipe(
            url="/actions/",
            query=("category", "country", "status", "page"),
            hostile_urls=("/{}/", "/actions/{}/", "/es/actions/{}/"),
        ),
    }


# --- the attack -----------------------------------------------------------------------------


def our_tables() -> list[str]:
    labels = ("campaigns", "petitions", "letters", "replies", "handovers", "actions", "cms")
    return [
        model._meta.db_table
        for label in labels
        for model in app_registry.get_app_config(label).get_models()
        if model._meta.managed and not model._meta.proxy
    ]


class LeanClient(Client):
    """The test client less what template tests need: Client keeps a copy of the context
    of every template rendered, and a select of 250 countries renders 250 of them, which
    made the test client most of this test's time. A view's exception is a 500, as in
    production."""

    def request(self, **request):
        response = self.handler(self._base_environ(**request))
        if response.cookies:
            self.cookies.update(response.cookies)
        return response


@dataclasses.dataclass
class Attack:
    """Sends requests, counts what came back, and notes 500s and refused requests that
    wrote rows anyway."""

    client: Client
    tables: list[str]
    requests: int = 0
    posts: int = 0
    statuses: Counter = dataclasses.field(default_factory=Counter)
    errors: list[str] = dataclasses.field(default_factory=list)
    half_written: list[str] = dataclasses.field(default_factory=list)
    _rows: tuple[int, ...] = ()

    def rows(self) -> tuple[int, ...]:
        # One query for every table: our own table names, no input in it.
        counts = ", ".join(f'(SELECT count(*) FROM "{t}")' for t in self.tables)  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {counts}")
            return tuple(cursor.fetchone())

    def send(
        self,
        method: str,
        path: str,
        what: str,
        body: bytes = b"",
        content_type: str = "application/x-www-form-urlencoded",
        **headers: str,
    ) -> None:
        before = self._rows or self.rows()
        response = self.client.generic(method, path, body, content_type=content_type, **headers)
        self.requests += 1
        self.posts += method == "POST"
        self.statuses[response.status_code] += 1
        label = f"{response.status_code} {method} {path[:100]} ({what})"
        if response.status_code >= 500:
            self.errors.append(label)
        self._rows = self.rows()
        if response.status_code >= 400 and self._rows != before:
            written = [t for t, a, b in zip(self.tables, before, self._rows, strict=True) if a != b]
            self.half_written.append(f"{label} wrote to {written}")

    def post(self, path: str, form: Form, what: str) -> None:
        self.send("POST", path, what, form_body(form))

    def figures(self, what: str, routes: int, seconds: float) -> str:
        return (
            f"hostile inputs, {what}: {self.requests} requests ({self.posts} posts) to "
            f"{routes} routes ({seconds:.0f} s of CPU); responses >= 500: {len(self.errors)}; "
            f"refused but written: {len(self.half_written)}; "
            f"statuses: {dict(sorted(self.statuses.items()))}"
        )


def url_for(route: Route, recipe: Recipe, **arguments: str) -> str:
    if recipe.url:
        return recipe.url
    kwargs = {**{k: str(v) for k, v in recipe.kwargs.items()}, **arguments}
    return reverse(route.key, kwargs=kwargs or None)


def hostile_paths(route: Route, recipe: Recipe) -> Iterator[tuple[str, str]]:
    """(a URL with {} where the hostile value goes, what is attacked)."""
    for template in recipe.hostile_urls:
        yield template, "path"
    for argument, converter in route.converters:
        placeholder = INT_PLACEHOLDER if converter == "IntConverter" else PLACEHOLDER
        url = url_for(route, recipe, **{argument: placeholder})
        yield url.replace(placeholder, "{}"), f"path argument {argument}"


def attack_route(attack: Attack, route: Route, recipe: Recipe) -> None:
    takes_posts = recipe.form is not None or bool(recipe.upload_field)
    form = encoded(recipe.form or {})
    for template, what in hostile_paths(route, recipe):
        for value in SHORT_LIST:
            path = template.replace("{}", value.encoded)
            attack.send("GET", path, f"{what} = {value.name}")
            if takes_posts and value in UNREAD:
                attack.post(path, form, f"{what} = {value.name}")

    url = url_for(route, recipe)
    for value in SHORT_LIST if recipe.query else UNREAD:
        query = "&".join(f"{name}={value.encoded}" for name in (*recipe.query, *QUERY_NAMES))
        attack.send("GET", f"{url}?{query}", f"query = {value.name}")
    for method in METHODS:
        attack.send(method, url, "undeclared method")
    if not takes_posts:
        attack.post(url, {}, "a post to a page")
        return

    if recipe.upload_field:
        attack_upload(attack, url, recipe.upload_field)
    fields = [*form, *recipe.extra_fields]
    if not recipe.attack_defences:
        fields = [field for field in fields if field not in DEFENCE_FIELDS]
    for field in fields:
        for value in SHORT_LIST if field in CHOICE_FIELDS else VALUES:
            attack.post(url, {**form, field: value.encoded}, f"{field} = {value.name}")
    for entry in CORPUS["bodies"]:
        body, content_type = raw_body(entry, recipe.form or {})
        attack.send("POST", url, f"body: {entry['name']}", body, content_type)


def attack_upload(attack: Attack, url: str, field: str) -> None:
    boundary = "hostile-boundary"
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    for value in VALUES:
        for what, filename, content in (
            ("filename", value.raw, png),
            ("file", b"r.png", value.raw),
        ):
            body = (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="'.encode()
                + filename
                + b'"\r\nContent-Type: image/png\r\n\r\n'
                + content
                + f"\r\n--{boundary}--\r\n".encode()
            )
            content_type = f"multipart/form-data; boundary={boundary}"
            attack.send("POST", url, f"uploaded {what} = {value.name}", body, content_type)


def attack_admin_route(attack: Attack, route: Route) -> None:
    """Anonymous, with a NUL byte or 2**63 in each argument: the login page must answer."""
    if not route.key or route.key == route.pattern:
        return  # unnamed: a regular expression whose name gives no URL
    values = {"StringConverter": "%00", "IntConverter": "9223372036854775808"}
    arguments = {
        argument: INT_PLACEHOLDER if converter == "IntConverter" else PLACEHOLDER
        for argument, converter in route.converters
    }
    try:
        url = reverse(route.key, kwargs=arguments or None)
    except NoReverseMatch:
        return  # a converter (a UUID, a path) that refuses the placeholder
    url = url.replace(PLACEHOLDER, values["StringConverter"])
    attack.send("GET", url.replace(INT_PLACEHOLDER, values["IntConverter"]), "anonymous")


def attack_webhook(attack: Attack, path: str) -> None:
    def basic(credentials: str) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(credentials.encode()).decode()}

    def bodies(values: list[Hostile]) -> list[tuple[str, bytes, str]]:
        as_json = "application/json"
        as_form = "application/x-www-form-urlencoded"
        return [
            *(
                (
                    f"JSON string {v.name}",
                    json.dumps(v.raw.decode("utf-8", "replace")).encode(),
                    as_json,
                )
                for v in values
            ),
            *(
                (f"form {v.name}", f"event={v.encoded}&body-mime={v.encoded}".encode(), as_form)
                for v in values
            ),
            *(
                (f"body: {e['name']}", *raw_body(e, {"event": "delivered"}))
                for e in CORPUS["bodies"]
            ),
            (
                "a JSON object of the wrong shape",
                b'{"RecordType": "Delivery", "Metadata": 5}',
                as_json,
            ),
            ("a JSON list of the wrong shape", b'[{"event": 5, "timestamp": "NaN"}]', as_json),
        ]

    for who, headers, values in (
        ("with the secret", basic(WEBHOOK_SECRET), VALUES),
        ("with a wrong secret", basic("hostile:guess"), SHORT_LIST),
        ("without a secret", {}, SHORT_LIST),
    ):
        for what, body, content_type in bodies(values):
            attack.send("POST", path, f"{what}, {who}", body, content_type, **headers)
    for method in ("GET", *METHODS):
        attack.send(method, path, "undeclared method")


def run(record_property, what: str, attack_all: Callable[[Attack], int]) -> Attack:
    attack = Attack(client=LeanClient(), tables=our_tables())
    # Thousands of tiny transactions: waiting for each to reach the disk would be most of
    # the run and proves nothing here (the client's requests use this same connection).
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    began = time.process_time()
    attacked = attack_all(attack)
    figures = attack.figures(what, attacked, time.process_time() - began)
    record_property("figures", figures)
    print(figures)
    return attack


@pytest.fixture
def wide_open(settings):
    """No limit stops the attack before the code it is after."""
    settings.PLUMA_SIGN_RATE = "1000000/h"
    settings.PLUMA_FORM_RATE = "1000000/h"
    settings.PLUMA_EMAILS_PER_ADDRESS_DAY = 1000000
    settings.ANYMAIL = {
        "WEBHOOK_SECRET": WEBHOOK_SECRET,
        "MAILGUN_WEBHOOK_SIGNING_KEY": "hostile-signing-key",
    }


def test_hostile_input_to_the_site_gets_no_server_error_and_writes_nothing_when_refused(
    record_property, wide_open
):
    world = build_world()
    table = recipes(world)
    unreached: list[str] = []

    def attack_all(attack: Attack) -> int:
        # The pages a data link opens, as their owner sees them.
        attack.client.post(
            reverse("campaigns:open_my_data", kwargs={"token": world.tokens["data"]})
        )
        site = [route for route in routes() if not route.is_webhook]
        # Erasing last: it ends the data link's session.
        for route in sorted(site, key=lambda route: route.key == "campaigns:erase"):
            if route.is_admin:
                attack_admin_route(attack, route)
            elif route.key in table:
                attack_route(attack, route, table[route.key])
            elif not route.is_debug_media:
                unreached.append(route.key)
        return len(site)

    attack = run(record_property, "site", attack_all)
    assert not unreached, f"Routes nobody said how to reach (add a Recipe): {unreached}"
    stale = set(table) - {route.key for route in routes()}
    assert not stale, f"Recipes for routes that are gone: {stale}"
    assert not attack.errors, "\n".join(attack.errors[:80])
    assert not attack.half_written, "\n".join(attack.half_written[:80])


@pytest.mark.parametrize("esp", ["postmark", "mailgun", "amazon_ses", "sendgrid"])
def test_hostile_input_to_the_webhooks_gets_no_server_error_and_writes_nothing_when_refused(
    record_property, esp, esp_webhooks, wide_open
):
    esp_webhooks(esp)

    def attack_all(attack: Attack) -> int:
        webhooks = [route for route in routes() if route.is_webhook]
        for route in webhooks:
            attack_webhook(attack, "/" + route.pattern.replace("^", "").replace("(_mime)?/$", "/"))
        return len(webhooks)

    attack = run(record_property, f"{esp} webhooks", attack_all)
    assert not attack.errors, "\n".join(attack.errors[:80])
    assert not attack.half_written, "\n".join(attack.half_written[:80])

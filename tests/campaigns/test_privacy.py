import json
import re
from urllib.parse import urlsplit

import pytest
from django.apps import apps as registry
from django.core import mail
from django.db import models
from django.db.models.functions import Cast

from campaigns import privacy, services
from campaigns.emails import canonical_email
from campaigns.models import Consent, EmailRequest, Subscription, Supporter
from letters.models import Delivery, Letter
from petitions.models import ReportedAction, Signature, SolidarityMessage
from tests.factories import (
    ConfirmedSignatureFactory,
    ConsentFactory,
    DeliveryFactory,
    LetterFactory,
    SolidarityMessageFactory,
    SubscriptionFactory,
    SupporterFactory,
    TargetFactory,
    UrgentActionFactory,
)
from tests.forms import answer_email_requests, filled

pytestmark = pytest.mark.django_db

NAME = "Zebulon Quasimodo"
EMAIL = "Zeb.Quasimodo+ua@Example.net"
PERSONAL = re.compile(r"email|name|address|postal_code|city|phone|body|text|comment")
DATA_LINK = re.compile(r"https?://\S+/my-data/open/[^/\s]+/")


def rich_supporter() -> Supporter:
    """A supporter with something in every place Pluma keeps personal data."""
    supporter = SupporterFactory(
        email=EMAIL,
        email_canonical=canonical_email(EMAIL),
        name=NAME,
        postal_code="K1A 0Q9",
        city="Zqville",
    )
    action = UrgentActionFactory()
    ConfirmedSignatureFactory(
        action=action,
        supporter=supporter,
        name=NAME,
        postal_code="K1A 0Q9",
        city="Zqville",
        comment=f"Signed by {NAME}",
        network="2001:db8:7a:1::/64",
    )
    ConsentFactory(supporter=supporter, action=action)
    target = TargetFactory()
    letter = LetterFactory(
        case=action,
        supporter=supporter,
        status="confirmed",
        subject=f"A letter from {NAME}",
        body=f"Señor Gobernador:\n\nProteja al defensor.\n\n{NAME}, Zqville",
        targets=[target],
        network="2001:db8:7a:1::/64",
    )
    DeliveryFactory(letter=letter, target=target)
    LetterFactory(
        case=action,
        supporter=supporter,
        subject="Pending",
        body=f"Yours, {NAME}",
        network="198.51.100.0/24",
    )
    SolidarityMessageFactory(
        action=action, supporter=supporter, name=NAME, message=f"Fuerza! {NAME}"
    )
    ReportedAction.objects.create(action=action, supporter=supporter, kind="called")
    SubscriptionFactory(supporter=supporter, categories=",defenders,", countries=",MX,")
    return supporter


def supporter_field(model) -> str | None:
    for field in model._meta.concrete_fields:
        if field.is_relation and field.related_model is Supporter:
            return field.name
    return None


def rows_of(model, supporter):
    if model is Supporter:
        return [supporter]
    return list(model.objects.filter(**{supporter_field(model): supporter}))


def test_every_personal_looking_field_near_a_supporter_is_covered_by_a_provider():
    covered = {(model, name) for p in privacy.providers() for model, name in p.personal_fields()}
    missing = []
    for model in registry.get_models():
        if model is not Supporter and supporter_field(model) is None:
            continue
        for field in model._meta.concrete_fields:
            personal = not field.is_relation and PERSONAL.search(field.name)
            if personal and (model, field.name) not in covered:
                missing.append(f"{model._meta.label}.{field.name}")
    assert missing == [], "Add these to a privacy provider's personal_fields() and export()"


def test_the_export_holds_every_personal_field_of_every_provider():
    supporter = rich_supporter()
    exported = json.dumps(services.export_data(supporter=supporter), ensure_ascii=False)
    for provider in privacy.providers():
        for model, name in provider.personal_fields():
            rows = rows_of(model, supporter)
            assert rows, f"the test data has no {model.__name__}"
            for obj in rows:
                value = str(getattr(obj, name))
                assert value, f"the test data leaves {model.__name__}.{name} empty"
                assert json.dumps(value, ensure_ascii=False)[1:-1] in exported, (model, name)


def find_everywhere(needle: str) -> list[str]:
    """Every text column of every table that contains ``needle``, case-insensitively."""
    hits = []
    for model in registry.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField):
                rows = model._base_manager.filter(**{f"{field.attname}__icontains": needle})
            elif isinstance(field, models.JSONField):
                rows = model._base_manager.annotate(_t=Cast(field.attname, models.TextField()))
                rows = rows.filter(_t__icontains=needle)
            else:
                continue
            if rows.exists():
                hits.append(f"{model._meta.label}.{field.name}")
    return hits


def counts() -> dict:
    return {
        "signatures": Signature.objects.count(),
        "confirmed": Signature.objects.filter(status="confirmed").count(),
        "letters": Letter.objects.count(),
        "deliveries": Delivery.objects.count(),
        "reported": ReportedAction.objects.count(),
        "supporters": Supporter.objects.count(),
    }


def test_after_erasure_no_table_holds_the_name_or_email_and_the_counts_stand():
    supporter = rich_supporter()
    before = counts()
    for needle in (NAME, EMAIL, canonical_email(EMAIL), "Zqville", "2001:db8:7a:1::/64"):
        assert find_everywhere(needle), needle  # the search finds what is there

    services.erase_supporter(supporter=supporter)

    # The networks the signature and the letters came from go with the rest.
    networks = ("2001:db8:7a:1::/64", "198.51.100.0/24")
    for needle in (
        NAME,
        "Quasimodo",
        EMAIL,
        canonical_email(EMAIL),
        "Zqville",
        "K1A 0Q9",
        *networks,
    ):
        assert find_everywhere(needle) == [], needle
    assert counts() == before
    assert not Letter.objects.filter(status="pending_confirmation").exists()
    assert set(Delivery.objects.values_list("status", flat=True)) == {"cancelled"}
    assert not Consent.objects.filter(withdrawn_at__isnull=True).exists()
    assert not Subscription.objects.exists()
    assert not SolidarityMessage.objects.exists()
    # Twice is harmless.
    services.erase_supporter(supporter=Supporter.objects.get(pk=supporter.pk))
    assert counts() == before


def test_a_known_and_an_unknown_address_get_the_same_answer(client):
    SupporterFactory(email="known@example.org", email_canonical="known@example.org")
    known = client.post("/my-data/", filled(email="known@example.org"))
    unknown = client.post("/my-data/", filled(email="stranger@example.org"))
    assert known.status_code == unknown.status_code == 200
    # The pages differ only in their CSRF tokens.
    token = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub(b"", known.content) == token.sub(b"", unknown.content)
    # Both wrote the same request; only the known address is given a link, by a worker.
    assert EmailRequest.objects.count() == 2
    assert not Supporter.objects.get(email_canonical="known@example.org").access_nonce
    assert answer_email_requests() == 2
    assert Supporter.objects.get(email_canonical="known@example.org").access_nonce
    assert not EmailRequest.objects.exists()
    assert Supporter.objects.count() == 1


def test_a_supporter_sees_downloads_withdraws_and_erases_through_a_one_time_link(
    client, eager, django_capture_on_commit_callbacks
):
    supporter = rich_supporter()
    with django_capture_on_commit_callbacks(execute=True):
        # However the address is typed, it is the same person.
        client.post("/my-data/", filled(email="zeb.quasimodo@example.net"))
    (message,) = mail.outbox
    link = urlsplit(DATA_LINK.search(message.body).group(0)).path
    assert "quasimodo" not in link.lower()

    assert client.get(link).status_code == 200  # a scanner's visit uses nothing up
    assert client.post(link).status_code == 302
    page = client.get("/my-data/view/")
    assert page.status_code == 200
    for shown in (NAME, "Proteja al defensor", "Yes, email me updates about this case."):
        assert shown in page.content.decode()
    download = client.get("/my-data/download/")
    assert "attachment" in download["Content-Disposition"]
    assert NAME in json.dumps(download.json(), ensure_ascii=False)

    assert client.post(link).status_code == 400  # used once

    consent = Consent.objects.get(supporter=supporter, kind="case_updates")
    client.post(f"/my-data/consents/{consent.pk}/withdraw/")
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None

    assert client.post("/my-data/erase/").status_code == 400  # the box must be ticked
    assert client.post("/my-data/erase/", {"confirm": "on"}).status_code == 200
    assert Supporter.objects.get(pk=supporter.pk).erased_at is not None
    assert find_everywhere(NAME) == []
    assert client.get("/my-data/view/").status_code == 403


def test_without_an_opened_link_the_data_pages_are_closed(client):
    assert client.get("/my-data/view/").status_code == 403
    assert client.get("/my-data/download/").status_code == 403
    assert client.post("/my-data/erase/", {"confirm": "on"}).status_code == 403
    assert client.post("/my-data/open/forged/").status_code == 400

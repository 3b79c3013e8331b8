from email import message_from_bytes
from email.policy import default

import pytest

from letters.messages import build_letter_message, drop_esp_connection, esp_connection, header_safe
from letters.models import LetterTemplate, fill_placeholders
from tests.factories import DeliveryFactory, LetterFactory, SupporterFactory, TargetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivery(case, official):
    supporter = SupporterFactory(
        name="Ana López",
        email="ana.lopez@example.net",
        city="Ottawa",
        postal_code="K1A 0B1",
        country="CA",
    )
    letter = LetterFactory(
        case=case,
        supporter=supporter,
        status="confirmed",
        subject="UA {ua_number}: {target_title}",
        body="{salutation}:\n\nLe escribo desde {supporter_city}, {supporter_country}.\n\n"
        "{supporter_name}",
    )
    return DeliveryFactory(letter=letter, target=official)


def test_the_letter_comes_from_the_supporter_via_the_organisation(delivery):
    message = build_letter_message(delivery=delivery)
    parsed = message_from_bytes(message.message().as_bytes(), policy=default)
    assert str(parsed["From"]) == "Ana López via Amnistía <letters@org.example>"
    assert parsed["From"].addresses[0].addr_spec == "letters@org.example"
    assert parsed["To"].addresses[0].addr_spec == delivery.target.email
    reply_to = parsed["Reply-To"].addresses[0]
    assert reply_to.domain == "reply.org.example"
    assert reply_to.username.startswith("r-")
    assert parsed["Message-ID"].endswith("@org.example>")
    assert message.metadata == {"delivery_id": str(delivery.pk)}


def test_placeholders_are_filled_for_the_target_and_supporter(delivery):
    message = build_letter_message(delivery=delivery)
    assert message.subject == "UA 58/20: Gobernador de Yucatán"
    assert message.body.startswith("Señor Gobernador:")
    assert "Le escribo desde Ottawa, Canada." in message.body
    assert message.body.endswith("Ana López")


def test_no_supporter_email_or_postal_address_reaches_the_official(delivery):
    raw = build_letter_message(delivery=delivery).message().as_bytes().decode()
    assert "ana.lopez" not in raw.lower()
    assert "example.net" not in raw
    assert "K1A" not in raw


def test_line_breaks_in_a_name_or_subject_never_reach_a_header(case, official):
    supporter = SupporterFactory(name='Ana\r\nBcc: victim@example.com\n"Evil"')
    letter = LetterFactory(
        case=case,
        supporter=supporter,
        status="confirmed",
        subject="Hola\r\nBcc: victim@example.com\u2028X-Injected: yes",
    )
    delivery = DeliveryFactory(letter=letter, target=official)
    message = build_letter_message(delivery=delivery)
    raw = message.message().as_bytes().decode()
    headers = raw.split("\n\n", 1)[0]
    assert "\nBcc:" not in headers
    assert "\nX-Injected" not in headers
    assert message.subject == "Hola Bcc: victim@example.com X-Injected: yes"
    assert message.recipients() == [f'"Mauricio Vila" <{official.email}>']


def test_a_comma_or_quote_in_a_name_stays_inside_the_display_name(case, official):
    supporter = SupporterFactory(name='López, "Ana" <x@evil.example>')
    letter = LetterFactory(case=case, supporter=supporter, status="confirmed")
    message = build_letter_message(delivery=DeliveryFactory(letter=letter, target=official))
    parsed = message_from_bytes(message.message().as_bytes(), policy=default)
    assert [a.addr_spec for a in parsed["From"].addresses] == ["letters@org.example"]


def test_header_safe_keeps_text_on_one_line():
    assert header_safe("a\r\nb\tc\x00d  e") == "a b c d e"


def test_stray_braces_in_a_template_never_raise():
    values = {"salutation": "Señor", "supporter_name": "Ana"}
    assert fill_placeholders("{salutation}, {oops} { {{ }", values) == "Señor, {oops} { {{ }"
    assert fill_placeholders("{salutation.__class__}", values) == "{salutation.__class__}"
    assert fill_placeholders("{target_name}", values) == ""


def test_a_letter_template_renders_for_a_target(case):
    template = LetterTemplate.objects.create(
        case=case, language="es", subject="UA {ua_number}", body="{salutation}: {supporter_name}"
    )
    target = TargetFactory(salutation="Señora Comisionada")
    subject, body = template.render(target=target, writer=SupporterFactory(name="Ana"))
    assert (subject, body) == ("UA 58/20", "Señora Comisionada: Ana")


def test_the_esp_connection_reads_the_environments_proxy_once(postmark, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "")
    drop_esp_connection()
    try:
        session = esp_connection().session
        # Settled when it opened, so requests need not look again for every letter.
        assert session.proxies["http"] == "http://proxy.example:3128"
        assert session.trust_env is False
    finally:
        drop_esp_connection()

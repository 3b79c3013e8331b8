"""The admin: organizers register endpoints and read the log; the secret is shown once and
can be rotated; texts need their own permission; nobody else gets in."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse

from campaigns.models import Event
from tests.factories import EndpointFactory, UserFactory, admin_user
from webhooks.models import Endpoint, WebhookDelivery
from webhooks.services import check_url

pytestmark = pytest.mark.django_db
Kind = Event.Kind


def member_of(name: str):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=name))
    return user


@pytest.fixture
def organizer(client):
    user = member_of("Organizers")
    client.force_login(user)
    return user


def form(**overrides) -> dict:
    return {
        "name": "Action Network",
        "url": "https://crm.example.org/hooks/pluma",
        "events": [Kind.SIGNATURE_CONFIRMED, Kind.SUPPORTER_ERASED],
        "is_active": "on",
        **overrides,
    }


def test_an_organizer_registers_an_endpoint_and_sees_its_secret_once(client, organizer):
    response = client.post(reverse("webhook_endpoints:add"), form())
    endpoint = Endpoint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("webhook_endpoints:secret", args=[endpoint.pk])
    assert endpoint.events == [Kind.SIGNATURE_CONFIRMED, Kind.SUPPORTER_ERASED]
    assert endpoint.created_by == organizer and not endpoint.has_texts
    assert endpoint.secret.startswith("whsec_")

    shown = client.get(response["Location"])
    assert endpoint.secret in shown.content.decode()
    again = client.get(response["Location"])
    assert endpoint.secret not in again.content.decode()
    assert "shown once" in again.content.decode()
    # Nor anywhere else.
    for name in ("index", "edit"):
        args = [endpoint.pk] if name == "edit" else []
        page = client.get(reverse(f"webhook_endpoints:{name}", args=args))
        assert page.status_code == 200
        assert endpoint.secret not in page.content.decode()


def test_an_organizer_cannot_turn_texts_on(client, organizer):
    page = client.get(reverse("webhook_endpoints:add"))
    assert 'name="has_texts"' not in page.content.decode()
    client.post(reverse("webhook_endpoints:add"), form(has_texts="on"))
    assert not Endpoint.objects.get().has_texts


def test_someone_allowed_to_send_texts_can_turn_them_on(client):
    user = admin_user(
        "webhooks.add_endpoint", "webhooks.change_endpoint", "webhooks.send_texts_endpoint"
    )
    client.force_login(user)
    assert 'name="has_texts"' in client.get(reverse("webhook_endpoints:add")).content.decode()
    client.post(reverse("webhook_endpoints:add"), form(has_texts="on"))
    endpoint = Endpoint.objects.get()
    assert endpoint.has_texts and endpoint.texts_allowed_by == user


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://crm.example.org/hooks", True),
        ("http://crm.example.org/hooks", False),
        ("http://127.0.0.1:8080/hooks", True),
        ("http://localhost/hooks", True),
        ("ftp://crm.example.org/", False),
    ],
)
def test_urls_are_https_but_for_this_machine_in_development(client, organizer, url, ok):
    response = client.post(reverse("webhook_endpoints:add"), form(url=url))
    assert response.status_code == (302 if ok else 200)
    assert Endpoint.objects.exists() == ok


def test_in_production_only_https_to_another_machine(settings):
    settings.IS_PRODUCTION = True
    check_url("https://crm.example.org/hooks")
    for url in (
        "http://crm.example.org/hooks",
        "https://localhost/hooks",
        "https://127.0.0.1/hooks",
        "https://10.0.0.5/hooks",
        "https://[::1]/hooks",
        "https://169.254.169.254/latest",
    ):
        with pytest.raises(ValidationError):
            check_url(url)


def test_at_least_one_event(client, organizer):
    response = client.post(reverse("webhook_endpoints:add"), form(events=[]))
    assert response.status_code == 200 and not Endpoint.objects.exists()


def test_rotating_the_secret_shows_the_new_one_once_and_keeps_the_old_one_signing(
    client, organizer
):
    endpoint = EndpointFactory()
    old = endpoint.secret
    url = reverse("webhook_endpoints:rotate", args=[endpoint.pk])
    assert client.get(url).status_code == 200
    endpoint.refresh_from_db()
    assert endpoint.secret == old, "a GET changes nothing"

    response = client.post(url)
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.previous_secret == old
    assert endpoint.previous_secret_expires_at is not None
    assert endpoint.secret in client.get(response["Location"]).content.decode()


def test_switching_an_endpoint_off_and_on_from_its_form(client, organizer):
    endpoint = EndpointFactory(events=[Kind.CASE_CLOSED])
    edit = reverse("webhook_endpoints:edit", args=[endpoint.pk])
    data = form(url=endpoint.url, events=[Kind.CASE_CLOSED])
    del data["is_active"]
    client.post(edit, data)
    endpoint.refresh_from_db()
    assert not endpoint.is_active and endpoint.disabled_at is not None

    client.post(edit, form(url=endpoint.url, events=[Kind.CASE_CLOSED]))
    endpoint.refresh_from_db()
    assert endpoint.is_active and endpoint.disabled_at is None and endpoint.disabled_reason == ""


def test_organizers_read_the_log_with_the_last_answer_and_cannot_write_it(client, organizer):
    endpoint = EndpointFactory(name="Action Network")
    event = Event.objects.create(kind=Kind.CASE_CLOSED)
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event=event,
        kind=event.kind,
        status=WebhookDelivery.Status.PENDING,
        attempts=2,
        last_status_code=503,
        last_response="Service Unavailable: upstream busy",
        last_duration_ms=1234,
    )
    index = client.get(reverse("webhook_deliveries:index") + f"?endpoint={endpoint.pk}")
    assert index.status_code == 200
    assert "503" in index.content.decode()
    inspect = client.get(reverse("webhook_deliveries:inspect", args=[delivery.pk]))
    assert "upstream busy" in inspect.content.decode() and "1234" in inspect.content.decode()
    assert client.get(reverse("webhook_deliveries:edit", args=[delivery.pk])).status_code in (
        302,
        403,
    )
    assert client.get(reverse("webhook_endpoints:index")).status_code == 200


@pytest.mark.parametrize("who", ["Editors", "Moderators", "nobody"])
def test_others_cannot_see_or_touch_endpoints(client, who):
    user = admin_user() if who == "nobody" else member_of(who)
    client.force_login(user)
    endpoint = EndpointFactory()
    for url in (
        reverse("webhook_endpoints:index"),
        reverse("webhook_endpoints:add"),
        reverse("webhook_endpoints:edit", args=[endpoint.pk]),
        reverse("webhook_endpoints:secret", args=[endpoint.pk]),
        reverse("webhook_deliveries:index"),
    ):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert endpoint.secret not in response.content.decode()
    assert client.post(reverse("webhook_endpoints:rotate", args=[endpoint.pk])).status_code == 403
    assert client.post(reverse("webhook_endpoints:add"), form()).status_code in (302, 403)
    assert Endpoint.objects.count() == 1


def test_whoever_may_only_add_endpoints_still_sees_the_secret_of_theirs(client):
    client.force_login(admin_user("webhooks.add_endpoint", "webhooks.view_endpoint"))
    response = client.post(reverse("webhook_endpoints:add"), form())
    secret = Endpoint.objects.get().secret
    assert secret in client.get(response["Location"]).content.decode()

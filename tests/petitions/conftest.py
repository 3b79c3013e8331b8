import pytest


@pytest.fixture
def organizer(db):
    """A member of the Organizers group, with the permissions its migrations gave it."""
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    user = UserFactory(username="organizer")
    user.groups.add(Group.objects.get(name="Organizers"))
    return user


@pytest.fixture
def organizer_client(client, organizer):
    client.force_login(organizer)
    return client

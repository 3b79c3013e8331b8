"""factory-boy factories for every app's models, in one place."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from campaigns.models import (
    ActionTarget,
    FollowUp,
    FollowUpText,
    Supporter,
    Target,
    UrgentAction,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class UrgentActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UrgentAction

    number = factory.Sequence(lambda n: f"{n + 1}/26")
    title = factory.Sequence(lambda n: f"Protect defender number {n}")
    summary = "A defender is at risk and needs protection."
    category = "defenders"
    country = "MX"
    status = UrgentAction.Status.OPEN
    issued_on = factory.LazyFunction(timezone.localdate)
    deadline = factory.LazyAttribute(lambda a: a.issued_on + datetime.timedelta(days=40))
    opened_at = factory.LazyFunction(timezone.now)


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    name = factory.Sequence(lambda n: f"Official {n}")
    title = "Gobernador del Estado"
    organisation = "Gobierno del Estado de Yucatán"
    country = "MX"
    language = "es"
    salutation = "Señor Gobernador"
    email = factory.Sequence(lambda n: f"official{n}@example.org")
    postal_address = "Palacio de Gobierno, Calle 61, Mérida, Yucatán, México"


class EmbassyFactory(TargetFactory):
    kind = Target.Kind.EMBASSY
    name = factory.Sequence(lambda n: f"Ambassador {n}")
    title = "Ambassador of Mexico"
    organisation = "Embassy of Mexico"
    language = "en"
    salutation = "Your Excellency"
    represents_country = "MX"
    accredited_to_country = "CA"
    country = "CA"


class ActionTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionTarget

    action = factory.SubFactory(UrgentActionFactory)
    target = factory.SubFactory(TargetFactory)
    tier = ActionTarget.Tier.PRIMARY


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUp

    action = factory.SubFactory(UrgentActionFactory)
    sequence = factory.Sequence(lambda n: n + 1)


class FollowUpTextFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUpText

    follow_up = factory.SubFactory(FollowUpFactory)
    language = "en"
    title = "Further information"
    body = "The authorities have answered."


class SupporterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supporter

    email = factory.Sequence(lambda n: f"supporter{n}@example.net")
    email_canonical = factory.LazyAttribute(lambda s: s.email.lower())
    name = factory.Sequence(lambda n: f"Ana López {n}")
    country = "CA"
    language = "en"

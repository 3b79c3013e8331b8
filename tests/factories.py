"""factory-boy factories for every app's models, in one place."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone

from campaigns.models import (
    ActionTarget,
    Event,
    FollowUp,
    FollowUpText,
    Supporter,
    Target,
    UrgentAction,
)
from webhooks.signing import new_secret


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


def admin_user(*permissions: str):
    """A user who may enter the admin and holds only these ``app_label.codename``
    permissions: not a superuser, in no group."""
    user = UserFactory()
    held = [("wagtailadmin", "access_admin")] + [tuple(p.split(".")) for p in permissions]
    user.user_permissions.add(
        *(
            Permission.objects.get(content_type__app_label=app, codename=codename)
            for app, codename in held
        )
    )
    return user


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


# --- petitions ------------------------------------------------------------------------


class PetitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "petitions.Petition"

    action = factory.SubFactory(UrgentActionFactory)
    goal = 1000


class PetitionTextFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "petitions.PetitionText"

    petition = factory.SubFactory(PetitionFactory)
    language = "en"
    text = "We call on the Governor to protect the defender."


class SignatureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "petitions.Signature"

    action = factory.SubFactory(UrgentActionFactory)
    supporter = factory.SubFactory(SupporterFactory)
    name = factory.LazyAttribute(lambda s: s.supporter.name)
    country = "CA"
    language = "en"
    nonce = factory.Sequence(lambda n: f"nonce{n}")
    email_domain = factory.LazyAttribute(lambda s: s.supporter.email_canonical.rpartition("@")[2])


class PaperTallyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "petitions.PaperTally"

    action = factory.SubFactory(UrgentActionFactory)
    count = 25
    collected_where = "Street stall, Ottawa"
    collected_on = factory.LazyFunction(timezone.localdate)


class PaperSignatureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "petitions.PaperSignature"

    action = factory.SubFactory(UrgentActionFactory)
    name = factory.Sequence(lambda n: f"Paper signer {n}")
    country = "CA"
    city = "Ottawa"
    batch = "cards-1"


# --- letters --------------------------------------------------------------------------


class LetterTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "letters.LetterTemplate"
        django_get_or_create = ["case", "language"]

    case = factory.SubFactory(UrgentActionFactory)
    language = "es"
    subject = "UA {ua_number}: proteja al defensor"
    body = (
        "{salutation}:\n\nLe escribo para pedirle que proteja al defensor.\n\n"
        "Atentamente,\n{supporter_name}\n{supporter_city}, {supporter_country}"
    )


class LetterFactory(factory.django.DjangoModelFactory):
    """A confirmed-to-be letter; pass targets=[...] to choose its targets."""

    class Meta:
        model = "letters.Letter"
        skip_postgeneration_save = True

    case = factory.SubFactory(UrgentActionFactory)
    supporter = factory.SubFactory(SupporterFactory, city="Ottawa", postal_code="K1A 0B1")
    # As typed on the letter's form: by default what the supporter row says.
    name = factory.LazyAttribute(lambda letter: letter.supporter.name)
    city = factory.LazyAttribute(lambda letter: letter.supporter.city)
    country = factory.LazyAttribute(lambda letter: letter.supporter.country)
    language = "es"
    subject = "UA {ua_number}: proteja al defensor"
    body = "{salutation}:\n\nProteja al defensor, por favor.\n\n{supporter_name}, {supporter_city}"
    personal_share = 40
    email_domain = factory.LazyAttribute(
        lambda letter: letter.supporter.email_canonical.rpartition("@")[2]
    )

    @factory.post_generation
    def targets(self, create, extracted, **kwargs):
        if create and extracted:
            self.targets.set(extracted)


class DeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "letters.Delivery"

    letter = factory.SubFactory(LetterFactory, status="confirmed")
    target = factory.SubFactory(TargetFactory)


# --- handovers, impact, solidarity ----------------------------------------------------


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "campaigns.Consent"

    supporter = factory.SubFactory(SupporterFactory)
    action = factory.SubFactory(UrgentActionFactory)
    kind = "case_updates"
    text = "Yes, email me updates about this case."


class ConfirmedSignatureFactory(SignatureFactory):
    status = "confirmed"
    confirmed_at = factory.LazyFunction(timezone.now)
    nonce = ""


class HandoverFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "handovers.Handover"

    action = factory.SubFactory(UrgentActionFactory)
    recipient = factory.SubFactory(EmbassyFactory)
    handed_over_on = datetime.date(2026, 11, 20)
    place = "Ottawa"
    delivered_by = "Section staff"
    count_delivered = 35000


class SolidarityMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "petitions.SolidarityMessage"

    action = factory.SubFactory(UrgentActionFactory)
    name = factory.Sequence(lambda n: f"Marta Ruiz {n}")
    country = "CA"
    message = "You are not alone. We are with you."


# --- announcements, subscriptions -----------------------------------------------------


class SubscriptionFactory(factory.django.DjangoModelFactory):
    """A confirmed subscription to every new case, as each goes live."""

    class Meta:
        model = "campaigns.Subscription"

    supporter = factory.SubFactory(SupporterFactory)
    frequency = "immediate"
    language = "en"
    confirmed_at = factory.LazyFunction(timezone.now)


# --- webhooks -------------------------------------------------------------------------


class EndpointFactory(factory.django.DjangoModelFactory):
    """An endpoint that wants every event; pass url= (a test receiver) and events=[...]."""

    class Meta:
        model = "webhooks.Endpoint"

    name = factory.Sequence(lambda n: f"CRM {n}")
    url = "http://127.0.0.1:9/hooks"
    secret = factory.LazyFunction(new_secret)
    events = factory.LazyFunction(lambda: list(Event.Kind.values))
    # Made a moment ago: it hears of events from then on.
    created_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(seconds=1))

from django.conf import settings


def organisation(request) -> dict:
    """The organisation's name for the site header, from the ORGANISATION_NAME setting."""
    return {"ORGANISATION_NAME": settings.ORGANISATION_NAME}

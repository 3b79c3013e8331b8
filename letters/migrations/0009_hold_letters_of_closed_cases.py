"""Cases closed before closing held their letters: what is still queued on them is held
now, as a close holds it (campaigns.holds), for an organizer to send or drop."""

from django.db import migrations
from django.db.models import Exists, F, OuterRef


def forwards(apps, schema_editor):
    UrgentAction = apps.get_model("campaigns", "UrgentAction")
    Delivery = apps.get_model("letters", "Delivery")
    queued = Delivery.objects.filter(letter__case=OuterRef("pk"), status="queued")
    UrgentAction.objects.filter(status="closed", letters_held_at__isnull=True).filter(
        Exists(queued)
    ).update(letters_held_at=F("closed_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("letters", "0008_letter_carries_its_writer"),
        ("campaigns", "0010_holds"),
    ]

    # Backwards there is nothing to undo: the column goes with campaigns' 0008.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

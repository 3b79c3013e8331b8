"""Recompute signature counts from the signatures table, e.g. after a manual repair."""

from django.core.management.base import BaseCommand, CommandError

from campaigns.models import UrgentAction
from petitions import counts


class Command(BaseCommand):
    help = "Recompute the confirmed-signature counter shards of cases from the table."

    def add_arguments(self, parser):
        parser.add_argument("numbers", nargs="*", help="UA numbers (58/20 or 58-20); all if none")

    def handle(self, *args, numbers, **options):
        actions = UrgentAction.objects.order_by("pk")
        if numbers:
            wanted = [n.replace("-", "/") for n in numbers]
            actions = actions.filter(number__in=wanted)
            missing = set(wanted) - set(actions.values_list("number", flat=True))
            if missing:
                raise CommandError(f"No case with number {', '.join(sorted(missing))}.")
        for action in actions:
            before, after = counts.reconcile(action_id=action.pk)
            note = "" if before == after else f" (was {before})"
            self.stdout.write(f"UA {action.number}: {after}{note}")

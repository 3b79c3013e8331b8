"""A supporter's actions on a case, sent by the app that records them.

They live here, in the app every other app depends on, so that the app that records an
action and the apps that react to it never import each other (DESIGN §3): letters sends
these, petitions listens (petitions/letter_hooks.py, connected in PetitionsConfig.ready);
campaigns sends action_changed, cms listens (cms/signals.py).
"""

from django.dispatch import Signal

# letter_written(sender=Letter, letter, name, country, city, language): a pending letter
#   whose writer asked to sign the petition too; sent inside the writing transaction.
letter_written = Signal()
# letter_confirmed(sender=Letter, letter): sent inside the confirming transaction, once
#   per letter that moved from pending to confirmed.
letter_confirmed = Signal()
# action_changed(sender=UrgentAction, action_id): a case's status or deadline changed
#   through an UPDATE (open, close, reopen, extend), which sends no post_save; sent after
#   the transaction commits, so whatever caches the case page (cms) can start afresh.
action_changed = Signal()

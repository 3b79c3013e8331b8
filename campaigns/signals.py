"""What campaigns tells the apps above it about a case.

campaigns sends action_changed, cms listens (cms/signals.py, the page cache) and so does
campaigns.public (its per-process copies).
"""

from django.dispatch import Signal

# action_changed(sender=UrgentAction, action_id): a case's status or deadline changed
#   through an UPDATE (open, close, reopen, extend), which sends no post_save; sent after
#   the transaction commits, so whatever caches the case page (cms) can start afresh.
action_changed = Signal()

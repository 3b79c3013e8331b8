"""What petitions tells the apps above it, which it may not import (DESIGN §3).

actions caches each case's impact and listens (connected in ActionsConfig.ready).
"""

from django.dispatch import Signal

# action_reported(sender=ReportedAction, action_id): a new offline action was counted on
#   the case; sent after the transaction commits, so a cached impact can be forgotten and
#   the reporter sees their action counted.
action_reported = Signal()

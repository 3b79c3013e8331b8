"""The database router: the primary for everything, the replica only where asked.

Reads go to the replica only where a call site asks with ``.using(replica_alias())``
(campaigns/replica.py): signature exports (petitions.services.exports), the signature
report and the case dashboard's figures
(petitions.admin_views, actions.dashboard), the letters-delivered count of the impact
number (actions.impact), the public list of cases (actions.api) and the signatures a
delivery pack counts and names (handovers.services.packs, after replica_caught_up()).

Reads that must see one's own writes stay on the primary, and that is every other read.
Among them, those a replica's lag would break: a signature, letter or confirmation just
written and read back to confirm it or answer the form; the outboxes' claims and
hand-outs (a worker must see the row the request wrote a moment ago); counts (the
shards: a count must never go backwards from one page to the next); the held
letters and announcements on the dashboard (an organizer presses Hold and expects to
see it held); the packs and handovers listed on the dashboard and the paper
signatures in the report (an organizer has just recorded them); the solidarity
messages' export (approved a moment before; hundreds of rows, not millions); the pack row
a worker builds from; sessions, rate limits and everything in the admin's forms.

Writes always go to the primary, even for a row that was read from the replica, and
migrations run only on the primary. A write sent to the replica on purpose
(``.using(replica_alias()).update(…)``) bypasses any router: the replica's connections
are read-only (default_transaction_read_only, config/settings/data.py), so it fails.
"""

from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Model

REPLICA = "replica"


class PrimaryReplicaRouter:
    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        instance = hints.get("instance")
        if instance is not None and instance._state.db == REPLICA:
            # A row read from the replica reads its relations there too: one snapshot.
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        # The same data on both: a row read from the replica may be linked to one of
        # the primary's (and the link is written to the primary).
        return {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA, None}

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS

"""Feed a received email to Pluma, as the ESP's inbound webhook would.

On the embedded default there is no ESP: point your mail server's delivery for the reply
domain at `manage.py receive_email -` (the message on standard input), or save a message
as a .eml file and run `manage.py receive_email reply.eml`.
"""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from replies.services import receive_message

MAX_BYTES = 50 * 1024 * 1024


class Command(BaseCommand):
    help = "Store an email (a .eml file, or - for standard input) and route it as a reply."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="path of a .eml file, or - to read standard input")
        parser.add_argument(
            "--recipient",
            default="",
            help="the envelope recipient (r-<token>@REPLY_DOMAIN); "
            "default: the first Delivered-To, X-Original-To, To or Cc on the reply domain",
        )
        parser.add_argument("--sender", default="", help="the envelope sender, if known")

    # Options are argparse's values, of each option's own type (as BaseCommand.handle says).
    def handle(self, *args: str, **options: Any) -> None:
        raw = self._read(options["file"])
        if not raw.strip():
            raise CommandError("The message is empty.")
        message, created = receive_message(
            raw=raw,
            envelope_recipient=options["recipient"],
            envelope_sender=options["sender"],
            esp_name="command",
        )
        if created:
            self.stdout.write(f"Stored inbound message {message.pk}; it is being routed.")
        else:
            self.stdout.write(f"Already received as inbound message {message.pk}; nothing to do.")

    def _read(self, name: str) -> bytes:
        if name == "-":
            raw = sys.stdin.buffer.read(MAX_BYTES + 1)
        else:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"No such file: {name}")
            with path.open("rb") as handle:
                raw = handle.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            raise CommandError("The message is larger than 50 MB.")
        return raw

"""``python -m constructs_lib.pricing fetch --region R [--region R2 ...] [--all-regions]
[--base-url URL] --out FILE`` (download AWS's public Price List) or ``python -m
constructs_lib.pricing refresh OFFER.json ... --out FILE`` (offer files on disk)."""

import sys

from . import fetch, refresh

COMMANDS = {"fetch": fetch.main, "refresh": refresh.main}

if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
    print(__doc__.strip(), file=sys.stderr)
    sys.exit(2)
sys.exit(COMMANDS[sys.argv[1]](sys.argv[2:]))

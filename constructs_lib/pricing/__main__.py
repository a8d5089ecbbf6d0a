"""``python -m constructs_lib.pricing refresh OFFER.json ... --out FILE --date YYYY-MM-DD``."""

import sys

from .refresh import main

if len(sys.argv) < 2 or sys.argv[1] != "refresh":
    print(__doc__.strip(), file=sys.stderr)
    sys.exit(2)
sys.exit(main(sys.argv[2:]))

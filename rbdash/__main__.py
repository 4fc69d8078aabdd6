"""`python -m rbdash`: the command line (`rbdash.cli`)."""

import signal
import sys

try:
    from rbdash.cli import main

    code = main()
except KeyboardInterrupt:  # Ctrl-C while the command line's modules load: one line, not a traceback
    print("^C", file=sys.stderr)
    code = 130
# A Ctrl-C from here on (while Python's exit handlers run) ends the process at once, without a traceback.
signal.signal(signal.SIGINT, signal.SIG_DFL)
sys.exit(code)

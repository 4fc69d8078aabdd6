import sys

from rbdash.cli import main

sys.exit(main())

"""`python -m evalspec` runs the command line."""

import sys

from evalspec.cli import main

sys.exit(main())

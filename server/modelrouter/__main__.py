"""`python -m modelrouter` is the `modelrouter` command."""

import sys

from modelrouter.cli import main

sys.exit(main())

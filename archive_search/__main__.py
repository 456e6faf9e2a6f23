"""`python -m archive_search QUERY [--tag T] [--place P] …`: the search CLI without invoke."""

import sys

from .cli import main

sys.exit(main())

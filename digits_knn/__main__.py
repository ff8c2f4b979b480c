"""``python -m digits_knn``: see :mod:`digits_knn.commands.cli`."""

import sys

from digits_knn.commands.cli import main

sys.exit(main())

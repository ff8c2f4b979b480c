"""``python -m digits_knn``: see :mod:`digits_knn.cli`."""

import sys

from digits_knn.cli import main

sys.exit(main())

"""``python -m turkmood``: see :mod:`turkmood.cli`."""

from turkmood.cli import main

raise SystemExit(main())

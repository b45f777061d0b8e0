"""Allow ``python -m kb`` as well as the ``kb`` console script."""

from kb.cli import main

main()

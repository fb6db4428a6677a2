"""``python -m cli``: the ``signpost`` command without the installed script."""

from cli import main

main()

"""The ``signpost`` command: validate, report, index, search, serve and exchange listings.

Each command is a thin shell over functions in ``directory`` and ``search``, so the site, the
API and the command line always give the same answers. One module per group of commands:
``listings`` (validate, stale, review, schema), ``index`` (index, search, geocode), ``serve``,
``oruk`` (export, import); ``signpost report`` lives with the insights (``insights/cli.py``).
Shared options and set-up are in ``common``.
"""

from __future__ import annotations

import click

from cli.index import geocode, index, search_command
from cli.listings import review, schema, stale, validate
from cli.oruk import export, import_command
from cli.serve import serve
from insights.cli import report


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Signpost: a community-asset directory for social prescribing."""


for _command in (
    validate,
    stale,
    review,
    schema,
    index,
    search_command,
    geocode,
    serve,
    export,
    import_command,
    report,
):
    main.add_command(_command)

"""The one exception type of the ingest and staging layers."""

from __future__ import annotations


class IngestError(Exception):
    """Input that cannot be loaded as it stands.

    The message names the landing folder or file and, where they apply, the row and column, and says
    what to change, so a data engineer can act on it without reading the code.
    """

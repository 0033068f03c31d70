"""The delivery API wing: HTTP routes over the library's released content (library.api.app),
what routes share (deps), request limits (guard), models and parameters, payload rendering,
the read queries it serves from and the delivery acknowledgements it records.

    from library.api import create_app
"""

from library.api.app import create_app

__all__ = ["create_app"]

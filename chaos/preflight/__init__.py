"""The preflight (contract §2.3): a service started once with a healthy Redis must log in,
verify, log out, refuse the logged-out token and refresh as its profile says, or the first
mismatch is reported in one line; ``python -m chaos.preflight --suggest`` drafts a profile
from the service's OpenAPI document.

- ``checks``: ``preflight(api, base_url)`` -> ``PreflightResult``
- ``openapi``: the document, which methods a path has, ``draft_profile``
"""

from chaos.preflight.checks import PreflightResult, preflight
from chaos.preflight.openapi import draft_profile, methods_of, openapi_document

__all__ = ["PreflightResult", "draft_profile", "methods_of", "openapi_document", "preflight"]

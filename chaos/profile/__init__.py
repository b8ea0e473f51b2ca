"""Service profiles (contract §2.3): what the gate knows of a service it did not write.

- ``model``: ``ServiceProfile`` and its parts (routes, policy, Redis client, signals)
- ``load``: ``load_profile`` (a TOML file, or ``[tool.auth-chaos.service]`` of a
  pyproject.toml), ``ProfileError`` (one line naming the key)
- ``api``: ``AuthApi``, the profile turned into requests and answer readers
"""

from chaos.profile.api import AuthApi, Check, HttpCall
from chaos.profile.load import (
    REFERENCE_PROFILE,
    ProfileError,
    load_profile,
    parse_profile,
    reference_profile,
)
from chaos.profile.model import (
    Accounts,
    DegradedSignal,
    FailurePolicy,
    LoginRoute,
    RedisClient,
    RefreshRoute,
    Route,
    ServiceProfile,
)

__all__ = [
    "REFERENCE_PROFILE",
    "Accounts",
    "AuthApi",
    "Check",
    "DegradedSignal",
    "FailurePolicy",
    "HttpCall",
    "LoginRoute",
    "ProfileError",
    "RedisClient",
    "RefreshRoute",
    "Route",
    "ServiceProfile",
    "load_profile",
    "parse_profile",
    "reference_profile",
]

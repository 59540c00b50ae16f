"""A provider's discovery document (OpenID Connect Discovery 1.0) and signing keys, fetched
over HTTPS and cached (SSO_DISCOVERY_CACHE_SECONDS) in the Django cache.

The document must name exactly the configured issuer (Discovery §4.3): a provider answering for
another issuer is refused, so a mistyped tenant id or a redirected request cannot make the
portal accept another directory's tokens."""

from __future__ import annotations

import hashlib
import logging

import requests
from django.conf import settings
from django.core.cache import cache

from portal.sso.config import ProviderConfig, check_url

logger = logging.getLogger(__name__)

REQUIRED_ENDPOINTS = ("authorization_endpoint", "token_endpoint", "jwks_uri")
OPTIONAL_ENDPOINTS = ("userinfo_endpoint", "end_session_endpoint")


class ProviderUnavailable(Exception):
    """The provider did not answer, or answered something the portal cannot use. The message
    is for the log and the operator; the user sees a general explanation."""


def _cache_key(kind: str, url: str) -> str:
    return f"sso:{kind}:{hashlib.sha256(url.encode()).hexdigest()}"


def fetch_json(url: str) -> dict:
    try:
        response = requests.get(url, timeout=settings.SSO_HTTP_TIMEOUT,
                                headers={"Accept": "application/json"})
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise ProviderUnavailable(f"{url}: {type(error).__name__}: {error}") from error
    if not isinstance(document, dict):
        raise ProviderUnavailable(f"{url}: not a JSON object")
    return document


def discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


def validate_discovery(document: dict, issuer: str) -> dict:
    if document.get("issuer") != issuer:
        raise ProviderUnavailable(
            f"the discovery document names the issuer {document.get('issuer')!r}, the "
            f"configuration {issuer!r}; they must be identical")
    for name in REQUIRED_ENDPOINTS + OPTIONAL_ENDPOINTS:
        value = document.get(name)
        if value is None and name in OPTIONAL_ENDPOINTS:
            continue
        if not isinstance(value, str):
            raise ProviderUnavailable(f"the discovery document has no {name}")
        try:
            check_url(value, what=name)
        except ValueError as error:
            raise ProviderUnavailable(str(error)) from error
    return document


def discovery_document(provider: ProviderConfig) -> dict:
    key = _cache_key("discovery", provider.issuer)
    document = cache.get(key)
    if document is None:
        document = validate_discovery(fetch_json(discovery_url(provider.issuer)),
                                      provider.issuer)
        cache.set(key, document, settings.SSO_DISCOVERY_CACHE_SECONDS)
    return document


def signing_keys(jwks_uri: str, *, refresh: bool = False) -> dict:
    """The provider's JSON Web Key Set. `refresh` skips the cache: a token signed with a key
    the cached set does not have means the provider rotated its keys."""
    key = _cache_key("jwks", jwks_uri)
    keys = None if refresh else cache.get(key)
    if keys is None:
        keys = fetch_json(jwks_uri)
        if not isinstance(keys.get("keys"), list):
            raise ProviderUnavailable(f"{jwks_uri}: no 'keys' list")
        cache.set(key, keys, settings.SSO_DISCOVERY_CACHE_SECONDS)
    return keys

"""ID token verification (OpenID Connect Core §3.1.3.7): the signature with the provider's
published key, `iss`, `aud` (and `azp` when there are several audiences), `exp`, `iat` and the
`nonce` of this login. Only asymmetric algorithms: `none` and HMAC (keyed with the client
secret, which the portal shares with nobody but could not tell apart from a forgery by
someone else holding it) are refused."""

from __future__ import annotations

import hmac

import jwt
from django.core.exceptions import SuspiciousOperation

ASYMMETRIC_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
                         "ES256", "ES384", "ES512")
# Clock skew allowed between the provider and us, in seconds.
LEEWAY_SECONDS = 60


class IdTokenInvalid(SuspiciousOperation):
    """The ID token failed a check; the login is refused."""


class SigningKeyNotFound(IdTokenInvalid):
    """No key in the set matches the token's `kid` and algorithm (perhaps a rotation: the
    caller fetches the set again once)."""


def signing_key(jwks: dict, header: dict):
    alg, kid = header.get("alg"), header.get("kid")
    candidates = [k for k in jwks.get("keys", []) if isinstance(k, dict)
                  and k.get("use", "sig") == "sig" and k.get("alg", alg) == alg
                  and (kid is None or k.get("kid") == kid)]
    if len(candidates) != 1:
        raise SigningKeyNotFound(f"no single signing key for kid={kid!r} alg={alg!r} "
                                 f"({len(candidates)} candidates)")
    try:
        return jwt.PyJWK(candidates[0], algorithm=alg).key
    except jwt.PyJWTError as error:
        raise IdTokenInvalid(f"unusable signing key: {error}") from error


def verify_id_token(token: str, *, jwks: dict, issuer: str, client_id: str,
                    nonce: str | None, algorithms: tuple[str, ...] = ASYMMETRIC_ALGORITHMS,
                    leeway: int = LEEWAY_SECONDS) -> dict:
    """The verified claims, or IdTokenInvalid saying which check failed. `nonce=None` skips
    the nonce check (for a signed userinfo response, which carries none)."""
    if not isinstance(token, str) or not token:
        raise IdTokenInvalid("no ID token")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise IdTokenInvalid(f"not a JWT: {error}") from error
    alg = header.get("alg")
    if alg not in algorithms:
        raise IdTokenInvalid(f"signing algorithm {alg!r} is not accepted")
    key = signing_key(jwks, header)
    try:
        claims = jwt.decode(token, key=key, algorithms=[alg], audience=client_id,
                            issuer=issuer, leeway=leeway,
                            options={"require": ["iss", "sub", "aud", "exp", "iat"]})
    except jwt.PyJWTError as error:
        raise IdTokenInvalid(f"{type(error).__name__}: {error}") from error
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise IdTokenInvalid("several audiences and azp is not this client")
    if "azp" in claims and claims["azp"] != client_id:
        raise IdTokenInvalid("azp is another client")
    if nonce is not None and not hmac.compare_digest(str(claims.get("nonce", "")), nonce):
        raise IdTokenInvalid("the nonce is not this login's")
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject or len(subject) > 255:
        raise IdTokenInvalid("sub must be a non-empty string of at most 255 characters")
    return claims

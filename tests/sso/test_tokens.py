"""ID token verification with keys made here (the full flow against a real provider is in
tests/browser/test_sso_flow.py): each check refuses a token that breaks it."""

import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from portal.sso.discovery import ProviderUnavailable, validate_discovery
from portal.sso.tokens import IdTokenInvalid, SigningKeyNotFound, verify_id_token

ISSUER = "https://idp.hjemby.kommune.no"
CLIENT = "innoportal"
NONCE = "n-0S6_WzA2Mj"
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def jwk(key, kid: str, alg: str = "RS256") -> dict:
    algorithm = jwt.get_algorithm_by_name(alg)
    data = json.loads(algorithm.to_jwk(key.public_key()))
    return {**data, "kid": kid, "alg": alg, "use": "sig"}


JWKS = {"keys": [jwk(RSA_KEY, "k1")]}


def token(claims: dict | None = None, *, key=RSA_KEY, kid="k1", alg="RS256", drop=()) -> str:
    now = int(time.time())
    payload = {"iss": ISSUER, "sub": "248289761001", "aud": CLIENT, "exp": now + 300,
               "iat": now, "nonce": NONCE, **(claims or {})}
    for name in drop:
        payload.pop(name)
    return jwt.encode(payload, key, algorithm=alg, headers={"kid": kid} if kid else None)


def verify(value: str, **overrides) -> dict:
    return verify_id_token(value, **{"jwks": JWKS, "issuer": ISSUER, "client_id": CLIENT,
                                     "nonce": NONCE, **overrides})


def test_a_good_token_gives_its_claims():
    claims = verify(token({"email": "kari@hjemby.kommune.no"}))
    assert claims["sub"] == "248289761001" and claims["email"] == "kari@hjemby.kommune.no"


def flip_signature(value: str) -> str:
    header, payload, signature = value.split(".")
    middle = len(signature) // 2
    swapped = "A" if signature[middle] != "A" else "B"
    return ".".join([header, payload, signature[:middle] + swapped + signature[middle + 1:]])


@pytest.mark.parametrize("bad, reason", [
    (lambda: flip_signature(token()), "InvalidSignatureError"),
    (lambda: token(key=OTHER_RSA_KEY), "InvalidSignatureError"),
    (lambda: token({"aud": "another-client"}), "InvalidAudienceError"),
    (lambda: token({"iss": "https://evil.example.no"}), "InvalidIssuerError"),
    (lambda: token({"exp": int(time.time()) - 3600}), "ExpiredSignatureError"),
    (lambda: token(drop=["exp"]), "MissingRequiredClaimError"),
    (lambda: token(drop=["iat"]), "MissingRequiredClaimError"),
    (lambda: token({"nonce": "another-login"}), "nonce"),
    (lambda: token(drop=["nonce"]), "nonce"),
    (lambda: token({"aud": [CLIENT, "other"]}), "several audiences"),
    (lambda: token({"azp": "other"}), "azp is another client"),
    (lambda: token({"sub": ""}), "sub must be"),
    (lambda: token(kid="unknown"), "no single signing key"),
    (lambda: "not.a.jwt", "not a JWT"),
    (lambda: jwt.encode({"iss": ISSUER, "sub": "x", "aud": CLIENT}, None, algorithm="none"),
     "'none' is not accepted"),
    (lambda: jwt.encode({"iss": ISSUER, "sub": "x", "aud": CLIENT}, "client-secret-xxxxxxxxxxx"
                        "xxxxxxxxxxxxxxxxxxxxxxxx", algorithm="HS256"), "'HS256' is not accepted"),
])
def test_a_token_failing_a_check_is_refused(bad, reason):
    with pytest.raises(IdTokenInvalid) as error:
        verify(bad())
    assert reason in str(error.value)


def test_several_audiences_are_accepted_when_azp_is_this_client():
    assert verify(token({"aud": [CLIENT, "api"], "azp": CLIENT}))["azp"] == CLIENT


def test_an_unknown_key_is_reported_apart_so_the_caller_can_refresh_the_key_set():
    rotated = token(key=OTHER_RSA_KEY, kid="k2")
    with pytest.raises(SigningKeyNotFound):
        verify(rotated)
    assert verify(rotated, jwks={"keys": [jwk(RSA_KEY, "k1"), jwk(OTHER_RSA_KEY, "k2")]})


def test_a_key_of_the_wrong_type_for_the_algorithm_is_refused():
    ec_key = ec.generate_private_key(ec.SECP256R1())
    value = token(key=ec_key, kid="e1", alg="ES256")
    assert verify(value, jwks={"keys": [jwk(ec_key, "e1", "ES256")]})["sub"]
    with pytest.raises(IdTokenInvalid):
        verify(value, jwks={"keys": [{**jwk(RSA_KEY, "e1"), "alg": "ES256"}]})


def test_the_algorithms_the_provider_advertises_limit_what_is_accepted():
    with pytest.raises(IdTokenInvalid, match="'RS256' is not accepted"):
        verify(token(), algorithms=("ES256",))


def test_the_nonce_check_can_be_skipped_only_by_passing_none():
    assert verify(token(drop=["nonce"]), nonce=None)["sub"]


DISCOVERY = {"issuer": ISSUER, "authorization_endpoint": f"{ISSUER}/authorize",
             "token_endpoint": f"{ISSUER}/token", "jwks_uri": f"{ISSUER}/jwks",
             "end_session_endpoint": f"{ISSUER}/logout"}


def test_a_discovery_document_must_name_exactly_the_configured_issuer():
    assert validate_discovery(dict(DISCOVERY), ISSUER) == DISCOVERY
    with pytest.raises(ProviderUnavailable, match="must be identical"):
        validate_discovery(dict(DISCOVERY), ISSUER + "/")
    with pytest.raises(ProviderUnavailable, match="must be identical"):
        validate_discovery({**DISCOVERY, "issuer": "https://login.microsoftonline.com/"
                                                   "{tenantid}/v2.0"}, ISSUER)


@pytest.mark.parametrize("change, message", [
    ({"jwks_uri": None}, "has no jwks_uri"),
    ({"token_endpoint": "http://idp.hjemby.kommune.no/token"}, "token_endpoint must be an https"),
    ({"end_session_endpoint": "javascript:alert(1)"}, "end_session_endpoint must be an https"),
])
def test_a_discovery_document_with_unusable_endpoints_is_refused(change, message):
    document = {k: v for k, v in {**DISCOVERY, **change}.items() if v is not None}
    with pytest.raises(ProviderUnavailable, match=message):
        validate_discovery(document, ISSUER)

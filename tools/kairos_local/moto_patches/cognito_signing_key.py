"""moto's Cognito signs every token with one RSA key pair shipped in its package (`jwks-private.json`): anyone
with moto installed holds the private key, so a token they sign for any user of any pool would pass a
check against the pool's published keys. This patch makes every pool sign with a key of the local store's
own (`cognito_state.signing_key`: made once per data folder) and publishes only its public half at
`/<pool>/.well-known/jwks.json`, where the local server's authorizer reads it. The pools keep no key of
their own (`json_web_key` is a property), so the journaled state holds none either."""

from typing import Any

from joserfc.jwk import RSAKey

from kairos_local.moto_patches.registry import Replace

KEY_ID = "dummy"  # the key id moto's `create_jwt` writes in every token's header


def new_key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": KEY_ID, "use": "sig", "alg": "RS256"})


def public_key_set(key: RSAKey) -> dict[str, Any]:
    """The JWKS document Cognito serves for a pool: the public half only."""
    return {"keys": [key.as_dict(private=False)]}


def install(replace: Replace, key: RSAKey) -> None:
    import json

    from moto.cognitoidp.models import CognitoIdpUserPool
    from moto.cognitoidp.responses import CognitoIdpJsonWebKeyResponse

    def ignore(pool: Any, value: Any) -> None:
        del pool, value  # moto's constructor sets its shipped key: it is never used

    replace(CognitoIdpUserPool, "json_web_key", property(lambda pool: key, ignore))
    replace(CognitoIdpJsonWebKeyResponse, "json_web_key", json.dumps(public_key_set(key)).encode())

"""The local server's stand-in for API Gateway's Cognito authorizer: it checks the ID token in the
Authorization header against the user pool's keys (served by moto at `/<pool>/.well-known/jwks.json`, as
Cognito serves them), its issuer, audience (the Portal's app client), use (`id`) and expiry, and hands the
claims to the function in `requestContext.authorizer.claims`, where API Gateway puts them. A request
without a valid token never reaches the function: it gets API Gateway's own 401."""

import json
import threading
import urllib.request
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

UNAUTHORIZED = {"message": "Unauthorized"}  # API Gateway's body for a refused token


class LocalAuthorizer:
    def __init__(self, endpoint: str, region: str, user_pool_id: str, client_id: str) -> None:
        self._jwks_url = f"{endpoint}/{user_pool_id}/.well-known/jwks.json"
        self._registry = jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}"},
            aud={"essential": True, "value": client_id},
            token_use={"essential": True, "value": "id"},
            exp={"essential": True},
            sub={"essential": True},
        )
        self._keys: KeySet | None = None
        self._lock = threading.Lock()

    def claims(self, authorization: str | None) -> dict[str, Any] | None:
        """The token's claims, or None when it is missing, forged, expired or not this pool's ID token."""
        scheme, _, token = (authorization or "").strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        try:
            decoded = jwt.decode(token.strip(), self._key_set(), algorithms=["RS256"])
            self._registry.validate(decoded.claims)
        except (JoseError, ValueError):
            return None
        return dict(decoded.claims)

    def _key_set(self) -> KeySet:
        with self._lock:
            if self._keys is None:
                with urllib.request.urlopen(self._jwks_url, timeout=5) as answer:
                    self._keys = KeySet.import_key_set(json.loads(answer.read()))
            return self._keys

"""moto's Cognito gives every user the same software-token secret ("asdfasdfasdf"), accepts any code
unless an environment variable is set, and answers a SOFTWARE_TOKEN_MFA challenge for whichever USERNAME
the response names, whatever user the session was opened for. Cognito does none of that. With this patch:

- AssociateSoftwareToken makes a new random secret for the token's user (160 bits in base32, as Cognito's
  `SecretCode`), kept on the user (pickled with it, so it survives a restart) and unverified;
- VerifySoftwareToken and the SOFTWARE_TOKEN_MFA challenge check the code against that user's secret by
  RFC 6238 (HMAC-SHA1, 6 digits, 30 s steps), accepting the step before and after the current one;
- a challenge's session answers for the user it was opened for only, and only once: a wrong code or
  another USERNAME ends it (NotAuthorizedException), as Cognito's sessions can be used once."""

import base64
import secrets
from typing import Any

from kairos_local.moto_patches.registry import Replace

SECRET_ATTRIBUTE = "_kairos_totp_secret"
SECRET_BYTES = 20  # RFC 4226's recommended 160 bits; base32 makes 32 characters, like Cognito's
WINDOW = 1  # steps before and after the current one


def install(replace: Replace) -> None:
    from cryptography.hazmat.primitives.twofactor import InvalidToken
    from moto.cognitoidp.exceptions import (
        CodeMismatchException,
        NotAuthorizedError,
        ResourceNotFoundError,
    )
    from moto.cognitoidp.models import CognitoIdpBackend
    from moto.cognitoidp.utils import cognito_totp, verify_totp

    def user_of_token(backend: Any, access_token: str) -> Any:
        for pool in backend.user_pools.values():
            if access_token in pool.access_tokens:
                return backend.admin_get_user(pool.id, pool.access_tokens[access_token][1])
        raise NotAuthorizedError("Invalid Access Token")

    def code_matches(user: Any, code: str) -> bool:
        secret = user.__dict__.get(SECRET_ATTRIBUTE)
        if not secret or not code.isascii() or not code.isdigit():
            return False
        try:
            verify_totp(cognito_totp(secret), code.encode(), valid_window=WINDOW)
        except InvalidToken:
            return False
        return True

    def associate_software_token(backend: Any, access_token: str, session: str) -> dict[str, str]:
        del session  # the Portal associates with an access token only
        user = user_of_token(backend, access_token)
        secret = base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode()
        user.__dict__[SECRET_ATTRIBUTE] = secret
        user.token_verified = False
        return {"SecretCode": secret}

    def verify_software_token(
        backend: Any, access_token: str, session: str, user_code: str, friendly_device_name: str
    ) -> dict[str, str]:
        del session, friendly_device_name
        user = user_of_token(backend, access_token)
        if not code_matches(user, user_code or ""):
            raise CodeMismatchException("Code mismatch and fail enable Software Token MFA")
        user.token_verified = True
        return {"Status": "SUCCESS"}

    original_respond = CognitoIdpBackend.respond_to_auth_challenge

    def respond_to_auth_challenge(
        backend: Any,
        session: str,
        client_id: str,
        challenge_name: str,
        challenge_responses: dict[str, str],
    ) -> dict[str, Any]:
        if challenge_name != "SOFTWARE_TOKEN_MFA":
            return original_respond(backend, session, client_id, challenge_name, challenge_responses)
        if session not in backend.sessions:
            raise NotAuthorizedError("Invalid session for the user, session is expired.")
        username, pool = backend.sessions.pop(session)  # once, whatever the answer
        if pool.clients.get(client_id) is None:
            raise ResourceNotFoundError(client_id)
        named = str(challenge_responses.get("USERNAME") or "")
        if named.lower() != username.lower():
            raise NotAuthorizedError("Invalid session for the user.")
        user = backend.admin_get_user(pool.id, username)
        if not code_matches(user, str(challenge_responses.get("SOFTWARE_TOKEN_MFA_CODE") or "")):
            raise CodeMismatchException("Invalid code received for user")
        return backend._log_user_in(pool, pool.clients[client_id], username)  # type: ignore[no-any-return]

    replace(CognitoIdpBackend, "associate_software_token", associate_software_token)
    replace(CognitoIdpBackend, "verify_software_token", verify_software_token)
    replace(CognitoIdpBackend, "respond_to_auth_challenge", respond_to_auth_challenge)

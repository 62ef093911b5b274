"""moto's Cognito fails with a KeyError (the server drops the connection) when a refresh token it never
issued is presented; Cognito answers NotAuthorizedException, as moto itself does for a revoked one. This
patch answers an unknown token as moto answers a revoked one."""

from typing import Any

from kairos_local.moto_patches.registry import Replace


def install(replace: Replace) -> None:
    from moto.cognitoidp.exceptions import NotAuthorizedError
    from moto.cognitoidp.models import CognitoIdpUserPool

    original = CognitoIdpUserPool.create_tokens_from_refresh_token

    def create_tokens_from_refresh_token(pool: Any, refresh_token: str) -> Any:
        if refresh_token not in pool.refresh_tokens:
            raise NotAuthorizedError(refresh_token)
        return original(pool, refresh_token)

    replace(CognitoIdpUserPool, "create_tokens_from_refresh_token", create_tokens_from_refresh_token)

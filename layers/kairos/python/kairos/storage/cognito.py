"""The identity provider on Amazon Cognito (`kairos.portal.ports.IdentityProvider`): the same calls
deployed and locally (moto's Cognito in the local store's process). The username is the email address in
lower case. Only admin calls are used (AdminCreateUser, ADMIN_USER_PASSWORD_AUTH, ...), which need the
Portal functions' IAM role: the pool allows no self sign-up and the app client no password flow of its
own, so nobody can register or log in around Kairos' rate limits and its address verification. An
account is usable once its `email_verified` is true, which only Kairos sets (after the mailed link)."""

from functools import cached_property
from typing import Any

from botocore.exceptions import ClientError

from kairos import aws_clients
from kairos.errors import Conflict, Forbidden, Retryable, Unauthenticated, ValidationFailed
from kairos.portal.ports import CODE_NEEDED, CodeNeeded, Identity, Session
from kairos.portal.user_pool import ACCOUNT_ID_ATTRIBUTE

WRONG_CREDENTIALS = "These credentials do not match our records."


NOT_VERIFIED = "Your email address is not verified yet: open the link in the mail we sent."
WRONG_CODE = "This code is not the one your authenticator app shows now."
ALREADY_ON = "Two-factor authentication is on already."
SOFTWARE_TOKEN = "SOFTWARE_TOKEN_MFA"


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _verified(user: dict[str, Any]) -> bool:
    attributes = {a["Name"]: a["Value"] for a in user.get("UserAttributes", [])}
    return attributes.get("email_verified") == "true"


def _session(result: dict[str, Any], refresh_token: str | None = None) -> Session:
    auth = result.get("AuthenticationResult")
    if not auth:  # another challenge (a new password): the pool is set up so that none is ever asked
        raise Unauthenticated()
    return Session(
        id_token=auth["IdToken"],
        access_token=auth["AccessToken"],
        refresh_token=auth.get("RefreshToken", refresh_token),
        expires_in=int(auth.get("ExpiresIn", 3600)),
    )


class CognitoIdentities:
    def __init__(self, region: str, user_pool_id: str, client_id: str) -> None:
        self._region = region
        self._pool = user_pool_id
        self._app = client_id

    @cached_property
    def _client(self) -> Any:
        """Made at the first call: most requests of the `portal` function never reach Cognito."""
        return aws_clients.client("cognito-idp", region_name=self._region)

    def sign_up(self, email: str, password: str, name: str) -> bool:
        return self._create(email, password, {"name": name, "email_verified": "false"})

    def create_verified(self, email: str, password: str, name: str, account_id: str) -> bool:
        """An e-mail change's new user: verified (the link proved the mailbox), carrying the account id."""
        attributes = {"name": name, "email_verified": "true", ACCOUNT_ID_ATTRIBUTE: account_id}
        return self._create(email, password, attributes)

    def _create(self, email: str, password: str, attributes: dict[str, str]) -> bool:
        try:
            self._client.admin_create_user(
                UserPoolId=self._pool,
                Username=email,
                MessageAction="SUPPRESS",  # Kairos mails
                TemporaryPassword=password,  # checked against the policy here: nothing is made if refused
                UserAttributes=[{"Name": n, "Value": v} for n, v in {"email": email, **attributes}.items()],
            )
        except ClientError as error:
            if _code(error) == "UsernameExistsException":
                return False
            raise self._translate(error) from None
        self.set_password(email, password)  # permanent: no "new password required" at the first log-in
        return True

    def register_again(self, email: str, password: str, name: str) -> None:
        """The password first: if the policy refuses it, nothing changed."""
        self.set_password(email, password)
        try:
            self._client.admin_update_user_attributes(
                UserPoolId=self._pool, Username=email, UserAttributes=[{"Name": "name", "Value": name}]
            )
        except ClientError as error:
            raise self._translate(error) from None

    def verified(self, email: str) -> bool | None:
        user = self._user(email)
        return None if user is None else _verified(user)

    def password_matches(self, email: str, password: str) -> bool:
        try:
            self._authenticate(email, password)
        except Unauthenticated:
            return False
        return True

    def confirm(self, email: str) -> Identity:
        try:
            self._client.admin_update_user_attributes(
                UserPoolId=self._pool,
                Username=email,
                UserAttributes=[{"Name": "email_verified", "Value": "true"}],
            )
        except ClientError as error:
            raise self._translate(error) from None
        identity = self.identity(email)
        if identity is None:  # the account was deleted between the mail and the click
            raise ValidationFailed.field("token", "This link is invalid or has expired.")
        return identity

    def log_in(self, email: str, password: str, code: str | None = None) -> Session | CodeNeeded:
        """The password is checked first, so only its holder learns that the address is unverified."""
        result = self.authenticate(email, password, code)
        user = self._user(email)
        if user is None or not _verified(user):
            raise Forbidden(NOT_VERIFIED)  # the tokens just made are not handed out
        return result

    def authenticate(self, email: str, password: str, code: str | None = None) -> Session | CodeNeeded:
        """The password, then, when two-factor authentication is on, the authenticator's `code` (without
        one: CODE_NEEDED). Cognito's challenge session never leaves this call: it is answered at once,
        for the same username, so no one can carry it to another account or try it twice."""
        result = self._authenticate(email, password)
        if result.get("ChallengeName") != SOFTWARE_TOKEN:
            return _session(result)
        if not code:
            return CODE_NEEDED
        try:
            answered: dict[str, Any] = self._client.admin_respond_to_auth_challenge(
                UserPoolId=self._pool,
                ClientId=self._app,
                ChallengeName=SOFTWARE_TOKEN,
                Session=result["Session"],
                ChallengeResponses={"USERNAME": email, "SOFTWARE_TOKEN_MFA_CODE": code},
            )
        except ClientError as error:
            raise self._translate(error) from None
        return _session(answered)

    def two_factor_on(self, email: str) -> bool:
        user = self._user(email) or {}
        return SOFTWARE_TOKEN in user.get("UserMFASettingList", [])

    def start_two_factor(self, email: str, password: str) -> str:
        """A new authenticator secret for the account (not in force until `enable_two_factor`)."""
        session = self._without_code(email, password)
        try:
            answer = self._client.associate_software_token(AccessToken=session.access_token)
        except ClientError as error:
            raise self._translate(error) from None
        return str(answer["SecretCode"])

    def enable_two_factor(self, email: str, password: str, code: str) -> None:
        """The code proves the authenticator holds the secret; from then on every log-in asks for one."""
        session = self._without_code(email, password)
        try:
            self._client.verify_software_token(
                AccessToken=session.access_token, UserCode=code, FriendlyDeviceName="Kairos Portal"
            )
        except ClientError as error:
            raise self._translate(error) from None
        self._prefer_code(email, on=True)

    def disable_two_factor(self, email: str, password: str, code: str) -> None:
        """Only with the password and a current code (a stolen session alone cannot turn it off)."""
        self.authenticate(email, password, code)
        self._prefer_code(email, on=False)

    def reset_two_factor(self, email: str) -> None:
        """The operator's way back in for a person who lost their authenticator (`kairos portal ...`)."""
        self._prefer_code(email, on=False)

    def delete(self, email: str) -> None:
        try:
            self._client.admin_delete_user(UserPoolId=self._pool, Username=email)
        except ClientError as error:
            if _code(error) != "UserNotFoundException":  # deleted already: the retry of a deletion
                raise self._translate(error) from None

    def _without_code(self, email: str, password: str) -> Session:
        """A session from the password, for an account without two-factor authentication (409 with)."""
        result = self.authenticate(email, password)
        if not isinstance(result, Session):
            raise Conflict(ALREADY_ON)
        return result

    def _prefer_code(self, email: str, *, on: bool) -> None:
        try:
            self._client.admin_set_user_mfa_preference(
                UserPoolId=self._pool,
                Username=email,
                SoftwareTokenMfaSettings={"Enabled": on, "PreferredMfa": on},
            )
        except ClientError as error:
            raise self._translate(error) from None

    def _authenticate(self, email: str, password: str) -> dict[str, Any]:
        try:
            result: dict[str, Any] = self._client.admin_initiate_auth(
                UserPoolId=self._pool,
                ClientId=self._app,
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": email, "PASSWORD": password},
            )
        except ClientError as error:
            raise self._translate(error) from None
        return result

    def refresh(self, refresh_token: str) -> Session:
        try:
            result = self._client.admin_initiate_auth(
                UserPoolId=self._pool,
                ClientId=self._app,
                AuthFlow="REFRESH_TOKEN_AUTH",
                AuthParameters={"REFRESH_TOKEN": refresh_token},
            )
        except ClientError as error:
            raise self._translate(error) from None
        return _session(result, refresh_token)

    def log_out(self, email: str) -> None:
        try:
            self._client.admin_user_global_sign_out(UserPoolId=self._pool, Username=email)
        except ClientError as error:
            raise self._translate(error) from None

    def set_password(self, email: str, password: str) -> None:
        try:
            self._client.admin_set_user_password(
                UserPoolId=self._pool, Username=email, Password=password, Permanent=True
            )
        except ClientError as error:
            raise self._translate(error) from None

    def identity(self, email: str) -> Identity | None:
        user = self._user(email)
        if user is None:
            return None
        attributes = {a["Name"]: a["Value"] for a in user.get("UserAttributes", [])}
        account_id = attributes.get(ACCOUNT_ID_ATTRIBUTE) or attributes.get("sub", "")
        return Identity(account_id, attributes.get("email", email), attributes.get("name", ""))

    def _user(self, email: str) -> dict[str, Any] | None:
        try:
            user: dict[str, Any] = self._client.admin_get_user(UserPoolId=self._pool, Username=email)
        except ClientError as error:
            if _code(error) == "UserNotFoundException":
                return None
            raise self._translate(error) from None
        return user

    @staticmethod
    def _translate(error: ClientError) -> Exception:
        """Cognito's errors in the admin API's terms; an unknown user and a wrong password read the same."""
        code = _code(error)
        if code in ("CodeMismatchException", "EnableSoftwareTokenMFAException", "ExpiredCodeException"):
            return ValidationFailed.field("code", WRONG_CODE)
        if code in ("NotAuthorizedException", "UserNotFoundException"):
            return Unauthenticated(WRONG_CREDENTIALS)
        if code == "UserNotConfirmedException":
            return Forbidden(NOT_VERIFIED)
        if code == "InvalidPasswordException":
            return ValidationFailed.field("password", "The password does not meet the password policy.")
        if code == "InvalidParameterException":  # an address Cognito cannot take as a username
            return ValidationFailed.field("email", "The email field must be a valid email address.")
        if code in ("TooManyRequestsException", "LimitExceededException", "TooManyFailedAttemptsException"):
            return Retryable("Too many attempts; try again in a moment.")
        return error

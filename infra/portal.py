"""The Portal's back end in the stack: the Cognito user pool and its app client (from
`kairos.portal.user_pool`), the two Portal functions, and their routes under `/portal` on the same REST
API, built from the portal route table (`kairos.portal.routes`). Every route of the `portal` function is
behind a Cognito authorizer; the `portal_accounts` routes (register, verify, log in, reset) are open and
rate-limited by the function. Preflights (OPTIONS), wrong methods and unknown `/portal` paths reach
`portal_accounts` without the authorizer (ANY methods), which answers them in JSON."""

from aws_cdk import (
    Acknowledgment,
    CfnCondition,
    CfnParameter,
    Duration,
    Fn,
    RemovalPolicy,
    Stack,
    Validations,
)
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.api_sections import ApiSections
from infra.functions import kairos_function
from infra.settings import stack_settings
from infra.table_access import grant_table_access
from kairos.portal import user_pool as definition
from kairos.portal.routes import PORTAL_PREFIX, PORTAL_ROUTES, PortalArea

PORTAL_URL_PARAMETER = "PortalUrl"
MAIL_FROM_PARAMETER = "MailFrom"
MAIL_FROM_DEFAULT = "no-reply@example.com"
# Only what the functions call (kairos.storage.cognito), on the Portal's pool only.
ACCOUNTS_COGNITO_ACTIONS = [
    "cognito-idp:AdminCreateUser",
    "cognito-idp:AdminGetUser",
    "cognito-idp:AdminInitiateAuth",
    "cognito-idp:AdminRespondToAuthChallenge",  # the authenticator's code at log-in
    "cognito-idp:AdminUpdateUserAttributes",
    "cognito-idp:AdminSetUserPassword",
    "cognito-idp:AdminUserGlobalSignOut",
]
# AssociateSoftwareToken and VerifySoftwareToken are authorized by the person's access token, not IAM.
PORTAL_COGNITO_ACTIONS = [
    "cognito-idp:AdminCreateUser",  # the new address's user, on an e-mail change
    "cognito-idp:AdminDeleteUser",  # the person deletes their own account (or the old address's user)
    "cognito-idp:AdminGetUser",
    "cognito-idp:AdminInitiateAuth",  # the current password, checked before a change
    "cognito-idp:AdminRespondToAuthChallenge",  # and the current code, with two-factor authentication
    "cognito-idp:AdminSetUserMFAPreference",
    "cognito-idp:AdminSetUserPassword",
    "cognito-idp:AdminUserGlobalSignOut",
]


class KairosPortal(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        table: dynamodb.Table,
        layer: lambda_.ILayerVersion,
        api: apigw.RestApi,
        site_url: str,
    ) -> None:
        super().__init__(scope, construct_id)
        portal_url = self._portal_url(site_url)
        mail_from = CfnParameter(
            Stack.of(self),
            MAIL_FROM_PARAMETER,
            default=MAIL_FROM_DEFAULT,
            description="The sender of the Portal's mails (an address or domain verified in SES)",
        )
        self.user_pool = self._user_pool()
        self.client = self._client()
        environment = {
            "KAIROS_USER_POOL_ID": self.user_pool.user_pool_id,
            "KAIROS_USER_POOL_CLIENT_ID": self.client.user_pool_client_id,
            "KAIROS_PORTAL_URL": portal_url,
            "KAIROS_MAIL_FROM": mail_from.value_as_string,
        }
        self.functions: dict[PortalArea, lambda_.Function] = {}
        for area, actions in (
            (PortalArea.ACCOUNTS, ACCOUNTS_COGNITO_ACTIONS),
            (PortalArea.PORTAL, PORTAL_COGNITO_ACTIONS),
        ):
            function_scope = Construct(self, area.value.title().replace("_", ""))
            function = kairos_function(
                function_scope,
                name=area.value,
                description=f"Kairos Portal admin API, {area.value} function",
                table=table,
                layer=layer,
                memory_mb=stack_settings(self).api_memory_mb,
                environment=environment,
            )
            function.add_to_role_policy(
                iam.PolicyStatement(actions=actions, resources=[self.user_pool.user_pool_arn])
            )
            grant_table_access(function, table, area.value, function_scope)
            self.functions[area] = function
        self._grant_mail(self.functions[PortalArea.ACCOUNTS], mail_from.value_as_string)
        self._grant_mail(self.functions[PortalArea.PORTAL], mail_from.value_as_string)  # invitations
        self._routes(api)

    def _portal_url(self, site_url: str) -> str:
        """The `PortalUrl` parameter, or, left empty (the default), the stack's own site (`site_url`, the
        CloudFront distribution's address): the Portal's mails link there and the admin API answers CORS
        for its origin. The site depends on the API only, never on these functions, so there is no cycle."""
        stack = Stack.of(self)
        parameter = CfnParameter(
            stack,
            PORTAL_URL_PARAMETER,
            default="",
            description="Where the Portal's pages are (its mails link there; the admin API's CORS origin). "
            "Empty: the stack's own site, the PortalSiteUrl output",
        )
        given = CfnCondition(
            stack, "PortalUrlGiven", expression=Fn.condition_not(Fn.condition_equals(parameter, ""))
        )
        return Fn.condition_if(given.logical_id, parameter.value_as_string, site_url).to_string()

    def _user_pool(self) -> cognito.UserPool:
        policy = definition.PASSWORD_POLICY
        pool = cognito.UserPool(
            self,
            "UserPool",
            user_pool_name=definition.POOL_NAME,
            self_sign_up_enabled=False,  # accounts are made by the portal_accounts function only
            sign_in_case_sensitive=False,
            auto_verify=cognito.AutoVerifiedAttrs(email=False),  # Kairos mails and verifies (docs/portal.md)
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=False),
                fullname=cognito.StandardAttribute(required=False, mutable=True),
            ),
            # the account's stable id across an e-mail change (added to the live pool in place)
            custom_attributes={
                definition.ACCOUNT_ID_NAME: cognito.StringAttribute(
                    min_len=1, max_len=definition.ACCOUNT_ID_MAX_LENGTH, mutable=False
                )
            },
            password_policy=cognito.PasswordPolicy(
                min_length=policy["MinimumLength"],
                require_uppercase=policy["RequireUppercase"],
                require_lowercase=policy["RequireLowercase"],
                require_digits=policy["RequireNumbers"],
                require_symbols=policy["RequireSymbols"],
                temp_password_validity=Duration.days(policy["TemporaryPasswordValidityDays"]),
            ),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            mfa=cognito.Mfa.OPTIONAL,  # each person turns an authenticator app on in the Portal
            mfa_second_factor=cognito.MfaSecondFactor(sms=False, otp=True),
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,  # people's accounts outlive a `cdk destroy`
        )
        Validations.of(pool).acknowledge(
            Acknowledgment(
                id="AwsSolutions-COG2",
                reason="MFA is optional, each person's choice (an authenticator app, set up in the Portal's "
                "Security screen); requiring it would shut out every account made before it.",
            ),
            Acknowledgment(
                id="AwsSolutions-COG8",
                reason="The Plus feature plan costs per monthly active user; the Portal needs none of its "
                "features (threat protection is COG3's concern above).",
            ),
            Acknowledgment(
                id="AwsSolutions-COG3",
                reason="Cognito's threat protection is a paid feature tier; log-in and registration are "
                "rate-limited per source address and per account and address, and log-ins guarded per "
                "account (a mailed unlock link), by the portal_accounts function (docs/security.md).",
            ),
        )
        return pool

    def _client(self) -> cognito.UserPoolClient:
        return self.user_pool.add_client(
            "WebClient",
            user_pool_client_name=definition.CLIENT_NAME,
            generate_secret=False,
            auth_flows=cognito.AuthFlow(admin_user_password=True),  # through the functions only
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
            id_token_validity=Duration.minutes(definition.ID_TOKEN_MINUTES),
            access_token_validity=Duration.minutes(definition.ID_TOKEN_MINUTES),
            refresh_token_validity=Duration.days(definition.REFRESH_TOKEN_DAYS),
            read_attributes=cognito.ClientAttributes()
            .with_standard_attributes(email=True, fullname=True)
            .with_custom_attributes(definition.ACCOUNT_ID_NAME),  # in the ID token; written by no client
            write_attributes=cognito.ClientAttributes().with_standard_attributes(fullname=True),
        )

    def _grant_mail(self, function: lambda_.Function, sender: str) -> None:
        """SES may send from the sender's address or its domain, whichever identity is verified."""
        stack = Stack.of(self)
        domain = Fn.select(1, Fn.split("@", sender))
        identities = [
            stack.format_arn(service="ses", resource="identity", resource_name=name)
            for name in (sender, domain)
        ]
        function.add_to_role_policy(iam.PolicyStatement(actions=["ses:SendEmail"], resources=identities))

    def _routes(self, api: apigw.RestApi) -> None:
        integrations = {
            area: apigw.LambdaIntegration(function, scope_permission_to_method=False)
            for area, function in self.functions.items()
        }
        authorizer = apigw.CognitoUserPoolsAuthorizer(self, "Authorizer", cognito_user_pools=[self.user_pool])
        sections = ApiSections(self, "Routes", api=api, prefix=PORTAL_PREFIX)
        paths: dict[str, PortalArea] = {}
        for route in PORTAL_ROUTES:
            resource = sections.resource_for_path(route.path)
            if route.authorized:
                resource.add_method(
                    route.method,
                    integrations[route.area],
                    authorizer=authorizer,
                    authorization_type=apigw.AuthorizationType.COGNITO,
                )
            else:
                resource.add_method(route.method, integrations[route.area])
            paths.setdefault(route.path, route.area)
        # ANY without the authorizer on every Portal path, the prefix and its catch-all: a browser's
        # preflight (OPTIONS), a wrong method (JSON 405) and an unknown path (JSON 404) reach the function.
        for path in [*paths, PORTAL_PREFIX, f"{PORTAL_PREFIX}/{{proxy+}}"]:
            sections.resource_for_path(path).add_method("ANY", integrations[PortalArea.ACCOUNTS])
        api.add_gateway_response(
            "PortalUnauthorized",
            type=apigw.ResponseType.UNAUTHORIZED,
            response_headers={"Access-Control-Allow-Origin": "'*'"},
            templates={"application/json": '{"message": "Unauthorized"}'},
        )
        Validations.of(self).acknowledge(
            Acknowledgment(
                id="AwsSolutions-APIG4",
                reason="The open Portal routes are the ones a person calls before having a session "
                "(register, verify, log in, reset a password), CORS preflights and the JSON 404 for unknown "
                "paths; "
                "every other /portal route has the Cognito authorizer.",
            ),
            Acknowledgment(
                id="AwsSolutions-COG4",
                reason="Only the open Portal routes (before a session), preflights and the JSON 404 lack the "
                "Cognito authorizer; every other /portal route has it.",
            ),
        )

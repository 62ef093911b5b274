"""The Portal's back end in the template: the user pool as `kairos.portal.user_pool` defines it, every
admin route behind the Cognito authorizer except the ones a person calls before having a session, ANY
methods that give JSON answers for preflights and unknown paths, and least-privilege grants."""

from typing import Any

import pytest
from aws_cdk.assertions import Match, Template

from infra.references import logical_id
from infra.stack import KairosStack
from kairos.portal import user_pool as definition
from kairos.portal.routes import PORTAL_PREFIX, PORTAL_ROUTES, PortalArea
from tests.infra.test_api_construct import invoked_function, resource_key, resource_paths

pytestmark = pytest.mark.xdist_group("infra")


def portal_methods(template: Template) -> dict[tuple[str, str], dict[str, Any]]:
    paths = resource_paths(template)
    found = {}
    for method in template.find_resources("AWS::ApiGateway::Method").values():
        properties = method["Properties"]
        path = paths[resource_key(properties["ResourceId"])]
        if path.startswith(PORTAL_PREFIX):
            found[(path, properties["HttpMethod"])] = properties
    return found


def test_every_portal_route_reaches_its_function_and_only_open_ones_lack_the_authorizer(
    deployed: Template, stack: KairosStack
) -> None:
    methods = portal_methods(deployed)  # the parent's and the Portal sections' (nested stacks)
    function_of = {area: logical_id(f) for area, f in stack.portal.functions.items()}
    (authorizer,) = deployed.find_resources("AWS::ApiGateway::Authorizer").items()
    assert authorizer[1]["Properties"]["Type"] == "COGNITO_USER_POOLS"
    assert authorizer[1]["Properties"]["ProviderARNs"] == [
        {"Fn::GetAtt": [logical_id(stack.portal.user_pool), "Arn"]}
    ]
    for route in PORTAL_ROUTES:
        method = methods.pop((route.path, route.method))
        assert invoked_function(method["Integration"]["Uri"]) == function_of[route.area]
        if route.area is PortalArea.PORTAL:
            assert method["AuthorizationType"] == "COGNITO_USER_POOLS", route.operation_id
            assert method["AuthorizerId"] == {"Ref": authorizer[0]}
        else:
            assert method["AuthorizationType"] == "NONE", route.operation_id
    for (path, verb), method in methods.items():  # what is left: the JSON 404/405 and preflight answers
        assert verb == "ANY", path
        assert method["AuthorizationType"] == "NONE"
        assert invoked_function(method["Integration"]["Uri"]) == function_of[PortalArea.ACCOUNTS]
    assert {p for p, _ in methods} == {r.path for r in PORTAL_ROUTES} | {
        PORTAL_PREFIX,
        f"{PORTAL_PREFIX}/{{proxy+}}",
    }


def test_the_user_pool_has_the_password_policy_and_sends_no_mail_of_its_own(template: Template) -> None:
    policy = definition.PASSWORD_POLICY
    template.has_resource_properties(
        "AWS::Cognito::UserPool",
        {
            "UserPoolName": definition.POOL_NAME,
            "Policies": {
                "PasswordPolicy": {
                    "MinimumLength": policy["MinimumLength"],
                    "RequireUppercase": True,
                    "RequireLowercase": True,
                    "RequireNumbers": True,
                    "RequireSymbols": True,
                    "TemporaryPasswordValidityDays": policy["TemporaryPasswordValidityDays"],
                }
            },
            "UsernameConfiguration": {"CaseSensitive": False},
            "MfaConfiguration": definition.create_pool_request()["MfaConfiguration"],
            "EnabledMfas": ["SOFTWARE_TOKEN_MFA"],  # an authenticator app, never SMS
            "DeletionProtection": "ACTIVE",
            "Schema": Match.array_with(
                [
                    Match.object_like({"Name": "email", "Required": True, "Mutable": False}),
                    # the account's stable id across an e-mail change: set once, at the user's creation
                    Match.object_like(
                        {"Name": definition.ACCOUNT_ID_NAME, "AttributeDataType": "String", "Mutable": False}
                    ),
                ]
            ),
        },
    )
    (pool,) = template.find_resources("AWS::Cognito::UserPool").values()
    assert pool["Properties"]["AdminCreateUserConfig"] == {"AllowAdminCreateUserOnly": True}  # no SignUp
    assert not pool["Properties"].get("AutoVerifiedAttributes")  # Kairos verifies the address and mails
    assert pool["DeletionPolicy"] == "Retain"
    template.has_resource_properties(
        "AWS::Cognito::UserPoolClient",
        {
            "ClientName": definition.CLIENT_NAME,
            "GenerateSecret": False,
            "ExplicitAuthFlows": ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            "PreventUserExistenceErrors": "ENABLED",
            "EnableTokenRevocation": True,
            "ReadAttributes": Match.array_with([definition.ACCOUNT_ID_ATTRIBUTE]),
            "WriteAttributes": ["name"],  # nobody writes the account id, nor the address
        },
    )


def _statements(template: Template, stack: KairosStack, area: PortalArea) -> list[dict[str, Any]]:
    role = logical_id(stack.portal.functions[area].role)  # type: ignore[arg-type]
    return [
        statement
        for policy in template.find_resources("AWS::IAM::Policy").values()
        if {"Ref": role} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


@pytest.mark.parametrize("area", list(PortalArea))
def test_portal_functions_may_make_the_admin_calls_they_use_on_this_pool_only(
    template: Template, stack: KairosStack, area: PortalArea
) -> None:
    statements = _statements(template, stack, area)
    cognito = [s for s in statements if any(str(a).startswith("cognito-idp:") for a in _list(s["Action"]))]
    assert len(cognito) == 1
    assert cognito[0]["Resource"] == {"Fn::GetAtt": [logical_id(stack.portal.user_pool), "Arn"]}
    actions = set(_list(cognito[0]["Action"]))
    # only the person's own deletion, behind the authorizer, deletes a user (kairos.portal.account_deletion)
    assert ("cognito-idp:AdminDeleteUser" in actions) is (area is PortalArea.PORTAL)
    assert all(a.startswith("cognito-idp:Admin") for a in actions)
    mail = [s for s in statements if "ses:SendEmail" in _list(s["Action"])]
    assert len(mail) == 1 and _list(mail[0]["Action"]) == ["ses:SendEmail"]
    assert not any(s["Resource"] == "*" and "ses:SendEmail" in _list(s["Action"]) for s in statements)


def _list(value: Any) -> list[str]:
    return value if isinstance(value, list) else [value]

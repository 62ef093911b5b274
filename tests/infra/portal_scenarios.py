"""Every route of the Portal's two functions, called on the deployed functions: what the deployed-layout test
sends them, so that their recorded AWS calls are all their code makes (tests/infra/role_access.py).

A mailed secret (a verification, a reset, an invitation) is known only from its mail, which moto keeps:
so each function runs twice, the second run built from the mails the first one sent (and its answers). The
person is a confirmed user of moto's pool (log-in, refresh and a password change go through Cognito);
another person accepts the invitation. The first event of each is its first GET route, as before
(bench/cold_starts.py measures it)."""

import json
import re
from datetime import UTC, datetime
from typing import Any

import boto3
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from infra.constants import REGION
from kairos.events.definitions import USAGE_SOURCE
from kairos.values.ids import new_id
from tests.infra.api_scenarios import PUBLIC_RECEIVER, Call, Steps, http_event, ref, seeded_delivery
from tests.infra.lambda_world import Invocation, Moto, Phase
from tests.totp import totp

PASSWORD = "Layout-Password-1"
NEW_PASSWORD = "Layout-Password-2"
BROWSER = "the-registering-browsers-secret"  # verifying in the browser that registered logs in
LINK_TOKEN = re.compile(r"\?token=(\S+)")
MOVE = "/portal/account/email"  # asked by another person than the scenario's owner


def mailed_token(to: str) -> str:
    """The secret of the latest link mailed to `to` (moto's SES keeps every message sent)."""
    sent = ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages
    bodies = [str(m.body) for m in sent if to in str(m.destinations)]
    found = LINK_TOKEN.search(bodies[-1])
    assert found, bodies[-1]
    return found.group(1)


def confirmed_person(moto: Moto, email: str) -> dict[str, str]:
    """A user of the pool with a password, as a verified registration leaves one: its ID token's claims."""
    cognito = boto3.client("cognito-idp", region_name=REGION, endpoint_url=moto.endpoint)
    attributes = [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}]
    cognito.admin_create_user(
        UserPoolId=moto.user_pool_id, Username=email, UserAttributes=attributes, MessageAction="SUPPRESS"
    )
    cognito.admin_set_user_password(
        UserPoolId=moto.user_pool_id, Username=email, Password=PASSWORD, Permanent=True
    )
    found = cognito.admin_get_user(UserPoolId=moto.user_pool_id, Username=email)["UserAttributes"]
    sub = next(a["Value"] for a in found if a["Name"] == "sub")
    return {"sub": sub, "email": email, "name": "Layout"}


def with_two_factor(moto: Moto, email: str) -> str:
    """A confirmed person whose log-ins ask for an authenticator's code; the secret."""
    confirmed_person(moto, email)
    cognito = boto3.client("cognito-idp", region_name=REGION, endpoint_url=moto.endpoint)
    auth = cognito.admin_initiate_auth(
        UserPoolId=moto.user_pool_id,
        ClientId=moto.client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    secret = str(cognito.associate_software_token(AccessToken=auth["AccessToken"])["SecretCode"])
    cognito.verify_software_token(AccessToken=auth["AccessToken"], UserCode=totp(secret))
    cognito.admin_set_user_mfa_preference(
        UserPoolId=moto.user_pool_id,
        Username=email,
        SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
    )
    return secret


def moving_to(tag: str) -> dict[str, str]:
    """The body with which the scenario's moving person asks for a new address (confirmed in its second
    run, with the link mailed there)."""
    return {"email": f"moved-{tag}@example.com", "password": PASSWORD}


def accounts_scenario(moto: Moto) -> list[Phase]:
    """Register, resend the verification, ask for a reset, log in and refresh; then verify and reset with
    the mailed secrets."""
    tag = new_id()[:8]
    newcomer, member = f"new-{tag}@example.com", f"member-{tag}@example.com"
    careful = f"careful-{tag}@example.com"
    confirmed_person(moto, member)
    secret = with_two_factor(moto, careful)
    password = {"password": PASSWORD, "password_confirmation": PASSWORD}

    def first(_: list[Any]) -> list[Invocation]:
        steps = Steps([Call("GET", "/portal/openapi.json")])
        steps.add(
            Call(
                "POST",
                "/portal/account/register",
                body={"name": "New", "email": newcomer, **password, "browser": BROWSER},
            )
        )
        steps.add(Call("POST", "/portal/account/verification", body={"email": newcomer}))
        steps.add(Call("POST", "/portal/account/forgot-password", body={"email": member}))
        session = steps.add(Call("POST", "/portal/session", body={"email": member, "password": PASSWORD}))
        refresh = {"refresh_token": ref(session, "refresh_token")}
        steps.add(Call("POST", "/portal/session/refresh", body=refresh))
        steps.add(Call("POST", "/portal/session", body={"email": careful, "password": PASSWORD}))
        code = {"email": careful, "password": PASSWORD, "code": totp(secret)}
        steps.add(Call("POST", "/portal/session", body=code))  # the authenticator's code at log-in
        wrong = {"email": f"nobody-{tag}@example.com", "password": "Wrong-Password-1"}
        steps.add(Call("POST", "/portal/session", body=wrong, status=401))
        return [http_event(call, "") for call in steps]

    def second(_: list[Any]) -> list[Invocation]:
        reset = {
            "token": mailed_token(member),
            "password": NEW_PASSWORD,
            "password_confirmation": NEW_PASSWORD,
        }
        return [
            http_event(
                Call(
                    "POST",
                    "/portal/account/verify",
                    body={"token": mailed_token(newcomer), "password": PASSWORD, "browser": BROWSER},
                ),
                "",
            ),
            http_event(Call("POST", "/portal/account/reset-password", body=reset), ""),
        ]

    return [first, second]


def portal_scenario(moto: Moto) -> list[Phase]:
    """A person's account, a project with its plan, members, invitations, audit, tokens, requests and
    webhooks; then, with the mailed invitation, another person joins and is removed, a delivery of the
    project's webhook is redelivered, and the person changes the password, deletes the project and logs
    out; another person moves their account to a new address (asked, then confirmed with the mailed link)."""
    tag = new_id()[:8]
    person = confirmed_person(moto, f"owner-{tag}@example.com")
    leaving, moving = (confirmed_person(moto, f"{who}-{tag}@example.com") for who in ("leaving", "moving"))
    guest = {"sub": new_id(), "email": f"guest-{tag}@example.com", "name": "Guest"}
    made: dict[str, int] = {}  # the steps of the first run that made the project and its webhook

    def first(_: list[Any]) -> list[Invocation]:
        steps = Steps([Call("GET", "/portal/account"), Call("POST", MOVE, body=moving_to(tag))])
        steps.add(Call("PATCH", "/portal/account", body={"name": "Owner"}))
        steps.add(Call("GET", "/portal/account/two-factor"))
        made["setup"] = steps.add(
            Call("POST", "/portal/account/two-factor/setup", body={"password": PASSWORD})
        )
        steps.add(Call("GET", "/portal/account/deletion"))
        for listing in ("/portal/plans", "/portal/abilities", "/portal/webhook-events", "/portal/projects"):
            steps.add(Call("GET", listing))
        made["project"] = steps.add(Call("POST", "/portal/projects", body={"name": "Layout"}))
        project = {"project": ref(made["project"])}
        base = "/portal/projects/{project}"
        steps.add(Call("GET", base, project))
        steps.add(Call("GET", "/portal/projects"))  # with its project now
        steps.add(Call("GET", base, {"project": "not-an-id"}, status=404))
        steps.add(Call("PATCH", base, project, {"name": "Layout renamed"}))
        steps.add(Call("PUT", base + "/plan", project, {"plan": "tier2"}))
        steps.add(Call("GET", base + "/members", project))
        steps.add(Call("POST", base + "/invitations", project, {"email": guest["email"]}))
        withdrawn = steps.add(
            Call("POST", base + "/invitations", project, {"email": f"other-{tag}@example.com"})
        )
        steps.add(Call("GET", base + "/invitations", project))
        invitation = {**project, "invitation": ref(withdrawn)}
        steps.add(Call("DELETE", base + "/invitations/{invitation}", invitation))
        made_token = steps.add(Call("POST", base + "/tokens", project, {"name": "ci"}))
        token = {**project, "token-id": ref(made_token)}
        steps.add(Call("GET", base + "/tokens", project))
        steps.add(Call("PATCH", base + "/tokens/{token-id}", token, {"name": "ci renamed"}))
        steps.add(Call("DELETE", base + "/tokens/{token-id}", token))
        for reading in ("/audit", "/requests", "/dashboard", "/webhooks"):
            steps.add(Call("GET", base + reading, project))
        hook_body = {"url": PUBLIC_RECEIVER, "events": ["*"]}
        made["webhook"] = steps.add(Call("POST", base + "/webhooks", project, hook_body))
        hook = {**project, "webhook": ref(made["webhook"])}
        steps.add(Call("PATCH", base + "/webhooks/{webhook}", hook, {"enabled": False}))
        steps.add(Call("POST", base + "/webhooks/{webhook}/rotate", hook))
        steps.add(Call("GET", base + "/webhooks/{webhook}/deliveries", hook))
        return [http_event(call, "", moving if call.route == MOVE else person) for call in steps]

    def second(answers: list[Any]) -> list[Invocation]:
        base = "/portal/projects/{project}"
        project_id = json.loads(answers[made["project"]]["body"])["id"]
        webhook_id = json.loads(answers[made["webhook"]]["body"])["id"]
        delivery = seeded_delivery(moto, project_id, webhook_id)
        project = {"project": project_id}
        hook = {**project, "webhook": webhook_id}
        code = {"password": PASSWORD, "code": totp(json.loads(answers[made["setup"]]["body"])["secret"])}
        goodbye = {"password": PASSWORD, "confirmation": "delete my account"}
        change = {
            "current_password": PASSWORD,
            "password": NEW_PASSWORD,
            "password_confirmation": NEW_PASSWORD,
        }
        calls = [
            (logged_request_listing(moto, project_id), person),
            (Call("POST", "/portal/invitations/accept", body={"token": mailed_token(guest["email"])}), guest),
            (Call("DELETE", f"{base}/members/{{account}}", {**project, "account": guest["sub"]}), person),
            (
                Call(
                    "POST",
                    f"{base}/webhooks/{{webhook}}/deliveries/{{delivery}}/redeliver",
                    {**hook, "delivery": delivery},
                ),
                person,
            ),
            (Call("DELETE", f"{base}/webhooks/{{webhook}}", hook), person),
            (Call("POST", "/portal/account/two-factor", body=code), person),
            (Call("POST", "/portal/account/two-factor/disable", body=code), person),
            (Call("POST", "/portal/account/delete", body=goodbye), leaving),
            (
                Call(
                    "POST",
                    "/portal/account/email/confirm",
                    body={"token": mailed_token(moving_to(tag)["email"]), "password": PASSWORD},
                ),
                moving,
            ),
            (Call("POST", "/portal/account/password", body=change), person),
            (Call("DELETE", base, project), person),
            (Call("DELETE", "/portal/session"), person),
        ]
        return [http_event(call, "", claims) for call, claims in calls]

    return [first, second]


def logged_request_listing(moto: Moto, project_id: str) -> Call:
    """A request of the project logged as the metering function logs one, with its bodies; then the call
    that lists it (and reads its bodies)."""
    detail = {
        "project_id": project_id,
        "method": "POST",
        "operation_id": "createLocation",
        "status": 422,
        "duration_ms": 9,
        "time": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "body": '{"message": "The given data was invalid."}',
        "request_body": '{"name": ""}',
    }
    event = {"id": new_id(), "source": USAGE_SOURCE, "detail-type": "api.request", "detail": detail}
    assert moto.container.metering.record(event)
    return Call("GET", "/portal/projects/{project}/requests", {"project": project_id})

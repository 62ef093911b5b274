"""`kairos` — manage projects and API tokens.

    kairos [--local] project create NAME [--plan free] [--rate-limit N] [--hold-time PT15M]
    kairos [--local] project show PROJECT_ID | project list
    kairos [--local] project hold-time PROJECT_ID (PT15M | none)
    kairos [--local] project plan PROJECT_ID PLAN [--rate-limit N] | project rate-limit PROJECT_ID N
        (either applies to the project's next request, however long the API caches its tokens)
    kairos [--local] token create PROJECT_ID [--name NAME] (--all | --ability A [--ability B ...])
    kairos [--local] token list PROJECT_ID | token revoke PROJECT_ID TOKEN_ID
    kairos [--local] webhook create PROJECT_ID URL [--event TYPE ...] | webhook list PROJECT_ID
    kairos [--local] webhook rotate PROJECT_ID WEBHOOK_ID | webhook delete PROJECT_ID WEBHOOK_ID
    kairos [--local] usage show PROJECT_ID [--from YYYY-MM-DD] [--to YYYY-MM-DD]
    kairos [--local] migrate from-hapio --source-url URL --source-token TOKEN --project PROJECT_ID
        [--bookings-from YYYY-MM-DD] [--dry-run]    (kairos_cli.migrate: ids kept, re-runs resume)

Against AWS (the default) it reads the table name from KAIROS_TABLE_NAME and region and credentials from
the usual AWS environment. `--local` works on the local store (the running `make dev` server, or its saved
data when it is not running). Output is JSON; a token's value is printed once, at creation, and a webhook's
secret at creation and rotation.
"""

import argparse
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kairos.container import Container
from kairos.domain.projects.projects import render_project, render_token
from kairos.domain.shared.plans import DEFAULT_PLAN, PLANS
from kairos.domain.shared.records import Project
from kairos.errors import DomainError, ValidationFailed
from kairos.upgrades import BACKFILLS, Backfill
from kairos.values.text import normal_email
from kairos.webhooks.subscriptions import render_webhook
from kairos_cli.migrate import add_migrate_parser, migrate_command


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kairos", description="Manage Kairos projects and API tokens.")
    parser.add_argument("--local", action="store_true", help="use the local store instead of AWS")
    parser.add_argument("--data-dir", type=Path, default=None, help="local data folder (default .kairos)")
    areas = parser.add_subparsers(dest="area", required=True)

    project = areas.add_parser("project", help="projects").add_subparsers(dest="action", required=True)
    create = project.add_parser("create", help="create a project")
    create.add_argument("name")
    create.add_argument("--plan", default=DEFAULT_PLAN, choices=sorted(PLANS))
    create.add_argument("--rate-limit", type=int, default=None, help="requests per minute (plan default)")
    create.add_argument("--hold-time", default=None, help="default expiry of temporary bookings (ISO 8601)")
    project.add_parser("show", help="show a project").add_argument("project_id")
    hold = project.add_parser("hold-time", help="set the default expiry of temporary bookings")
    hold.add_argument("project_id")
    hold.add_argument("value", help="an ISO 8601 duration such as PT15M, or none (holds never expire)")
    project.add_parser("list", help="list projects")
    plan = project.add_parser("plan", help="change a project's plan (applies to its next request; recorded)")
    plan.add_argument("project_id")
    plan.add_argument("plan", choices=sorted(PLANS))
    plan.add_argument("--rate-limit", type=int, default=None, help="requests per minute (plan default)")
    limit = project.add_parser(
        "rate-limit", help="change a project's requests per minute (from its next request)"
    )
    limit.add_argument("project_id")
    limit.add_argument("requests_per_minute", type=int)

    token = areas.add_parser("token", help="API tokens").add_subparsers(dest="action", required=True)
    make = token.add_parser("create", help="create a token (its value is shown once)")
    make.add_argument("project_id")
    make.add_argument("--name", default="token")
    which = make.add_mutually_exclusive_group(required=True)
    which.add_argument("--all", action="store_true", help="every ability")
    which.add_argument("--ability", action="append", help="an ability, e.g. location:view (repeatable)")
    token.add_parser("list", help="list a project's tokens").add_argument("project_id")
    revoke = token.add_parser("revoke", help="revoke a token")
    revoke.add_argument("project_id")
    revoke.add_argument("token_id")

    _add_webhook_parser(areas)
    usage = areas.add_parser("usage", help="usage metering").add_subparsers(dest="action", required=True)
    show = usage.add_parser("show", help="daily usage and totals (default: this month)")
    show.add_argument("project_id")
    show.add_argument("--from", dest="first", default=None)
    show.add_argument("--to", dest="last", default=None)
    add_migrate_parser(areas)
    _maintenance_parsers(areas)
    return parser


def _maintenance_parsers(areas: Any) -> None:
    """Accounts and the table: what an operator does once in a while."""
    account = areas.add_parser("account", help="Portal accounts").add_subparsers(dest="action", required=True)
    account.add_parser(
        "two-factor-off",
        help="turn off a person's two-factor authentication (a lost phone; ask from the account's address "
        "first) and mail the address",
    ).add_argument("email")
    table = areas.add_parser("table", help="the table").add_subparsers(dest="action", required=True)
    for backfill in BACKFILLS:
        table.add_parser(f"backfill-{backfill.name}", help=backfill.help)


def _add_webhook_parser(areas: Any) -> None:
    webhook = areas.add_parser("webhook", help="webhook subscriptions").add_subparsers(
        dest="action", required=True
    )
    subscribe = webhook.add_parser("create", help="subscribe a url (its secret is shown once)")
    subscribe.add_argument("project_id")
    subscribe.add_argument("url")
    subscribe.add_argument(
        "--event", action="append", help="an event type, e.g. booking.created (default: all)"
    )
    webhook.add_parser("list", help="list a project's webhooks").add_argument("project_id")
    for action, text in (("rotate", "rotate a webhook's secret"), ("delete", "delete a webhook")):
        chosen = webhook.add_parser(action, help=text)
        chosen.add_argument("project_id")
        chosen.add_argument("webhook_id")


@contextmanager
def _container(args: argparse.Namespace) -> Iterator[Container]:
    if args.local:
        from kairos_local.store import DEFAULT_DATA_DIR, local_container

        with local_container(args.data_dir or DEFAULT_DATA_DIR) as container:
            yield container
    else:
        if not os.environ.get("KAIROS_TABLE_NAME"):
            raise SystemExit("kairos: set KAIROS_TABLE_NAME (the stack's TableName output), or use --local")
        yield Container.from_environment()


def run(args: argparse.Namespace, container: Container) -> Any:
    admin = container.projects
    match (args.area, args.action):
        case ("project", "create"):
            project = admin.create_project(args.name, args.plan, args.rate_limit, args.hold_time)
            return render_project(project)
        case ("project", "show"):
            return _shown(admin.project(args.project_id))
        case ("project", "hold-time"):
            value = None if args.value.lower() == "none" else args.value
            return _shown(admin.set_default_hold_time(args.project_id, value))
        case ("project", "plan"):
            return _shown(admin.change_plan(args.project_id, args.plan, args.rate_limit, "operator (CLI)"))
        case ("project", "rate-limit"):
            return _shown(admin.set_rate_limit(args.project_id, args.requests_per_minute))
        case ("project", "list"):
            return [render_project(p) for p in admin.projects()]
        case ("token", "create"):
            token, value = admin.create_token(args.project_id, args.name, None if args.all else args.ability)
            return {**render_token(token), "token": value}
        case ("token", "list"):
            return [render_token(t) for t in admin.tokens(args.project_id)]
        case ("token", "revoke"):
            admin.revoke_token(args.project_id, args.token_id)
            return {"revoked": args.token_id}
        case ("webhook", "create"):
            admin.project(args.project_id)
            return container.webhooks.create(
                args.project_id, {"url": args.url, "events": args.event or ["*"]}
            )
        case ("webhook", "list"):
            admin.project(args.project_id)
            return [render_webhook(s) for s in container.webhooks.records(args.project_id)]
        case ("webhook", "rotate"):
            return container.webhooks.rotate(args.project_id, args.webhook_id)
        case ("webhook", "delete"):
            container.webhooks.delete(args.project_id, args.webhook_id)
            return {"deleted": args.webhook_id}
        case ("usage", "show"):
            query = {k: v for k, v in (("from", args.first), ("to", args.last)) if v}
            return container.usage_report.report(admin.project(args.project_id), query)
        case ("account", "two-factor-off"):
            email = normal_email(args.email)
            container.accounts.reset_two_factor(email)
            return {"two_factor": "off", "email": email}
        case ("table", action) if (backfill := _backfill(action)) is not None:
            return {"updated": backfill.run(container)}
    raise SystemExit(f"kairos: unknown command {args.area} {args.action}")


def _backfill(action: str) -> Backfill | None:
    return next((b for b in BACKFILLS if f"backfill-{b.name}" == action), None)


def _shown(project: Project) -> dict[str, Any]:
    return {
        **render_project(project),
        "plan": project.plan,
        "rate_limit": project.rate_limit_per_minute,
        "default_hold_time": project.default_hold_time,
    }


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    try:
        with _container(args) as container:
            if args.area == "migrate":
                raise SystemExit(0 if migrate_command(args, container, sys.stdout) else 1)
            result = run(args, container)
    except ValidationFailed as error:
        print(json.dumps({"message": str(error), "errors": error.errors}, indent=2), file=sys.stderr)
        raise SystemExit(2) from None
    except DomainError as error:
        print(json.dumps({"message": str(error)}), file=sys.stderr)
        raise SystemExit(1) from None
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()

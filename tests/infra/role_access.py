"""What a function's role must allow for the AWS calls it made (recorded by lambda_bootstrap.py), and
whether the role's statements in the template allow it.

A DynamoDB call is what IAM authorizes: one action on the table or an index, with the partition key values
it touches (`dynamodb:LeadingKeys`; a Query on an index carries the index's partition key). A transaction
is authorized item by item (PutItem, UpdateItem, DeleteItem, ConditionCheckItem, GetItem), a batch as one
BatchGetItem or BatchWriteItem over every key it names. Another service's call is its action alone.

The statements are read as IAM reads them, for the parts Kairos' policies use: Allow and Deny; actions
with wildcards; the table (`<Table>.Arn`), its indexes (`<Table>.Arn/index/<name>`) or any resource; and
the condition `ForAllValues:StringLike` on `dynamodb:LeadingKeys`. A condition it does not know allows
nothing, so a policy this module cannot read fails the test rather than passing it."""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from kairos_local.aws_calls import TABLE, accesses

ANY_RESOURCE = "*"
# Cognito's token-authorized operations: the person's access token authorizes them, IAM is not asked
# ("Amazon Cognito doesn't evaluate IAM policies in requests for this API operation").
TOKEN_AUTHORIZED = frozenset({"cognito-idp:AssociateSoftwareToken", "cognito-idp:VerifySoftwareToken"})
# SQS's batch operations are authorized by the action of their single counterpart.
SQS_BATCHES = {"sqs:SendMessageBatch": "sqs:SendMessage", "sqs:DeleteMessageBatch": "sqs:DeleteMessage"}
Statement = Mapping[str, Any]


@dataclass(frozen=True)
class Need:
    """One authorization a call needs: an action, on the table or an index (`index/<name>`) or on any
    resource (another service's call), with the partition keys it touches (DynamoDB)."""

    action: str
    resource: str = ANY_RESOURCE
    leading_keys: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.action} on {self.resource} {list(self.leading_keys)}"


def needs(call: Mapping[str, Any]) -> list[Need]:
    """The authorizations one recorded call needs."""
    if call["service"] != "dynamodb":
        action = f"{call['service']}:{call['operation']}"
        return [] if action in TOKEN_AUTHORIZED else [Need(SQS_BATCHES.get(action, action))]
    operation = call["operation"]
    touched = accesses(call)
    if operation in {"TransactWriteItems", "TransactGetItems"}:
        return [Need(f"dynamodb:{a.action}", a.resource, (str(a.partition),)) for a in touched]
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return [Need(f"dynamodb:{operation}", TABLE, tuple(str(a.partition) for a in touched))]
    if not touched:  # not an item or partition call (a stream's, the table's description)
        return [Need(f"dynamodb:{operation}", TABLE)]
    (access,) = touched
    partitions = (access.partition,) if access.partition is not None else ()
    return [Need(f"dynamodb:{operation}", access.resource, partitions)]


def allowed(need: Need, statements: Iterable[Statement], table_id: str) -> bool:
    """IAM's answer for `need`: an Allow that matches, and no Deny that does."""
    matching = [s for s in statements if _matches(s, need, table_id)]
    return any(s["Effect"] == "Allow" for s in matching) and not any(s["Effect"] == "Deny" for s in matching)


def role_statements(template: Mapping[str, Any], function_name: str) -> list[Statement]:
    """Every statement of every policy attached to the role of the function named `function_name`."""
    resources = template["Resources"]
    (function,) = [r for r in resources.values() if r["Properties"].get("FunctionName") == function_name]
    role = function["Properties"]["Role"]["Fn::GetAtt"][0]
    return [
        statement
        for policy in resources.values()
        if policy["Type"] == "AWS::IAM::Policy" and {"Ref": role} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def unused_actions(statements: Iterable[Statement], made: Iterable[Need], table_id: str) -> list[str]:
    """The DynamoDB actions the statements allow on the table or its indexes that no recorded call used:
    a role holds no action its function never takes. (Which partitions each action may touch is checked
    the other way only, by `allowed`: a family a function reaches on a path its scenario does not take,
    such as the project's booking list while a stack is upgraded, is granted without being used here.)
    Statements on `*` are left out: X-Ray's, and the stream's ListStreams, which Lambda's poller calls."""
    granted = {
        action
        for statement in statements
        if statement["Effect"] == "Allow"
        and any(_resource(r, table_id) not in (None, ANY_RESOURCE) for r in _listed(statement["Resource"]))
        for action in _listed(statement["Action"])
    }
    return sorted(granted - {need.action for need in made})


def _matches(statement: Statement, need: Need, table_id: str) -> bool:
    actions = _listed(statement["Action"])
    if not any(fnmatchcase(need.action.lower(), a.lower()) for a in actions):
        return False
    if need.resource != ANY_RESOURCE:
        covered = [_resource(r, table_id) for r in _listed(statement["Resource"])]
        if not any(c and fnmatchcase(need.resource, c) for c in covered):
            return False
    condition = statement.get("Condition")
    if not condition:
        return True
    patterns = _leading_key_patterns(condition)
    if patterns is None:
        return False  # a condition this module cannot evaluate allows nothing here
    return all(any(_like(key, p) for p in patterns) for key in need.leading_keys)


def _leading_key_patterns(condition: Mapping[str, Any] | None) -> list[str] | None:
    """The patterns of the one condition Kairos uses; None for any other condition."""
    if not condition:
        return None
    if set(condition) != {"ForAllValues:StringLike"} or set(condition["ForAllValues:StringLike"]) != {
        "dynamodb:LeadingKeys"
    }:
        return None
    return _listed(condition["ForAllValues:StringLike"]["dynamodb:LeadingKeys"])


def _resource(resource: Any, table_id: str) -> str | None:
    """`table`, `index/<pattern>` or `*` for the table's ARNs as the template writes them; None for any
    other resource (a queue, a bus, a stream: never a DynamoDB need of ours)."""
    if resource == "*":
        return ANY_RESOURCE
    if resource == {"Fn::GetAtt": [table_id, "Arn"]}:
        return TABLE
    if isinstance(resource, dict) and "Fn::Join" in resource:
        separator, parts = resource["Fn::Join"]
        if separator == "" and len(parts) == 2 and parts[0] == {"Fn::GetAtt": [table_id, "Arn"]}:
            suffix = str(parts[1])
            return suffix.removeprefix("/") if suffix.startswith("/index/") else None
    return None


def _like(value: str, pattern: str) -> bool:
    """IAM's StringLike: `*` any characters, `?` one, case-sensitive."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.DOTALL) is not None


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]

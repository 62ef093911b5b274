"""Every name and tunable of the deployed stack, in one place, so constructs and tests never retype them."""

from pathlib import Path
from typing import Final

from aws_cdk import Duration
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs

from kairos.config import DEFAULT_REGION
from kairos.observability import NAMESPACE, SERVICE

REPO_ROOT: Final = Path(__file__).resolve().parent.parent
LAYER_DIR: Final = REPO_ROOT / "layers" / "kairos"  # the layer asset root: python/kairos
# The runtime dependency set, every package pinned with its files' hashes (`make lock`; see infra/lock.py).
LOCK_FILE: Final = REPO_ROOT / "requirements.lock"
# What the Lambda Python runtime already has: the AWS SDK (boto3) and what it requires. The layer leaves
# them out, so a function runs the runtime's SDK whole, never a botocore of the layer shadowing the
# runtime's next to the runtime's boto3 (tests/infra checks that this is boto3's closure in the lock).
LAMBDA_RUNTIME_PACKAGES: Final = frozenset(
    {"boto3", "botocore", "jmespath", "python-dateutil", "s3transfer", "six", "urllib3"}
)
FUNCTIONS_DIR: Final = REPO_ROOT / "functions"  # one directory per API area, each a function's whole code
SITE_DIR: Final = REPO_ROOT / "web" / "dist"  # the built Portal web app (`make install` builds it)
# Left out of every asset: bytecode would change the asset hash (and so the deployment) without a change.
SOURCE_EXCLUDES: Final = ["**/__pycache__", "**/*.pyc"]

STACK_ID: Final = "Kairos"
STACK_DESCRIPTION: Final = "Kairos: a Hapio-compatible booking API (API Gateway, Lambda, DynamoDB)."
# The design's home region; `cdk deploy -c region=...` picks another (see infra/stack.py).
REGION: Final = DEFAULT_REGION
REGION_CONTEXT_KEY: Final = "region"
# Upgrading a stack made before the booking listing indexes (docs/infrastructure.md, "upgrading the table"):
# `-c tableIndexes=<n>` deploys the first n GSIs of the table definition (CloudFormation adds one per
# update), `-c bookingLists=project` has the functions list bookings as before them until the backfill ran.
TABLE_INDEXES_CONTEXT_KEY: Final = "tableIndexes"
BOOKING_LISTS_CONTEXT_KEY: Final = "bookingLists"
BOOKING_LISTS_ENV: Final = "KAIROS_BOOKING_LISTS"  # read by kairos.config.Settings
# Upgrading a stack made before the API's sections (nested stacks, infra/api_sections.py).
KEEP_API_DEPLOYMENT_CONTEXT_KEY: Final = "keepApiDeployment"

# Construct ids (they become logical ids: renaming one replaces the resource, so they are fixed here).
TABLE_ID: Final = "Table"
LAYER_ID: Final = "SharedLayer"
FUNCTIONS_ID: Final = "Functions"
API_ID: Final = "Api"
EDGE_ID: Final = "Edge"
EVENTS_ID: Final = "Events"
MONITORING_ID: Final = "Monitoring"
PORTAL_ID: Final = "Portal"
SITE_ID: Final = "PortalSite"

# Outputs that deploy scripts and tests read.
OUTPUT_API_URL: Final = "ApiUrl"
OUTPUT_TABLE_NAME: Final = "TableName"
OUTPUT_USER_POOL_ID: Final = "UserPoolId"
OUTPUT_USER_POOL_CLIENT_ID: Final = "UserPoolClientId"
OUTPUT_SITE_URL: Final = "PortalSiteUrl"

# Functions: one per API area, named `<prefix>-<area>` (one Kairos stack per account and region).
FUNCTION_NAME_PREFIX: Final = "kairos"
FUNCTION_HANDLER: Final = "handler.lambda_handler"
RUNTIME: Final = lambda_.Runtime.PYTHON_3_11  # the project's Python (pyproject: requires-python <3.12)
ARCHITECTURE: Final = lambda_.Architecture.X86_64  # the layer's wheels are built for it (infra/layer.py)
# The event path's functions (stream mapper, queue consumers, sweeper, poller): mostly waiting, where more
# memory would be paid and not used. The API's and the Portal's have a setting of their own
# (`apiFunctionMemory`, infra/settings.py; docs/infrastructure.md, "Latency budget").
FUNCTION_MEMORY_MB: Final = 512
API_FUNCTION_MEMORY_MB: Final = 1024
# The booking-series function's (`seriesFunctionMemory`): a whole vCPU, as Lambda gives CPU in proportion
# to memory up to one vCPU at 1,769 MB. A series is CPU-bound (its 52 occurrences planned and encoded), where
# a booking mostly waits on DynamoDB (docs/booking-series.md, "A function of its own").
SERIES_FUNCTION_MEMORY_MB: Final = 1769
# Below API Gateway's 29 s integration limit, so a slow call ends (logged and traced) inside Lambda
# rather than as a bare 504 from the gateway.
FUNCTION_TIMEOUT: Final = Duration.seconds(28)
LOG_RETENTION: Final = logs.RetentionDays.ONE_MONTH
TABLE_NAME_ENV: Final = "KAIROS_TABLE_NAME"  # read by kairos.config.Settings
# Powertools reads these: the service and metrics namespace the package names (kairos.observability).
POWERTOOLS_SERVICE_NAME: Final = SERVICE
POWERTOOLS_METRICS_NAMESPACE: Final = NAMESPACE
# Traces keep neither a handler's response nor an error's payload: both hold customer data (booking
# bodies), and a large response (the 106 KB /v1/openapi.json) overflows the X-Ray daemon's datagram, so
# the whole segment is lost. Set per function, so an operator can turn capture on while debugging one.
TRACER_SETTINGS: Final = {
    "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",
    "POWERTOOLS_TRACER_CAPTURE_ERROR": "false",
}

# API: the route paths already carry the version (/v1/...), so the stage only names the deployment.
API_NAME: Final = "kairos"
STAGE_NAME: Final = "prod"
# The stage's throttle, the web ACL's limits and each function's reserved concurrency are settings
# (infra/settings.py), which the CDK context may change.

# Monitoring: every alarm notifies the topic; the e-mail address subscribed to it is a stack parameter
# (`cdk deploy --parameters AlarmEmail=ops@example.com`; empty: no subscription).
ALARM_TOPIC_NAME: Final = "kairos-alarms"
ALARM_EMAIL_PARAMETER: Final = "AlarmEmail"
ALARM_NAME_PREFIX: Final = "kairos"
DASHBOARD_NAME: Final = "kairos"
ALARM_PERIOD: Final = Duration.minutes(5)
# Any 5xx is a failed client call Kairos owes an answer for (its own errors are 4xx): one is an alarm.
API_5XX_THRESHOLD: Final = 1
# p99 latency above this for LATENCY_PERIODS periods in a row (a slow quarter hour, not one slow call).
API_P99_LATENCY_MS: Final = 2000
LATENCY_PERIODS: Final = 3
# The stream mapper more than a minute behind the table, for five minutes: webhooks and usage lag.
STREAM_ITERATOR_AGE_MS: Final = 60_000
STREAM_LAG_MINUTES: Final = 5

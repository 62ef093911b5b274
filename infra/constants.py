"""Every name and tunable of the deployed stack, in one place, so constructs and tests never retype them."""

from pathlib import Path
from typing import Final

from aws_cdk import Duration
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs

from kairos.config import DEFAULT_REGION

REPO_ROOT: Final = Path(__file__).resolve().parent.parent
LAYER_DIR: Final = REPO_ROOT / "layers" / "kairos"  # the layer asset root: python/kairos and requirements.txt
FUNCTIONS_DIR: Final = REPO_ROOT / "functions"  # one directory per API area, each a function's whole code
# Left out of every asset: bytecode would change the asset hash (and so the deployment) without a change.
SOURCE_EXCLUDES: Final = ["**/__pycache__", "**/*.pyc"]

STACK_ID: Final = "Kairos"
STACK_DESCRIPTION: Final = "Kairos: a Hapio-compatible booking API (API Gateway, Lambda, DynamoDB)."
# The design's home region; `cdk deploy -c region=...` picks another (see infra/stack.py).
REGION: Final = DEFAULT_REGION
REGION_CONTEXT_KEY: Final = "region"

# Construct ids (they become logical ids: renaming one replaces the resource, so they are fixed here).
TABLE_ID: Final = "Table"
LAYER_ID: Final = "SharedLayer"
FUNCTIONS_ID: Final = "Functions"
API_ID: Final = "Api"
EVENTS_ID: Final = "Events"

# Outputs that deploy scripts and tests read.
OUTPUT_API_URL: Final = "ApiUrl"
OUTPUT_TABLE_NAME: Final = "TableName"

# Functions: one per API area, named `<prefix>-<area>` (one Kairos stack per account and region).
FUNCTION_NAME_PREFIX: Final = "kairos"
FUNCTION_HANDLER: Final = "handler.lambda_handler"
RUNTIME: Final = lambda_.Runtime.PYTHON_3_11  # the project's Python (pyproject: requires-python <3.12)
ARCHITECTURE: Final = lambda_.Architecture.X86_64  # the layer's wheels are built for it (infra/layer.py)
FUNCTION_MEMORY_MB: Final = 512
# Below API Gateway's 29 s integration limit, so a slow call ends (logged and traced) inside Lambda
# rather than as a bare 504 from the gateway.
FUNCTION_TIMEOUT: Final = Duration.seconds(28)
LOG_RETENTION: Final = logs.RetentionDays.ONE_MONTH
TABLE_NAME_ENV: Final = "KAIROS_TABLE_NAME"  # read by kairos.config.Settings
# Powertools reads these; they must agree with kairos.observability (a test checks that they do).
POWERTOOLS_SERVICE_NAME: Final = "kairos"
POWERTOOLS_METRICS_NAMESPACE: Final = "Kairos"

# API: the route paths already carry the version (/v1/...), so the stage only names the deployment.
API_NAME: Final = "kairos"
STAGE_NAME: Final = "prod"
# Account protection only: each project's per-minute limit is enforced by the functions themselves.
THROTTLING_RATE_LIMIT: Final = 100  # requests per second, steady state
THROTTLING_BURST_LIMIT: Final = 200

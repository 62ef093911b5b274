"""Logger, tracer and metrics, one of each for the whole package (Powertools; JSON logs with the API
Gateway request id as correlation id, set by each handler's decorator)."""

from aws_lambda_powertools import Logger, Metrics, Tracer

SERVICE = "kairos"

logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE)
metrics = Metrics(service=SERVICE, namespace="Kairos")

"""Adapters to EventBridge and SQS: the event publisher and the queues."""

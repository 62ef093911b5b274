"""Kairos: a Hapio-compatible booking API. The shared package every Lambda function imports (the layer)."""

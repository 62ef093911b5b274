"""Kairos: a Hapio-compatible booking API. The shared package every Lambda function imports (the layer).

In Lambda, importing it pauses the garbage collector until the function's entry point is built
(`kairos.cold_start`)."""

from kairos import cold_start

cold_start.pause()

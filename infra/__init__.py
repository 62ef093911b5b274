"""The AWS CDK app of Kairos: one stack, one construct per concern (see docs/infrastructure.md)."""

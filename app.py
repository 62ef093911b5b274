"""The CDK app (`cdk synth`, `cdk deploy`): the Kairos stack, checked by cdk-nag (see infra/stack.py)."""

import aws_cdk as cdk

from infra.stack import add_kairos_stack

app = cdk.App()
add_kairos_stack(app)
app.synth()

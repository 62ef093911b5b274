"""`kairos`: the operator CLI (projects and tokens), against the local store or a deployed table."""

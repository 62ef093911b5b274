"""The Portal's back end: people's accounts (Cognito), their projects, members, invitations, API tokens,
the request log and the dashboard figures, served as the admin API under `/portal`."""

"""Projects: who is calling (tokens, abilities, limits) and the operator's actions."""

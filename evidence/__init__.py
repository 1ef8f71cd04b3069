"""Evidence of what each principal uses: every access decision, aggregated per account, principal, service,
action and outcome (last accessed), and the reports built from it."""

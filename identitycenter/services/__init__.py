"""Identity Center's operations: each authorizes, validates, writes and audits in one transaction."""

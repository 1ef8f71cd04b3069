"""The identity store's operations: one function per identitystore action, authorize -> validate -> write ->
audit in one transaction (iam_console.operations)."""

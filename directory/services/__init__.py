"""Services: one function per IAM operation, the only code that writes directory entities."""

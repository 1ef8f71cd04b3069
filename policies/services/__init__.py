"""Services: one function per IAM policy operation, the only code that writes policies and attachments."""

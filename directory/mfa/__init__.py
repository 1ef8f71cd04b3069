"""Virtual (TOTP) MFA devices, recovery codes and the account's MFA requirement."""

"""Login security: lockout after failed logins, TOTP two-factor, recovery codes, headers."""

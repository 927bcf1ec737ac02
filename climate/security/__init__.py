"""Staff access: accounts, sessions, API tokens, permissions, school scoping, the audit log
and rate limits."""

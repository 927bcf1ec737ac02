"""Staff access: accounts, sessions, API tokens, permissions, school scoping and the audit log.

Nothing is imported here so that ``climate.models`` can import ``climate.security.models``
at its end without a cycle; import the modules themselves.
"""

"""Users, roles, sign-in and access checks."""

"""Integration fixtures beyond the shared chain: the SMTP server."""

from tests.smtp import mailbox, smtp_server  # noqa: F401 - fixtures

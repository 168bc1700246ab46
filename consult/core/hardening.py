"""``consult db harden``: the database protects its own record (PostgreSQL roles).

Run by the role that owns the tables (the one that runs ``consult db upgrade``) for the role
the application connects as: that role may read and write every table, but may only read and
append to the record (audit events, checkpoints, revisions) — no UPDATE, DELETE or TRUNCATE —
and may change no table's structure. The append-only triggers of the migrations refuse those
statements to every role, the owner included, until the owner lifts them deliberately.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

#: Tables the application may only read and append to.
APPEND_ONLY = ("audit_event", "audit_checkpoint", "revision", "ballot_entry")
FORBIDDEN = ("UPDATE", "DELETE", "TRUNCATE")


class NotPostgreSQL(RuntimeError):
    """Roles exist on PostgreSQL only; SQLite relies on its triggers alone."""


@dataclass(frozen=True)
class Finding:
    """Something that leaves the record open to the application's role."""

    text: str


def harden(conn: sa.Connection, role: str) -> None:
    """Grant ``role`` what the application needs and nothing that rewrites the record."""
    if conn.dialect.name != "postgresql":
        raise NotPostgreSQL
    quote = conn.dialect.identifier_preparer.quote
    who, database = quote(role), quote(conn.scalar(sa.text("SELECT current_database()")))
    schema = quote(conn.scalar(sa.text("SELECT current_schema()")))
    record = ", ".join(APPEND_ONLY)
    for statement in (
        f"GRANT CONNECT ON DATABASE {database} TO {who}",
        f"GRANT USAGE ON SCHEMA {schema} TO {who}",
        f"REVOKE CREATE ON SCHEMA {schema} FROM {who}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {who}",
        f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {schema} FROM {who}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {who}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {record} FROM {who}",
        f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {who}",
    ):
        conn.exec_driver_sql(statement)


def check(conn: sa.Connection, role: str) -> list[Finding]:
    """What still lets ``role`` rewrite the record (empty when it cannot)."""
    if conn.dialect.name != "postgresql":
        raise NotPostgreSQL
    findings = []
    if conn.scalar(
        sa.text("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = :r"), {"r": role}
    ):
        findings.append(Finding(f"{role} is a superuser: privileges do not bind it"))
    for table in APPEND_ONLY:
        owner = conn.scalar(
            sa.text("SELECT tableowner FROM pg_tables WHERE tablename = :t"), {"t": table}
        )
        if owner == role:
            findings.append(Finding(f"{role} owns {table}: it can lift the triggers"))
        for privilege in FORBIDDEN:
            if conn.scalar(
                sa.text("SELECT has_table_privilege(:r, :t, :p)"),
                {"r": role, "t": table, "p": privilege},
            ):
                findings.append(Finding(f"{role} may {privilege} {table}"))
        enabled = conn.scalar(
            sa.text(
                "SELECT count(*) FROM pg_trigger WHERE tgrelid = CAST(:t AS regclass) "
                "AND NOT tgisinternal AND tgenabled = 'O'"
            ),
            {"t": table},
        )
        if enabled < 2:
            findings.append(Finding(f"the append-only triggers of {table} are not enabled"))
    return findings

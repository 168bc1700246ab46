"""The ``consult`` command group (also reachable as ``flask --app consult``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import FlaskGroup

from consult.auth.models import Role
from consult.config import LANGUAGES

PACKAGE = Path(__file__).parent
TRANSLATIONS = PACKAGE / "translations"
#: How messages are found: babel.cfg maps the files to extractors; these names mark a message
#: beside Babel's own (``_``, ``gettext``, ``ngettext``...): lazy texts, and the question
#: kinds' texts marked where they are declared.
BABEL_CFG = PACKAGE.parent / "babel.cfg"
MORE_KEYWORDS = ("_l", "N_")


def _create_app() -> Flask:
    from consult import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """Consultations of the membership: administration commands."""


@click.group("keys")
def keys_group() -> None:
    """Receipt keys: list them, or rotate to a new signing key (works without the app, so it
    can make the first key before a production start)."""


@keys_group.command("rotate")
def keys_rotate() -> None:
    """Add a new receipt key that signs from now on; earlier keys keep verifying."""
    from consult.config import receipt_keys_path
    from consult.core import clock, keyfile

    path = receipt_keys_path()
    try:
        key = keyfile.rotate(path, clock.now())
    except keyfile.BadKeyFile as error:
        raise click.ClickException(f"{path}: {error}; nothing was changed") from error
    click.echo(f"new receipt key {key.id} in {path}: it signs from now on")
    click.echo("earlier keys stay in the file and still verify; back the file up")


@keys_group.command("list")
def keys_list() -> None:
    """The ids of the receipt keys, oldest first; the last one signs (secrets never shown)."""
    from consult.config import receipt_keys_path
    from consult.core import keyfile

    path = receipt_keys_path()
    try:
        ring = keyfile.read(path)
    except keyfile.BadKeyFile as error:
        raise click.ClickException(f"{path}: {error}") from error
    if not ring.keys:
        raise click.ClickException(f"no receipt key in {path}: run `consult keys rotate`")
    for key in ring.keys:
        click.echo(f"{key.id}  {'signs' if key is ring.current else 'verifies'}")


main.add_command(keys_group)


@click.command("harden")
@click.option(
    "--role",
    envvar="CONSULT_DB_APP_ROLE",
    required=True,
    help="The role the application connects as (or CONSULT_DB_APP_ROLE).",
)
@click.option("--check", "only_check", is_flag=True, help="Only report; change nothing.")
def harden(role: str, only_check: bool) -> None:
    """PostgreSQL, run as the owner of the tables: let ROLE read and write what the
    application needs but only read and append to the record (audit events, checkpoints,
    revisions); exits 1 when ROLE could still rewrite it. Run it again after every upgrade."""
    from consult.core import hardening
    from consult.extensions import db

    try:
        with db.engine.begin() as conn:
            if not only_check:
                hardening.harden(conn, role)
            findings = hardening.check(conn, role)
    except hardening.NotPostgreSQL as error:
        raise click.ClickException(
            "SQLite has no roles: its append-only triggers are the whole protection"
        ) from error
    for finding in findings:
        click.echo(finding.text, err=True)
    if findings:
        sys.exit(1)
    tables = ", ".join(hardening.APPEND_ONLY)
    click.echo(f"{role} may read and append to {tables}, never update, delete or truncate them")


def init_commands(app: Flask) -> None:
    from consult.audit.cli import audit_group
    from consult.consultations.cli import consultations_group
    from consult.documents.cli import documents_group, import_command
    from consult.mail.cli import mail_group

    app.cli.add_command(mail_group)
    db_group = app.cli.commands.get("db")
    if isinstance(db_group, click.Group):  # Flask-Migrate's group: `consult db harden`
        db_group.add_command(harden)
    consultations_group.add_command(import_command)
    app.cli.add_command(consultations_group)
    app.cli.add_command(documents_group)
    for command in (demo, users, members, translate, audit_group, export, report):
        app.cli.add_command(command)


@click.command()
@click.option(
    "--force", is_flag=True, help="Load the demo even beside data that is not the demo's."
)
@click.option(
    "--skip-if-not-demo",
    is_flag=True,
    help="When the database holds data that is not the demo's, say so and load nothing (exit 0).",
)
def demo(force: bool, skip_if_not_demo: bool) -> None:
    """Load the demo membership, accounts and consultations (safe to run twice).

    Refuses when the database holds members, accounts or consultations that are not the
    demo's; with --force it adds the demo anyway, but never gives the published demo password
    to an account of a member it did not create."""
    from consult.demo.loader import NotDemoData, load_demo

    try:
        for line in load_demo(force=force):
            click.echo(line)
    except NotDemoData as refused:
        message = (
            f"this database holds data that is not the demo's ({refused}): the demo is not "
            "loaded (consult demo --force adds it anyway)"
        )
        if skip_if_not_demo:
            click.echo(message)
            return
        raise click.ClickException(message) from refused


@click.group()
def users() -> None:
    """Manage user accounts."""


@users.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--member", "member_code", help="Member code (delegates).")
@click.option("--name", default="", help="Display name.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user(
    email: str, role: str, member_code: str | None, name: str, password_stdin: bool
) -> None:
    """Create an account."""
    from consult.auth.services import CreateRefused
    from consult.auth.services import create_user as create

    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    try:
        user = create(email, role=Role(role), name=name, member_code=member_code, password=password)
    except CreateRefused as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"created {user.email} ({user.role.value})")


@click.group()
def members() -> None:
    """Manage the membership registry."""


@members.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--new-region",
    "new_regions",
    multiple=True,
    metavar="NAME",
    help="Create this region if the list lacks it (repeat for several); any other region the "
    "file names must already be in the list.",
)
def import_members(path: Path, new_regions: tuple[str, ...]) -> None:
    """Import members from a CSV file with columns code,name,kind,region (and optionally
    name_fr,name_es): all rows or none; rows that change nothing are left alone."""
    from flask_babel import force_locale

    from consult.members.csvimport import NotUtf8, decode
    from consult.members.messages import describe
    from consult.members.services import ImportFailed, apply_import

    with force_locale("en"):
        try:
            plan = apply_import(decode(path.read_bytes()), new_regions=new_regions)
        except NotUtf8 as error:
            raise click.ClickException(
                "the file is not UTF-8 (save it as CSV UTF-8); nothing was imported"
            ) from error
        except ImportFailed as error:
            for problem in error.errors:
                click.echo(f"line {problem.line}: {describe(problem)}", err=True)
            raise click.ClickException("nothing was imported") from error
    created, updated, unchanged = (plan.count(a) for a in ("create", "update", "unchanged"))
    click.echo(f"{created} created, {updated} updated, {unchanged} unchanged")


@click.command()
@click.argument("slug")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder to write SLUG-results.csv, SLUG-responses.csv, SLUG-comments.csv and "
    "SLUG-audit-statement.txt into.",
)
def export(slug: str, out_dir: Path) -> None:
    """Write the CSV report of a consultation (results, responses, comments) and the signed
    statement of the audit head it was recorded at."""
    from consult.results import report, services

    exported = services.record_export(slug, None, "cli")
    if exported is None:
        raise click.ClickException(f"no consultation {slug!r}")
    consultation = exported.consultation
    out_dir.mkdir(parents=True, exist_ok=True)
    statement = out_dir / report.statement_filename(consultation)
    statement.write_text(exported.statement, encoding="utf-8")
    click.echo(f"wrote {statement}")
    results = services.consultation_results(consultation)
    for name in report.FILES:
        path = out_dir / report.filename(consultation, name)
        with path.open("wb") as f:
            for chunk in report.csv_file(name, consultation, results):
                f.write(chunk)
        click.echo(f"wrote {path}")


@click.command()
@click.argument("slug")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["pdf", "docx", "xlsx"]),
    required=True,
    help="PDF for circulation, DOCX to edit into the discussion note, XLSX for analysis.",
)
@click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True)
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write (default: SLUG-results-LANG.FORMAT in the current folder).",
)
def report(slug: str, fmt: str, lang: str, out_path: Path | None) -> None:
    """Write the results document of a consultation (recorded in the audit trail like the
    CSV export)."""
    from consult.results import documents, services

    if fmt not in documents.FORMATS:
        raise click.ClickException(f"the {fmt.upper()} document is not available yet")
    exported = services.record_export(slug, None, f"cli-{fmt}-{lang}")
    if exported is None:
        raise click.ClickException(f"no consultation {slug!r}")
    path = out_path or Path(documents.filename(exported.consultation, fmt, lang))
    with path.open("wb") as out:
        documents.write(exported.consultation, fmt, lang, out)
    click.echo(f"wrote {path}")


@click.group()
def translate() -> None:
    """Extract, update and compile the message catalogs."""


def _pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True)  # noqa: S603 - fixed program, our own arguments


@translate.command()
def extract() -> None:
    """Extract messages into messages.pot."""
    _pybabel(
        "extract",
        "-F",
        str(BABEL_CFG),
        *(arg for keyword in MORE_KEYWORDS for arg in ("-k", keyword)),
        "--no-location",
        "--sort-output",
        "--width",
        "100",
        "-o",
        str(TRANSLATIONS / "messages.pot"),
        str(PACKAGE),
    )


@translate.command()
@click.pass_context
def update(ctx: click.Context) -> None:
    """Extract, then merge new messages into the fr and es catalogs."""
    ctx.invoke(extract)
    _pybabel(
        "update",
        "-i",
        str(TRANSLATIONS / "messages.pot"),
        "-d",
        str(TRANSLATIONS),
        "--no-fuzzy-matching",
        "--ignore-obsolete",
        "--width",
        "100",
    )


@translate.command()
def compile() -> None:
    """Compile the catalogs into .mo files."""
    _pybabel("compile", "-d", str(TRANSLATIONS), "--statistics")

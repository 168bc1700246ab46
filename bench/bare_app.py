"""The baseline: bare Flask endpoints on the app's own database, engine and settings.

The engine is built from the same address and ``SQLALCHEMY_ENGINE_OPTIONS`` as the app's and
goes through ``configure_engine`` (on SQLite: foreign keys, WAL, ``synchronous=NORMAL``, busy
timeout, ``BEGIN IMMEDIATE`` for writers), with the same pooled connections. ``POST /insert``
writes one row in a writing transaction; ``GET /read`` reads one row and returns a few bytes
of HTML. Served by gunicorn exactly as the app is: ``gunicorn bench.bare_app:app``.
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from flask import Flask

from consult.config import Config, database_url
from consult.core.database import configure_engine

engine = sa.create_engine(
    database_url(os.environ.get("DATABASE_URL", Config.SQLALCHEMY_DATABASE_URI)),
    **Config.SQLALCHEMY_ENGINE_OPTIONS,
)
configure_engine(engine)
hit = sa.Table(
    "bench_hit",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("body", sa.String(20)),
)
try:
    with engine.begin() as setup:
        hit.create(setup, checkfirst=True)
except sa.exc.DBAPIError:
    # Two workers created it at once (PostgreSQL refuses the second): it exists all the same.
    if not sa.inspect(engine).has_table("bench_hit"):
        raise

app = Flask(__name__)


@app.post("/insert")
def insert() -> tuple[str, int]:
    with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn, conn.begin():
        conn.execute(hit.insert().values(body="x"))
    return "ok", 201


@app.get("/read")
def read() -> str:
    with engine.connect() as conn:
        count = conn.execute(sa.select(hit.c.id).order_by(hit.c.id.desc()).limit(1)).scalar()
    return f"<!doctype html><title>bare</title><p>{count}</p>"

"""The baseline: a Flask endpoint that inserts one row into SQLite (WAL, busy_timeout 5 s)."""

from __future__ import annotations

import os
import sqlite3

from flask import Flask

PATH = os.environ["BENCH_MINIMAL_DB"]
app = Flask(__name__)


def connect() -> sqlite3.Connection:
    conn = sqlite3.connect(PATH, timeout=5, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA busy_timeout=5000")
    return conn


with connect() as setup:
    setup.execute("CREATE TABLE IF NOT EXISTS hit (id INTEGER PRIMARY KEY, body TEXT)")


@app.post("/insert")
def insert() -> tuple[str, int]:
    conn = connect()
    try:
        conn.execute("INSERT INTO hit (body) VALUES (?)", ("x",))
    finally:
        conn.close()
    return "ok", 201

"""Data built once per test run and shared by the run's xdist workers.

A world of rows (:func:`tests.conftest.snapshot`) takes seconds to build; each worker that
needs it used to build its own. The first worker that asks builds it and leaves it in the run's
temporary folder (shared by the workers of one run, never by two runs); the others read it
there, and wait while it is being built rather than build it a second time."""

from __future__ import annotations

import fcntl
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from consult.documents import storage
from consult.extensions import db, limiter
from tests.conftest import empty_tables, snapshot

T = TypeVar("T")

#: Rows as :func:`tests.conftest.snapshot` gives them, each table by its name (a table object
#: belongs to the process's metadata and is not pickled).
NamedRows = list[tuple[str, list[dict[str, object]]]]


def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The temporary folder of the whole run: the parent of each xdist worker's own."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[], T]) -> T:
    """What ``build()`` returns (picklable), built by the first worker of the run that asks
    and read back by the others."""
    folder = run_folder(tmp_path_factory)
    stored = folder / f"{name}.pickle"
    with (folder / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        if stored.exists():
            return pickle.loads(stored.read_bytes())  # noqa: S301 - written by this run
        value = build()
        partial = stored.with_suffix(".partial")
        partial.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        partial.rename(stored)
        return value


def kept() -> tuple[NamedRows, dict[str, bytes]]:
    """The world just built, as rows by table name and the files it stored; the tables are
    left empty (and the rate limits reset) for the next test."""
    rows = named(snapshot())
    files = stored_files()
    db.session.remove()
    empty_tables()
    limiter.reset()
    return rows, files


def named(rows: list) -> NamedRows:
    """Snapshot rows with table names instead of table objects."""
    return [(table.name, values) for table, values in rows]


def tables(rows: NamedRows) -> list:
    """Named rows back with this process's table objects."""
    return [(db.metadata.tables[name], values) for name, values in rows]


def stored_files() -> dict[str, bytes]:
    """The documents the world stored (their files, by path in the store)."""
    root = storage.root()
    return (
        {str(f.relative_to(root)): f.read_bytes() for f in root.rglob("*") if f.is_file()}
        if root.is_dir()
        else {}
    )


def store_files(files: dict[str, bytes]) -> None:
    """The world's documents in this worker's store (a worker that read the world rather
    than build it has none of them)."""
    root = storage.root()
    for name, content in files.items():
        path = root / name
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)

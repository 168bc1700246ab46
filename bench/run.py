"""``make bench``: every benchmark, one after another, then ``bench/README.md`` written from
their output (the date, the machine and its load, each script's description, what it printed,
and every goal with its figure and "met" or "NOT met").

Usage: ``.venv/bin/python bench/run.py [--only tally,export,...] [--no-readme]``; with
``--only``, the README keeps the earlier figures of the benchmarks left out, marked as such.
"""

from __future__ import annotations

import argparse
import ast
import re
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ROOT, ROUNDS, VENV, load, machine

BENCHES = [
    ("tally", "Tally against pref_voting and pyrankvote", ["bench/tally.py"]),
    ("export", "Responses CSV against a plain stream", ["bench/export.py"]),
    ("sqlite", "Submit path and read pages, SQLite", ["bench/http_pages.py"]),
    (
        "postgresql",
        "Submit path and read pages, PostgreSQL",
        ["bench/http_pages.py", "--database", "postgresql"],
    ),
    ("sizes", "Pages and actions flat with size", ["bench/sizes.py"]),
    ("results", "Results page at 100,000 ballots", ["bench/results_page.py"]),
    ("documents", "Results documents (PDF, DOCX, XLSX)", ["bench/documents.py"]),
    ("verify", "audit verify at growing sizes, SQLite", ["bench/audit_verify.py"]),
    (
        "verify-pg",
        "audit verify at growing sizes, PostgreSQL",
        ["bench/audit_verify.py", "--database", "postgresql"],
    ),
    ("slow", "Delegate pages on a slow link", ["bench/slow_links.py"]),
    ("suite", "make test against the suite before the speed work", ["bench/suite.py"]),
    # The load run of issue 14 (gunicorn, 200 delegates), when it exists.
    ("load", "Load run", ["bench/load.py"]),
]

#: The load run's submit p95, SQLite and PostgreSQL alike.
_LOAD_P95 = (
    "half of the workers' time is password checks: the 200 delegates sign in over the "
    "run's first quarter (at most 30 s), and each check is scrypt (N=2^15, r=8, p=1: about "
    "0.1 s of CPU and 32 MB), so the two cores are saturated while they arrive, every step "
    "queues behind them (the sign-in page's own p95 is seconds, for a page of 2 ms) and the "
    "p95 of the whole run is the queue of that storm; the median submit is about 25 ms. The "
    "steps between sign-ins cost about 5 ms of worker CPU each (gunicorn's socket writes, the "
    "rate limiter's Redis round trip, the page). The password hash stays: production keeps "
    "scrypt at Werkzeug's parameters. Next: arrivals spread as delegates really come (over "
    "days, not seconds) measured apart from a sign-in storm, with the load generator on "
    "another machine (here it shares the two cores with the server)."
)

#: What to try next for a goal not met, by the start of its name.
NEXT = {
    "submit": "the save is one transaction continued from the request's (the page is marked "
    "begins_writing); on SQLite the signed-in user is read first as a statement of its own, "
    "without BEGIN and without the write lock, and the save then begins IMMEDIATE on the same "
    "connection (8 statements all the same); the ballot is parsed and its answer rows and "
    "canonical content made before the lock, against the structure the process saw last for "
    "the slug, and parsed again under the lock only if the row read there has another "
    "structure_version, rule on observers or member kind (services._parse_early). Under the "
    "lock: the consultation's row as plain columns with the invitation, the member's kind, "
    "the response with its latest digest and the audit head in one statement (PostgreSQL "
    "takes the consultation's FOR SHARE and the audit lock in the statement before), the "
    "version, token and deadline checks, the revision's digest and receipt, and the writes "
    "with statements built once: on SQLite one per table, on PostgreSQL all in one statement "
    "of data-modifying CTEs, 4 statements. The save's statements (SQLite's BEGIN IMMEDIATE, "
    "the read, PostgreSQL's lock, the writes) are core.database.Prepared: SQL compiled once "
    "per dialect and run on the driver's cursor, with SQLAlchemy's cursor events (counted "
    "above) and errors; SQLAlchemy's execute cost 60-150 µs a statement on SQLite and 200 µs "
    "for the read's twenty columns on PostgreSQL, where the database's own work is 15-100 µs "
    "(in-process A/B against main, 2026-12-06 13:40, load 9-11: the save 0.76 ms less CPU on "
    "SQLite, 0.65 ms on PostgreSQL; over HTTP, one alternating pair of 5-round runs at "
    "14:05-14:08, load 3-4: CPU ms/req 5.27 against main's 6.21 on SQLite, 6.11 against "
    "6.62 on PostgreSQL, p99 ratio 2.4 against 3.1 and 2.1 against 2.6, throughput ratio "
    "0.38 against 0.26 and 0.36 against 0.26 — absolute CPU inflated by the load). "
    "SQLite's writers queue for the write lock on a flock beside the database; the "
    "write-ahead log is checkpointed by a thread of each "
    "process on its own connection every 32 writes of a connection (it was done in the "
    "request that made the 32nd write: 10-20 ms of fsync on one request in 32, right at the "
    "99th percentile), and past 4000 frames the rest is copied inside the writers' queue so "
    "that SQLite can start the log again. gunicorn.conf.py freezes each worker's objects "
    "after the app is loaded (gc.freeze: a full collection walked some 126,000 objects, "
    "about 120 ms, now and then with the write lock held); the bare baseline is served with "
    "the same file and connection settings. With a fixed number of clients the p99 ratio is "
    "tied to the throughput ratio (mean latency is clients over throughput), and on this "
    "machine (2 cores, the clients on them too) both servers are bound by CPU: submit "
    "costs about 3.5-4 ms of server CPU and 0.55 ms of client CPU, the bare insert 0.9 and "
    "0.35, so the ratio of means is about 3.3 before any tail. Measured against main in "
    "alternating runs (11:10-11:49 UTC 2026-12-06, load 1.8-2.6): SQLite p99 ratio 3.1-3.9 "
    "(median 3.3) against main's 3.2-4.5 (median 4.2); PostgreSQL 2.9-3.6 against 2.8-3.3, "
    "no change beyond the noise (its locks, pool and fsync settings are the bare one's: "
    "synchronous_commit on, pool_pre_ping for both; where its tail comes from is still to "
    "be profiled). The signed-in user's read is now a Prepared statement (fixed-cost, "
    "every page); left: Flask, the limiter and the session cookie (about 1 ms). "
    "Since (submit-tail): the indexes that repeated a unique constraint's first "
    "column are gone (answer.response_id, revision.response_id, response.consultation_id), "
    "and on SQLite a resubmission of the same ranking no longer deletes and re-inserts its "
    "ballot_ranking row and count (the refresh waits for the response's update); the "
    "write-ahead log takes 24 pages per submission instead of 30 (one per B-tree changed: "
    "audit_event and its 7 indexes, which the audit page reads, mail_outbox and its 4, "
    "answer and its 4, revision and its 3, response and ix_response_commented, rewritten "
    "because the comment is set again); Prepared converts a statement's parameters with "
    "one function built per statement (about a hundred per submission). In-process A/B "
    "against main, 60 alternating pairs of 20 submissions, CPU time, load 3-4: the save "
    "0.91x on SQLite, 0.96x on PostgreSQL. Tried and left out: sending PostgreSQL's lock "
    "and read together (psycopg pipeline mode: one round trip less with the lock held, but "
    "more send and poll calls, and no p99 or CPU change beyond the noise in 8 alternating "
    "HTTP runs). Since (pg-save): PostgreSQL's submissions queue on the audit chain's lock, "
    "so their throughput is about one over the time it is held (an instrumented run: 5.7 ms "
    "held, 160 submissions/s; of it the read 0.6 ms, Python 0.5, the write 2.2, the commit "
    "2.4, wall times on a loaded machine). Now the lock statement and the read go in one "
    "round trip, and the write with its COMMIT (core.database.run_together, psycopg's "
    "pipeline mode; the write's rows are all conditional on the response's version-checked "
    "UPDATE, so a changed response gets nothing written and 409); the answers are replaced "
    "where they differ (a ballot submitted again unchanged writes no answer: no index, "
    "foreign key or trigger work); the response's UPDATE trigger returns after one query "
    "when no status or owner changed; Prepared runs on psycopg's RawCursor ($n parameters: "
    "psycopg parsed SQL over 4096 characters on every execution). PostgreSQL backend CPU per "
    "submission (log_statement_stats) about 1.6 ms before, 1.0-1.2 after. Left: the "
    "commit's fsync inside the lock (synchronous_commit off for the transaction would need "
    "a WAL-writing flush after it to keep the receipt durable before the reply), the "
    "Python between read and write (about 0.27 ms: digests, receipt, key file stat), "
    "psycopg's BEGIN round trip before the user read (outside the lock). "
    "Since (submit-pg): the lock and read, and the write with its COMMIT, are sent on "
    "libpq's pipeline mode directly (core/pgpipeline.py: parameters adapted by psycopg's "
    "Transformer, one Sync, one flush, results read in order; statements prepared through "
    "psycopg's own cache): psycopg's connection.pipeline() polled the socket after every "
    "statement queued, about 300 µs of CPU for a statement and its COMMIT against 100 µs; "
    "committing with the last statements is core.database.commit_with on both engines "
    "(the session knows the transaction ended). In-process A/B against main (test "
    "client, alternating pairs of 30-40 submissions, CPU time, median of the pairs' "
    "ratios): PostgreSQL 0.87x (40 pairs, load 7-9), 0.91x and 0.88x (48 pairs each, "
    "load 3-4), one run at 0.97x (load 6-7); SQLite unchanged (1.00x and 1.06x, an A/A "
    "run 1.01x with the same spread, IQR about ±0.12). Since (2026-12-07): on PostgreSQL "
    "the signed-in user is read before the request's transaction has begun on the server "
    "(Prepared.first_alone: autocommit for that read, no BEGIN round trip of its own; the "
    "submission's BEGIN goes with its lock and read); on SQLite the answers are replaced "
    "where they differ, as on PostgreSQL (the view answers_given and its INSTEAD OF trigger, "
    "migration 6a2d9e4f8c13, which also drops the per-submission refresh trigger of the "
    "counted rankings); the per-request fixed costs below. In-process A/B against main, "
    "alternating pairs of 30 submissions, thread CPU: SQLite 0.97x (same ballot again) and "
    "1.01x (two ranks swapped), PostgreSQL 0.97-0.99x; the fixed costs 0.97-0.98x. Left: "
    "SQLAlchemy's commit after PostgreSQL has committed (about 74 µs, 25 of them the pool's "
    "check-in; session.close() instead detaches the objects callers hold), the ballot's "
    "parse (about 100 µs) and the revision's making (130 µs), the signing key's file stat "
    "on every submission, SQLite rewriting the response's comment index on every "
    "submission.",
    "delegate home": "the signed-in user is a plain row read by the user loader as a "
    "core.database.Prepared statement (auth/current.signed_in: SQL compiled once per dialect, "
    "its values converted as SQLAlchemy would; SQLAlchemy's execute cost several times the "
    "database's own work), the list is read as plain rows with the member's responses in one "
    "prepared statement (2 in all, outside a transaction: the view is marked "
    "core/database.reads_alone as the ballot page, so PostgreSQL has no BEGIN and no "
    "ROLLBACK round trips and SQLite no BEGIN; the administrators' overview, whose counts "
    "must agree with its page, reads in a transaction of its own, core/database.read_together), "
    "the layout carries one CSRF field and builds its fixed addresses once per process, and "
    "the page's gettext and localized no longer make Jinja copy the whole context on every "
    "call (core/templating.PageContext). The CSRF token is signed once a minute per session "
    "and process, not on every page (core/csrf.py, Flask-WTF's checks unchanged), and masked "
    "per response with a pad drawn from a random 16-byte seed (seed + pad XOR token), so no "
    "two compressed responses carry the same secret bytes (BREACH); a GET skips Flask-WTF's "
    "exemption lookup. In-process A/B against main (2026-12-06 16:56-17:05, two warm "
    "processes, 30 batches of 40 requests alternating ABBA, thread CPU time, load 4-6): "
    "SQLite 0.92 of main's CPU (quartiles 0.87-0.98; the ballot page 0.92 and the receipt "
    "0.96 from the same fixed costs), PostgreSQL 0.81 (0.73-0.90; ballot page 0.98, receipt 0.97, "
    "wide quartiles). What is left is fixed cost, spread "
    "thin (in-process, best of repeated runs): Flask, Werkzeug and Flask-Login around the "
    "view (a signed-in page that returns two bytes costs about 0.55 ms more than a bare Flask "
    "one), the ORM session's connection, BEGIN and teardown (about 60 µs), the template "
    "context processors (25 µs), gzip (level 6 and level 1 cost the same 30-50 µs on these "
    "3-9 KB pages, most of it zlib's set-up: level 6 kept), the security headers (11 µs) and "
    "Jinja's output (the layout about 90 µs, each row of the list about 60). Tried and "
    "left: the SQLite BEGIN as a Prepared statement (4 µs), a higher gen-0 garbage "
    "collection threshold (no change). Next: Jinja's output (the rows' include and the "
    "layout's escapes), the ORM session's per-request set-up and teardown. Since "
    "(2026-12-07), the fixed cost of every request: a macro import without context checks "
    "in C whether Jinja's kept module will do (core/templating.PageTemplate; Jinja compared "
    "some 40 names in Python, about 40 µs an import), Flask's default context processor "
    "runs once, not again per blueprint, the security headers, Vary and the request id are "
    "set and read without Werkzeug's missing-key exceptions, the browser's language is kept "
    "per Accept-Language header and the parsed cookies per Cookie header (bounded, per "
    "process), Flask's coroutine check skipped for plain functions (core/application.py), "
    "template texts without variables kept as Markup per language, gzip at level 4 (0.75-0.9 "
    "of level 6's CPU on these pages for 0.5-1.4 % more bytes). In-process A/B against main "
    "(16 alternating batches of 40 requests, thread CPU, load 1.8-2.0): home 0.91 on both "
    "engines, a two-byte signed-in page 0.95-0.96. Left: the ORM session's checkout, BEGIN, "
    "remove and the pool's reset (80-100 µs of CPU together), the signed-in user's read, "
    "the rows' include of ballots/_status.html.",
    "ballot page": "the page reads the consultation's row, whether the member is invited, "
    "whether it has documents and the member's response with its latest revision in one "
    "prepared statement (2 in all: the user, the page, outside a transaction: the view is "
    "marked core/database.reads_alone, autocommit on PostgreSQL, no BEGIN and no ROLLBACK "
    "round trips; on SQLite no BEGIN); the questions and options are "
    "kept per process by structure version (consultations/structure.py, the version raised by "
    "database triggers on every write to them), their texts in the reader's language and the "
    "ballot rules per version (ballots/display.py, specs.structure_spec). Since (ballot-page, "
    "2026-12-06): what every member sees alike of a question is kept per structure version "
    "and language as escaped Markup (display.py: an option's heading, a rank field's list of "
    "ranks with each one chosen, the options' labels, backgrounds and comment labels), and "
    "the questions' partials fill in the member's values and errors inline, without "
    "importing the field macros with context (a module built per question and per request) "
    "nor calling a macro per option, grid cell or currency; the same HTML byte for byte "
    "(rendering answer.html in-process 0.40 to 0.30 ms; the whole request 0.88-0.97 of main's "
    "CPU in-process, median of 6 and 10 alternating rounds on SQLite, 0.88 of 10 on "
    "PostgreSQL, under a load of 1-3). What is left is the fixed cost "
    "of the home page, the consultation read as a model (the ORM's entity costs about 0.06 ms "
    "more than its plain row) and the form's fields, one per option. Next: the consultation "
    "as a plain row with the few model methods the page uses (phase, localized, "
    "closed_early), as the home page's ConsultationLine. Since (2026-12-07): the consultation "
    "is read as a plain row in the page's one Prepared statement (consultations/row."
    "ConsultationRow, whose phase, stage, closed_early and localized call the functions the "
    "model calls; a published outcome's template, which walks the model's relationships, "
    "gets the model made from the row without a query), and the closed-early and documents "
    "partials are included only when they show something; with the fixed costs above, "
    "in-process A/B against main (30 alternating batches, thread CPU, load 2-2.6): 0.86 on "
    "SQLite and 0.87 on PostgreSQL, then 0.95 and 0.94 for the fixed costs; the HTML the same "
    "byte for byte on 45 pages in three languages and five states.",
    "receipt": "the receipt reads the consultation's row with the member's response and its "
    "revisions fifty to a page, with the revision that counts and the secretariat's marks, "
    "in one statement (queries._page_statement: revisions are numbered 1 to the response's "
    "revision, so the page's window, the last page when asked beyond it, is worked out in "
    "SQL from the response's row; since ballot-page, 2026-12-06: 2 statements in all, the "
    "user and the page, outside a transaction as the ballot page: revisions are appended, "
    "never changed); a receipt code is looked up by itself; the table's column names are "
    "translated once per table. One statement less saves a round trip but little CPU: the "
    "ORM's execution of the larger statement costs about what the second one did (reads "
    "in-process 0.21 ms on SQLite either way, 0.39-0.45 against 0.44-0.46 on PostgreSQL). "
    "What is left is the fixed cost of the home page and the consultation read as a model. "
    "Next: as the ballot page, the consultation as a plain row. Since (2026-12-07): done "
    "(consultations/row.ConsultationRow): 0.85 of main's CPU on SQLite and 0.87 on "
    "PostgreSQL in-process, then the fixed costs 0.98 and 0.92.",
    "results page": "the page's statements are built once per process with bound parameters "
    "and read plain rows; its comments and answer texts are read whole (no server-side cursor, "
    "three round trips each on PostgreSQL; the comments file still streams them), the lists' "
    "entry links are written in their loops from one address built per page, who wrote a "
    "comment is written in the comments' loop (no macro per row), the regions' names are read "
    "as plain rows and the administration links are built once per process and rendered once "
    "per page. The consultation's row is read as a model without its questions, which come "
    "from the structure kept per process (structure.with_structure: about 0.5 ms saved "
    "in-process on PostgreSQL); Jinja calls a macro, method or unmarked function directly "
    "(core/templating.PageContext), a participation table's rows are one macro call, shares "
    "and stage names are formatted once per process, chart numbers read the language once, "
    "the lists of who has and has not submitted are worked out in Python (display.listed, a "
    "tuple per member) and the failed-mail badge counts with a prepared Core statement "
    "(2026-12-06, before the database's counters: 0.80 of the CPU in-process in alternating "
    "A/B rounds on PostgreSQL, about 0.84 over HTTP). Then (results-pg, 2026-12-06) 8 "
    "statements where there were 12: the regions' names come with the participation's "
    "counts (every member the page shows is invited), the answers' texts and the general "
    "comments are one statement, the lists of who has and has not submitted and the entry "
    "form's members another (loaders.lists, a branch per list, none for an empty one), and "
    "the comments are written from display.said (no lookups per comment in Jinja): "
    "in-process on PostgreSQL 0.88 of main's CPU (6 alternating rounds, 0.76–1.00, under a "
    "load of 5 to 12; over HTTP one run of the branch gave 11.0 ms, not met). Then "
    "(results-cpu, 2026-12-06) 7 statements on SQLite where there were 9 (6 on PostgreSQL "
    "where there were 8): the participation's counts and every ranking question's rankings in one "
    "(loaders.counted_rows: no statement per ranking question), the outbox's failed messages "
    "counted with the consultation's row (mail.outbox.failures_counted, the layout's badge), "
    "the page's reads run as core.database.Prepared (the SQL compiled once per dialect, on the "
    "driver's cursor); Jinja escapes some 300 values a page where it escaped 800: the lists' "
    "rows, the entry form's members, the comments and the ranking's rounds and head-to-head "
    "tables are written in display.py as escaped text (one Markup per list), the results "
    "macros are imported once per page (they ran again for every question) and the table "
    "macros without the page's context (kept by Jinja once per process); results' member, "
    "text and participation rows are named tuples. In-process, in alternating batches "
    "against main (test client, gzip asked for, gc frozen as gunicorn.conf.py does, 60 "
    "pairs of 10 requests, the two processes on one core, load 1.7 to 4): 0.75 of main's CPU "
    "on SQLite (interquartile 0.70–0.83) and 0.83 on PostgreSQL (0.78–0.86). What still "
    "costs: Jinja's output (about a third of the in-process CPU, half of it the layout's and "
    "the per-option tables'), the lists' union "
    "(SQLite sorts each branch for its merge: about 150 µs of its own time), the "
    "consultation read as a model, Flask, the session and gzip. Next: the secretariat's "
    "entries as a fourth branch of loaders.lists, the consultation's row read as plain "
    "columns with the page's few model methods, the charts' and per-option tables' rows "
    "written in display with the labels escaped once per structure version and language. The "
    "rankings and the participation are now counted by the database (results/models.py, "
    "migration 9c4d2e7f1a35): triggers on answer, response, invitation, member and region "
    "refresh idempotently, from the current state, a row per counted ranking ballot "
    "(ballot_ranking: response, question, ranking text, observer) and a row per invitation "
    "(participant: member, kind, region, names, status), so that PostgreSQL's one-statement "
    "submit, whose AFTER triggers all fire at its end, counts a ballot once; their own "
    "triggers keep ranking_count and participant_count from OLD and NEW alone. PostgreSQL "
    "refreshes once per statement after the audit chain's advisory lock (which every "
    "submission takes first: member and invitation edits are serialised with submissions). "
    "The page reads one row per distinct ranking and per (kind, region, status), and pages "
    "those who submitted and the entry form's members over participant's indexes: from 1k to "
    "10k responses, 0.97–0.99 (SQLite, in-process; main 3.3–3.6). The triggers cost the submit "
    "about 0.3 to 0.6 ms on PostgreSQL (in-process resubmissions, triggers on ÷ off 1.07 and "
    "1.09: mostly the database's time, which http_pages.py's worker CPU does not see) and "
    "nothing measurable on SQLite over HTTP. Next: the members who have not submitted over "
    "participant too (they still join invitation, member and response, and sort), and "
    "choices, Likert and grid counts the same way if their questions grow. Since "
    "(2026-12-07): the consultation read as its plain row with the outbox's failures in one "
    "Prepared statement, the bar charts' rows written in results/display.bar_rows (one Markup "
    "per chart), a prepared read's columns converted only where SQLAlchemy converts them "
    "(core.database.Prepared, which loaders._read now is): 0.94 of main's CPU in-process on "
    "both engines, then the fixed costs 0.92.",
    "YAML import": "the questions, options, suggestions and references are now written in "
    "batches for the whole file and the replaced drafts' rows deleted with one statement per "
    "table; what is left per consultation is its own row, its documents and its audit event "
    "(the chain's head read, then the event written).",
    # The load run (issue 14): where its server time goes, profiled with py-spy on the four
    # gunicorn workers of a 50 s SQLite run (2026-12-06).
    "sqlite: submit p95": _LOAD_P95,
    "postgresql: submit p95": _LOAD_P95,
    "members list": "the search and the order by name run in SQL over folded copies of the "
    "names kept in the member table, with LIMIT/OFFSET; only the page's members are loaded.",
    "responses CSV time": "a ranking is read whole from the ranking text on its "
    "first-ranked answer (one row per ballot), responses and answers in one streamed query in "
    "key order; the response's columns come from the query as the file writes them: typed text "
    "(code, name in the reader's language, region, submitter, receipt, the entry's author, "
    "reference and reason) neutralised in SQL against csvsafe.FORMULA_START, the times and "
    "dates cut from their text, the entry's marks as words, no conversion of types by "
    "SQLAlchemy; Python only places the answers, and the csv module writes the rows 256 at a "
    "time (its C loop) with no formula check left for them. The plain stream reads the same "
    "rows raw. What is left over it: the SQL the plain stream does not do (the name's "
    "language from JSON, eight formula checks, the times cut) and Python's placing of each "
    "ballot's answers. Next: the fixed columns of a response that did not change since the "
    "last export kept per process, or the answer columns built in SQL for rankings (one "
    "column per option from the ranking text).",
    "make test": "the goal compares 1,194 tests (other issues' tests since, the browser tests "
    "of every page in three languages among them) with the 534 of 9aa3964. In one run's "
    "per-test times (summed) the integration and unit tests alone come to more than the whole "
    "of 9aa3964's suite, and the browser tests to as much again: half of that suite's time "
    "cannot be reached without taking out most of the checks, which is the team's decision "
    "(issue 13 says so). The tests both trees have: see the line below the table (under "
    "half). The CPU figures now count the browsers' processes, which outlive the driver that "
    "started them and were counted nowhere before (the earlier CPU ratios flattered the tree "
    "with more browser tests: 1.74 then does not compare with the figure now). Done since the last "
    "run (2026-12-07 06:00): the walks ask the browser once per page and width, and the "
    "translated walks read the language and texts without Playwright's selector engine; the "
    "browser scenarios sign in straight onto the page they start on; the messages of the "
    "source extracted once per run; the tally's strategies made once. Next, if the team keeps "
    "the goal on the whole suite: which checks to drop (the French and Spanish walks are 262 "
    "page loads; axe on every page at 1280 px rather than once per template), or a machine "
    "with more cores.",
}


def description(script: str) -> str:
    """The first paragraphs of a script's docstring, up to its usage line."""
    doc = ast.get_docstring(ast.parse((ROOT / script).read_text())) or ""
    return doc.split("\nUsage:")[0].split("\n\nUsage")[0].strip()


_LOG_RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} ")
_MAIL_END = "This message was sent automatically"


def read_output(title: str, lines: Iterable[str], echo: bool) -> tuple[list[str], list[list[str]]]:
    """What a benchmark printed, for the README, and its goals. The servers' own log records
    (and the e-mails they print to the console) are left out of the README."""
    kept: list[str] = []
    goals: list[list[str]] = []
    in_mail = False
    for line in lines:
        if echo:
            print(line, end="", flush=True)
        line = line.rstrip("\n")
        if in_mail:
            in_mail = not line.startswith(_MAIL_END)
            continue
        if _LOG_RECORD.match(line):
            in_mail = "printed here instead of sent" in line
            continue
        if line.startswith("GOAL | "):
            goals.append([title, *line.split(" | ")[1:]])
        elif line.startswith("goal "):  # bench/audit_verify.py's form: "goal WHAT: … (met)"
            what, _, rest = line[5:].partition(": ")
            verdict = re.search(r"\((met|NOT MET|not met)\)", rest)
            met = verdict is not None and verdict.group(1) == "met"
            goals.append([title, what, rest, "as stated", "met" if met else "NOT met"])
            kept.append(line)
        elif not line.startswith("INFO  [alembic"):
            kept.append(line)
    return kept, goals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated names: " + ", ".join(name for name, _, _ in BENCHES),
    )
    parser.add_argument("--no-readme", action="store_true")
    parser.add_argument(
        "--from-log",
        type=Path,
        help="write bench/README.md from the saved output of an earlier `make bench`",
    )
    args = parser.parse_args()
    if args.from_log:
        rewrite_from_log(args.from_log)
        return
    chosen = set(filter(None, args.only.split(",")))
    started = time.strftime("%Y-%m-%d %H:%M %Z")
    sections: list[tuple[str, str, str, str, str]] = []
    goals: list[list[str]] = []
    failed = []
    for name, title, command in BENCHES:
        if chosen and name not in chosen:
            continue
        if not (ROOT / command[0]).exists():
            print(f"== {title}: {command[0]} does not exist (yet), skipped", flush=True)
            continue
        before = load()
        print(f"== {title} (load average {before})", flush=True)
        proc = subprocess.Popen(
            [str(VENV / "python"), *command],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert proc.stdout is not None
        lines, found = read_output(title, proc.stdout, echo=True)
        goals += found
        if proc.wait():
            failed.append(title)
            goals.append([title, "the benchmark ran to its end", "exit status", "0", "NOT met"])
        sections.append(
            (title, command[0], before, load(), re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip())
        )

    print("\n== Goals")
    for title, what, figure, goal, verdict in goals:
        print(f"{verdict:8} {title}: {what}: {figure} (goal {goal})")
    met = sum(g[-1] == "met" for g in goals)
    print(f"\n{met} of {len(goals)} goals met")
    if not args.no_readme:  # what this run skipped keeps its earlier figures, marked
        write_readme(started, sections, goals)
        print("bench/README.md written")
    sys.exit(1 if failed else 0)


def rewrite_from_log(log: Path) -> None:
    """The README from a saved ``make bench`` output (the same figures, not a new run)."""
    scripts = {title: command[0] for _name, title, command in BENCHES}
    heading = re.compile(r"^== (.+) \(load average ([\d. ]+)\)$")
    text = log.read_text().splitlines(keepends=True)
    started = next(
        (
            m.group(1)
            for line in text
            if (m := re.match(r"^# (\d{4}-\d\d-\d\d \d\d:\d\d \w+);", line))
        ),
        "?",
    )
    marks = [(i, heading.match(line)) for i, line in enumerate(text) if heading.match(line)]
    end = next(i for i, line in enumerate(text) if line.startswith("== Goals"))
    sections, goals = [], []
    for k, (i, match) in enumerate(marks):
        title, before = match.group(1), match.group(2)
        stop = marks[k + 1][0] if k + 1 < len(marks) else end
        after = marks[k + 1][1].group(2) if k + 1 < len(marks) else before
        lines, found = read_output(title, text[i + 1 : stop], echo=False)
        goals += found
        sections.append(
            (
                title,
                scripts[title],
                before,
                after,
                re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip(),
            )
        )
    write_readme(started, sections, goals)
    print(f"bench/README.md written from {log}")


#: Marks what this run did not measure again: its goals and section come from an earlier run.
EARLIER = " (earlier run, not re-run)"


def _earlier_goal_rows() -> list[tuple[str, str]]:
    """The goal rows of the README as it stands, by benchmark title (a benchmark this run
    skipped keeps its earlier figures, marked as such, rather than vanishing)."""
    readme = ROOT / "bench" / "README.md"
    if not readme.exists():
        return []
    rows = []
    for line in readme.read_text().splitlines():
        if line.startswith("| ") and not line.startswith(("| benchmark", "| ---")):
            title = line[2:].split(" | ", 1)[0].removesuffix(EARLIER)
            rest = line[2:].split(" | ", 1)[1]
            rows.append((title, f"| {title}{EARLIER} | {rest}"))
    return rows


def _readme_sections(text: str) -> dict[str, list[str]]:
    """The README's sections by their heading line; a line starting with ``## `` inside a
    code block (bench/load.py prints one per database) is part of its section."""
    sections: dict[str, list[str]] = {}
    body: list[str] = []
    fenced = False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        if line.startswith("## ") and not fenced:
            body = sections.setdefault(line, [])
        else:
            body.append(line)
    return sections


def _earlier_sections(run_titles: set[str]) -> dict[str, list[str]]:
    """The sections of the README as it stands for the benchmarks this run skipped."""
    readme = ROOT / "bench" / "README.md"
    if not readme.exists():
        return {}
    sections = _readme_sections(readme.read_text())
    out: dict[str, list[str]] = {}
    note = "Not re-run by the latest `make bench`: the text and figures of an earlier run."
    for _name, title, _command in BENCHES:
        if title in run_titles:
            continue
        heading = next((h for h in sections if re.match(rf"## {re.escape(title)} \(`", h)), None)
        if heading is None:
            continue
        body = "\n".join(sections[heading]).strip()
        if not body.startswith(note):
            body = f"{note}\n\n{body}"
        out[title] = ["", heading, "", body]
    return out


def write_readme(
    started: str, sections: list[tuple[str, str, str, str, str]], goals: list[list[str]]
) -> None:
    out = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`bench/run.py`) from what the benchmarks printed: do not edit",
        "by hand, run `make bench` again. Never part of `make test`.",
        "",
        f"Run of {started}; {machine()}; {ROUNDS} rounds per comparison (the test suite's: 2, "
        "each a whole run of both suites). The machine is shared",
        "with other engineers' test suites: the load average (1, 5 and 15 minutes) is given",
        "before and after each benchmark. Every comparison runs its two sides in alternating",
        "rounds, the order rotated from round to round, and gives the median of the per-round",
        "ratios with their spread; absolute goals are in server CPU time per request, which",
        "moves much less with the load than wall time. A figure is reproducible within the",
        "spread of its rounds.",
        "",
    ]
    run_titles = {title for title, *_ in sections}
    skipped = [title for _n, title, _c in BENCHES if title not in run_titles]
    if skipped:
        out += [
            "Not re-run this time: " + "; ".join(skipped) + ". Their goals and sections are",
            f"an earlier run's, marked{EARLIER}.",
            "",
        ]
    out += [
        "## Goals",
        "",
        "| benchmark | what | figure | goal | verdict |",
        "| --- | --- | --- | --- | --- |",
    ]
    for title, what, figure, goal, verdict in goals:
        verdict = "met" if verdict == "met" else "**not met**"
        out.append(f"| {title} | {what} | {figure} | {goal} | {verdict} |")
    out += [row for title, row in _earlier_goal_rows() if title not in run_titles]
    missing = [
        (prefix, note)
        for prefix, note in NEXT.items()
        if any(g[-1] != "met" and g[1].startswith(prefix) for g in goals)
    ]
    if missing:
        out += ["", "What to try next where a goal is not met:", ""]
        out += [f"- {prefix}: {note}" for prefix, note in missing]
    earlier = _earlier_sections({title for title, *_ in sections})
    ran = {
        title: (title, script, before, after, text)
        for title, script, before, after, text in sections
    }
    for _name, title, _command in BENCHES:
        if title in earlier:
            out += earlier[title]
        if title not in ran:
            continue
        title, script, before, after, text = ran[title]
        out += [
            "",
            f"## {title} (`{script}`)",
            "",
            description(script),
            "",
            f"Load average before {before}, after {after}.",
            "",
            "```text",
            text,
            "```",
        ]
    (ROOT / "bench" / "README.md").write_text("\n".join(out) + "\n")


if __name__ == "__main__":
    main()

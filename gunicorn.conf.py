"""gunicorn's settings for consult, read from the directory gunicorn starts in (production's
``gunicorn -w 4 'consult:create_app()'`` and the benchmarks' servers, the bare baseline's
included).

Each worker, once it has loaded the app, moves every object it holds then (the app, its
modules, SQLAlchemy's mappers and compiled statements: about 126,000) out of the garbage
collector's reach with ``gc.freeze()``: they live as long as the worker. A full collection
otherwise walked them all, about 120 ms on this machine, once every thousand-odd requests
and in the middle of one (the write lock held, at times), and every young collection was
slower for them. Objects made by requests are collected as before.
"""

import gc


def post_worker_init(_worker: object) -> None:
    gc.freeze()

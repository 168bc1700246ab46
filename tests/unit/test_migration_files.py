"""The migrations' file names sort in the order Alembic applies them, from one root to one head."""

from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def _script() -> ScriptDirectory:
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)


def test_one_head():
    assert len(_script().get_heads()) == 1


def test_file_names_sort_in_chain_order():
    script = _script()
    chain = [Path(rev.path).name for rev in script.walk_revisions("base", "heads")]
    chain.reverse()  # walk_revisions goes from the head down
    assert sorted(chain) == chain
    assert chain == sorted(p.name for p in (MIGRATIONS / "versions").glob("*.py"))

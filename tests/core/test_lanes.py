"""A long import in the worker never holds back a post or a dead-man statement.

Runs bench/lanes.py at a smaller size (the benchmark itself does 200,000 posts): real
``houseboat`` processes in a fresh data folder, the import queued with
``houseboat import ... --background`` as the Import page queues one, one
``houseboat worker`` running every lane.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "lanes.py"


# Its own SQLite file in a data folder: once is enough, whatever the suite's database.
@pytest.mark.backend("sqlite")
def test_a_post_and_a_dead_man_statement_go_out_while_a_long_import_runs(tmp_path):
    done = subprocess.run(
        [sys.executable, str(BENCH), "--posts", "20000", "--json", "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])

    # Both fell due while the import ran and went out before it ended: the lanes did not
    # wait on it. (How many records the import had written by then says nothing more: a
    # one-pass import writes its last batch well before it ends.)
    assert result["import_records_when_made_due"] > 0
    assert result["post_out_before_import_end"] is True
    assert result["statement_out_before_import_end"] is True
    # The import itself finished, every post in, and the worker stopped cleanly.
    assert result["import_state_at_end"] == "done" and result["import_items_new"] == 20000
    assert "done, 20,000 of 20,000 records" in result["import_status_line"]
    assert result["worker_exit"] == 0

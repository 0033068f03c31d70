"""The queue's commands say what they need; the in-process batch takes the same limits."""

from __future__ import annotations

from pathlib import Path

from contentgen.testing import cli_main

BRIEF = ("--industry", "food", "--segment", "dormant.mass", "--persona", "approachable",
         "--content-type", "copy", "--channel", "moments", "--locale", "en-US", "--product", "Fruit box")


def test_the_queue_on_a_sqlite_library_says_what_it_needs(tmp_path: Path) -> None:
    db = str(tmp_path / "team.db")
    code, _, err = cli_main("generate", *BRIEF, "--queue", "--db", db)
    assert code == 2 and "the queue needs a PostgreSQL library" in err and "without --queue" in err
    code, _, err = cli_main("worker", "--db", db)
    assert code == 2 and "the queue needs a PostgreSQL library" in err
    assert not Path(db).exists()  # nothing was created on the way to the error
    code, _, err = cli_main("generate", *BRIEF, "--no-wait", "--db", db)
    assert code == 2 and "--no-wait goes with --queue" in err


def test_generate_in_process_paces_to_rpm(tmp_path: Path) -> None:
    code, out, err = cli_main("generate", *BRIEF, "--variants", "3", "--rpm", "6000", "--format", "json")
    assert code == 0, err
    assert out.count('"variant"') == 3
    code, _, err = cli_main("generate", *BRIEF, "--rpm", "0")
    assert code == 2 and "--rpm" in err

"""The runner of documented shell sessions finds commands, markers and failures."""

from __future__ import annotations

import pytest

from tests.docs.shell import Command, File, capped, extract, run

PAGE = """\
Some text.

```
make demo
```

<!-- output: exact -->
```
$ echo hello
hello
$ printf 'a\\nb\\n' \\
    | cat
a
b
```

<!-- file: plans/p.yaml -->
```yaml
name: p
```

```
$ cat plans/p.yaml && exit 3   # exit status 3
name: p
```

<!-- skip -->
```
$ false
```
"""


def test_extract_commands_files_and_markers():
    steps = extract(PAGE)
    assert [type(s) for s in steps] == [Command, Command, File, Command]
    hello, pipe, file, status = steps
    assert (hello.text, hello.printed, hello.exact, hello.line) == (
        "echo hello",
        ("hello",),
        True,
        9,
    )
    assert pipe.text == "printf 'a\\nb\\n' | cat" and pipe.printed == ("a", "b")
    assert (file.path, file.text) == ("plans/p.yaml", "name: p\n")
    assert (status.exit_status, status.exact, status.text) == (
        3,
        False,
        "cat plans/p.yaml && exit 3",
    )


def test_run_follows_the_page(tmp_path):
    log = run(extract(PAGE), tmp_path, "page.md")
    assert len(log) == 4
    assert (tmp_path / "plans" / "p.yaml").read_text() == "name: p\n"


def test_run_fails_on_a_wrong_exit_status(tmp_path):
    with pytest.raises(
        AssertionError, match=r"page.md:2: \$ false\nexit status 1, the page says 0"
    ):
        run(extract("```\n$ false\n```\n"), tmp_path, "page.md")


def test_run_fails_on_different_output(tmp_path):
    page = "<!-- output: exact -->\n```\n$ echo hello\nhullo\n```\n"
    with pytest.raises(AssertionError, match="page: 'hullo'\n   got: 'hello'"):
        run(extract(page), tmp_path, "page.md")


def test_replications_are_capped_and_capped_output_is_not_compared(tmp_path):
    assert capped("keiretsu simulate s.yaml -n 200 -j 2", 5) == "keiretsu simulate s.yaml -n 5 -j 1"
    assert capped("keiretsu x --replications=3", 5) == "keiretsu x --replications=3"
    assert capped("keiretsu x -n 200", 0) == "keiretsu x -n 200"
    page = "<!-- output: exact -->\n```\n$ echo -n 200\n200\n```\n"
    run(extract(page), tmp_path, "page.md")  # ran as `echo -n 5`; output not compared


def test_output_of_a_run_made_smaller_is_not_compared(tmp_path):
    page = (
        "<!-- output: exact -->\n```\n"
        "$ mkdir -p runs/a && echo -n 200 > runs/a/n --out runs/a\n"
        "$ cat runs/a/n\n200\n"
        "$ cat runs/ab 2>/dev/null || echo other   # exit status 0\nother\n```\n"
    )
    run(extract(page), tmp_path, "page.md")  # runs/a was written small: its cat not compared
    wrong = page.replace("other\n```", "else\n```")
    (tmp_path / "again").mkdir()
    with pytest.raises(AssertionError, match="got: 'other'"):  # runs/ab is another folder
        run(extract(wrong), tmp_path / "again", "page.md")

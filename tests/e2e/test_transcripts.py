"""The transcript helpers of hoptest.py (expect_stderr, expect_stdout,
normalize): whole outputs compared, variable parts as placeholders, a diff
on mismatch. They run `sh -c` (no git-hop, no database)."""

from __future__ import annotations

import pytest

from hoptest import expect_stderr, expect_stdout, normalize, run


def sh(env, cwd, script: str):
    return run(env, "sh", "-c", script, cwd=cwd)


def test_equal_outputs_pass(env, workdir):
    r = sh(env, workdir, "echo out; echo 'fatal: no' >&2; exit 128")
    expect_stderr(r, "fatal: no\n", code=128, out="out\n")
    expect_stdout(r, "out\n", code=128)


def test_a_different_line_shows_a_diff(env, workdir):
    r = sh(env, workdir, "printf 'fatal: one\\nhint: two\\n' >&2; exit 128")
    with pytest.raises(AssertionError) as e:
        expect_stderr(r, "fatal: one\nhint: three\n", code=128)
    text = str(e.value)
    assert text.startswith("stderr differs:\n--- expected stderr\n+++ actual stderr\n")
    assert "\n-hint: three\n+hint: two\n" in text
    assert "$ sh -c" in text  # and the whole result after it


def test_the_exit_code_and_stdout_are_checked(env, workdir):
    r = sh(env, workdir, "echo 'fatal: x' >&2; exit 1")
    with pytest.raises(AssertionError, match="expected exit code 128"):
        expect_stderr(r, "fatal: x\n", code=128)
    r = sh(env, workdir, "echo chatter; echo 'fatal: x' >&2; exit 128")
    with pytest.raises(AssertionError, match="stdout differs"):
        expect_stderr(r, "fatal: x\n", code=128)  # stdout must be empty
    expect_stderr(r, "fatal: x\n", code=128, out=None)


def test_a_missing_final_newline_is_shown(env, workdir):
    r = sh(env, workdir, "printf 'fatal: x' >&2")
    with pytest.raises(AssertionError, match="No newline at end"):
        expect_stderr(r, "fatal: x\n")


def test_placeholders(env, workdir, tmp_path):
    r = sh(env, workdir, f"echo \"fatal: cannot read '{workdir}/a' in {tmp_path}\" >&2")
    # the longest value wins: $WORK, not $TMP/work
    expect_stderr(r, "fatal: cannot read '$WORK/a' in $TMP\n", WORK=workdir, TMP=tmp_path)
    assert normalize("db x_1 and x_12", DB="x_12") == "db x_1 and $DB"

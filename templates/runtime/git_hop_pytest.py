"""git-hop's pytest plugin, loaded by `git hop test` and `git hop release`
(pytest -p git_hop_pytest).

Before the tests run, it imports the project's package (GIT_HOP_PACKAGE)
and writes the outcome to GIT_HOP_TEST_REPORT: "ok", or the traceback of
the failure. git-hop fails the run when the package cannot be imported:
its tests would be skipped or left out, and a run that tests nothing of
the package must not pass.
"""

import importlib
import os
import traceback


def _describe(exc):
    """The last frames of the project's code and the exception: the
    import machinery's own frames say nothing."""
    frames = [
        frame
        # The first two: this module and importlib.import_module.
        for frame in traceback.extract_tb(exc.__traceback__)[2:]
        if not frame.filename.startswith("<frozen ")
    ]
    lines = traceback.format_list(frames[-2:])
    lines += traceback.format_exception_only(type(exc), exc)
    return "".join(lines)


def pytest_sessionstart(session):  # pylint: disable=unused-argument
    package = os.environ.get("GIT_HOP_PACKAGE")
    report = os.environ.get("GIT_HOP_TEST_REPORT")
    if not package or not report:
        return
    try:
        module = importlib.import_module(package)
        outcome = "ok"
        if getattr(module, "__file__", None) is None:
            outcome = f"{package}/__init__.py is missing: {package} is not the generated package\n"
    except Exception as exc:  # pylint: disable=broad-except
        outcome = _describe(exc)
    with open(report, "w", encoding="utf-8") as out:
        out.write(outcome)

"""pytest configuration of the @PACKAGE@ project (written once by git-hop: it is yours).

The package @PACKAGE@ and its tests need half_orm (pip install half_orm):
without it they fail to import, and 'git hop test' says so.
"""

import importlib.util


def pytest_report_header(config):
    if importlib.util.find_spec("half_orm") is None:
        return "half_orm is not installed (pip install half_orm): the tests of @PACKAGE@ cannot run"
    import half_orm  # pylint: disable=import-outside-toplevel

    return f"half_orm {half_orm.__version__}"

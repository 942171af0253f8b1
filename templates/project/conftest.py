"""pytest configuration of the @PACKAGE@ project (written once by git-hop: it is yours).

The tests of the generated package need half_orm: where it is not
installed, they are not collected (and the header of the run says so).
"""

import importlib.util
import pathlib

HALF_ORM = importlib.util.find_spec("half_orm") is not None
PACKAGE = pathlib.Path(__file__).parent / "@PACKAGE@"


def pytest_ignore_collect(collection_path, config):
    if not HALF_ORM and PACKAGE in (collection_path, *collection_path.parents):
        return True
    return None


def pytest_report_header(config):
    if not HALF_ORM:
        return "half_orm is not installed: the tests of @PACKAGE@/ are not collected"
    return None

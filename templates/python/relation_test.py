"""Tests of @MODULE@.

git-hop writes this file once and never again: it is yours.
"""

import pytest

pytest.importorskip('half_orm')

from half_orm.relation import Relation  # noqa: E402
from @PACKAGE@.base_test import BaseTest  # noqa: E402
@IMPORT_CLASS@


class Test@CLASS@(BaseTest):
    """Tests of the @CLASS@ class."""

    def test_instantiate(self):
        self.assertIsInstance(@CLASS@(), Relation)

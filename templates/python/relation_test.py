"""Tests of @MODULE@.

git-hop writes this file once and never again: it is yours.
"""

from @PACKAGE@.base_test import BaseTest
@IMPORT_CLASS@


class Test@CLASS@(BaseTest):
    """Tests of the @CLASS@ class."""

    def test_instantiate(self):
        self.assertIsInstance(@CLASS@(), self.Relation)

"""The base class of the tests of the @PACKAGE@ package.

git-hop writes this file once and never again: it is yours.
"""

import unittest


class BaseTest(unittest.TestCase):
    """Common set-up of the relation tests."""

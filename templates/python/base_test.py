"""The base class of the tests of the @PACKAGE@ package.

git-hop writes this file once and never again: it is yours.
"""

from half_orm.hotest import HoTestCase
from half_orm.relation import Relation


class BaseTest(HoTestCase):
    """Common set-up of the relation tests: self.Relation is half_orm's
    Relation class; HoTestCase adds half_orm's assertions (hotAssertIsPkey,
    hotAssertReferences...)."""

    def setUp(self):
        self.Relation = Relation

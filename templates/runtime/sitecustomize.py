"""git-hop's start-up hook for the project code it runs.

git-hop runs a project's .py release scripts and its tests against
databases of its own (<db>__hop_apply, <db>__hop_test, ...), with this
directory first on PYTHONPATH. half_orm names things after the database it
is connected to, the reverse foreign keys above all
("_reverse_fkey_<database>_<schema>_<relation>_<columns>"): code written for
the database <db> would break in git-hop's copies of it. So, when
GIT_HOP_DATABASE names the database git-hop runs the code against and
GIT_HOP_LOGICAL_DATABASE the name the code was written for, half_orm is made
to see that database under its logical name, as soon as it is imported; it
still connects to the real one. Nothing else changes, and nothing at all
when the two names are equal.

Then the sitecustomize module this one hides (a later one on sys.path), if
any, runs as it would have.
"""

import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))


def _seen_as(name):
    """The name half_orm must see for the database `name`."""
    if name == os.environ.get("GIT_HOP_DATABASE"):
        return os.environ.get("GIT_HOP_LOGICAL_DATABASE") or name
    return name


class _Connection:
    """A psycopg2 connection whose DSN names the database by its logical
    name; everything else is the connection's."""

    def __init__(self, connection):
        self.__dict__["_connection"] = connection

    def get_dsn_parameters(self):
        parameters = self._connection.get_dsn_parameters()
        if "dbname" in parameters:
            parameters["dbname"] = _seen_as(parameters["dbname"])
        return parameters

    def __getattr__(self, name):
        return getattr(self._connection, name)

    def __setattr__(self, name, value):
        setattr(self._connection, name, value)


def _patch_pg_meta(module):
    """PgMeta takes the database name from the connection's DSN."""
    pg_meta = module.PgMeta
    original = pg_meta.__init__

    def __init__(self, connection, reload=False):
        original(self, _Connection(connection), reload)

    pg_meta.__init__ = __init__


def _patch_model(module):
    """Model keys its relations by the name of its connection file, which
    names the real database (that is where it connects)."""
    model = module.Model
    original_load = model._Model__load_config

    def real_name(self):
        return self._Model__dbinfo["dbname"]

    def logical_name(self):
        if getattr(self, "_git_hop_loading", False):
            # half_orm refuses a new connection file that names another
            # database: it compares real names.
            return real_name(self)
        return _seen_as(real_name(self))

    def load_config(self, config_file):
        self._git_hop_loading = True
        try:
            return original_load(self, config_file)
        finally:
            self._git_hop_loading = False

    model._Model__dbname = property(logical_name)
    model._Model__load_config = load_config


_PATCHES = {"half_orm.pg_meta": _patch_pg_meta, "half_orm.model": _patch_model}


class _Loader(importlib.abc.Loader):
    def __init__(self, loader, patch):
        self._loader = loader
        self._patch = patch

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        self._patch(module)


class _Finder(importlib.abc.MetaPathFinder):
    """Patches half_orm's modules as they are imported."""

    def find_spec(self, fullname, path, target=None):
        patch = _PATCHES.get(fullname)
        if patch is None:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(spec.loader, patch)
        return spec


def _install():
    real = os.environ.get("GIT_HOP_DATABASE")
    logical = os.environ.get("GIT_HOP_LOGICAL_DATABASE")
    if real and logical and real != logical:
        sys.meta_path.insert(0, _Finder())


def _chain():
    """Run the sitecustomize module that this one hides."""
    path = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", path)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    sys.modules[__name__] = module
    spec.loader.exec_module(module)


_install()
_chain()

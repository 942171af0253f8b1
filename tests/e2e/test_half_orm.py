"""The generated package under the real half_orm (issue 10, design §12).

A shop on two schemas (sales, stock): an enum, a composite primary key
(stock."Item", an upper-case name), foreign keys within sales and from sales
to stock (a composite one), a view, and a column named after a Python
keyword (sales."order"."class"). The user's class sections name the foreign
keys both ways: forward ones by their constraint, reverse ones either by
half_orm's own name, "_reverse_fkey_<database>_<schema>_<relation>_<columns>",
written for the development database as half_orm's documentation shows
(the "literal" project), or through the package's reverse_fkey() (the
"portable" project).

The project's own test, tests/test_shop.py, imports every generated class
and runs CRUD and foreign-key navigation through them. It runs under
`git hop test` (in git-hop's copy of the database) and, with plain half_orm
and no git-hop at all, against any database: check_generated_package_in()
does that, and is what the production part of the issue (after `git hop
upgrade` into a production database of another name) calls.

Also here: a run that tests nothing, or a package that cannot be imported,
fails with a hint (git hop test, release); pyproject.toml stays TOML
whatever the database is called (issue 9 #18); schemas and relations whose
names are not Python names get importable modules (issue 9 #19); the
interpreter probe runs once (issue 12).
"""

from __future__ import annotations

import ast
import contextlib
import os
import re
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

import hoptest
from hoptest import git, hop, make_env, run, sql

PKG = "shop"

SCHEMA = """
create schema sales;
create schema stock;
create type sales.mood as enum ('happy', 'sad');
create table sales.customer (
  id serial primary key,
  name text not null unique,
  mood sales.mood not null default 'happy'
);
create table sales."order" (
  id serial primary key,
  customer_id int not null references sales.customer,
  "class" text not null default 'standard'
);
create table stock."Item" (
  sku text,
  site int,
  label text not null,
  primary key (sku, site)
);
create table sales.line (
  order_id int references sales."order" on delete cascade,
  sku text,
  site int,
  qty int not null,
  primary key (order_id, sku, site),
  foreign key (sku, site) references stock."Item"
);
create view sales.big_order as
  select o.id, o.customer_id, sum(l.qty)::int as qty
  from sales."order" o join sales.line l on l.order_id = o.id
  group by o.id having sum(l.qty) >= 10;
"""

# How the user's class sections name each reverse key: (module, alias,
# referencing relation, its columns).
REVERSE = [
    ("sales/customer.py", "orders", "sales.order", ["customer_id"]),
    ("sales/order.py", "lines", "sales.line", ["order_id"]),
    ("stock/Item.py", "lines", "sales.line", ["sku", "site"]),
]
FORWARD = [
    ("sales/order.py", "customer", "order_customer_id_fkey"),
    ("sales/line.py", "order", "line_order_id_fkey"),
    ("sales/line.py", "item", "line_sku_site_fkey"),
]

# The project's own test: every generated class imports; CRUD and
# navigation through the Fkeys aliases of the class sections. It cleans up
# after itself, so it can run in any database of the model.
TEST_SHOP = '''\
"""CRUD and foreign-key navigation through the generated classes."""

import importlib
import uuid

from half_orm.relation import Relation

from shop.sales.big_order import BigOrder
from shop.sales.customer import Customer
from shop.sales.line import Line
from shop.sales.order import Order
from shop.stock.Item import Item


def test_every_generated_class_imports():
    seen = {}
    for schema in ("sales", "stock"):
        package = importlib.import_module(f"shop.{schema}")
        for name in package.__all__:
            module = importlib.import_module(f"shop.{schema}.{name}")
            classes = [c for c in vars(module).values()
                       if isinstance(c, type) and c.__module__ == module.__name__]
            assert len(classes) == 1, (module, classes)
            assert issubclass(classes[0], Relation)
            seen[f"{schema}.{name}"] = classes[0].__name__
    assert seen == {
        "sales.big_order": "BigOrder", "sales.customer": "Customer",
        "sales.line": "Line", "sales.order": "Order", "stock.Item": "Item",
    }


def test_crud_and_navigation():
    tag = uuid.uuid4().hex
    name, sku = f"Ada {tag}", f"B-{tag}"
    customer_id = Customer(name=name, mood="sad").ho_insert()["id"]
    order_id = Order(customer_id=customer_id, klass="express").ho_insert()["id"]
    Item(sku=sku, site=1, label="Bolt").ho_insert()
    Line(order_id=order_id, sku=sku, site=1, qty=12).ho_insert()

    customer = Customer(name=name)
    assert customer.order_count() == 1
    # A reverse key within the schema, and the keyword column (aliased).
    orders = list(customer.orders().ho_select())
    assert [(o["id"], o["class"]) for o in orders] == [(order_id, "express")]
    # A forward key, and a reverse one.
    order = Order(id=order_id)
    assert [c["name"] for c in order.customer().ho_select()] == [name]
    assert [l["qty"] for l in order.lines().ho_select()] == [12]
    # Across the schemas, on the composite key, both ways.
    assert [l["order_id"] for l in Item(sku=sku, site=1).lines().ho_select()] == [order_id]
    assert [i["label"] for i in Line(order_id=order_id).item().ho_select()] == ["Bolt"]
    assert [l["sku"] for l in Line(order_id=order_id).order().lines().ho_select()] == [sku]
    # The view, and the enum.
    assert [b["qty"] for b in BigOrder(id=order_id).ho_select()] == [12]
    assert [c["mood"] for c in customer.ho_select()] == ["sad"]

    Item(sku=sku, site=1).ho_update(label="Nut")
    assert [i["label"] for i in Item(sku=sku, site=1).ho_select()] == ["Nut"]
    Order(id=order_id).ho_delete()
    assert Line(order_id=order_id).ho_count() == 0  # on delete cascade
    Item(sku=sku, site=1).ho_delete()
    Customer(id=customer_id).ho_delete()
    assert Customer(name=name).ho_count() == 0
'''

# The release's .py script: rows inserted through the generated classes,
# checked through the reverse keys of the class sections.
FILL_PY = '''\
"""Fill the catalogue through the generated classes."""

from shop.sales.customer import Customer
from shop.sales.line import Line
from shop.sales.order import Order
from shop.stock.Item import Item

Item(sku="B-1", site=1, label="Bolt", weight=5).ho_insert()
customer = Customer(name="First customer").ho_insert()
order = Order(customer_id=customer["id"]).ho_insert()
Line(order_id=order["id"], sku="B-1", site=1, qty=3).ho_insert()
assert Customer(name="First customer").orders().ho_count() == 1
assert Item(sku="B-1", site=1).lines().ho_count() == 1
print("filled")
'''


# --------------------------------------------------------------------------
# Helpers


@dataclass
class Shop:
    """A git-hop project 'shop' on the database `db`."""

    path: Path
    env: dict
    db: str
    cluster: object
    base: Path

    def hop(self, *args, **kwargs):
        return hop(self.env, self.path, *args, **kwargs)

    def git(self, *args) -> str:
        return git(self.env, self.path, *args)

    def sql(self, query: str, params=None) -> list:
        return sql(self.cluster, self.db, query, params)

    def module(self, rel: str) -> Path:
        return self.path / PKG / rel

    def commit(self, message: str) -> None:
        self.git("add", "-A")
        self.git("commit", "-q", "--no-verify", "-m", message)


def reverse_name(db: str, relation: str, columns: list) -> str:
    """half_orm's name of a reverse key, as its documentation shows it."""
    schema, table = relation.rsplit(".", 1)
    name = "_".join(["_reverse_fkey", db, schema, table, *columns])
    return name.replace(".", "_").replace(":", "_").replace('"', "")


def add_to_section(path: Path, index: int, code: str) -> None:
    """Put `code` at the start of the user section `index` (0 module, 1
    class, 2 methods) of a generated module."""
    text = path.read_text()
    begin = "#>>> PLACE YOUR CODE BELOW THIS LINE. DO NOT REMOVE THIS LINE!\n"
    at = -1
    for _ in range(index + 1):
        at = text.index(begin, at + 1)
    at += len(begin)
    path.write_text(text[:at] + code + text[at:])


def write_user_code(p: Shop, literal: bool) -> None:
    """The user's sections: Fkeys aliases (reverse keys by half_orm's name
    for the development database, or through reverse_fkey()), an alias of
    the keyword column, a method."""
    fkeys: dict = {}
    for module, alias, relation, columns in REVERSE:
        if literal:
            value = repr(reverse_name(p.db, relation, columns))
        else:
            value = "reverse_fkey(" + ", ".join(repr(a) for a in [relation, *columns]) + ")"
        fkeys.setdefault(module, []).append((alias, value))
    for module, alias, constraint in FORWARD:
        fkeys.setdefault(module, []).append((alias, repr(constraint)))
    for module, entries in fkeys.items():
        body = "".join(f"        {alias!r}: {value},\n" for alias, value in entries)
        add_to_section(p.module(module), 1, "    Fkeys = {\n" + body + "    }\n")
    add_to_section(p.module("sales/order.py"), 0, "fields_aliases = {'class': 'klass'}\n")
    add_to_section(p.module("sales/customer.py"), 2,
                   "\n    def order_count(self):\n        return self.orders().ho_count()\n")


def python_env(env: dict, conf_dir: Path, project: Path) -> dict:
    """The environment of plain Python code using the package, as an
    application would run it: no git-hop, half_orm and the project on
    PYTHONPATH, the connection files in `conf_dir`."""
    result = {k: v for k, v in env.items() if not k.startswith("GIT_HOP")}
    result["HALFORM_CONF_DIR"] = str(conf_dir)
    result["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(project), hoptest.python_path()) if p)
    return result


def check_generated_package_in(p: Shop, dbname: str, conf_dir: Path | None = None):
    """Run tests/test_shop.py (every generated class imports; CRUD and
    navigation) with plain half_orm and no git-hop against the database
    `dbname`, reached through a connection file of its own (`conf_dir`, a
    fresh one by default), as the application would in production. Returns
    the pytest result; the production part of issue 10 (after `git hop
    upgrade` into a production database of another name) calls it with the
    production database and asserts code 0."""
    if conf_dir is None:
        conf_dir = p.base / f"conf-{secrets.token_hex(4)}"
        conf_dir.mkdir()
        (conf_dir / PKG).write_text(
            f"[database]\nname = {dbname}\nhost = {p.env['PGHOST']}\n"
            f"user = {p.env['PGUSER']}\nproduction = False\n")
    return run(python_env(p.env, conf_dir, p.path),
               "/usr/bin/python3", "-m", "pytest", "-q", "-p", "no:cacheprovider",
               "tests/test_shop.py", cwd=p.path)


@contextlib.contextmanager
def shop_project(kind: str, tmp_path_factory, cluster, git_hop_bin, git_hop_prefix):
    base = tmp_path_factory.mktemp(f"halform-{kind}")
    env = make_env(base, cluster, git_hop_bin, git_hop_prefix)
    work = base / "work"
    work.mkdir()
    # The development database is not named like the package: half_orm's
    # reverse keys carry the database's name.
    db = f"t_halform_{kind}_{secrets.token_hex(4)}"
    hoptest.create_database(cluster, db)
    sql(cluster, db, SCHEMA)
    try:
        hop(env, work, "new", PKG, "--devel", "--database", db, check=0)
        yield Shop(work / PKG, env, db, cluster, base)
    finally:
        for (name,) in sql(cluster, "postgres",
                           "select datname from pg_database where starts_with(datname, %s)",
                           (db,)):
            hoptest.drop_database(cluster, name)


def prepared_shop(p: Shop, literal: bool):
    """The user's code and test written, the package generated again."""
    write_user_code(p, literal)
    (p.path / "tests").mkdir(exist_ok=True)
    (p.path / "tests" / "test_shop.py").write_text(TEST_SHOP)
    result = p.hop("sync-package", check=0)
    p.commit("shop: user code and tests")
    return result


@pytest.fixture(scope="module")
def literal(tmp_path_factory, pg_cluster, git_hop_bin, git_hop_prefix):
    """Reverse keys named by half_orm's names for the development database."""
    with shop_project("literal", tmp_path_factory, pg_cluster, git_hop_bin,
                      git_hop_prefix) as p:
        p.sync = prepared_shop(p, literal=True)
        yield p


@pytest.fixture(scope="module")
def portable(tmp_path_factory, pg_cluster, git_hop_bin, git_hop_prefix):
    """Reverse keys named through reverse_fkey()."""
    with shop_project("portable", tmp_path_factory, pg_cluster, git_hop_bin,
                      git_hop_prefix) as p:
        p.sync = prepared_shop(p, literal=False)
        yield p


def warnings_of(result) -> list:
    return [l[len("warning: "):] for l in result.err.splitlines() if l.startswith("warning: ")]


def docstring(path: Path) -> str:
    tree = ast.parse(path.read_text())
    return ast.get_docstring(next(n for n in tree.body if isinstance(n, ast.ClassDef)))


def clone(p: Shop, name: str) -> None:
    """A copy of the development database under another name."""
    hoptest.drop_database(p.cluster, name)
    sql(p.cluster, "postgres",
        f"create database {hoptest.quote_ident(name)} template {hoptest.quote_ident(p.db)}")


# --------------------------------------------------------------------------
# What git-hop generates


@pytest.mark.parametrize("kind", ["literal", "portable"])
def test_valid_aliases_are_not_warned_about_and_reach_the_dataclasses(kind, request):
    p = request.getfixturevalue(kind)
    warnings = warnings_of(p.sync)
    assert not any("Fkeys" in w for w in warnings), warnings
    # The keyword column is a keyword, and aliased: no warning for it.
    assert not any("column class" in w for w in warnings), warnings
    dataclasses = (p.path / PKG / "ho_dataclasses.py").read_text()
    for line in ("self.orders = DC_SalesOrder", "self.customer = DC_SalesCustomer",
                 "self.lines = DC_SalesLine", "self.order = DC_SalesOrder",
                 "self.item = DC_StockItem"):
        assert f"        {line}\n" in dataclasses, line
    assert dataclasses.count("        self.lines = DC_SalesLine\n") == 2


def test_docstrings_list_the_reverse_keys_whatever_the_database(literal):
    doc = docstring(literal.module("stock/Item.py"))
    assert "PRIMARY KEY (sku, site)\n" in doc
    assert ("- reverse_fkey('sales.line', 'sku', 'site'): (sku, site)\n"
            "  \u21b3 \"shop\":sales.line(sku, site)\n") in doc
    assert "    '': reverse_fkey('sales.line', 'sku', 'site'),\n" in doc
    assert literal.db not in doc
    doc = docstring(literal.module("sales/line.py"))
    # Reserved words are quoted, as PostgreSQL prints them.
    assert ("- line_order_id_fkey: (order_id)\n"
            "  \u21b3 \"shop\":sales.\"order\"(id)\n") in doc
    assert ("- line_sku_site_fkey: (sku, site)\n"
            "  \u21b3 \"shop\":stock.\"Item\"(sku, site)\n") in doc
    module_doc = ast.get_docstring(ast.parse(literal.module("sales/order.py").read_text()))
    assert module_doc.startswith(
        "The module shop.sales.order provides the Order class, which maps the table sales.\"order\".")
    # The keyword column: flagged as a keyword until it is aliased.
    result = hop(literal.env, literal.path, "sync-package", check=0)
    assert "- class:" in docstring(literal.module("sales/order.py"))
    assert "FIX ME" not in docstring(literal.module("sales/order.py"))
    assert "warning" not in result.err
    # The package's reverse_fkey() is half_orm's naming.
    init = (literal.path / PKG / "__init__.py").read_text()
    assert "def reverse_fkey(relation, *columns):" in init


def test_generated_base_test_offers_the_relation_class(literal):
    text = (literal.path / PKG / "base_test.py").read_text()
    assert "self.Relation = Relation" in text
    stub = (literal.path / PKG / "sales" / "customer_test.py").read_text()
    assert "self.assertIsInstance(Customer(), self.Relation)" in stub


# --------------------------------------------------------------------------
# Under half_orm, in development


@pytest.mark.parametrize("kind", ["literal", "portable"])
def test_classes_crud_and_navigation_in_the_development_database(kind, request):
    """Plain half_orm, no git-hop, against the database the code was
    written for."""
    p = request.getfixturevalue(kind)
    r = check_generated_package_in(p, p.db)
    assert r.code == 0, str(r)
    assert "2 passed" in r.out, str(r)


@pytest.mark.parametrize("kind", ["literal", "portable"])
def test_git_hop_test_runs_the_stubs_and_the_project_tests(kind, request):
    """In git-hop's copy of the database, <db>__hop_test, the literal names
    written for <db> work as they do in <db>."""
    p = request.getfixturevalue(kind)
    r = p.hop("test")
    assert r.code == 0, str(r)
    # Five stubs (one a relation) and the two tests of tests/test_shop.py.
    assert re.search(r"^tests: 7 passed, 0 failed in ", r.out, re.M), str(r)
    assert f"Testing against a copy of '{p.db}': {p.db}__hop_test" in r.err


def test_literal_names_are_bound_to_their_database(literal):
    """Without git-hop, half_orm's literal names written for <db> do not
    work in a database of another name (production, often): that is what
    reverse_fkey() is for."""
    other = f"{literal.db}_other"
    clone(literal, other)
    try:
        r = check_generated_package_in(literal, other)
        assert r.code == 1, str(r)
        assert "WrongFkeyError" in r.out, str(r)
    finally:
        hoptest.drop_database(literal.cluster, other)


def test_reverse_fkey_works_whatever_the_database_is_called(portable):
    other = f"{portable.db}_prod"
    clone(portable, other)
    try:
        r = check_generated_package_in(portable, other)
        assert r.code == 0, str(r)
        assert "2 passed" in r.out, str(r)
    finally:
        hoptest.drop_database(portable.cluster, other)


def release_weights(p: Shop) -> None:
    """prepare 0.1.0, a .py script inserting rows through the classes (run
    in <db>__hop_apply), apply, test, release."""
    if p.git("tag", "-l", "0.1.0") == "0.1.0":
        return
    p.hop("prepare", "-l", "minor", "-m", "Weights", check=0)
    (p.path / "Patches/0/1/0/00_weight.sql").write_text(
        'alter table stock."Item" add column weight int;\n')
    (p.path / "Patches/0/1/0/10_fill.py").write_text(FILL_PY)
    r = p.hop("apply", "-v")
    assert r.code == 0, str(r)
    assert "filled" in r.out + r.err, str(r)
    assert "weight: 'int' = None" in p.module("stock/Item.py").read_text()
    p.commit("0.1.0: weights")
    r = p.hop("test")
    assert r.code == 0, str(r)
    r = p.hop("release")
    assert r.code == 0, str(r)
    assert re.search(r"^Released 0\.1\.0 \(\w+\), tests: 7 passed, 0 failed in ", r.out, re.M), str(r)


@pytest.mark.parametrize("kind", ["literal", "portable"])
def test_a_release_whose_py_script_uses_the_classes(kind, request):
    """The release's rows are in the database."""
    p = request.getfixturevalue(kind)
    release_weights(p)
    assert p.sql('select c.name, i.weight, l.qty from sales.line l'
                 ' join sales."order" o on o.id = l.order_id'
                 ' join sales.customer c on c.id = o.customer_id'
                 ' join stock."Item" i using (sku, site)') == [("First customer", 5, 3)]
    assert p.git("tag", "-l", "0.1.0") == "0.1.0"


def test_upgrade_of_a_production_database_of_another_name(portable, git_hop_bin,
                                                           git_hop_prefix):
    """The release's .py script runs under half_orm in production, in a
    database of another name, through `git hop upgrade`; then the
    application (plain half_orm, no git-hop) works on it."""
    p = portable
    release_weights(p)
    bare = p.base / "remote.git"
    if not bare.exists():
        run(p.env, "git", "init", "-q", "--bare", bare, cwd=p.base, check=True)
        p.git("remote", "add", "origin", str(bare))
    p.git("push", "-q", "--no-verify", "origin", "hop_main", "--tags",
          "refs/notes/hop:refs/notes/hop")
    prod_base = p.base / f"prod-{secrets.token_hex(4)}"
    prod_base.mkdir()
    env = make_env(prod_base, p.cluster, git_hop_bin, git_hop_prefix)
    prod = prod_base / "shop"
    run(env, "git", "clone", "-q", "-b", "hop_main", bare, prod, cwd=prod_base, check=True)
    run(env, "git", "fetch", "-q", "origin", "refs/notes/hop:refs/notes/hop", cwd=prod,
        check=True)
    live = f"{p.db}_live"
    hoptest.create_database(p.cluster, live)
    try:
        (Path(env["HALFORM_CONF_DIR"]) / PKG).write_text(
            f"[database]\nname = {live}\nhost = {p.env['PGHOST']}\n"
            f"user = {p.env['PGUSER']}\nproduction = True\n")
        r = hop(env, prod, "upgrade", "--init", "-v")
        assert r.code == 0, str(r)
        assert "filled" in r.out + r.err, str(r)
        assert sql(p.cluster, live,
                   'select c.name, i.weight, l.qty from sales.line l'
                   ' join sales."order" o on o.id = l.order_id'
                   ' join sales.customer c on c.id = o.customer_id'
                   ' join stock."Item" i using (sku, site)') == [("First customer", 5, 3)]
        r = check_generated_package_in(p, live)
        assert r.code == 0, str(r)
        assert "2 passed" in r.out, str(r)
    finally:
        hoptest.drop_database(p.cluster, live)


# --------------------------------------------------------------------------
# A run that tests nothing does not pass (issue 10 #2)


@pytest.fixture
def small(env, workdir, dbname, pg_cluster):
    """A devel project 'shop' with one relation, and its databases dropped
    afterwards."""
    sql(pg_cluster, dbname, "create table public.thing (id int primary key)")
    hop(env, workdir, "new", PKG, "--devel", "--database", dbname, check=0)
    p = Shop(workdir / PKG, env, dbname, pg_cluster, workdir)
    yield p
    for (name,) in sql(pg_cluster, "postgres",
                       "select datname from pg_database where starts_with(datname, %s)",
                       (dbname + "__hop",)):
        hoptest.drop_database(pg_cluster, name)


def without_half_orm(env: dict) -> dict:
    """`env` with HOP_HALF_ORM's folder off PYTHONPATH."""
    folder = os.environ.get("HOP_HALF_ORM")
    parts = [x for x in env.get("PYTHONPATH", "").split(os.pathsep) if x and x != folder]
    result = dict(env)
    if parts:
        result["PYTHONPATH"] = os.pathsep.join(parts)
    else:
        result.pop("PYTHONPATH", None)
    return result


def half_orm_importable(env: dict) -> bool:
    return run(env, "/usr/bin/python3", "-c", "import half_orm", cwd="/").code == 0


def test_test_without_a_test_fails_with_a_hint(small):
    (small.path / PKG / "public" / "thing_test.py").unlink()
    small.commit("no test")
    r = small.hop("test")
    assert r.code == 1, str(r)
    assert re.search(r"^tests: no test ran in ", r.out, re.M), str(r)
    assert r.err.endswith(
        "error: no test ran\n"
        "  pytest collected no test.\n"
        "hint: Write tests in tests/ or keep the generated test stubs "
        "(shop/<schema>/<relation>_test.py): a run that tests nothing does not pass.\n"), str(r)


def test_test_with_only_skipped_tests_fails(small):
    (small.path / PKG / "public" / "thing_test.py").write_text(
        "import pytest\n\n\n@pytest.mark.skip('not now')\ndef test_later():\n    pass\n")
    r = small.hop("test")
    assert r.code == 1, str(r)
    assert re.search(r"^tests: no test ran \(1 skipped\) in ", r.out, re.M), str(r)
    assert "error: no test ran\n  pytest skipped all the tests it collected.\n" in r.err


def test_test_fails_when_the_package_cannot_be_imported(small):
    init = small.path / PKG / "__init__.py"
    # A merge left its conflict markers in the package.
    init.write_text("<<<<<<< HEAD\n" + init.read_text())
    r = small.hop("test")
    assert r.code == 1, str(r)
    assert "error: the package 'shop' cannot be imported\n" in r.err, str(r)
    assert "  SyntaxError: invalid syntax\n" in r.err, str(r)
    assert ("hint: Fix what the traceback names; '/usr/bin/python3 -c \"import shop\"' in the "
            "project shows it again.\n") in r.err, str(r)
    # Without its __init__.py, the directory is not the package.
    init.unlink()
    r = small.hop("test")
    assert r.code == 1, str(r)
    assert ("error: the package 'shop' cannot be imported\n"
            "  shop/__init__.py is missing: shop is not the generated package\n") in r.err, str(r)


def test_test_without_half_orm_fails_with_a_hint(small):
    env = without_half_orm(small.env)
    r = hop(env, small.path, "test")
    if half_orm_importable(env):
        # half_orm is installed for the interpreter itself (no HOP_HALF_ORM).
        assert r.code == 0, str(r)
        return
    assert r.code == 1, str(r)
    assert "error: the package 'shop' cannot be imported\n" in r.err, str(r)
    assert "  ModuleNotFoundError: No module named 'half_orm'\n" in r.err, str(r)
    assert re.search(r"^hint: The package needs half_orm, which \S+ cannot import: install it "
                     r"for that Python \(pip install half_orm\), or set \[python\] interpreter",
                     r.err, re.M), str(r)


def test_release_refuses_a_run_that_tests_nothing(small):
    small.hop("prepare", "-l", "patch", "-m", "More", check=0)
    (small.path / "Patches/0/0/1/00_more.sql").write_text("create table public.more (id int);\n")
    small.hop("apply", check=0)
    for stub in (small.path / PKG / "public").glob("*_test.py"):
        stub.write_text('"""No test yet."""\n')
    small.commit("0.0.1 without tests")
    r = small.hop("release")
    assert r.code == 1, str(r)
    assert "error: no test ran: 0.0.1 is not released\n" in r.err, str(r)
    assert "  Nothing was committed or tagged.\n" in r.err
    assert "hint: Write tests in tests/" in r.err
    assert small.git("tag", "-l", "0.0.1") == ""

    # Nor one whose package does not import.
    (small.path / PKG / "public" / "thing_test.py").write_text("def test_ok():\n    pass\n")
    small.commit("a test")
    r = hop(without_half_orm(small.env), small.path, "release")
    if half_orm_importable(without_half_orm(small.env)):
        assert r.code == 0, str(r)
        return
    assert r.code == 1, str(r)
    assert "error: the package 'shop' cannot be imported: 0.0.1 is not released\n" in r.err, str(r)
    assert small.git("tag", "-l", "0.0.1") == ""


def test_pre_push_refuses_a_release_branch_that_tests_nothing(small, tmp_path):
    bare = tmp_path / "origin.git"
    run(small.env, "git", "init", "-q", "--bare", bare, cwd=tmp_path, check=0)
    small.git("remote", "add", "origin", str(bare))
    small.hop("prepare", "-l", "patch", "-m", "More", check=0)
    (small.path / "Patches/0/0/1/00_more.sql").write_text("create table public.more (id int);\n")
    small.hop("apply", check=0)
    for stub in (small.path / PKG / "public").glob("*_test.py"):
        stub.write_text('"""No test yet."""\n')
    small.commit("0.0.1 without tests")
    r = run(small.env, "git", "push", "origin", "hop_0.0.1", cwd=small.path)
    assert r.code != 0, str(r)
    assert "error: pre-push: refs/heads/hop_0.0.1: no test ran\n" in r.err, str(r)
    assert small.git("ls-remote", "origin") == ""


# --------------------------------------------------------------------------
# Names (issue 9 #18, #19)


def test_9_18_a_quote_in_the_database_name_keeps_pyproject_toml_valid(
        env, workdir, pg_cluster):
    name = f'q_{secrets.token_hex(4)}"\\ x'
    hoptest.create_database(pg_cluster, name)
    try:
        hop(env, workdir, "new", PKG, "--database", name, check=0)
        data = tomllib.loads((workdir / PKG / "pyproject.toml").read_text())
        assert data["project"]["description"] == f"half_orm package of the {name} PostgreSQL database"
        assert data["project"]["name"] == PKG
        assert data["project"]["dependencies"] == ["half_orm"]
        assert data["tool"]["setuptools"]["dynamic"]["version"] == {"file": "shop/version.txt"}
        assert data["tool"]["setuptools"]["package-data"] == {"shop": ["version.txt"]}
        assert data["tool"]["pytest"]["ini_options"]["testpaths"] == ["tests", "shop"]
    finally:
        hoptest.drop_database(pg_cluster, name)


def test_9_19_names_that_are_not_python_names_give_importable_modules(
        env, workdir, dbname, pg_cluster):
    sql(pg_cluster, dbname, '''
        create schema "s.p-a ce";
        create schema "s.p_a_ce";
        create table "s.p-a ce"."tri""""""q" (id int primary key);
        create table "s.p-a ce"."my table" (id int primary key,
            t int references "s.p-a ce"."tri""""""q");
        create table "s.p-a ce"."my-table" (id int primary key);
        create table "s.p_a_ce".my_table (id int primary key);
    ''')
    r = hop(env, workdir, "new", PKG, "--devel", "--database", dbname, check=0)
    warnings = warnings_of(r)
    pkg = workdir / PKG / PKG
    # The exact names keep theirs; the others are mapped, and never collide.
    assert (pkg / "s" / "p_a_ce" / "my_table.py").is_file()
    assert "schema \"s.p-a ce\": its package is shop/s/p_a_ce_2/ ('p-a ce' is not a Python name)" \
        in warnings, warnings
    assert sorted(p.name for p in (pkg / "s" / "p_a_ce_2").glob("*.py")) == [
        "__init__.py", "my_table.py", "my_table_2.py", "my_table_2_test.py", "my_table_test.py",
        "tri___q.py", "tri___q_test.py"]
    assert ('"s.p-a ce"."my table": its module is shop/s/p_a_ce_2/my_table.py '
            "('my table' is not a Python name)") in warnings, warnings
    assert ('"s.p-a ce"."my-table": its module is shop/s/p_a_ce_2/my_table_2.py '
            "('my-table' is not a Python name)") in warnings, warnings
    # Every module imports, with the statement a user would write.
    code = (
        "from shop.s.p_a_ce_2.my_table import MyTable\n"
        "from shop.s.p_a_ce_2.my_table_2 import MyTable as MyTable2\n"
        "from shop.s.p_a_ce_2.tri___q import TriQ\n"
        "from shop.s.p_a_ce.my_table import MyTable as MyTable3\n"
        "print(MyTable._t_fqrn[1:], MyTable2._t_fqrn[1:], TriQ._t_fqrn[1:], MyTable3._t_fqrn[1:])\n"
        "assert TriQ()._ho_fields['id']\n"
    )
    result = run(python_env(env, Path(env["HALFORM_CONF_DIR"]), workdir / PKG),
                 "/usr/bin/python3", "-c", code, cwd=workdir / PKG)
    assert result.code == 0, str(result)
    assert result.out.strip() == (
        "('s.p-a ce', 'my table') ('s.p-a ce', 'my-table') ('s.p-a ce', 'tri\"\"\"q') "
        "('s.p_a_ce', 'my_table')")
    # And so do the generated tests.
    r = hop(env, workdir / PKG, "test")
    assert r.code == 0, str(r)
    assert re.search(r"^tests: 4 passed, 0 failed in ", r.out, re.M), str(r)


# --------------------------------------------------------------------------
# The interpreter probe runs once (issue 12)


def probes(result) -> int:
    return sum(1 for l in result.err.splitlines()
               if "trace: run: python3 -c" in l and "import pytest" in l)


def test_the_interpreter_probe_runs_once(small, tmp_path):
    # A python3 on PATH that is not /usr/bin/python3 itself: the default
    # interpreter depends on whether it can import pytest.
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "python3").symlink_to("/usr/bin/python3")
    env = dict(small.env, PATH=f"{bindir}{os.pathsep}{small.env['PATH']}", GIT_HOP_TRACE="1")
    first = hop(env, small.path, "test")
    assert first.code == 0, str(first)
    assert probes(first) == 1, first.err
    assert re.search(r" trace: run: python3 -m pytest ", first.err), first.err
    again = hop(env, small.path, "test")
    assert again.code == 0, str(again)
    assert probes(again) == 0, again.err
    cache = list((Path(env["HOME"]) / ".cache" / "git-hop").glob("interpreter-*"))
    assert len(cache) == 1
    assert (cache[0].stat().st_mode & 0o077) == 0
    assert cache[0].read_text().endswith("\nanswer=python3")
    # Another python3 (here: another file) is probed again.
    (bindir / "python3").unlink()
    (bindir / "python3").symlink_to("/usr/bin/python3.11")
    assert probes(hop(env, small.path, "test")) == 1
    # A cache file someone else could write is not trusted.
    for f in cache[0].parent.glob("interpreter-*"):
        f.chmod(0o666)
    assert probes(hop(env, small.path, "test")) == 1
    # No probe at all when the interpreter is configured, or when python3
    # is /usr/bin/python3.
    plain = dict(small.env, PATH=f"/usr/bin{os.pathsep}{small.env['PATH']}", GIT_HOP_TRACE="1")
    assert probes(hop(plain, small.path, "test")) == 0

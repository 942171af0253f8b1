"""End-to-end tests of the Python package git-hop generates from the database
model (`git hop new`, `git hop sync-package`): upstream spec §5 and the
acceptance scenarios 6 and 38-40.

Every test builds its own database with SQL, creates a project on it with
`git hop new`, and runs the commands exactly as a user does. half_orm is not
installed: the generated code is checked by compiling every file and by
reading it with `ast`, never by importing it.
"""

from __future__ import annotations

import ast
import hashlib
from pathlib import Path

import pytest

from hoptest import git, hop, schema_exists, sql

PKG = "demo"
BEGIN = "#>>> PLACE YOUR CODE BELOW THIS LINE. DO NOT REMOVE THIS LINE!"
END = "#<<< PLACE YOUR CODE ABOVE THIS LINE. DO NOT REMOVE THIS LINE!"


# --------------------------------------------------------------------------
# Helpers


def new_project(cluster, env, db: str, workdir: Path, ddl: str | None = None, *,
                devel: bool = True):
    """Run `ddl` in `db`, then `git hop new demo [--devel] --database db`;
    returns (project root, result of new)."""
    if ddl:
        sql(cluster, db, ddl)
    args = ["new", PKG, "--database", db]
    if devel:
        args.insert(2, "--devel")
    result = hop(env, workdir, *args, check=True)
    return workdir / PKG, result


def sync(env, root: Path, check=True):
    return hop(env, root, "sync-package", check=check)


def tree_bytes(root: Path) -> dict:
    """relative path -> bytes of every file under `root` (but .git)."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def tree_hash(root: Path) -> str:
    h = hashlib.sha256()
    for path, data in tree_bytes(root).items():
        h.update(path.encode() + b"\0" + hashlib.sha256(data).digest())
    return h.hexdigest()


def compile_package(pkg: Path) -> list:
    """Compile every .py file under `pkg` in memory (no __pycache__ is
    written); returns their paths relative to `pkg`."""
    done = []
    for path in sorted(pkg.rglob("*.py")):
        source = path.read_bytes()
        try:
            compile(source, str(path), "exec", dont_inherit=True)
        except SyntaxError as e:
            raise AssertionError(f"{path} does not compile: {e}\n{source.decode()}") from None
        done.append(path.relative_to(pkg).as_posix())
    assert not list(pkg.rglob("__pycache__"))
    return done


def parse(path: Path) -> ast.Module:
    return ast.parse(path.read_bytes(), filename=str(path))


def module_all(path: Path) -> list:
    """The __all__ list of a schema __init__.py."""
    for node in parse(path).body:
        if isinstance(node, ast.Assign) and [
            t.id for t in node.targets if isinstance(t, ast.Name)
        ] == ["__all__"]:
            return ast.literal_eval(node.value)
    raise AssertionError(f"no __all__ in {path}")


def class_node(path: Path, name: str | None = None) -> ast.ClassDef:
    """The (only, or named) class of a module."""
    classes = [n for n in parse(path).body if isinstance(n, ast.ClassDef)]
    if name is None:
        assert len(classes) == 1, [c.name for c in classes]
        return classes[0]
    found = [c for c in classes if c.name == name]
    assert found, f"no class {name} in {path}: {[c.name for c in classes]}"
    return found[0]


def init_params(cls: ast.ClassDef) -> dict:
    """name -> annotation of the keyword parameters of __init__."""
    init = next(n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == "__init__")
    args = init.args.args
    assert args[0].arg == "self"
    assert init.args.kwarg is not None and init.args.kwarg.arg == "kwargs"
    return {a.arg: ast.literal_eval(a.annotation) for a in args[1:]}


def super_kwargs(cls: ast.ClassDef) -> list:
    """The keyword names __init__ forwards to super().__init__."""
    init = next(n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == "__init__")
    call = next(
        n for n in ast.walk(init)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
        and n.func.attr == "__init__"
    )
    assert call.keywords[-1].arg is None  # **kwargs
    return [k.arg for k in call.keywords[:-1]]


def base_sources(cls: ast.ClassDef) -> list:
    return [ast.unparse(b) for b in cls.bases]


def dataclass_node(pkg: Path, name: str) -> ast.ClassDef:
    return class_node(pkg / "ho_dataclasses.py", name)


def dataclass_fields(pkg: Path, name: str) -> dict:
    """field -> (annotation, default) of a dataclass of ho_dataclasses.py."""
    node = dataclass_node(pkg, name)
    return {
        n.target.id: (ast.unparse(n.annotation), ast.unparse(n.value))
        for n in node.body
        if isinstance(n, ast.AnnAssign)
    }


def dataclass_source(pkg: Path, name: str) -> str:
    node = dataclass_node(pkg, name)
    lines = (pkg / "ho_dataclasses.py").read_text().splitlines()
    return "\n".join(lines[node.lineno - 1:node.end_lineno])


def post_init_lines(pkg: Path, name: str) -> list:
    node = dataclass_node(pkg, name)
    post = next(n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == "__post_init__")
    return [ast.unparse(s) for s in post.body]


def sections(text: str) -> tuple:
    """(module, class, methods) user sections of a generated module, read
    independently of git-hop: the text between the marker lines."""
    lines = text.splitlines(keepends=True)
    marks = [i for i, l in enumerate(lines) if l.strip() in (BEGIN, END)]
    assert len(marks) == 5, marks
    kinds = [lines[i].strip() for i in marks]
    assert kinds == [BEGIN, END, BEGIN, END, BEGIN], kinds
    return (
        "".join(lines[marks[0] + 1:marks[1]]),
        "".join(lines[marks[2] + 1:marks[3]]),
        "".join(lines[marks[4] + 1:]),
    )


def fill_sections(text: str, module: str, klass: str, methods: str) -> str:
    """`text` (a freshly generated module) with the three user sections set."""
    first = text.index(BEGIN + "\n") + len(BEGIN) + 1
    text = text[:first] + module + text[first:]
    second = text.index("    " + BEGIN + "\n", first + len(module))
    second += len(BEGIN) + 5
    text = text[:second] + klass + text[second:]
    assert text.endswith("        " + BEGIN + "\n"), text[-200:]
    return text + methods


def warnings_of(result) -> list:
    return [l[len("warning: "):] for l in result.err.splitlines() if l.startswith("warning: ")]


def porcelain(env, root: Path) -> str:
    return git(env, root, "status", "--porcelain", "--untracked-files=all")


def commit_all(env, root: Path, message: str) -> None:
    git(env, root, "add", "-A")
    git(env, root, "commit", "-q", "--no-verify", "-m", message)


def summary(result) -> str:
    lines = [l for l in result.out.splitlines() if l.startswith(f"package '{PKG}': ")]
    assert len(lines) == 1, str(result)
    return lines[0]


# --------------------------------------------------------------------------
# Creation by `git hop new` (scenario 6)


def test_new_generates_the_package(pg_cluster, env, dbname, workdir):
    root, _ = new_project(pg_cluster, env, dbname, workdir, """
        create table public.first (a text primary key);
        create schema blog;
        create table blog.post_comment (id int primary key, body text);
    """)
    pkg = root / PKG

    # The package files.
    init = parse(pkg / "__init__.py")
    model = [n for n in init.body if isinstance(n, ast.Assign)
             and [t.id for t in n.targets] == ["MODEL"]]
    assert len(model) == 1
    assert ast.unparse(model[0].value) == "Model('demo', scope=__name__)"
    assert "from half_orm.model import Model" in (pkg / "__init__.py").read_text()
    assert (pkg / "version.txt").read_text().strip() == "0.0.0"
    for name in ("ho_dataclasses.py", "sql_adapter.py", "base_test.py"):
        assert (pkg / name).is_file(), name
    adapter = parse(pkg / "sql_adapter.py")
    assert any(isinstance(n, ast.Assign) and n.targets[0].id == "SQL_ADAPTER"
               for n in adapter.body)
    base = class_node(pkg / "base_test.py")
    assert base.name == "BaseTest" and base_sources(base) == ["HoTestCase"]
    assert "self.Relation = Relation" in (pkg / "base_test.py").read_text()

    # Scenario 6: public.first.
    first = pkg / "public" / "first.py"
    cls = class_node(first)
    assert cls.name == "First"
    assert base_sources(cls) == [
        "MODEL.get_relation_class('public.first', fields_aliases=fields_aliases)",
        "ho_dataclasses.DC_PublicFirst",
    ]
    assert init_params(cls) == {"a": "str"}
    assert super_kwargs(cls) == ["a"]
    assert "from demo import MODEL, ho_dataclasses" in first.read_text()
    assert (pkg / "public" / "first_test.py").is_file()
    stub = class_node(pkg / "public" / "first_test.py")
    assert stub.name == "TestFirst" and base_sources(stub) == ["BaseTest"]
    assert "from demo.public.first import First" in (pkg / "public" / "first_test.py").read_text()
    assert module_all(pkg / "public" / "__init__.py") == ["first"]
    assert dataclass_fields(pkg, "DC_PublicFirst") == {
        "a": ("str", "dataclasses.field(default=None)")
    }
    assert post_init_lines(pkg, "DC_PublicFirst") == ["self.a: Field = None"]

    cls = class_node(pkg / "blog" / "post_comment.py")
    assert cls.name == "PostComment"
    assert module_all(pkg / "blog" / "__init__.py") == ["post_comment"]
    assert (pkg / "blog" / "post_comment_test.py").is_file()

    assert sorted(compile_package(pkg)) == sorted([
        "__init__.py", "base_test.py", "ho_dataclasses.py", "sql_adapter.py",
        "blog/__init__.py", "blog/post_comment.py", "blog/post_comment_test.py",
        "public/__init__.py", "public/first.py", "public/first_test.py",
    ])

    # All of it is committed, in the first commit, and the tree is clean.
    assert porcelain(env, root) == ""
    first_commit = git(env, root, "rev-list", "--max-parents=0", "HEAD")
    assert "\n" not in first_commit
    in_commit = set(git(env, root, "ls-tree", "-r", "--name-only", first_commit).splitlines())
    on_disk = {f"{PKG}/{p}" for p in tree_bytes(pkg)}
    assert f"{PKG}/version.txt" in on_disk
    assert on_disk <= in_commit


# --------------------------------------------------------------------------
# Relation kinds and names

KINDS_DDL = """
create schema blog;
create table blog.post_comment (id int primary key, body text);
create view blog.post_view as select id, body from blog.post_comment;
create materialized view blog.post_stats as select count(*) as n from blog.post_comment;
create table blog.measure (id int, day date not null) partition by range (day);
create table blog.measure_2020 partition of blog.measure
    for values from ('2020-01-01') to ('2021-01-01');
create table blog.measure_2021 partition of blog.measure
    for values from ('2021-01-01') to ('2022-01-01');
create foreign data wrapper dummy;
create server dummy_server foreign data wrapper dummy;
create foreign table blog.remote_item (id int, label text) server dummy_server;
create table half_orm_meta.user_table (a int);
create schema half_orm_meta_extra;
create table half_orm_meta_extra.t (a int);
"""


def test_relation_kinds(pg_cluster, env, dbname, workdir):
    root, _ = new_project(pg_cluster, env, dbname, workdir)
    assert schema_exists(pg_cluster, dbname, "half_orm_meta.view")
    sql(pg_cluster, dbname, KINDS_DDL)
    result = sync(env, root)
    pkg = root / PKG

    expected = {
        "post_comment": ("PostComment", "TABLE"),
        "post_view": ("PostView", "VIEW"),
        "post_stats": ("PostStats", "MATERIALIZED VIEW"),
        "measure": ("Measure", "PARTITIONED TABLE"),
        "remote_item": ("RemoteItem", "FOREIGN TABLE"),
    }
    assert module_all(pkg / "blog" / "__init__.py") == sorted(expected)
    for rel, (cls_name, kind) in expected.items():
        path = pkg / "blog" / f"{rel}.py"
        text = path.read_text()
        class_lines = [l for l in text.splitlines() if l.startswith("class ")]
        assert len(class_lines) == 1, class_lines
        line = class_lines[0]
        assert line.startswith(f"class {cls_name}(")
        assert f"MODEL.get_relation_class('blog.{rel}'" in line
        assert f"ho_dataclasses.DC_Blog{cls_name}" in line
        doc = ast.get_docstring(class_node(path))
        assert f"\n{kind}: {rel}\n" in doc, doc
        assert "SCHEMA: blog\n" in doc
        assert (pkg / "blog" / f"{rel}_test.py").is_file()
        dataclass_node(pkg, f"DC_Blog{cls_name}")

    # Partitions get no module; their parent has the columns.
    assert not list(pkg.rglob("measure_20*"))
    assert "DC_BlogMeasure_2020" not in (pkg / "ho_dataclasses.py").read_text()
    assert init_params(class_node(pkg / "blog" / "measure.py")) == {
        "id": "int", "day": "datetime.date"
    }
    assert init_params(class_node(pkg / "blog" / "remote_item.py")) == {
        "id": "int", "label": "str"
    }
    assert init_params(class_node(pkg / "blog" / "post_stats.py")) == {"n": "int"}

    # Nothing of half_orm_meta, "half_orm_meta.view" or half_orm_meta_extra.
    assert sorted(p.name for p in pkg.iterdir() if p.is_dir()) == ["blog"]
    assert "HalfOrmMeta" not in (pkg / "ho_dataclasses.py").read_text()
    assert "Half_orm_meta" not in (pkg / "ho_dataclasses.py").read_text()
    assert "half_orm_meta" not in result.err
    assert summary(result).startswith(f"package '{PKG}': 5 relations, ")
    compile_package(pkg)


AWKWARD_DDL = r'''
create schema blog;
create schema "sales.archive";
create table "sales.archive"."order" (id int primary key, total numeric(10, 2));
create table "sales.archive"."class" (id int);
create table blog."it's" (id int);
create table blog."Post Comment" (id int);
create table blog."say ""hi""" (id int);
create table blog."Café" (id int, "prénom" text);
create table blog."BigOrder" (id int);
create table blog."2024" (id int);
create table blog."日本" (id int);
create table blog."None" (id int);
'''


def test_awkward_names(pg_cluster, env, dbname, workdir):
    root, result = new_project(pg_cluster, env, dbname, workdir, AWKWARD_DDL)
    pkg = root / PKG

    # Dotted schema -> nested packages, each with its __init__.py.
    assert module_all(pkg / "sales" / "__init__.py") == []
    assert module_all(pkg / "sales" / "archive" / "__init__.py") == ["class_", "order"]
    order = class_node(pkg / "sales" / "archive" / "order.py")
    assert order.name == "Order"
    assert base_sources(order) == [
        "MODEL.get_relation_class('sales.archive.order', fields_aliases=fields_aliases)",
        "ho_dataclasses.DC_SalesArchiveOrder",
    ]
    assert init_params(order) == {"id": "int", "total": "decimal.Decimal"}
    assert "import decimal" in (pkg / "ho_dataclasses.py").read_text().splitlines()

    # A keyword relation name: class_.py, importable as such.
    klass = class_node(pkg / "sales" / "archive" / "class_.py")
    assert klass.name == "Class"
    assert "MODEL.get_relation_class('sales.archive.class'" in base_sources(klass)[0]
    assert not (pkg / "sales" / "archive" / "class.py").exists()
    assert ("from demo.sales.archive.class_ import Class"
            in (pkg / "sales" / "archive" / "class__test.py").read_text())

    blog = pkg / "blog"
    # Module names are Python names (issue 9 #19): a name that is not one
    # is mapped, with a warning; the class keeps half_orm's name.
    expected = {
        # module file stem: (class, qualified name given to half_orm)
        "it_s": ("ItS", "blog.it's"),
        "Post_Comment": ("PostComment", "blog.Post Comment"),
        "Café": ("Café", "blog.Café"),
        "BigOrder": ("Bigorder", "blog.BigOrder"),
        "_2024": ("R2024", "blog.2024"),
        "None_": ("RNone", "blog.None"),
    }
    for stem, (cls_name, qualified) in expected.items():
        path = blog / f"{stem}.py"
        cls = class_node(path)
        assert cls.name == cls_name, stem
        call = cls.bases[-2]
        assert isinstance(call, ast.Call)
        assert ast.literal_eval(call.args[0]) == qualified
        assert ast.unparse(cls.bases[-1]).startswith("ho_dataclasses.DC_Blog")
        assert (blog / f"{stem}_test.py").is_file(), stem
        assert f"from demo.blog.{stem} import {cls_name}" in (blog / f"{stem}_test.py").read_text()
    # half_orm drops the '"' of a name given to get_relation_class(): such a
    # relation goes to its factory with its exact name.
    cls = class_node(blog / "say__hi_.py")
    assert cls.name == "SayHi"
    assert ast.unparse(cls.bases[0]) == (
        "factory({'fqrn': (MODEL._dbname, 'blog', 'say \"hi\"'), 'model': MODEL, "
        "'fields_aliases': fields_aliases})")
    warnings = warnings_of(result)
    for qualified, module, why in (
        ("blog.\"it's\"", "demo/blog/it_s.py", "'it's' is not a Python name"),
        ('blog."Post Comment"', "demo/blog/Post_Comment.py", "'Post Comment' is not a Python name"),
        ('blog."2024"', "demo/blog/_2024.py", "'2024' is not a Python name"),
        ('blog."None"', "demo/blog/None_.py", "'None' is a Python keyword"),
        ('"sales.archive".class', "demo/sales/archive/class_.py", "'class' is a Python keyword"),
    ):
        assert f"{qualified}: its module is {module} ({why})" in warnings, warnings
    assert any(w.startswith('blog."say ""hi""": half_orm quotes names') for w in warnings), warnings
    # Names of no Latin, Greek or Cyrillic letter still give a class.
    japanese = [p for p in blog.glob("日本*")]
    assert sorted(p.name for p in japanese) == ["日本.py", "日本_test.py"]
    assert class_node(blog / "日本.py").name == "日本"
    assert init_params(class_node(blog / "Café.py")) == {"id": "int", "prénom": "str"}
    assert module_all(blog / "__init__.py") == sorted(
        ["it_s", "Post_Comment", "say__hi_", "Café", "BigOrder", "_2024", "日本", "None_"]
    )
    # Distinct dataclasses for every relation.
    dc = [n.name for n in parse(pkg / "ho_dataclasses.py").body if isinstance(n, ast.ClassDef)]
    assert len(dc) == len(set(dc)) == 10
    assert any("R2024" in w for w in warnings_of(result))

    compile_package(pkg)
    assert porcelain(env, root) == ""
    assert "0 files written" in summary(sync(env, root))


def test_relations_without_a_module_of_their_own(pg_cluster, env, dbname, workdir):
    """A relation named __init__ would be its schema's __init__.py, and
    "class" and class_ both map to class_.py: the one whose name is the
    module's keeps it, the others get another (warned about), and the
    package stays stable."""
    root, result = new_project(pg_cluster, env, dbname, workdir, """
        create schema blog;
        create table blog."__init__" (id int);
        create table blog."class" (id int);
        create table blog.class_ (x int);
        create table blog.ok (id int);
    """)
    pkg = root / PKG
    warnings = warnings_of(result)
    assert ("blog.__init__: its module is demo/blog/__init___2.py ('__init__' is taken)"
            in warnings), warnings
    assert ("blog.class: its module is demo/blog/class__2.py ('class' is a Python keyword)"
            in warnings), warnings
    assert module_all(pkg / "blog" / "__init__.py") == ["__init___2", "class_", "class__2", "ok"]
    assert sorted(p.name for p in (pkg / "blog").iterdir()) == [
        "__init__.py", "__init___2.py", "__init___2_test.py", "class_.py", "class__2.py",
        "class__2_test.py", "class__test.py", "ok.py", "ok_test.py"
    ]
    assert init_params(class_node(pkg / "blog" / "class_.py")) == {"x": "int"}
    assert init_params(class_node(pkg / "blog" / "class__2.py")) == {"id": "int"}
    assert "DC_BlogInit" in (pkg / "ho_dataclasses.py").read_text()
    compile_package(pkg)
    result = sync(env, root)
    assert ", 0 files written, 0 removed, " in summary(result), str(result)
    assert porcelain(env, root) == ""


def test_relation_named_like_a_test_stub(pg_cluster, env, dbname, workdir):
    """foo_test.py is the test stub of foo and the module of foo_test: the
    module wins, whichever relation came first."""
    root, _ = new_project(pg_cluster, env, dbname, workdir, """
        create table public.foo (id int);
        create schema other;
        create table other.bar_test (id int);
        create schema third;
        create table third.baz (id int);
    """)
    pkg = root / PKG
    assert class_node(pkg / "public" / "foo_test.py").name == "TestFoo"
    bar_test = pkg / "other" / "bar_test.py"
    bar_test.write_text(fill_sections(bar_test.read_text(), "x = 1\n", "    y = 2\n", "        z = 3\n"))
    commit_all(env, root, "user code")

    # foo's untouched stub gives way to the module of foo_test; bar_test's
    # module stays when bar appears.
    sql(pg_cluster, dbname, "create table public.foo_test (id int); create table other.bar (id int)")
    result = sync(env, root)
    for path, qualified in (("public/foo_test.py", "public.foo_test"),
                            ("other/bar_test.py", "other.bar_test")):
        cls = class_node(pkg / path)
        assert ast.literal_eval(cls.bases[0].args[0]) == qualified
        assert (pkg / path.replace(".py", "_test.py")).is_file()
    assert sections(bar_test.read_text()) == ("x = 1\n", "    y = 2\n", "        z = 3\n")
    assert module_all(pkg / "public" / "__init__.py") == ["foo", "foo_test"]
    assert module_all(pkg / "other" / "__init__.py") == ["bar", "bar_test"]
    warnings = warnings_of(result)
    for rel, stub in (("public.foo", "demo/public/foo_test.py"),
                      ("other.bar", "demo/other/bar_test.py")):
        assert any(w.startswith(f"{rel}: no test stub") and stub in w for w in warnings), warnings
    compile_package(pkg)
    assert ", 0 files written, 0 removed, " in summary(sync(env, root))

    # An edited stub is the user's: refused, nothing written.
    with open(pkg / "third" / "baz_test.py", "a") as f:
        f.write("# mine\n")
    sql(pg_cluster, dbname, "create table third.baz_test (id int)")
    before = tree_bytes(root)
    result = sync(env, root, check=1)
    assert "demo/third/baz_test.py: damaged marker lines" in result.err
    assert tree_bytes(root) == before


def test_columns_that_are_not_identifiers(pg_cluster, env, dbname, workdir):
    root, result = new_project(pg_cluster, env, dbname, workdir, """
        create table public.odd (
            id int primary key,
            "my col" text,
            "class" int,
            "2x" int,
            self text,
            kwargs text,
            ok text
        );
    """)
    pkg = root / PKG
    warnings = warnings_of(result)
    for col, why in (('"my col"', "is not a Python identifier"),
                     ("class", "is a Python keyword"),
                     ('"2x"', "is not a Python identifier"),
                     ("self", "is not usable as an argument of __init__"),
                     ("kwargs", "is not usable as an argument of __init__")):
        assert any(f"column {col} {why}" in w
                   and "demo/public/odd.py" in w for w in warnings), (col, warnings)
    assert not any("column id " in w or "column ok " in w for w in warnings)

    cls = class_node(pkg / "public" / "odd.py")
    assert init_params(cls) == {"id": "int", "ok": "str"}
    assert super_kwargs(cls) == ["id", "ok"]
    doc = ast.get_docstring(cls)
    for col, why in (("my col", "not a Python identifier"), ("class", "a Python keyword"),
                     ("2x", "not a Python identifier")):
        assert any(l.startswith(f"- {col}:") and f"FIX ME! {why}: " in l
                   for l in doc.splitlines()), doc

    assert set(dataclass_fields(pkg, "DC_PublicOdd")) == {"id", "ok"}
    src = dataclass_source(pkg, "DC_PublicOdd")
    for col, typ in (("my col", "str"), ("class", "int"), ("2x", "int"), ("self", "str")):
        assert f"    # {col}: {typ} = dataclasses.field(default=None)  FIX ME!" in src, src
    assert post_init_lines(pkg, "DC_PublicOdd") == ["self.id: Field = None", "self.ok: Field = None"]
    compile_package(pkg)


def test_column_types(pg_cluster, env, dbname, workdir):
    root, result = new_project(pg_cluster, env, dbname, workdir, """
        create type public.mood as enum ('sad', 'happy');
        create domain public.posint as int check (value > 0);
        create domain public.tags as text[];
        create table public.typed (
            m public.mood,
            moods public.mood[],
            ints int[],
            p public.posint,
            t public.tags,
            pt point,
            r int4range,
            ts timestamptz,
            u uuid,
            j jsonb,
            b bytea,
            n numeric
        );
    """)
    pkg = root / PKG
    fields = dataclass_fields(pkg, "DC_PublicTyped")
    assert fields == {
        "m": ("str", "dataclasses.field(default=None)"),
        "moods": ("list", "dataclasses.field(default_factory=list)"),
        "ints": ("list", "dataclasses.field(default_factory=list)"),
        "p": ("int", "dataclasses.field(default=None)"),
        "t": ("list", "dataclasses.field(default_factory=list)"),
        "pt": ("typing.Any", "dataclasses.field(default=None)"),
        "r": ("typing.Any", "dataclasses.field(default=None)"),
        "ts": ("datetime.datetime", "dataclasses.field(default=None)"),
        "u": ("uuid.UUID", "dataclasses.field(default=None)"),
        "j": ("typing.Any", "dataclasses.field(default=None)"),
        "b": ("bytes", "dataclasses.field(default=None)"),
        "n": ("decimal.Decimal", "dataclasses.field(default=None)"),
    }
    imports = [ast.unparse(n) for n in parse(pkg / "ho_dataclasses.py").body
               if isinstance(n, (ast.Import, ast.ImportFrom))]
    for module in ("dataclasses", "datetime", "decimal", "typing", "uuid"):
        assert f"import {module}" in imports, imports
    assert init_params(class_node(pkg / "public" / "typed.py")) == {
        k: v[0] for k, v in fields.items()
    }
    warnings = warnings_of(result)
    unknown = [w for w in warnings if "without a Python type" in w]
    assert len(unknown) == 2, warnings
    assert any("column pt " in w and "'point'" in w for w in unknown), unknown
    assert any("column r " in w and "'int4range'" in w for w in unknown), unknown
    doc = ast.get_docstring(class_node(pkg / "public" / "typed.py"))
    assert "- moods: (mood[])" in doc or "- moods: (public.mood[])" in doc, doc
    compile_package(pkg)


NASTY_COMMENT = 'Says """hello""" to C:\\temp\\ and \\n literally,\nends with a quote "'


def test_comment_with_triple_quotes_and_backslashes(pg_cluster, env, dbname, workdir):
    root, _ = new_project(pg_cluster, env, dbname, workdir)
    sql(pg_cluster, dbname, '''
        create table public.noted (id int, "x""""""y\\" int);
        create table public.ends_backslash (id int);
    ''')
    sql(pg_cluster, dbname, "comment on table public.noted is %s", (NASTY_COMMENT,))
    sql(pg_cluster, dbname, "comment on table public.ends_backslash is %s", ("trailing \\",))
    sql(pg_cluster, dbname, "create table public.marked (id int)")
    marked = f"see\n{BEGIN}\n{END}\nends with \\\""
    sql(pg_cluster, dbname, "comment on table public.marked is %s", (marked,))
    sync(env, root)
    pkg = root / PKG
    compile_package(pkg)
    # A comment holding marker lines does not damage its module.
    module = pkg / "public" / "marked.py"
    sections(module.read_text())
    doc = class_node(module).body[0].value.value
    assert "\n    " + marked.replace("\n", "\n    ") + "\n" in doc, doc
    assert ", 0 files written, 0 removed, " in summary(sync(env, root))
    # The docstring says exactly what the comment says.
    doc = class_node(pkg / "public" / "noted.py").body[0].value.value
    assert "\n    DESCRIPTION:\n    " + NASTY_COMMENT.replace("\n", "\n    ") + "\n" in doc, doc
    assert '- x"""y\\:' in doc
    doc = class_node(pkg / "public" / "ends_backslash.py").body[0].value.value
    assert "\n    trailing \\\n" in doc


def test_inheritance(pg_cluster, env, dbname, workdir):
    root, _ = new_project(pg_cluster, env, dbname, workdir, """
        create schema blog;
        create schema "sales.archive";
        create table blog.person (id int primary key, name text);
        create table blog.employee (salary int) inherits (blog.person);
        create table "sales.archive".stamp (ts timestamptz);
        create table blog."it's" (note text);
        create table blog.manager (level int)
            inherits (blog.employee, "sales.archive".stamp, blog."it's");
    """)
    pkg = root / PKG
    employee = pkg / "blog" / "employee.py"
    cls = class_node(employee)
    assert base_sources(cls) == [
        "BlogPerson",
        "MODEL.get_relation_class('blog.employee', fields_aliases=fields_aliases)",
        "ho_dataclasses.DC_BlogEmployee",
    ]
    assert "from demo.blog.person import Person as BlogPerson" in employee.read_text()
    assert init_params(cls) == {"id": "int", "name": "str", "salary": "int"}

    manager = pkg / "blog" / "manager.py"
    cls = class_node(manager)
    bases = base_sources(cls)
    assert bases[:3] == ["BlogEmployee", "SalesArchiveStamp", "BlogItS"], bases
    assert bases[3].startswith("MODEL.get_relation_class('blog.manager'")
    text = manager.read_text()
    assert "from demo.blog.employee import Employee as BlogEmployee" in text
    assert "from demo.sales.archive.stamp import Stamp as SalesArchiveStamp" in text
    assert "from demo.blog.it_s import ItS as BlogItS" in text
    # The imports come before the class.
    tree = parse(manager)
    names = set()
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            break
        for t in getattr(node, "targets", []):
            names.add(ast.unparse(t))
        for a in getattr(node, "names", []):
            names.add(a.asname or a.name)
    assert {"BlogEmployee", "SalesArchiveStamp", "BlogItS"} <= names
    assert "INHERITS: blog.employee, \"sales.archive\".stamp, blog.\"it's\"" in ast.get_docstring(cls)
    compile_package(pkg)


# --------------------------------------------------------------------------
# sync-package: idempotence, user code

# Everything above at once (run before `new`, so without the table in
# half_orm_meta, which `new` creates; blog is created once).
KITCHEN_SINK_DDL = (
    KINDS_DDL.replace("create table half_orm_meta.user_table (a int);", "")
    + AWKWARD_DDL.replace("create schema blog;", "")
) + '''
create type blog.mood as enum ('a', 'b');
create table blog.typed (m blog.mood, a int[], pt point, "my col" text);
create table blog.child (extra int) inherits (blog.post_comment);
comment on table blog.child is 'a """ and \\ here';
'''


def test_sync_is_idempotent(pg_cluster, env, dbname, workdir):
    root, _ = new_project(pg_cluster, env, dbname, workdir, KITCHEN_SINK_DDL)
    pkg = root / PKG
    compile_package(pkg)
    assert porcelain(env, root) == ""
    before = tree_hash(root)
    for _ in range(2):
        result = sync(env, root)
        assert ", 0 files written, 0 removed, " in summary(result), str(result)
        assert tree_hash(root) == before
        assert porcelain(env, root) == ""

    # A change in the database: files change once, then never again.
    sql(pg_cluster, dbname, "create table blog.added (id int); alter table blog.typed add column z int")
    result = sync(env, root)
    assert ", 0 files written, " not in summary(result)
    assert porcelain(env, root) != ""
    commit_all(env, root, "regenerated")
    after = tree_hash(root)
    result = sync(env, root)
    assert ", 0 files written, 0 removed, " in summary(result), str(result)
    assert tree_hash(root) == after
    assert porcelain(env, root) == ""


MODULE_SECTION = """import functools   \n\nfields_aliases = {'my col': 'my_col'}\n\n"""
CLASS_SECTION = """    Fkeys = {'author_fk': 'post_comment_author_id_fkey'}  \n    \n    # @CLASS@ stays\n"""
METHODS_SECTION = (
    "        self.seen = True  \n"
    "\n"
    "    @property\n"
    "    def shout(self):\n"
    '        """@DATACLASS@ and {braces} stay."""   \n'
    "        return functools.reduce(lambda a, b: a + b, [1, 2])\n"
    "\n"
    "   \n"
    "\n"
)


def test_user_sections_survive(pg_cluster, env, dbname, workdir):
    root, result = new_project(pg_cluster, env, dbname, workdir, """
        create schema blog;
        create table blog.author (id int primary key, name text);
        create table blog.post_comment (
            id int primary key,
            author_id int constraint post_comment_author_id_fkey references blog.author (id),
            "my col" text,
            body text
        );
    """)
    pkg = root / PKG
    module = pkg / "blog" / "post_comment.py"
    assert any('column "my col"' in w for w in warnings_of(result))
    doc = ast.get_docstring(class_node(module))
    assert "FOREIGN KEYS:\n- post_comment_author_id_fkey: (author_id)" in doc, doc
    assert "'': 'post_comment_author_id_fkey'," in doc

    module.write_text(fill_sections(module.read_text(), MODULE_SECTION, CLASS_SECTION, METHODS_SECTION))
    compile_package(pkg)
    commit_all(env, root, "user code")

    sql(pg_cluster, dbname, """
        alter table blog.post_comment add column subtitle varchar(80) not null default '';
        alter table blog.post_comment drop column body;
    """)
    result = sync(env, root)
    text = module.read_text()
    assert sections(text) == (MODULE_SECTION, CLASS_SECTION, METHODS_SECTION)
    compile_package(pkg)

    cls = class_node(module)
    doc = ast.get_docstring(cls)
    assert "- subtitle:  (character varying(80)) NOT NULL" in doc, doc
    assert "body" not in doc
    params = init_params(cls)
    assert params == {"id": "int", "author_id": "int", "subtitle": "str"}
    assert "body" not in text.split(BEGIN)[2]  # not in the generated class part
    # The aliased column no longer warns; the user's Fkeys alias is typed.
    assert not any("my col" in w for w in warnings_of(result)), result.err
    assert "self.author_fk = DC_BlogAuthor" in post_init_lines(pkg, "DC_BlogPostComment")
    assert set(dataclass_fields(pkg, "DC_BlogPostComment")) == {"id", "author_id", "subtitle"}

    # Only the generated parts changed in git.
    diff = git(env, root, "diff", "--stat").splitlines()
    assert sorted(l.split("|")[0].strip() for l in diff[:-1]) == [
        "demo/blog/post_comment.py", "demo/ho_dataclasses.py"
    ]
    assert "0 files written" in summary(sync(env, root))


def test_user_sections_with_old_marker_spelling(pg_cluster, env, dbname, workdir):
    root, _ = new_project(pg_cluster, env, dbname, workdir, "create table public.a (id int)")
    module = root / PKG / "public" / "a.py"
    old = BEGIN.replace("BELOW", "BELLOW")
    text = fill_sections(module.read_text(), "x = 1\n", "    y = 2\n", "        z = 3\n")
    module.write_text(text.replace(BEGIN, old))
    sql(pg_cluster, dbname, "alter table public.a add column b text")
    sync(env, root)
    text = module.read_text()
    assert old not in text
    assert sections(text) == ("x = 1\n", "    y = 2\n", "        z = 3\n")
    assert init_params(class_node(module)) == {"id": "int", "b": "str"}


# --------------------------------------------------------------------------
# Dropped relations (scenarios 39 and 40)


def test_dropped_relations(pg_cluster, env, dbname, workdir):
    root, _ = new_project(pg_cluster, env, dbname, workdir, """
        create schema blog;
        create table blog.author (id int primary key);
        create table blog.post (id int primary key);
        create table blog.tag (id int primary key);
        create table blog."2024" (id int);
        create table blog."日本" (id int);
        create table blog."it's" (id int);
        create table blog."None" (id int);
        create schema gone;
        create table gone.a (id int);
        create table gone.b (id int);
        create schema "old.archive";
        create table "old.archive".x (id int);
    """)
    pkg = root / PKG
    blog = pkg / "blog"
    # Scenario 40: an edited test stub.
    with open(blog / "tag_test.py", "a") as f:
        f.write("\n\ndef test_mine():\n    assert True\n")
    # A hand-written module next to the generated ones.
    (blog / "helper.py").write_text("def helper():\n    return 42\n")
    # The user's directory (upper case: never git-hop's).
    api = pkg / "Api"
    api.mkdir()
    (api / "__init__.py").write_text('"""My API."""\n')
    (api / "client.py").write_text("CLIENT = 1\n")
    (api / "post.py").write_text("POST = 1\n")
    commit_all(env, root, "user files")
    user_files = {p: (root / p).read_bytes() for p in (
        "demo/blog/tag_test.py", "demo/blog/helper.py", "demo/Api/__init__.py",
        "demo/Api/client.py", "demo/Api/post.py",
    )}

    sql(pg_cluster, dbname, """
        drop table blog.post, blog.tag, blog."2024", blog."日本", blog."it's", blog."None";
        drop schema gone cascade;
        drop schema "old.archive" cascade;
    """)
    result = sync(env, root)
    assert "package 'demo': 1 relations, " in summary(result)

    for gone in ("post", "tag", "2024", "日本", "it's", "None_"):
        assert not (blog / f"{gone}.py").exists(), gone
    for gone in ("post", "2024", "日本", "it's", "None_"):
        assert not (blog / f"{gone}_test.py").exists(), gone
    assert module_all(blog / "__init__.py") == ["author"]
    assert not (pkg / "gone").exists()
    assert not (pkg / "old").exists()
    # Edited stub, hand-written module, user directory: left alone.
    for path, data in user_files.items():
        assert (root / path).read_bytes() == data, path
    warnings = warnings_of(result)
    assert any("demo/blog/tag_test.py" in w for w in warnings), warnings
    assert not any("Api" in w for w in warnings), warnings
    assert not any(n in w for w in warnings for n in ("post_test", "2024_test", "日本_test", "it's_test", "None__test")), warnings
    assert "DC_BlogPost" not in (pkg / "ho_dataclasses.py").read_text()
    assert "DC_GoneA" not in (pkg / "ho_dataclasses.py").read_text()

    status = porcelain(env, root).splitlines()  # (git() strips the first blank)
    assert all(l.strip().split(" ", 1)[0] in ("D", "M") for l in status), status
    assert not any("Api" in l or "helper" in l or "tag_test" in l for l in status), status
    compile_package(pkg)
    assert ", 0 files written, 0 removed, " in summary(sync(env, root))


def test_schema_with_only_user_files_keeps_its_directory(pg_cluster, env, dbname, workdir):
    root, _ = new_project(pg_cluster, env, dbname, workdir, """
        create schema gone;
        create table gone.a (id int);
    """)
    pkg = root / PKG
    with open(pkg / "gone" / "a_test.py", "a") as f:
        f.write("# mine\n")
    sql(pg_cluster, dbname, "drop schema gone cascade")
    result = sync(env, root)
    assert not (pkg / "gone" / "a.py").exists()
    assert not (pkg / "gone" / "__init__.py").exists()
    assert (pkg / "gone" / "a_test.py").read_text().endswith("# mine\n")
    assert any("demo/gone/a_test.py" in w for w in warnings_of(result))
    # Nothing more to do the next time.
    assert ", 0 files written, 0 removed, " in summary(sync(env, root))


# --------------------------------------------------------------------------
# Damaged marker lines


@pytest.mark.parametrize("marker", range(5))
def test_damaged_markers_refuse_to_write(pg_cluster, env, dbname, workdir, marker):
    root, _ = new_project(pg_cluster, env, dbname, workdir, """
        create table public.a (id int);
        create table public.b (id int);
        create table public.c (id int);
    """)
    pkg = root / PKG
    module = pkg / "public" / "b.py"
    lines = module.read_text().splitlines(keepends=True)
    marks = [i for i, l in enumerate(lines) if l.strip() in (BEGIN, END)]
    del lines[marks[marker]]
    module.write_text("".join(lines))
    # Other changes that a sync would write.
    sql(pg_cluster, dbname, """
        alter table public.a add column x int;
        drop table public.c;
        create table public.d (id int);
    """)
    before = tree_bytes(root)
    result = sync(env, root, check=1)
    assert "error: " in result.err
    assert "demo/public/b.py" in result.err
    assert "damaged marker lines" in result.err
    assert tree_bytes(root) == before
    assert not (pkg / "public" / "d.py").exists()

    # Restored: the sync goes through.
    git(env, root, "checkout", "--", "demo/public/b.py")
    sync(env, root)
    assert module_all(pkg / "public" / "__init__.py") == ["a", "b", "d"]


# --------------------------------------------------------------------------
# Modes and failures


def test_package_generation_off(pg_cluster, env, dbname, workdir):
    root, _ = new_project(pg_cluster, env, dbname, workdir, "create table public.a (id int)")
    config = root / ".hop" / "config"
    text = config.read_text()
    assert "\npackage = true\n" in text
    config.write_text(text.replace("\npackage = true\n", "\npackage = false\n"))
    sql(pg_cluster, dbname, "create table public.b (id int)")
    before = tree_bytes(root)
    result = sync(env, root, check=128)
    assert "fatal: package generation is off" in result.err
    assert result.out == ""
    assert tree_bytes(root) == before


def test_sync_only_project(pg_cluster, env, dbname, workdir):
    root, _ = new_project(pg_cluster, env, dbname, workdir, "create table public.a (id int)",
                          devel=False)
    pkg = root / PKG
    assert not schema_exists(pg_cluster, dbname, "half_orm_meta")
    assert (pkg / "version.txt").read_text().strip() == "0.0.0"
    assert module_all(pkg / "public" / "__init__.py") == ["a"]
    compile_package(pkg)
    assert porcelain(env, root) == ""
    head = git(env, root, "rev-parse", "HEAD")

    sql(pg_cluster, dbname, "create table public.b (id int)")
    result = sync(env, root)
    assert "package 'demo': 2 relations, " in summary(result)
    assert module_all(pkg / "public" / "__init__.py") == ["a", "b"]
    assert class_node(pkg / "public" / "b.py").name == "B"
    # No commit, no database write.
    assert git(env, root, "rev-parse", "HEAD") == head
    assert not schema_exists(pg_cluster, dbname, "half_orm_meta")
    compile_package(pkg)


def test_outside_a_project(env, workdir):
    result = hop(env, workdir, "sync-package", check=128)
    assert "fatal: not a git-hop project" in result.err
    assert any(l.startswith("hint: ") and "git hop new" in l for l in result.err.splitlines())


def test_database_unreachable(pg_cluster, env, dbname, workdir, tmp_path):
    root, _ = new_project(pg_cluster, env, dbname, workdir, "create table public.a (id int)")
    before = tree_bytes(root)

    no_server = dict(env, PGHOST=str(tmp_path / "nowhere"))
    result = hop(no_server, root, "sync-package", check=128)
    assert "fatal: cannot connect" in result.err, str(result)

    sql(pg_cluster, "postgres", f'drop database "{dbname}" with (force)')
    result = sync(env, root, check=128)
    assert f"fatal: cannot connect to database '{dbname}'" in result.err, str(result)
    assert tree_bytes(root) == before


def test_user_sql_adapter(pg_cluster, env, dbname, workdir):
    root, result = new_project(pg_cluster, env, dbname, workdir, """
        create table public.shape (id int, pt point, r int4range, box box);
    """)
    pkg = root / PKG
    assert sum("without a Python type" in w for w in warnings_of(result)) == 3
    adapter = pkg / "sql_adapter.py"
    text = adapter.read_text()
    adapter.write_text(text.replace(
        "SQL_ADAPTER = {\n",
        "SQL_ADAPTER = {\n    'point': str,\n    \"int4range\": psycopg2.extras.NumericRange,  # mine\n"
        "    'box': lambda v: v,  # not a type name: ignored\n",
    ))
    result = sync(env, root)
    warnings = [w for w in warnings_of(result) if "without a Python type" in w]
    assert len(warnings) == 1 and "'box'" in warnings[0], warnings
    fields = dataclass_fields(pkg, "DC_PublicShape")
    assert fields["pt"][0] == "str"
    assert fields["r"][0] == "psycopg2.extras.NumericRange"
    assert fields["box"][0] == "typing.Any"
    assert "import psycopg2.extras" in (pkg / "ho_dataclasses.py").read_text().splitlines()
    assert init_params(class_node(pkg / "public" / "shape.py"))["pt"] == "str"
    # The user's file is never rewritten.
    assert adapter.read_text().count("'point': str,") == 1
    compile_package(pkg)


def test_schema_named_like_a_user_directory(pg_cluster, env, dbname, workdir):
    """The user's <pkg>/Api/ is never taken over by a schema "Api": the
    generation refuses, names the directory and writes nothing."""
    root, _ = new_project(pg_cluster, env, dbname, workdir, """
        create schema blog;
        create table blog.author (id int primary key);
    """)
    pkg = root / PKG
    api = pkg / "Api"
    api.mkdir()
    (api / "__init__.py").write_text('"""My API."""\n')
    (api / "client.py").write_text("CLIENT = 1\n")
    commit_all(env, root, "user files")
    before = tree_hash(root / PKG)

    sql(pg_cluster, dbname, 'create schema "Api"; create table "Api".endpoint (id int);'
                            " create table blog.post (id int);")
    result = sync(env, root, check=False)

    assert result.code == 1, str(result)
    assert "error: cannot generate the package 'demo'" in result.err
    assert "demo/Api/__init__.py: this directory is yours" in result.err, result.err
    assert tree_hash(root / PKG) == before  # not even blog/post.py
    assert not (api / "endpoint.py").exists()

    # Moved out of the way, the schema gets its package directory.
    git(env, root, "mv", "demo/Api", "demo/MyApi")
    result = sync(env, root)
    assert (pkg / "Api" / "endpoint.py").is_file()
    assert (pkg / "MyApi" / "client.py").read_text() == "CLIENT = 1\n"

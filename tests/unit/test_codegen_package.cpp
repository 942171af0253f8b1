#include <hop/codegen/package.hpp>
#include <hop/codegen/render.hpp>
#include <hop/codegen/sections.hpp>
#include <hop/util/file.hpp>

#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <string>

namespace fs = std::filesystem;
using namespace hop::codegen;

namespace {

// A fresh directory, removed at the end of the test.
struct TempDir
{
  fs::path path;
  TempDir()
  {
    static std::atomic<int> counter{0};
    path = fs::temp_directory_path() /
           ("hop-codegen-" + std::to_string(::getpid()) + "-" +
            std::to_string(
                std::chrono::steady_clock::now().time_since_epoch().count()) +
            "-" + std::to_string(counter++));
    fs::create_directories(path);
  }
  ~TempDir()
  {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

Column col(std::string name, std::string type_name, std::string sql_type,
           bool not_null = false)
{
  Column c;
  c.name = std::move(name);
  c.type_name = std::move(type_name);
  c.sql_type = std::move(sql_type);
  c.not_null = not_null;
  return c;
}

Relation rel(std::string schema, std::string name)
{
  Relation r;
  r.schema = std::move(schema);
  r.name = std::move(name);
  r.columns = {col("id", "int4", "integer", true)};
  r.primary_key = {"id"};
  return r;
}

// public.person, public.post (FK to person), blog.view.post_comment (a view).
Catalog catalog()
{
  Catalog c;
  c.database = "blog";
  Relation comment = rel("blog.view", "post_comment");
  comment.kind = RelKind::view;
  comment.columns.push_back(col("body", "text", "text"));
  Relation person = rel("public", "person");
  person.columns.push_back(col("name", "text", "text", true));
  Relation post = rel("public", "post");
  post.columns.push_back(col("author", "int4", "integer"));
  post.columns.push_back(col("published", "date", "date"));
  ForeignKey fk;
  fk.name = "post_author_fkey";
  fk.columns = {"author"};
  fk.target_schema = "public";
  fk.target_relation = "person";
  fk.target_columns = {"id"};
  post.foreign_keys = {fk};
  c.relations = {comment, person, post};
  return c;
}

void drop(Catalog& c, const std::string& schema, const std::string& name)
{
  c.relations.erase(std::remove_if(c.relations.begin(), c.relations.end(),
                                   [&](const Relation& r) {
                                     return r.schema == schema &&
                                            r.name == name;
                                   }),
                    c.relations.end());
}

Relation& find(Catalog& c, const std::string& schema, const std::string& name)
{
  for (auto& r : c.relations) {
    if (r.schema == schema && r.name == name) {
      return r;
    }
  }
  FAIL("no relation " + schema + "." + name);
  throw 0;
}

// Every file under `root` and its content.
std::map<std::string, std::string> snapshot(const fs::path& root)
{
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    std::string rel = fs::relative(e.path(), root).generic_string();
    files[rel] = e.is_regular_file() ? hop::util::read_file(e.path())
                                     : std::string("<dir>");
  }
  return files;
}

std::vector<std::string> paths(const Plan& plan, bool removed)
{
  std::vector<std::string> out;
  for (const auto& c : plan.changes) {
    if (c.remove == removed) {
      out.push_back(c.path);
    }
  }
  return out;
}

const Change* change(const Plan& plan, const std::string& path)
{
  for (const auto& c : plan.changes) {
    if (c.path == path) {
      return &c;
    }
  }
  return nullptr;
}

bool contains(const std::string& text, const std::string& what)
{
  return text.find(what) != std::string::npos;
}

// Insert `code` after the line of the n-th (0-based) begin marker.
std::string insert_in_section(const std::string& text, int n,
                              const std::string& code)
{
  size_t pos = 0;
  for (int i = 0; i <= n; ++i) {
    pos = text.find(std::string(k_begin_marker), pos);
    REQUIRE(pos != std::string::npos);
    pos += k_begin_marker.size();
  }
  pos = text.find('\n', pos);
  if (pos == std::string::npos) {
    return text + "\n" + code;
  }
  return text.substr(0, pos + 1) + code + text.substr(pos + 1);
}

using Paths = std::vector<std::string>;

const Paths k_first_files = {
    "blog/__init__.py",
    "blog/base_test.py",
    "blog/blog/__init__.py",
    "blog/blog/view/__init__.py",
    "blog/blog/view/post_comment.py",
    "blog/blog/view/post_comment_test.py",
    "blog/ho_dataclasses.py",
    "blog/public/__init__.py",
    "blog/public/person.py",
    "blog/public/person_test.py",
    "blog/public/post.py",
    "blog/public/post_test.py",
    "blog/sql_adapter.py",
};

// Plan and apply; the plan must have no errors.
Plan generate(const Catalog& c, const fs::path& root)
{
  Plan plan = plan_package(c, root, "blog");
  REQUIRE(plan.errors.empty());
  apply_plan(plan, root);
  return plan;
}

} // namespace

TEST_CASE("hop::codegen::plan_package first generation", "[codegen]")
{
  TempDir tmp;
  Plan plan = plan_package(catalog(), tmp.path, "blog");

  CHECK(plan.errors.empty());
  CHECK(plan.warnings.empty());
  CHECK(plan.relations == 3);
  CHECK(plan.unchanged == 0);
  CHECK(paths(plan, true).empty());
  CHECK(paths(plan, false) == k_first_files);
  // Planning writes nothing.
  CHECK(fs::is_empty(tmp.path));

  SECTION("contents")
  {
    CHECK(change(plan, "blog/__init__.py")->content ==
          render_package_init("blog"));
    CHECK(change(plan, "blog/sql_adapter.py")->content ==
          render_once("sql_adapter.py", "blog"));
    CHECK(change(plan, "blog/base_test.py")->content ==
          render_once("base_test.py", "blog"));
    // The intermediate directory of blog.view lists no module.
    CHECK(change(plan, "blog/blog/__init__.py")->content ==
          render_schema_init("the package blog.blog", {}));
    CHECK(change(plan, "blog/blog/view/__init__.py")->content ==
          render_schema_init("the package blog.blog.view", {"post_comment"}));
    CHECK(change(plan, "blog/public/__init__.py")->content ==
          render_schema_init("the package blog.public", {"person", "post"}));
    const std::string& dc = change(plan, "blog/ho_dataclasses.py")->content;
    CHECK(
        contains(dc, "\nimport dataclasses\nimport datetime\n\nfrom half_orm"));
    CHECK(contains(dc, "class DC_BlogViewPostComment(DC_Relation):\n"));
    CHECK(contains(dc, "class DC_PublicPerson(DC_Relation):\n"));
    CHECK(contains(
        dc,
        "class DC_PublicPost(DC_Relation):\n"
        "    id: int = dataclasses.field(default=None)\n"
        "    author: int = dataclasses.field(default=None)\n"
        "    published: datetime.date = dataclasses.field(default=None)\n"));
    // Sorted like the catalog.
    CHECK(dc.find("DC_BlogViewPostComment") < dc.find("DC_PublicPerson"));
    CHECK(dc.find("DC_PublicPerson") < dc.find("DC_PublicPost"));
    const std::string& post = change(plan, "blog/public/post.py")->content;
    CHECK(contains(
        post,
        "class Post(MODEL.get_relation_class('public.post', "
        "fields_aliases=fields_aliases), ho_dataclasses.DC_PublicPost):"));
    CHECK(contains(post,
                   "    Fkeys = {\n        '': 'post_author_fkey',\n    }\n"));
    const std::string& view =
        change(plan, "blog/blog/view/post_comment.py")->content;
    CHECK(contains(
        view, "The module blog.blog.view.post_comment provides the PostComment "
              "class, which maps the view \"blog.view\".post_comment.\n"));
    CHECK(contains(change(plan, "blog/blog/view/post_comment_test.py")->content,
                   "\nfrom blog.blog.view.post_comment import PostComment\n"));
    // person is referenced by post: its reverse key is listed.
    const std::string& person = change(plan, "blog/public/person.py")->content;
    CHECK(contains(person, "from blog import MODEL, ho_dataclasses, "
                           "reverse_fkey\n"));
    CHECK(contains(person,
                   "        '': reverse_fkey('public.post', 'author'),\n"));
  }
}

TEST_CASE("hop::codegen::plan_package is idempotent", "[codegen]")
{
  TempDir tmp;
  Plan first = generate(catalog(), tmp.path);
  for (const auto& c : first.changes) {
    INFO(c.path);
    CHECK(hop::util::read_file(tmp.path / c.path) == c.content);
  }
  auto before = snapshot(tmp.path);

  Plan second = plan_package(catalog(), tmp.path, "blog");
  CHECK(second.errors.empty());
  CHECK(second.warnings.empty());
  CHECK(second.changes.empty());
  // The files written once (sql_adapter.py, base_test.py, 3 test stubs)
  // are not counted.
  CHECK(second.unchanged == k_first_files.size() - 5);
  apply_plan(second, tmp.path);
  CHECK(snapshot(tmp.path) == before);
}

TEST_CASE("hop::codegen::plan_package keeps the user's sections", "[codegen]")
{
  TempDir tmp;
  generate(catalog(), tmp.path);
  const fs::path post_py = tmp.path / "blog/public/post.py";
  std::string text = hop::util::read_file(post_py);
  const std::string module = "import os   \r\n\n# {braces} @CLASS@\n";
  const std::string klass =
      "    Fkeys = {\n        'writer': 'post_author_fkey',\n    }\n\n";
  const std::string methods = "    def hello(self):\n        return 'hi'\n\n\n";
  text = insert_in_section(text, 0, module);
  text = insert_in_section(text, 1, klass);
  text = insert_in_section(text, 2, methods);
  hop::util::write_file(post_py, text);

  Catalog c = catalog();
  find(c, "public", "post")
      .columns.push_back(col("title", "varchar", "character varying"));
  Plan plan = plan_package(c, tmp.path, "blog");
  REQUIRE(plan.errors.empty());
  CHECK(plan.warnings.empty());
  CHECK(paths(plan, false) ==
        Paths{"blog/ho_dataclasses.py", "blog/public/post.py"});
  CHECK(paths(plan, true).empty());
  apply_plan(plan, tmp.path);

  std::string after = hop::util::read_file(post_py);
  CHECK(contains(after, "            title: 'str' = None,\n"));
  CHECK(contains(after, "    - title:     (character varying)\n"));
  auto s = extract_sections(after, nullptr);
  REQUIRE(s);
  CHECK(s->module == module);
  CHECK(s->klass == klass);
  CHECK(s->methods == methods);
  std::string dc = hop::util::read_file(tmp.path / "blog/ho_dataclasses.py");
  CHECK(contains(dc, "    title: str = dataclasses.field(default=None)\n"));
  CHECK(contains(dc, "        self.writer = DC_PublicPerson\n"));

  // And again: nothing changes.
  Plan again = plan_package(c, tmp.path, "blog");
  CHECK(again.changes.empty());
}

TEST_CASE("hop::codegen::plan_package removes dropped relations", "[codegen]")
{
  TempDir tmp;
  generate(catalog(), tmp.path);
  Catalog c = catalog();

  SECTION("the module and its untouched test stub are removed")
  {
    drop(c, "public", "post");
    Plan plan = plan_package(c, tmp.path, "blog");
    REQUIRE(plan.errors.empty());
    CHECK(plan.warnings.empty());
    CHECK(paths(plan, true) ==
          Paths{"blog/public/post.py", "blog/public/post_test.py"});
    // person loses its reverse key.
    CHECK(paths(plan, false) == Paths{"blog/ho_dataclasses.py",
                                      "blog/public/__init__.py",
                                      "blog/public/person.py"});
    apply_plan(plan, tmp.path);
    CHECK_FALSE(fs::exists(tmp.path / "blog/public/post.py"));
    CHECK_FALSE(fs::exists(tmp.path / "blog/public/post_test.py"));
    CHECK(fs::exists(tmp.path / "blog/public/person.py"));
    CHECK_FALSE(
        contains(hop::util::read_file(tmp.path / "blog/ho_dataclasses.py"),
                 "DC_PublicPost"));
  }
  SECTION("an edited test stub is kept with a warning")
  {
    const fs::path stub = tmp.path / "blog/public/post_test.py";
    hop::util::write_file(stub,
                          hop::util::read_file(stub) +
                              "\n    def test_more(self):\n        pass\n");
    drop(c, "public", "post");
    Plan plan = plan_package(c, tmp.path, "blog");
    CHECK(paths(plan, true) == Paths{"blog/public/post.py"});
    CHECK(plan.warnings ==
          std::vector<std::string>{
              "blog/public/post_test.py: its relation is gone but the "
              "file is not git-hop's; left alone"});
    apply_plan(plan, tmp.path);
    CHECK(fs::exists(stub));
  }
  SECTION("a hand-written module is kept with a warning")
  {
    hop::util::write_file(tmp.path / "blog/public/helpers.py",
                          "def helper():\n    pass\n");
    Plan plan = plan_package(c, tmp.path, "blog");
    CHECK(plan.changes.empty());
    CHECK(plan.warnings ==
          std::vector<std::string>{
              "blog/public/helpers.py: its relation is gone but the file "
              "is not git-hop's; left alone"});
  }
  SECTION("a module of upstream hop is removed")
  {
    hop::util::write_file(
        tmp.path / "blog/public/old.py",
        "# pylint: disable=wrong-import-order, invalid-name\n\n"
        "\"\"\"The module blog.public.old provides the Old class.\"\"\"\n");
    Plan plan = plan_package(c, tmp.path, "blog");
    CHECK(plan.warnings.empty());
    CHECK(paths(plan, true) == Paths{"blog/public/old.py"});
    CHECK(paths(plan, false).empty());
  }
  SECTION("an emptied schema directory is removed")
  {
    fs::create_directories(tmp.path / "blog/blog/view/__pycache__");
    hop::util::write_file(
        tmp.path / "blog/blog/view/__pycache__/post_comment.cpython-312.pyc",
        "x");
    drop(c, "blog.view", "post_comment");
    Plan plan = plan_package(c, tmp.path, "blog");
    REQUIRE(plan.errors.empty());
    CHECK(plan.warnings.empty());
    CHECK(paths(plan, true) == Paths{"blog/blog/__init__.py",
                                     "blog/blog/view/__init__.py",
                                     "blog/blog/view/post_comment.py",
                                     "blog/blog/view/post_comment_test.py"});
    apply_plan(plan, tmp.path);
    CHECK_FALSE(fs::exists(tmp.path / "blog/blog"));
    CHECK(fs::is_directory(tmp.path / "blog/public"));
    CHECK(fs::exists(tmp.path / "blog/__init__.py"));
  }
  SECTION("a directory keeping a hand-written file is not removed")
  {
    hop::util::write_file(tmp.path / "blog/blog/view/mine.py", "X = 1\n");
    drop(c, "blog.view", "post_comment");
    Plan plan = plan_package(c, tmp.path, "blog");
    CHECK(plan.warnings ==
          std::vector<std::string>{
              "blog/blog/view/mine.py: its relation is gone but the file "
              "is not git-hop's; left alone"});
    apply_plan(plan, tmp.path);
    CHECK(fs::exists(tmp.path / "blog/blog/view/mine.py"));
    CHECK_FALSE(fs::exists(tmp.path / "blog/blog/view/__init__.py"));
    CHECK_FALSE(fs::exists(tmp.path / "blog/blog/__init__.py"));
  }
  SECTION("the test stub of a relation whose class name is fixed")
  {
    Catalog odd = catalog();
    odd.relations.push_back(rel("public", "2fa"));
    std::sort(odd.relations.begin(), odd.relations.end(),
              [](const Relation& a, const Relation& b) {
                return std::tie(a.schema, a.name) < std::tie(b.schema, b.name);
              });
    Plan plan = generate(odd, tmp.path);
    CHECK(plan.warnings ==
          std::vector<std::string>{
              "public.\"2fa\": its module is blog/public/_2fa.py ('2fa' is "
              "not a Python name)",
              "public.\"2fa\": its class is named R2fa (its camel-cased "
              "name is not a Python identifier)"});
    CHECK(contains(hop::util::read_file(tmp.path / "blog/public/_2fa.py"),
                   "\nclass R2fa("));
    Plan dropped = plan_package(c, tmp.path, "blog");
    CHECK(dropped.warnings.empty());
    CHECK(paths(dropped, true) ==
          Paths{"blog/public/_2fa.py", "blog/public/_2fa_test.py"});
  }
}

TEST_CASE("hop::codegen::plan_package refuses damaged modules", "[codegen]")
{
  TempDir tmp;
  generate(catalog(), tmp.path);
  const fs::path post_py = tmp.path / "blog/public/post.py";
  std::string text = hop::util::read_file(post_py);
  const std::string end = std::string(k_end_marker) + "\n";
  text.erase(text.find(end), end.size());
  hop::util::write_file(post_py, text);
  auto before = snapshot(tmp.path);

  Catalog c = catalog();
  find(c, "public", "person").columns.push_back(col("email", "text", "text"));
  Plan plan = plan_package(c, tmp.path, "blog");
  REQUIRE(plan.errors.size() == 1);
  // The line numbers of the markers left.
  auto line = [&](size_t pos) {
    return std::to_string(1 +
                          std::count(text.begin(), text.begin() + pos, '\n'));
  };
  const std::string B(k_begin_marker);
  size_t b1 = text.find(B);
  size_t b2 = text.find(B, b1 + 1);
  size_t e2 = text.find(std::string(k_end_marker));
  size_t b3 = text.find(B, b2 + 1);
  REQUIRE(b3 != std::string::npos);
  CHECK(plan.errors[0] == "blog/public/post.py: damaged marker lines: expected "
                          "the marker lines begin, end, "
                          "begin, end, begin; found begin (line " +
                              line(b1) + "), begin (line " + line(b2) +
                              "), end (line " + line(e2) + "), begin (line " +
                              line(b3) + ")");
  // Other files are still planned, but nothing was written.
  CHECK(change(plan, "blog/public/person.py") != nullptr);
  CHECK(snapshot(tmp.path) == before);
  // (apply_plan refuses such a plan: HOP_BUG, an abort.)
}

TEST_CASE("hop::codegen::plan_package special cases", "[codegen]")
{
  TempDir tmp;

  SECTION("names that map to the same module: each relation has its own")
  {
    Catalog c;
    c.database = "blog";
    c.relations = {rel("public", "a/b"), rel("public", "a_b"),
                   rel("public", "class"), rel("public", "class_")};
    Plan plan = plan_package(c, tmp.path, "blog");
    CHECK(plan.errors.empty());
    CHECK(plan.warnings ==
          std::vector<std::string>{
              "public.\"a/b\": its module is blog/public/a_b_2.py ('a/b' is "
              "not a Python name)",
              "public.class: its module is blog/public/class__2.py ('class' is "
              "a Python keyword)"});
    // The relation whose name is the module's keeps it.
    CHECK(contains(change(plan, "blog/public/a_b.py")->content,
                   "get_relation_class('public.a_b'"));
    CHECK(contains(change(plan, "blog/public/a_b_2.py")->content,
                   "get_relation_class('public.a/b'"));
    CHECK(contains(change(plan, "blog/public/class_.py")->content,
                   "get_relation_class('public.class_'"));
    CHECK(contains(change(plan, "blog/public/class__2.py")->content,
                   "get_relation_class('public.class'"));
    CHECK(change(plan, "blog/public/__init__.py")->content ==
          render_schema_init("the package blog.public",
                             {"a_b", "a_b_2", "class_", "class__2"}));
  }

  SECTION("schemas whose parts are not Python names")
  {
    Catalog c;
    c.database = "blog";
    c.relations = {rel("s.p-a ce", "tri\"\"\"q"), rel("s.p_a_ce", "x"),
                   rel("ho_dataclasses", "y")};
    std::sort(c.relations.begin(), c.relations.end(),
              [](const Relation& a, const Relation& b) {
                return std::tie(a.schema, a.name) < std::tie(b.schema, b.name);
              });
    Plan plan = plan_package(c, tmp.path, "blog");
    CHECK(plan.errors.empty());
    CHECK(change(plan, "blog/s/p_a_ce/x.py") != nullptr);
    CHECK(change(plan, "blog/s/p_a_ce_2/tri___q.py") != nullptr);
    CHECK(change(plan, "blog/ho_dataclasses_2/y.py") != nullptr);
    CHECK(change(plan, "blog/ho_dataclasses.py") != nullptr);
    CHECK(std::count(plan.warnings.begin(), plan.warnings.end(),
                     "schema \"s.p-a ce\": its package is blog/s/p_a_ce_2/ "
                     "('p-a ce' is not a Python name)") == 1);
    CHECK(std::count(plan.warnings.begin(), plan.warnings.end(),
                     "schema ho_dataclasses: its package is "
                     "blog/ho_dataclasses_2/ ('ho_dataclasses' is taken)") ==
          1);
  }

  SECTION("sql_adapter.py and base_test.py are never overwritten")
  {
    const std::string adapter =
        "SQL_ADAPTER = {\n    'int4': numbers.Integral,\n}\n";
    const std::string base = "# mine\n";
    fs::create_directories(tmp.path / "blog");
    hop::util::write_file(tmp.path / "blog/sql_adapter.py", adapter);
    hop::util::write_file(tmp.path / "blog/base_test.py", base);
    Plan plan = generate(catalog(), tmp.path);
    CHECK(change(plan, "blog/sql_adapter.py") == nullptr);
    CHECK(change(plan, "blog/base_test.py") == nullptr);
    CHECK(hop::util::read_file(tmp.path / "blog/sql_adapter.py") == adapter);
    CHECK(hop::util::read_file(tmp.path / "blog/base_test.py") == base);
    // The adapter is used.
    std::string dc = hop::util::read_file(tmp.path / "blog/ho_dataclasses.py");
    CHECK(contains(
        dc, "\nimport dataclasses\nimport datetime\nimport numbers\n\n"));
    CHECK(contains(
        dc, "    id: numbers.Integral = dataclasses.field(default=None)\n"));
    CHECK(contains(hop::util::read_file(tmp.path / "blog/public/post.py"),
                   "            id: 'numbers.Integral' = None,\n"));
    // Not even when they are removed from the catalog's point of view.
    Plan again = plan_package(Catalog{"blog", {}}, tmp.path, "blog");
    CHECK(change(again, "blog/sql_adapter.py") == nullptr);
    CHECK(change(again, "blog/base_test.py") == nullptr);
  }

  SECTION("a user directory without git-hop's __init__.py is never touched")
  {
    generate(catalog(), tmp.path);
    fs::create_directories(tmp.path / "blog/api/v1");
    hop::util::write_file(tmp.path / "blog/api/__init__.py",
                          "\"\"\"My API.\"\"\"\n");
    hop::util::write_file(tmp.path / "blog/api/routes.py", "ROUTES = []\n");
    hop::util::write_file(tmp.path / "blog/api/v1/handler.py",
                          "# Generated by git-hop\n");
    hop::util::write_file(tmp.path / "blog/api/v1/handler_test.py", "x = 1\n");
    fs::create_directories(tmp.path / "blog/scripts");
    hop::util::write_file(tmp.path / "blog/scripts/run.py",
                          "# Generated by git-hop\n");
    auto before = snapshot(tmp.path);
    Catalog empty{"blog", {}};
    Plan plan = plan_package(empty, tmp.path, "blog");
    CHECK(plan.errors.empty());
    CHECK(plan.warnings.empty());
    for (const auto& c : plan.changes) {
      INFO(c.path);
      CHECK(c.path.rfind("blog/api/", 0) == std::string::npos);
      CHECK(c.path.rfind("blog/scripts/", 0) == std::string::npos);
    }
    apply_plan(plan, tmp.path);
    auto after = snapshot(tmp.path);
    for (const auto& [path, content] : before) {
      if (path.rfind("blog/api", 0) == 0 ||
          path.rfind("blog/scripts", 0) == 0) {
        INFO(path);
        CHECK(after.count(path) == 1);
        CHECK(after[path] == content);
      }
    }
    // Everything generated from the relations went away.
    CHECK_FALSE(fs::exists(tmp.path / "blog/public"));
    CHECK_FALSE(fs::exists(tmp.path / "blog/blog"));
    CHECK(fs::exists(tmp.path / "blog/__init__.py"));
    CHECK(fs::exists(tmp.path / "blog/ho_dataclasses.py"));
  }

  SECTION("a package directory without a generated root __init__.py")
  {
    // An empty catalog still writes the root files.
    Plan plan = plan_package(Catalog{"blog", {}}, tmp.path, "blog");
    CHECK(paths(plan, false) == Paths{"blog/__init__.py", "blog/base_test.py",
                                      "blog/ho_dataclasses.py",
                                      "blog/sql_adapter.py"});
  }
}

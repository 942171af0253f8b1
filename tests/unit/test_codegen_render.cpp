#include <hop/codegen/naming.hpp>
#include <hop/codegen/render.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

using namespace hop::codegen;

namespace {

Column col(std::string name, std::string sql_type, std::string type_name,
           bool not_null = false)
{
  Column c;
  c.name = std::move(name);
  c.sql_type = std::move(sql_type);
  c.type_name = std::move(type_name);
  c.not_null = not_null;
  return c;
}

Column array_col(std::string name, std::string sql_type, std::string type_name)
{
  Column c = col(std::move(name), std::move(sql_type), std::move(type_name));
  c.is_array = true;
  return c;
}

// blog.post: a comment, NOT NULL, a PK, two uniques, two FKs, a parent, and
// a column that is not a Python identifier.
Relation post()
{
  Relation r;
  r.schema = "blog";
  r.name = "post";
  r.comment = "The posts of the blog.";
  r.columns = {col("id", "integer", "int4", true),
               col("title", "character varying(20)", "varchar", true),
               col("author id", "integer", "int4"),
               col("published", "date", "date")};
  r.primary_key = {"id"};
  r.uniques = {{"title"}, {"author id", "published"}};
  ForeignKey author;
  author.name = "post_author_fkey";
  author.columns = {"author id"};
  author.target_schema = "blog";
  author.target_relation = "person";
  author.target_columns = {"id"};
  ForeignKey editor;
  editor.name = "post_editor_fkey";
  editor.columns = {"title"};
  editor.target_schema = "Other Schema";
  editor.target_relation = "editor";
  editor.target_columns = {"title"};
  r.foreign_keys = {author, editor};
  r.parents = {{"blog", "base"}};
  return r;
}

Relation simple(std::string schema, std::string name)
{
  Relation r;
  r.schema = std::move(schema);
  r.name = std::move(name);
  r.columns = {col("id", "integer", "int4", true)};
  return r;
}

Names names_of(const std::string& package, const std::string& schema,
               const std::string& relation)
{
  Names n;
  for (const auto& part : schema_parts(schema)) {
    n.path.push_back(identifier_from(part));
  }
  n.path.push_back(identifier_from(relation));
  n.module = package;
  for (const auto& e : n.path) {
    n.module += "." + e;
  }
  n.class_name = camel_case(relation);
  n.dataclass = dataclass_name(schema, relation);
  return n;
}

NameMap
name_map(const std::string& package,
         std::initializer_list<std::pair<std::string, std::string>> rels)
{
  NameMap m;
  for (const auto& [s, r] : rels) {
    m.emplace(std::make_pair(s, r), names_of(package, s, r));
  }
  return m;
}

bool contains(const std::string& text, const std::string& what)
{
  return text.find(what) != std::string::npos;
}

const std::string B(k_begin_marker);
const std::string E(k_end_marker);

} // namespace

TEST_CASE("hop::codegen::qualified_name", "[codegen]")
{
  CHECK(qualified_name("public", "post") == "public.post");
  CHECK(qualified_name("blog.view", "post_1") == "\"blog.view\".post_1");
  // As quote_ident(): '$' and reserved words are quoted.
  CHECK(qualified_name("public", "a$") == "public.\"a$\"");
  CHECK(qualified_name("sales", "order") == "sales.\"order\"");
  CHECK(qualified_name("user", "name") == "\"user\".name");
  CHECK(qualified_name("Sales", "big order") == "\"Sales\".\"big order\"");
  CHECK(qualified_name("public", "a\"b") == "public.\"a\"\"b\"");
  CHECK(qualified_name("public", "1a") == "public.\"1a\"");
  CHECK(qualified_name("public", "_a") == "public._a");
}

TEST_CASE("hop::codegen::import_statement", "[codegen]")
{
  Names n = names_of("blog", "public", "post_comment");
  CHECK(import_statement(n, "PostComment") ==
        "from blog.public.post_comment import PostComment");
  CHECK(
      import_statement(n, "PublicPostComment") ==
      "from blog.public.post_comment import PostComment as PublicPostComment");
  Names odd = names_of("blog", "my-schema", "it's");
  CHECK(import_statement(odd, "MySchemaItS") ==
        "from blog.my_schema.it_s import ItS as MySchemaItS");
}

TEST_CASE("hop::codegen::sql_identifier", "[codegen]")
{
  CHECK(sql_identifier("id") == "id");
  CHECK(sql_identifier("author id") == "\"author id\"");
  CHECK(sql_identifier("order") == "\"order\"");
  CHECK(sql_identifier("class") == "class"); // unreserved in SQL
  CHECK(sql_identifier("Id") == "\"Id\"");
  CHECK(sql_identifier("é") == "\"é\"");
  CHECK(sql_identifier("") == "\"\"");
}

TEST_CASE("hop::codegen::column_problem", "[codegen]")
{
  CHECK_FALSE(column_problem("id"));
  CHECK(column_problem("class") == "a Python keyword");
  CHECK(column_problem("None") == "a Python keyword");
  CHECK(column_problem("author id") == "not a Python identifier");
  CHECK(column_problem("2fa") == "not a Python identifier");
  CHECK(column_problem("self") == "not usable as an argument of __init__");
  CHECK(column_problem("super") == "not usable as an argument of __init__");
  CHECK_FALSE(column_problem("match"));
}

TEST_CASE("hop::codegen::describe", "[codegen]")
{
  SECTION("everything")
  {
    CHECK(
        describe(post(), "blog_db") ==
        "DATABASE: blog_db\n"
        "SCHEMA: blog\n"
        "TABLE: post\n"
        "\n"
        "DESCRIPTION:\n"
        "The posts of the blog.\n"
        "\n"
        "FIELDS:\n"
        "- id:        (integer) NOT NULL\n"
        "- title:     (character varying(20)) NOT NULL\n"
        "- author id: (integer)  FIX ME! not a Python identifier: alias it in "
        "fields_aliases\n"
        "- published: (date)\n"
        "\n"
        "PRIMARY KEY (id)\n"
        "UNIQUE CONSTRAINT (title)\n"
        "UNIQUE CONSTRAINT (\"author id\", published)\n"
        "\n"
        "FOREIGN KEYS:\n"
        "- post_author_fkey: (\"author id\")\n"
        "  \u21b3 \"blog_db\":blog.person(id)\n"
        "- post_editor_fkey: (title)\n"
        "  \u21b3 \"blog_db\":\"Other Schema\".editor(title)\n"
        "\n"
        "INHERITS: blog.base\n"
        "\n"
        "To use the foreign keys as attributes of the class, copy the Fkeys\n"
        "below into the class section (between the marker lines) and give\n"
        "each one an alias: a Python identifier that is not a column name.\n"
        "Entries whose alias is empty are ignored.\n"
        "\n"
        "Fkeys = {\n"
        "    '': 'post_author_fkey',\n"
        "    '': 'post_editor_fkey',\n"
        "}");
  }
  SECTION("a bare view")
  {
    Relation v = simple("blog.view", "recent");
    v.kind = RelKind::view;
    v.comment = "";
    CHECK(describe(v, "blog") == "DATABASE: blog\n"
                                 "SCHEMA: blog.view\n"
                                 "VIEW: recent\n"
                                 "\n"
                                 "FIELDS:\n"
                                 "- id: (integer) NOT NULL");
  }
  SECTION("uniques without a primary key")
  {
    Relation r = simple("public", "t");
    r.uniques = {{"id"}, {"a", "b"}};
    r.kind = RelKind::materialized_view;
    CHECK(describe(r, "db") == "DATABASE: db\n"
                               "SCHEMA: public\n"
                               "MATERIALIZED VIEW: t\n"
                               "\n"
                               "FIELDS:\n"
                               "- id: (integer) NOT NULL\n"
                               "\n"
                               "UNIQUE CONSTRAINT (id)\n"
                               "UNIQUE CONSTRAINT (a, b)");
  }
  SECTION("columns named self and kwargs are flagged")
  {
    Relation r = simple("public", "t");
    r.columns.push_back(col("self", "text", "text"));
    r.columns.push_back(col("kwargs", "text", "text"));
    std::string d = describe(r, "db");
    CHECK(contains(d, "- self:   (text)  FIX ME! not usable as an argument of "
                      "__init__: alias it in fields_aliases\n"));
    CHECK(contains(d, "- kwargs: (text)  FIX ME!"));
    CHECK(contains(d, "- id:     (integer) NOT NULL\n"));
  }
  SECTION("keyword columns are flagged as keywords; aliased ones are not")
  {
    Relation r = simple("public", "t");
    r.columns.push_back(col("class", "text", "text"));
    r.columns.push_back(col("from", "text", "text"));
    std::string d = describe(r, "db", {}, {{"from", "from_"}});
    CHECK(contains(d, "- class: (text)  FIX ME! a Python keyword: alias it in "
                      "fields_aliases\n"));
    CHECK(d.ends_with("\n- from:  (text)"));
  }
  SECTION("reserved words are quoted")
  {
    Relation line = simple("sales", "line");
    ForeignKey fk;
    fk.name = "line_order_fkey";
    fk.columns = {"order"};
    fk.target_schema = "sales";
    fk.target_relation = "order";
    fk.target_columns = {"id"};
    line.foreign_keys = {fk};
    line.primary_key = {"id", "order"};
    std::string d = describe(line, "shop");
    CHECK(contains(d, "PRIMARY KEY (id, \"order\")\n"));
    CHECK(contains(d, "- line_order_fkey: (\"order\")\n"
                      "  \u21b3 \"shop\":sales.\"order\"(id)\n"));
  }
  SECTION("reverse foreign keys")
  {
    Relation order = simple("sales", "order");
    ForeignKey fk;
    fk.name = "line_order_fkey";
    fk.columns = {"order_id", "site"};
    fk.target_schema = "sales";
    fk.target_relation = "order";
    fk.target_columns = {"id", "site"};
    std::vector<ReverseKey> reverse = {{"inv.stock", "Line", fk}};
    CHECK(describe(order, "shop", reverse) ==
          "DATABASE: shop\n"
          "SCHEMA: sales\n"
          "TABLE: order\n"
          "\n"
          "FIELDS:\n"
          "- id: (integer) NOT NULL\n"
          "\n"
          "FOREIGN KEYS:\n"
          "- reverse_fkey('inv.stock.Line', 'order_id', 'site'): (id, site)\n"
          "  \u21b3 \"shop\":\"inv.stock\".\"Line\"(order_id, site)\n"
          "\n"
          "To use the foreign keys as attributes of the class, copy the Fkeys\n"
          "below into the class section (between the marker lines) and give\n"
          "each one an alias: a Python identifier that is not a column name.\n"
          "Entries whose alias is empty are ignored.\n"
          "reverse_fkey() gives half_orm's name of a reverse key (the foreign\n"
          "key of a relation that references this one) whatever the database\n"
          "is called.\n"
          "\n"
          "Fkeys = {\n"
          "    '': reverse_fkey('inv.stock.Line', 'order_id', 'site'),\n"
          "}");
  }
}

TEST_CASE("hop::codegen::reverse_fkey_name", "[codegen]")
{
  ForeignKey fk;
  fk.columns = {"order_id", "site"};
  CHECK(reverse_fkey_name("shop", {"sales", "line", fk}) ==
        "_reverse_fkey_shop_sales_line_order_id_site");
  CHECK(reverse_fkey_name("shop__hop_test", {"inv.stock", "Line", fk}) ==
        "_reverse_fkey_shop__hop_test_inv_stock_Line_order_id_site");
  fk.columns = {"a:b"};
  CHECK(reverse_fkey_name("my.db", {"s", "x\"y", fk}) ==
        "_reverse_fkey_my_db_s_xy_a_b");
  CHECK(reverse_fkey_call({"s", "it's", fk}) ==
        "reverse_fkey('s.it\\'s', 'a:b')");
}

TEST_CASE("hop::codegen::parse_fkeys and fkey_target", "[codegen]")
{
  auto entries = parse_fkeys(
      "    # aliases\n"
      "    Fkeys = {\n"
      "        'author': 'post_author_fkey',  # the author\n"
      "        \"lines\": reverse_fkey('sales.line', 'order_id'),\n"
      "        'old': '_reverse_fkey_shop_dev_sales_line_order_id',\n"
      "        'wide': reverse_fkey(\n"
      "            'sales.line',\n"
      "            'order_id', 'site'),\n"
      "        '': 'skipped',\n"
      "        'expr': SOME_NAME,\n"
      "        'last': 'x'\n"
      "    }\n"
      "    Fkeys_not = {'a': 'b'}\n");
  REQUIRE(entries.size() == 5);
  CHECK(entries[0].alias == "author");
  CHECK(entries[0].name == "post_author_fkey");
  CHECK_FALSE(entries[0].call);
  CHECK(entries[1].alias == "lines");
  REQUIRE(entries[1].call);
  CHECK(*entries[1].call == std::vector<std::string>{"sales.line", "order_id"});
  CHECK(entries[2].name == "_reverse_fkey_shop_dev_sales_line_order_id");
  CHECK(*entries[3].call ==
        std::vector<std::string>{"sales.line", "order_id", "site"});
  CHECK(entries[4].alias == "last");
  CHECK(parse_fkeys("Fkeys = None\n").empty());
  CHECK(parse_fkeys("# Fkeys = {'a': 'b'}\n").empty());
  CHECK(parse_fkeys("Fkeys={'a':\"b\"}").size() == 1);

  Relation order = simple("sales", "order");
  ForeignKey to_customer;
  to_customer.name = "order_customer_fkey";
  to_customer.target_schema = "sales";
  to_customer.target_relation = "customer";
  order.foreign_keys = {to_customer};
  ForeignKey from_line;
  from_line.name = "line_order_fkey";
  from_line.columns = {"order_id"};
  std::vector<ReverseKey> reverse = {{"sales", "line", from_line},
                                     {"sales", "x_line", from_line}};
  using P = std::pair<std::string, std::string>;
  CHECK(fkey_target(order, reverse, {"a", "order_customer_fkey", {}}) ==
        P{"sales", "customer"});
  CHECK(fkey_target(order, reverse, {"a", "", {{"sales.line", "order_id"}}}) ==
        P{"sales", "line"});
  CHECK_FALSE(fkey_target(order, reverse, {"a", "", {{"sales.line", "x"}}}));
  // Literal names, whatever the database: the longest suffix wins.
  CHECK(fkey_target(order, reverse,
                    {"a", "_reverse_fkey_shop_sales_line_order_id", {}}) ==
        P{"sales", "line"});
  CHECK(fkey_target(order, reverse,
                    {"a", "_reverse_fkey_shop_sales_x_line_order_id", {}}) ==
        P{"sales", "x_line"});
  CHECK_FALSE(fkey_target(order, reverse,
                          {"a", "_reverse_fkey_sales_line_order_id", {}}));
  CHECK_FALSE(fkey_target(order, reverse, {"a", "no_such_fkey", {}}));
}

TEST_CASE("hop::codegen::parse_dict", "[codegen]")
{
  using M = std::map<std::string, std::string>;
  SECTION("Fkeys, both quote styles, empty aliases skipped")
  {
    CHECK(parse_dict("    # my aliases\n"
                     "    Fkeys = {\n"
                     "        'author': 'post_author_fkey',\n"
                     "        \"editor\": \"post_editor_fkey\",\n"
                     "        '': 'post_other_fkey',\n"
                     "        \"\": 'post_fourth_fkey'\n"
                     "    }\n"
                     "    X = {'not': 'this'}\n",
                     "Fkeys") ==
          M{{"author", "post_author_fkey"}, {"editor", "post_editor_fkey"}});
  }
  SECTION("compact form")
  {
    CHECK(parse_dict("Fkeys={'a':\"b\"}", "Fkeys") == M{{"a", "b"}});
  }
  SECTION("fields_aliases")
  {
    CHECK(parse_dict("import os\n"
                     "fields_aliases = {\n"
                     "    'author id': 'author_id',\n"
                     "    \"2fa\": 'two_fa',\n"
                     "}\n",
                     "fields_aliases") ==
          M{{"author id", "author_id"}, {"2fa", "two_fa"}});
  }
  SECTION("only an assignment that starts its line")
  {
    CHECK(parse_dict("    # Fkeys = {'old': 'post_old_fkey'}\n"
                     "    MyFkeys = {'mine': 'x'}\n"
                     "    Fkeys = {'new': 'post_new_fkey'}\n",
                     "Fkeys") == M{{"new", "post_new_fkey"}});
    CHECK(parse_dict("# fields_aliases = {'a': 'b'}\n", "fields_aliases")
              .empty());
    CHECK(parse_dict("\tFkeys={'a': 'b'}", "Fkeys") == M{{"a", "b"}});
  }
  SECTION("absent, unterminated or other names")
  {
    CHECK(parse_dict("", "Fkeys").empty());
    CHECK(parse_dict("Fkeys = None\n", "Fkeys").empty());
    CHECK(parse_dict("Fkeys = {'a': 'b'\n", "Fkeys").empty());
    CHECK(parse_dict("fields_aliases = {'a': 'b'}\n", "Fkeys").empty());
    CHECK(parse_dict("Fkeys = {'a': 'b', 'c'}\n", "Fkeys") == M{{"a", "b"}});
  }
}

TEST_CASE("hop::codegen::render_module", "[codegen]")
{
  const Adapter adapter;
  NameMap names = name_map("blog", {{"blog", "base"},
                                    {"blog", "person"},
                                    {"blog", "post"},
                                    {"public", "t"}});

  SECTION("a simple relation, exactly")
  {
    ModuleText m = render_module("blog", simple("public", "t"), names,
                                 Sections{}, adapter, "blog");
    CHECK(m.warnings.empty());
    CHECK(
        m.text ==
        "# Generated by git-hop from the database model: only the code between "
        "the marker lines survives the next generation.\n"
        "# pylint: disable=wrong-import-order, invalid-name, "
        "attribute-defined-outside-init, line-too-long, unused-import\n"
        "\"\"\"The module blog.public.t provides the T class, which maps the "
        "table "
        "public.t.\n"
        "\n"
        "WARNING! git-hop writes this file again each time it generates the "
        "package\n"
        "('git hop sync-package', 'git hop apply'): write your code only "
        "between the\n"
        "marker lines, everything else is replaced.\n"
        "\"\"\"\n"
        "\n"
        "from blog import MODEL, ho_dataclasses\n"
        "\n"
        "fields_aliases = None\n"
        "\n" +
            B + "\n" + E +
            "\n"
            "\n"
            "class T(MODEL.get_relation_class('public.t', "
            "fields_aliases=fields_aliases), "
            "ho_dataclasses.DC_PublicT):\n"
            "    \"\"\"\n"
            "    DATABASE: blog\n"
            "    SCHEMA: public\n"
            "    TABLE: t\n"
            "\n"
            "    FIELDS:\n"
            "    - id: (integer) NOT NULL\n"
            "    \"\"\"\n"
            "    " +
            B + "\n    " + E +
            "\n"
            "\n"
            "    # pylint: disable=too-many-arguments, redefined-builtin, "
            "too-many-positional-arguments\n"
            "    def __init__(\n"
            "            self,\n"
            "            id: 'int' = None,\n"
            "            **kwargs):\n"
            "        super().__init__(\n"
            "            id=id,\n"
            "            **kwargs)\n"
            "        " +
            B + "\n");
    auto s = extract_sections(m.text, nullptr);
    REQUIRE(s);
    CHECK(s->module == "");
    CHECK(s->klass == "");
    CHECK(s->methods == "");
  }

  SECTION("user sections are spliced back byte for byte")
  {
    Sections user;
    user.module = "import os\n\n\nX = '@CLASS@ {x}'   \r\nfields_aliases = "
                  "{'author id': 'author_id'}\n\n";
    user.klass =
        "    Fkeys = {\n        'author': 'post_author_fkey',\n    }\n\n    \n";
    user.methods =
        "    def hello(self):\n        return \"\"\"hi\"\"\"  \n\n\n# end";
    ModuleText first =
        render_module("blog", post(), names, user, adapter, "blog");
    auto s = extract_sections(first.text, nullptr);
    REQUIRE(s);
    CHECK(s->module == user.module);
    CHECK(s->klass == user.klass);
    CHECK(s->methods == user.methods);
    // Rendering again from the extracted sections gives the same bytes.
    ModuleText second =
        render_module("blog", post(), names, *s, adapter, "blog");
    CHECK(second.text == first.text);
  }

  SECTION("a comment holding a marker line does not damage the module")
  {
    Relation r = simple("public", "t");
    r.comment = "see\n" + B + "\n" + E;
    ModuleText m = render_module("blog", r, names, Sections{}, adapter, "blog");
    std::string why;
    CHECK(extract_sections(m.text, &why));
    CHECK(why == "");
    // The docstring still reads the same: \x23 is '#'.
    CHECK(contains(m.text,
                   "    see\n    \\x23>>> PLACE YOUR CODE BELOW THIS LINE."));
  }

  SECTION("an aliased non-identifier column gives no warning")
  {
    Sections user;
    user.module = "fields_aliases = {'author id': 'author_id'}\n";
    ModuleText m = render_module("blog", post(), names, user, adapter, "blog");
    CHECK(m.warnings.empty());
    CHECK_FALSE(contains(m.text, "author id: '"));
    CHECK_FALSE(contains(m.text, "author_id: '"));
    CHECK(contains(m.text, "            id: 'int' = None,\n"
                           "            title: 'str' = None,\n"
                           "            published: 'datetime.date' = None,\n"
                           "            **kwargs):\n"
                           "        super().__init__(\n"
                           "            id=id,\n"
                           "            title=title,\n"
                           "            published=published,\n"
                           "            **kwargs)\n"));
  }

  SECTION("a non-identifier column without alias warns and is left out")
  {
    ModuleText m =
        render_module("blog", post(), names, Sections{}, adapter, "blog");
    REQUIRE(m.warnings.size() == 1);
    CHECK(m.warnings[0] ==
          "blog.post: column \"author id\" is not a Python identifier; "
          "give it an alias in fields_aliases in blog/blog/post.py");
    CHECK(contains(m.text, "            id: 'int' = None,\n"
                           "            title: 'str' = None,\n"
                           "            published: 'datetime.date' = None,\n"
                           "            **kwargs):\n"));
    CHECK(contains(m.text, "    - author id: (integer)  FIX ME!"));
  }

  SECTION("columns named self, kwargs and super are left out of __init__")
  {
    Relation r = simple("public", "t");
    r.columns.push_back(col("self", "text", "text"));
    r.columns.push_back(col("kwargs", "text", "text"));
    r.columns.push_back(col("super", "text", "text"));
    ModuleText m = render_module("blog", r, names, Sections{}, adapter, "blog");
    REQUIRE(m.warnings.size() == 3);
    CHECK(m.warnings[2] ==
          "public.t: column super is not usable as an argument of __init__; "
          "give it an alias in fields_aliases in blog/public/t.py");
    CHECK(contains(m.text, "            self,\n"
                           "            id: 'int' = None,\n"
                           "            **kwargs):\n"
                           "        super().__init__(\n"
                           "            id=id,\n"
                           "            **kwargs)\n"));
  }

  SECTION("parents are imported and inherited")
  {
    ModuleText m =
        render_module("blog", post(), names, Sections{}, adapter, "blog");
    CHECK(contains(m.text, "\nfrom blog import MODEL, ho_dataclasses\n"
                           "from blog.blog.base import Base as BlogBase\n"
                           "\nfields_aliases = None\n"));
    CHECK(contains(m.text, "\nclass Post(BlogBase, MODEL.get_relation_class("
                           "'blog.post', fields_aliases=fields_aliases), "
                           "ho_dataclasses.DC_BlogPost):\n"));
  }

  SECTION("a parent whose module path is not made of identifiers")
  {
    NameMap odd = name_map(
        "blog",
        {{"my-schema", "base"}, {"public", "class"}, {"public", "child"}});
    Relation r = simple("public", "child");
    r.parents = {
        {"my-schema", "base"}, {"public", "class"}, {"public", "gone"}};
    ModuleText m = render_module("blog", r, odd, Sections{}, adapter, "blog");
    CHECK(contains(m.text,
                   "\"\"\"\n"
                   "\n"
                   "from blog import MODEL, ho_dataclasses\n"
                   "from blog.my_schema.base import Base as MySchemaBase\n"
                   "from blog.public.class_ import Class as PublicClass\n"
                   "\n"
                   "fields_aliases = None\n"));
    CHECK(contains(m.text, "class Child(MySchemaBase, PublicClass, "
                           "MODEL.get_relation_class('public.child'"));
    REQUIRE(m.warnings.size() == 1);
    CHECK(m.warnings[0] == "public.child: parent public.gone is not in the "
                           "package; not inherited");
  }

  SECTION("a name with a double quote goes to half_orm's factory as it is")
  {
    NameMap odd = name_map("blog", {{"o'brien", "a\\b\"\"\""}});
    Relation r = simple("o'brien", "a\\b\"\"\"");
    ModuleText m = render_module("blog", r, odd, Sections{}, adapter, "blog");
    CHECK(contains(m.text, "\nfrom half_orm.relation_factory import factory\n"
                           "from blog import MODEL, ho_dataclasses\n"));
    CHECK(contains(m.text, "(factory({'fqrn': (MODEL._dbname, 'o\\'brien', "
                           "'a\\\\b\"\"\"'), 'model': MODEL, "
                           "'fields_aliases': fields_aliases}), "
                           "ho_dataclasses.DC_"));
    REQUIRE(m.warnings.size() == 1);
    CHECK(contains(m.warnings[0], "half_orm quotes names without doubling"));
    // In the docstrings: backslashes doubled, triple quotes escaped.
    // The quoted name ends in 7 quotes: two escaped triples, and the last
    // one escaped too.
    CHECK(contains(m.text,
                   "which maps the table \"o'brien\".\"a\\\\b\\\"\\\"\\\""
                   "\\\"\\\"\\\"\\\".\n"));
    CHECK(contains(m.text, "    TABLE: a\\\\b\\\"\\\"\\\"\n"));
    auto s = extract_sections(m.text, nullptr);
    CHECK(s);
  }

  SECTION("a relation with reverse keys imports reverse_fkey")
  {
    ForeignKey fk;
    fk.name = "post_author_fkey";
    fk.columns = {"author id"};
    fk.target_schema = "blog";
    fk.target_relation = "person";
    fk.target_columns = {"id"};
    ModuleText m =
        render_module("blog", simple("blog", "person"), names, Sections{},
                      adapter, "blog", {{"blog", "post", fk}});
    CHECK(contains(m.text,
                   "\nfrom blog import MODEL, ho_dataclasses, reverse_fkey\n"));
    CHECK(contains(m.text,
                   "    - reverse_fkey('blog.post', 'author id'): (id)\n"));
    CHECK(contains(m.text,
                   "        '': reverse_fkey('blog.post', 'author id'),\n"));
  }

  SECTION("keyword columns are warned about as keywords")
  {
    Relation r = simple("public", "t");
    r.columns.push_back(col("class", "text", "text"));
    ModuleText m = render_module("blog", r, names, Sections{}, adapter, "blog");
    REQUIRE(m.warnings.size() == 1);
    CHECK(m.warnings[0] == "public.t: column class is a Python keyword; give "
                           "it an alias in fields_aliases in blog/public/t.py");
  }

  SECTION("views and other kinds")
  {
    Relation r = simple("public", "t");
    r.kind = RelKind::materialized_view;
    ModuleText m = render_module("blog", r, names, Sections{}, adapter, "blog");
    CHECK(contains(m.text, "which maps the materialized view public.t.\n"));
    CHECK(contains(m.text, "    MATERIALIZED VIEW: t\n"));
  }
}

TEST_CASE("hop::codegen::render_dataclass", "[codegen]")
{
  NameMap names = name_map("blog", {{"blog", "person"}, {"blog", "post"}});
  const std::vector<FkeyEntry> no_fkeys;
  const std::vector<ReverseKey> no_reverse;
  std::set<std::string> imports;
  std::vector<std::string> warnings;

  SECTION("fields, arrays, invalid columns, Fkeys aliases")
  {
    Relation r = post();
    r.columns.push_back(array_col("tags", "text[]", "_text"));
    std::string dc = render_dataclass(r, names, Adapter{},
                                      {{"author", "post_author_fkey", {}},
                                       {"editor", "post_editor_fkey", {}}},
                                      no_reverse, imports, warnings);
    CHECK(
        dc ==
        "\n\n@dataclasses.dataclass\n"
        "class DC_BlogPost(DC_Relation):\n"
        "    id: int = dataclasses.field(default=None)\n"
        "    title: str = dataclasses.field(default=None)\n"
        "    # author id: int = dataclasses.field(default=None)  FIX ME! not a "
        "Python identifier\n"
        "    published: datetime.date = dataclasses.field(default=None)\n"
        "    tags: list = dataclasses.field(default_factory=list)\n"
        "\n"
        "    def __post_init__(self):\n"
        "        self.id: Field = None\n"
        "        self.title: Field = None\n"
        "        self.published: Field = None\n"
        "        self.tags: Field = None\n"
        "        self.author = DC_BlogPerson\n");
    // editor targets a relation that is not in the package: no attribute,
    // no warning.
    CHECK(warnings.empty());
    CHECK(imports == std::set<std::string>{"datetime"});
  }

  SECTION("no column")
  {
    Relation r = simple("blog", "person");
    r.columns.clear();
    CHECK(render_dataclass(r, names, Adapter{}, no_fkeys, no_reverse, imports,
                           warnings) == "\n\n@dataclasses.dataclass\n"
                                        "class DC_BlogPerson(DC_Relation):\n"
                                        "\n"
                                        "    def __post_init__(self):\n"
                                        "        pass\n");
    CHECK(imports.empty());
  }

  SECTION("unknown types warn and use typing.Any")
  {
    Relation r = simple("blog", "person");
    r.columns.push_back(col("path", "ltree", "ltree"));
    std::string dc = render_dataclass(r, names, Adapter{}, no_fkeys, no_reverse,
                                      imports, warnings);
    CHECK(contains(dc,
                   "    path: typing.Any = dataclasses.field(default=None)\n"));
    CHECK(imports == std::set<std::string>{"typing"});
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0] ==
          "blog.person: column path has SQL type 'ltree' without a "
          "Python type (typing.Any is used); map it in SQL_ADAPTER");
    warnings.clear();
    render_dataclass(r, names, Adapter{{"ltree", "str"}}, no_fkeys, no_reverse,
                     imports, warnings);
    CHECK(warnings.empty());
  }

  SECTION("bad Fkeys aliases warn")
  {
    std::string dc = render_dataclass(post(), names, Adapter{},
                                      {{"title", "post_author_fkey", {}},
                                       {"class", "post_author_fkey", {}},
                                       {"who", "no_such_fkey", {}},
                                       {"who2", "", {{"blog.x", "y"}}}},
                                      no_reverse, imports, warnings);
    CHECK_FALSE(contains(dc, "DC_BlogPerson"));
    CHECK(warnings ==
          std::vector<std::string>{
              "blog.post: Fkeys alias 'title' is not a Python identifier, is a "
              "column name or is used twice",
              "blog.post: Fkeys alias 'class' is not a Python identifier, is a "
              "column name or is used twice",
              "blog.post: Fkeys alias 'who' names no foreign key of the "
              "relation ('no_such_fkey')",
              "blog.post: Fkeys alias 'who2' names no foreign key of the "
              "relation (reverse_fkey(...))"});
  }

  SECTION("reverse keys, by reverse_fkey() or by half_orm's name")
  {
    ForeignKey fk;
    fk.name = "post_author_fkey";
    fk.columns = {"author id"};
    std::string dc = render_dataclass(
        simple("blog", "person"), names, Adapter{},
        {{"posts", "", {{"blog.post", "author id"}}},
         {"old_posts", "_reverse_fkey_blog_dev_blog_post_author id", {}}},
        {{"blog", "post", fk}}, imports, warnings);
    CHECK(contains(dc, "        self.posts = DC_BlogPost\n"
                       "        self.old_posts = DC_BlogPost\n"));
    CHECK(warnings.empty());
  }

  SECTION("an invalid column name with a newline stays a comment")
  {
    Relation r = simple("blog", "person");
    r.columns.push_back(col("a\nb: int = 1 #", "text", "text"));
    std::string dc = render_dataclass(r, names, Adapter{}, no_fkeys, no_reverse,
                                      imports, warnings);
    // Every line of the class body is a field, a comment or the
    // __post_init__.
    size_t pos = dc.find("(DC_Relation):\n") + 15;
    size_t end = dc.find("\n    def __post_init__");
    std::string body = dc.substr(pos, end - pos);
    size_t start = 0;
    while (start < body.size()) {
      size_t nl = body.find('\n', start);
      std::string line = body.substr(start, nl - start);
      CHECK((line.rfind("    # ", 0) == 0 || line.rfind("    id: ", 0) == 0));
      start = nl + 1;
    }
    CHECK(contains(
        dc,
        "    # a\\nb: int = 1 #: str = dataclasses.field(default=None)  FIX "
        "ME! not a Python identifier\n"));
  }
}

TEST_CASE("hop::codegen::render_dataclasses_file and the others", "[codegen]")
{
  SECTION("ho_dataclasses.py")
  {
    std::string text = render_dataclasses_file(
        "blog", {"\n\nclass A: ...\n", "\n\nclass B: ...\n"},
        {"datetime", "decimal"});
    CHECK(text ==
          "# Generated by git-hop from the database model: written again at "
          "each generation.\n"
          "\"\"\"The dataclasses of the relations of the blog package.\"\"\"\n"
          "# pylint: disable=invalid-name, too-many-instance-attributes, "
          "line-too-long\n"
          "\n"
          "import dataclasses\n"
          "import datetime\n"
          "import decimal\n"
          "\n"
          "from half_orm.relation import DC_Relation\n"
          "from half_orm.field import Field\n"
          "\n"
          "\n"
          "class A: ...\n"
          "\n"
          "\n"
          "class B: ...\n"
          "\n");
    CHECK(is_generated(text));
  }
  SECTION("package __init__.py")
  {
    std::string text = render_package_init("blog");
    CHECK(contains(text, "\nMODEL = Model('blog', scope=__name__)\n"));
    CHECK(contains(text, "\ndef reverse_fkey(relation, *columns):\n"));
    CHECK(is_generated(text));
  }
  SECTION("schema __init__.py")
  {
    std::string text =
        render_schema_init("the package blog.public", {"person", "post"});
    CHECK(contains(text,
                   "\"\"\"The modules of the package blog.public (generated by "
                   "git-hop; do not edit).\"\"\"\n"
                   "\n"
                   "__all__ = [\n"
                   "    'person',\n"
                   "    'post',\n"
                   "]\n"));
    CHECK(is_generated(text));
    CHECK(contains(render_schema_init("x", {}), "__all__ = [\n]\n"));
  }
  SECTION("test stub")
  {
    std::string text =
        render_test_stub("blog", names_of("blog", "public", "post"));
    CHECK(contains(text, "\"\"\"Tests of blog.public.post.\n"));
    CHECK(contains(text, "\nfrom blog.base_test import BaseTest\n"
                         "from blog.public.post import Post\n"
                         "\n\nclass TestPost(BaseTest):\n"));
    CHECK(contains(text, "self.assertIsInstance(Post(), self.Relation)"));
    CHECK_FALSE(contains(text, "importorskip"));
    CHECK_FALSE(is_generated(text));
    std::string odd =
        render_test_stub("blog", names_of("blog", "my-schema", "post"));
    CHECK(contains(odd, "\nfrom blog.my_schema.post import Post\n"));
  }
  SECTION("files written once")
  {
    CHECK(contains(render_once("sql_adapter.py", "blog"),
                   "\"\"\"SQL type -> Python type map of the blog package."));
    CHECK(contains(render_once("base_test.py", "blog"),
                   "\"\"\"The base class of the tests of the blog package."));
    CHECK_FALSE(is_generated(render_once("sql_adapter.py", "blog")));
    CHECK_FALSE(is_generated(render_once("base_test.py", "blog")));
  }
}

TEST_CASE("hop::codegen::is_generated", "[codegen]")
{
  SECTION("git-hop's header")
  {
    CHECK(is_generated(
        "# Generated by git-hop from the database model: ...\nx = 1\n"));
    CHECK(is_generated("# Generated by git-hop"));
    CHECK_FALSE(is_generated("\n# Generated by git-hop\n"));
  }
  SECTION("upstream hop's header")
  {
    CHECK(is_generated(
        "# pylint: disable=wrong-import-order, invalid-name, "
        "attribute-defined-outside-init\n"
        "\n"
        "\"\"\"The module blog.public.post povides the Post class.\n"));
    // The pylint line alone is not enough.
    CHECK_FALSE(is_generated("# pylint: disable=wrong-import-order\n"
                             "\"\"\"My module.\"\"\"\n"));
    // The docstring must come early.
    CHECK_FALSE(is_generated("# pylint: disable=wrong-import-order\n" +
                             std::string(400, '#') +
                             "\n\"\"\"The module x\"\"\"\n"));
  }
  SECTION("hand-written files")
  {
    CHECK_FALSE(is_generated(""));
    CHECK_FALSE(is_generated("import os\n"));
    CHECK_FALSE(
        is_generated("\"\"\"The module blog.public.post provides.\"\"\"\n"));
  }
}

TEST_CASE("hop::codegen::is_generated_init", "[codegen]")
{
  using hop::codegen::is_generated_init;
  CHECK(is_generated_init("# Generated by git-hop from the database model\n"));
  // half_orm's own hop: a warning docstring, then __all__.
  CHECK(is_generated_init(
      "\"\"\"WARNING ...\"\"\"\n\n__all__ = [\n    'a'\n]\n"));
  CHECK_FALSE(is_generated_init("\"\"\"My API.\"\"\"\n"));
  CHECK_FALSE(is_generated_init("from .client import CLIENT\n"));
  CHECK_FALSE(is_generated_init(""));
}

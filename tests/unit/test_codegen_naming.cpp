#include <hop/codegen/naming.hpp>

#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

using namespace hop::codegen;
using namespace std::string_literals;

TEST_CASE("hop::codegen::camel_case", "[codegen]")
{
  SECTION("snake case")
  {
    CHECK(camel_case("post_comment") == "PostComment");
    CHECK(camel_case("post") == "Post");
    CHECK(camel_case("a_b_c") == "ABC");
  }
  SECTION("lower-cases first, like half_orm")
  {
    CHECK(camel_case("Post Comment") == "PostComment");
    CHECK(camel_case("POST_COMMENT") == "PostComment");
    CHECK(camel_case("HTTPServer") == "Httpserver");
  }
  SECTION("every non-alphanumeric character is dropped and starts a word")
  {
    CHECK(camel_case("a__b") == "AB");
    CHECK(camel_case("_post_") == "Post");
    CHECK(camel_case("post-comment.v2") == "PostCommentV2");
    CHECK(camel_case("a$b") == "AB");
    CHECK(camel_case("__") == "");
    CHECK(camel_case("") == "");
  }
  SECTION("digits are kept and end the capitalisation")
  {
    CHECK(camel_case("2fa") == "2fa");
    CHECK(camel_case("2fa_token") == "2faToken");
    CHECK(camel_case("v2_x") == "V2X");
    CHECK(camel_case("x_2") == "X2");
  }
  SECTION("Latin letters beyond ASCII")
  {
    CHECK(camel_case("café_crème") == "CaféCrème");
    CHECK(camel_case("élève") == "Élève");
    CHECK(camel_case("ÉLÈVE_ÂGÉ") == "ÉlèveÂgé");
    // × and ÷ are not letters.
    CHECK(camel_case("a×b") == "AB");
  }
  SECTION("Greek and Cyrillic")
  {
    CHECK(camel_case("αβγ_δεζ") == "ΑβγΔεζ");
    CHECK(camel_case("ΑΒΓ") == "Αβγ");
    CHECK(camel_case("пост_комментарий") == "ПостКомментарий");
    CHECK(camel_case("ПОСТ") == "Пост");
    CHECK(camel_case("ёж_щи") == "ЁжЩи");
  }
  SECTION("every script, as Python maps it (see test_codegen_case.cpp)")
  {
    CHECK(camel_case("ā_ÿ") == "ĀŸ");
    CHECK(camel_case("άρθρο") == "Άρθρο");
    CHECK(camel_case("文章") == "文章");
    CHECK(camel_case("straße") == "Straße");
    CHECK(camel_case("ßx") == "SSx");
    CHECK(camel_case("ΟΔΟΣ") == "Οδος");
  }
}

TEST_CASE("hop::codegen::capitalize", "[codegen]")
{
  CHECK(capitalize("blog") == "Blog");
  CHECK(capitalize("bLOG") == "Blog");
  CHECK(capitalize("BLOG") == "Blog");
  CHECK(capitalize("2fa") == "2fa");
  CHECK(capitalize("") == "");
  CHECK(capitalize("élève") == "Élève");
  CHECK(capitalize("ΑΒΓ") == "Αβγ");
  CHECK(capitalize("пОСТ") == "Пост");
  // Not a camel case: non-letters are kept.
  CHECK(capitalize("a-b c") == "A-b c");
}

TEST_CASE("hop::codegen::dataclass_name", "[codegen]")
{
  SECTION("schema dot-parts and relation underscore-parts capitalised")
  {
    CHECK(dataclass_name("blog.view", "post_comment") ==
          "DC_BlogViewPostComment");
    CHECK(dataclass_name("public", "post") == "DC_PublicPost");
    CHECK(dataclass_name("PUBLIC", "POST") == "DC_PublicPost");
    CHECK(dataclass_name("public", "a__b") == "DC_PublicAB");
  }
  SECTION("made an identifier")
  {
    CHECK(dataclass_name("public", "big order") == "DC_PublicBig_order");
    CHECK(dataclass_name("my-schema", "a.b") == "DC_My_schemaA_b");
    CHECK(dataclass_name("public", "price€") == "DC_PublicPrice_");
    CHECK(dataclass_name("public", "2fa") == "DC_Public2fa");
    CHECK(dataclass_name("", "2fa") == "DC_2fa");
  }
  SECTION("non-ASCII letters are kept")
  {
    CHECK(dataclass_name("ventes", "café_crème") == "DC_VentesCaféCrème");
    CHECK(dataclass_name("блог", "пост") == "DC_БлогПост");
  }
}

TEST_CASE("hop::codegen::is_identifier", "[codegen]")
{
  SECTION("plain identifiers")
  {
    CHECK(is_identifier("post"));
    CHECK(is_identifier("_x"));
    CHECK(is_identifier("a1"));
    CHECK(is_identifier("Post_2"));
    CHECK(is_identifier("_"));
    // Soft keywords are identifiers.
    CHECK(is_identifier("match"));
    CHECK(is_identifier("self"));
  }
  SECTION("keywords")
  {
    CHECK_FALSE(is_identifier("class"));
    CHECK_FALSE(is_identifier("None"));
    CHECK_FALSE(is_identifier("True"));
    CHECK_FALSE(is_identifier("async"));
    CHECK_FALSE(is_identifier("lambda"));
    CHECK(is_identifier("Class"));
    CHECK(is_identifier("none"));
  }
  SECTION("digits first, punctuation, empty")
  {
    CHECK_FALSE(is_identifier("2fa"));
    CHECK_FALSE(is_identifier("1"));
    CHECK_FALSE(is_identifier(""));
    CHECK_FALSE(is_identifier("a b"));
    CHECK_FALSE(is_identifier("a-b"));
    CHECK_FALSE(is_identifier("a.b"));
    CHECK_FALSE(is_identifier("a$"));
  }
  SECTION("unicode letters accepted, other symbols rejected")
  {
    CHECK(is_identifier("café"));
    CHECK(is_identifier("élève"));
    CHECK(is_identifier("αβγ"));
    CHECK(is_identifier("пост"));
    CHECK_FALSE(is_identifier("€"));
    CHECK_FALSE(is_identifier("price€"));
    CHECK_FALSE(is_identifier("a×b"));
    // A stray UTF-8 continuation byte is not a letter.
    CHECK_FALSE(is_identifier("a\x80"));
  }
}

TEST_CASE("hop::codegen::identifier_from", "[codegen]")
{
  SECTION("identifiers unchanged")
  {
    CHECK(identifier_from("post") == "post");
    CHECK(identifier_from("café") == "café");
    CHECK(identifier_from("文章") == "文章");
    CHECK(identifier_from("class_") == "class_");
  }
  SECTION("keywords get a trailing '_'")
  {
    CHECK(identifier_from("class") == "class_");
    CHECK(identifier_from("import") == "import_");
    CHECK(identifier_from("None") == "None_");
  }
  SECTION("what cannot be in an identifier becomes '_'")
  {
    CHECK(identifier_from("big order") == "big_order");
    CHECK(identifier_from("p-a ce") == "p_a_ce");
    CHECK(identifier_from(R"(tri"""q)") == "tri___q");
    CHECK(identifier_from("it's") == "it_s");
    CHECK(identifier_from("a/b") == "a_b");
    CHECK(identifier_from("../etc") == "___etc");
    CHECK(identifier_from("a\0b"s) == "a_b");
    CHECK(identifier_from("price€") == "price_");
  }
  SECTION("'_' in front of what cannot start one")
  {
    CHECK(identifier_from("2024") == "_2024");
    CHECK(identifier_from("") == "_");
    CHECK(identifier_from("·x") == "_·x");
  }
  SECTION("NFKC, as Python reads identifiers")
  {
    CHECK(identifier_from("ﬁle") == "file");
    CHECK(identifier_from("ｆｕｌｌ") == "full");
    CHECK(is_identifier(identifier_from("e\u0301")));
  }
  SECTION("invalid UTF-8")
  {
    CHECK(identifier_from("a\x80") == "a_");
  }
}

TEST_CASE("hop::codegen::name_entries", "[codegen]")
{
  using E = DirectoryEntry;
  auto names = [](std::vector<E> entries, bool top = false) {
    name_entries(entries, reserved_names(top));
    std::vector<std::string> out;
    for (const auto& e : entries) {
      out.push_back(e.name);
    }
    return out;
  };
  using V = std::vector<std::string>;
  SECTION("identifiers keep their names")
  {
    CHECK(names({{false, "post", ""}, {true, "blog", ""}}) ==
          V{"post", "blog"});
  }
  SECTION("the others are mapped")
  {
    CHECK(names({{false, "big order", ""},
                 {false, "2024", ""},
                 {true, "p-a ce", ""},
                 {false, "class", ""}}) ==
          V{"big_order", "_2024", "p_a_ce", "class_"});
  }
  SECTION("an exact name wins over a mapped one, whatever the order")
  {
    CHECK(names({{false, "class", ""}, {false, "class_", ""}}) ==
          V{"class__2", "class_"});
    CHECK(names({{false, "a b", ""}, {false, "a-b", ""}, {false, "a_b", ""}}) ==
          V{"a_b_2", "a_b_3", "a_b"});
  }
  SECTION("a sub-package wins over a module of the same name")
  {
    CHECK(names({{false, "post", ""}, {true, "post", ""}}) ==
          V{"post_2", "post"});
  }
  SECTION("reserved names")
  {
    CHECK(names({{false, "__init__", ""}}) == V{"__init___2"});
    CHECK(names({{false, "ho_dataclasses", ""}}) == V{"ho_dataclasses"});
    CHECK(names({{true, "ho_dataclasses", ""},
                 {true, "MODEL", ""},
                 {true, "base_test", ""}},
                true) == V{"ho_dataclasses_2", "MODEL_2", "base_test_2"});
    CHECK(names({{true, "__pycache__", ""}}, true) == V{"__pycache___2"});
  }
  SECTION("mapped names never collide")
  {
    std::vector<E> entries;
    for (const char* raw : {"a b", "a-b", "a.b", "a_b_2", "a?b"}) {
      entries.push_back({false, raw, ""});
    }
    auto got = names(entries);
    CHECK(std::set<std::string>(got.begin(), got.end()).size() == got.size());
    for (const auto& n : got) {
      CHECK(is_identifier(n));
    }
  }
}

TEST_CASE("hop::codegen::schema_parts", "[codegen]")
{
  using V = std::vector<std::string>;
  CHECK(schema_parts("public") == V{"public"});
  CHECK(schema_parts("blog.view") == V{"blog", "view"});
  CHECK(schema_parts("a..b") == V{"a", "", "b"});
  CHECK(schema_parts(".x") == V{"", "x"});
  CHECK(schema_parts("s.p-a ce") == V{"s", "p-a ce"});
}

TEST_CASE("hop::codegen::valid_package_name", "[codegen]")
{
  for (const char* ok : {"blog", "_x", "My_Model2", "a"}) {
    INFO(ok);
    CHECK(valid_package_name(ok));
  }
  for (const char* bad :
       {"", "2blog", "my-model", "class", "None", "a.b", "café", "a b"}) {
    INFO(bad);
    CHECK_FALSE(valid_package_name(bad));
  }
  CHECK(valid_package_name(std::string(63, 'a')));
  CHECK_FALSE(valid_package_name(std::string(64, 'a')));
}

TEST_CASE("hop::codegen::is_python_keyword", "[codegen]")
{
  CHECK(is_python_keyword("class"));
  CHECK(is_python_keyword("None"));
  CHECK(is_python_keyword("await"));
  CHECK_FALSE(is_python_keyword("match"));
  CHECK_FALSE(is_python_keyword("self"));
  CHECK_FALSE(is_python_keyword("Class"));
}

TEST_CASE("hop::codegen::py_string", "[codegen]")
{
  CHECK(py_string("") == "''");
  CHECK(py_string("public.post") == "'public.post'");
  CHECK(py_string("it's") == R"('it\'s')");
  CHECK(py_string("say \"hi\"") == R"('say "hi"')");
  CHECK(py_string("a\\b") == R"('a\\b')");
  CHECK(py_string("a\nb\rc\td") == R"('a\nb\rc\td')");
  CHECK(py_string("\x01\x1f\x7f"s) == R"('\x01\x1f\x7f')");
  CHECK(py_string("a\0b"s) == R"('a\x00b')");
  CHECK(py_string("café") == "'café'");
}

TEST_CASE("hop::codegen::docstring_text", "[codegen]")
{
  SECTION("plain text unchanged, newlines and tabs kept")
  {
    CHECK(docstring_text("a post\n\twith 'quotes'") ==
          "a post\n\twith 'quotes'");
    CHECK(docstring_text("") == "");
    CHECK(docstring_text("say \"hi\" now") == "say \"hi\" now");
  }
  SECTION("triple quotes escaped")
  {
    CHECK(docstring_text(R"(a"""b)") == R"(a\"\"\"b)");
    CHECK(docstring_text(R"("""""")") == R"(\"\"\"\"\"\")");
  }
  SECTION("backslashes doubled")
  {
    CHECK(docstring_text(R"(C:\new)") == R"(C:\\new)");
    CHECK(docstring_text(R"(\)") == R"(\\)");
  }
  SECTION("a trailing quote is escaped")
  {
    CHECK(docstring_text(R"(say "hi")") == R"(say "hi\")");
    CHECK(docstring_text(R"(a"")") == R"(a"\")");
    CHECK(docstring_text(R"(a\")") == R"(a\\\")");
    CHECK(docstring_text(R"("""")") == R"(\"\"\"\")");
  }
  SECTION("marker-like text cannot form a marker line")
  {
    CHECK(
        docstring_text(
            "#>>> PLACE YOUR CODE BELOW THIS LINE. DO NOT REMOVE THIS LINE!") ==
        R"(\x23>>> PLACE YOUR CODE BELOW THIS LINE. DO NOT REMOVE THIS LINE!)");
    CHECK(docstring_text("a\n  #<<< x\n#>> #") == "a\n  \\x23<<< x\n#>> #");
  }
  SECTION("control characters escaped")
  {
    CHECK(docstring_text("a\0b"s) == R"(a\x00b)");
    CHECK(docstring_text("a\rb\x7f") == R"(a\x0db\x7f)");
  }
}

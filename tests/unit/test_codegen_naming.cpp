#include <hop/codegen/naming.hpp>

#include <catch2/catch.hpp>

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

TEST_CASE("hop::codegen::path_element", "[codegen]")
{
  SECTION("ordinary names unchanged")
  {
    CHECK(path_element("post") == "post");
    CHECK(path_element("big order") == "big order");
    CHECK(path_element("café") == "café");
  }
  SECTION("keywords get a trailing '_'")
  {
    CHECK(path_element("class") == "class_");
    CHECK(path_element("import") == "import_");
    CHECK(path_element("None") == "None_");
    CHECK(path_element("class_") == "class_");
  }
  SECTION("what would escape the directory is replaced")
  {
    CHECK(path_element("a/b") == "a_b");
    CHECK(path_element("../etc") == "_.._etc");
    CHECK(path_element("..") == "_..");
    CHECK(path_element(".") == "_.");
    CHECK(path_element(".hidden") == "_.hidden");
    CHECK(path_element("a\0b"s) == "a_b");
    CHECK(path_element("") == "_");
    CHECK(path_element("a.b") == "a.b");
  }
}

TEST_CASE("hop::codegen::module_path", "[codegen]")
{
  using V = std::vector<std::string>;
  CHECK(module_path("public", "post") == V{"public", "post"});
  CHECK(module_path("blog.view", "post_comment") ==
        V{"blog", "view", "post_comment"});
  CHECK(module_path("blog.class", "import") == V{"blog", "class_", "import_"});
  CHECK(module_path("a..b", "x") == V{"a", "_", "b", "x"});
  CHECK(module_path(".x", "../y") == V{"_", "x", "_.._y"});
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

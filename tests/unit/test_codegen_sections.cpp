#include <hop/codegen/sections.hpp>

#include <catch2/catch.hpp>

#include <string>

using namespace hop::codegen;

namespace {

const std::string B(k_begin_marker);
const std::string E(k_end_marker);
const std::string OLD(k_begin_marker_old);

// A module laid out like relation.py with the given sections.
std::string module_text(const std::string& module, const std::string& klass,
                        const std::string& methods,
                        const std::string& begin = B)
{
  return "# header\n"
         "from blog import MODEL\n"
         "\n" +
         begin + "\n" + module + E +
         "\n"
         "\n"
         "class Post(MODEL.get_relation_class('blog.post')):\n"
         "    \"\"\"doc\"\"\"\n"
         "    " +
         begin + "\n" + klass + "    " + E +
         "\n"
         "\n"
         "    def __init__(self, **kwargs):\n"
         "        super().__init__(**kwargs)\n"
         "        " +
         begin + "\n" + methods;
}

} // namespace

TEST_CASE("hop::codegen::extract_sections round-trips", "[codegen]")
{
  std::string why = "untouched";

  SECTION("empty sections")
  {
    auto s = extract_sections(module_text("", "", ""), &why);
    REQUIRE(s);
    CHECK(s->module == "");
    CHECK(s->klass == "");
    CHECK(s->methods == "");
    CHECK(why == "untouched");
  }
  SECTION("sections with blank lines, trailing spaces, CRLF and tabs")
  {
    const std::string module = "import os\n\n\nX = 1   \n\tY = {'a': 1}\r\n\n";
    const std::string klass =
        "    Fkeys = {\r\n        'author': 'post_author_fkey',\r\n"
        "    }\r\n\n    \n";
    const std::string methods =
        "    def hello(self):   \n\n        return '@CLASS@ {x}'\n"
        "\n\n# the end   \n\n";
    auto s = extract_sections(module_text(module, klass, methods), &why);
    REQUIRE(s);
    CHECK(s->module == module);
    CHECK(s->klass == klass);
    CHECK(s->methods == methods);
  }
  SECTION("methods without a trailing newline")
  {
    auto s = extract_sections(
        module_text("a\n", "b\n", "    def f(self):\n        pass"), &why);
    REQUIRE(s);
    CHECK(s->methods == "    def f(self):\n        pass");
  }
  SECTION("no newline after the last marker")
  {
    std::string text = module_text("a\n", "b\n", "");
    text.pop_back();
    REQUIRE(text.substr(text.size() - B.size()) == B);
    auto s = extract_sections(text, &why);
    REQUIRE(s);
    CHECK(s->module == "a\n");
    CHECK(s->klass == "b\n");
    CHECK(s->methods == "");
  }
  SECTION("marker lines with CRLF and trailing blanks")
  {
    std::string text = "x\r\n" + B + " \t\r\n" + "m\r\n" + E + "\r\n" + "    " +
                       B + "\r\n" + "    k\r\n" + "    " + E + "  \r\n" +
                       "        " + B + "\r\n" + "        pass\r\n";
    auto s = extract_sections(text, &why);
    REQUIRE(s);
    CHECK(s->module == "m\r\n");
    CHECK(s->klass == "    k\r\n");
    CHECK(s->methods == "        pass\r\n");
  }
  SECTION("the old BELLOW spelling")
  {
    auto s =
        extract_sections(module_text("import os\n", "    X = 1\n",
                                     "    def f(self):\n        pass\n", OLD),
                         &why);
    REQUIRE(s);
    CHECK(s->module == "import os\n");
    CHECK(s->klass == "    X = 1\n");
    CHECK(s->methods == "    def f(self):\n        pass\n");
  }
  SECTION("a marker-like line that is not exactly a marker is user text")
  {
    const std::string module =
        "# " + B + "\n" + B + " extra\n" + "#>>> PLACE\n";
    auto s = extract_sections(module_text(module, "", ""), &why);
    REQUIRE(s);
    CHECK(s->module == module);
  }
  SECTION("a null why is allowed")
  {
    CHECK(extract_sections(module_text("", "", ""), nullptr));
  }
}

TEST_CASE("hop::codegen::extract_sections refuses damaged modules", "[codegen]")
{
  // module_text("", "", ""): begin line 4, end 5, begin 9, end 10,
  // begin 14.
  const std::string good = module_text("", "", "");
  REQUIRE(extract_sections(good, nullptr));
  std::string why;

  SECTION("no markers")
  {
    CHECK_FALSE(extract_sections("import os\n\nclass X:\n    pass\n", &why));
    CHECK(
        why ==
        "expected the marker lines begin, end, begin, end, begin; found none");
    CHECK_FALSE(extract_sections("", &why));
    CHECK(
        why ==
        "expected the marker lines begin, end, begin, end, begin; found none");
  }
  SECTION("a marker removed")
  {
    std::string text = module_text("a\n", "", "");
    // Remove the first end marker (line 6, after the section "a").
    size_t at = text.find(E);
    text.erase(at, E.size() + 1);
    CHECK_FALSE(extract_sections(text, &why));
    CHECK(why ==
          "expected the marker lines begin, end, begin, end, begin; found "
          "begin (line 4), begin (line 9), end (line 10), begin (line 14)");
  }
  SECTION("the last begin marker removed")
  {
    std::string text = good.substr(0, good.rfind(B));
    CHECK_FALSE(extract_sections(text, &why));
    CHECK(why ==
          "expected the marker lines begin, end, begin, end, begin; found "
          "begin (line 4), end (line 5), begin (line 9), end (line 10)");
  }
  SECTION("an extra marker")
  {
    std::string text = module_text("", "", "    x = 1\n    " + E + "\n");
    CHECK_FALSE(extract_sections(text, &why));
    CHECK(why ==
          "expected the marker lines begin, end, begin, end, begin; found "
          "begin (line 4), end (line 5), begin (line 9), end (line 10), "
          "begin (line 14), end (line 16)");
  }
  SECTION("an extra begin marker in the methods")
  {
    std::string text = module_text("", "", "        " + B + "\n");
    CHECK_FALSE(extract_sections(text, &why));
    CHECK(why.find("begin (line 14), begin (line 15)") != std::string::npos);
  }
  SECTION("markers out of order")
  {
    std::string text = E + "\n" + B + "\n" + B + "\n" + E + "\n" + B + "\n";
    CHECK_FALSE(extract_sections(text, &why));
    CHECK(why ==
          "expected the marker lines begin, end, begin, end, begin; found "
          "end (line 1), begin (line 2), begin (line 3), end (line 4), "
          "begin (line 5)");
  }
}

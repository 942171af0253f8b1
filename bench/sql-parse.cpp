// A development tool, not installed: run hop::sql::parse() on files, for
// bench/sql and for looking at what the classifier says.
//
//   build/bench/hop-sql-parse [--list] [--report] [--allow-mixed] FILE...
//   build/bench/hop-sql-parse --rules
//
// Prints, for each file, the number of statements and of distinct kinds;
// --list also prints every statement (line:column, tag, transactional,
// locks); --report prints the lock report against the database libpq's
// environment names (PGHOST, PGDATABASE...). An error is printed git-style
// and exits 128. --rules prints the
// lock rules as the entries of git-hop(1)'s LOCKS section (scdoc).
#include <hop/db/connection.hpp>
#include <hop/error.hpp>
#include <hop/sql/script.hpp>

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::string read(const std::string& path)
{
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw hop::fatal("cannot read '" + path + "'");
  }
  std::string text;
  in.seekg(0, std::ios::end);
  text.resize(static_cast<size_t>(in.tellg()));
  in.seekg(0);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  return text;
}

void list(const hop::sql::Script& script)
{
  for (const auto& s : script.statements) {
    std::cout << s.line << ':' << s.column << ' ' << s.tag();
    if (!s.transactional()) {
      std::cout << " [non-transactional]";
    }
    if (s.enum_add_value()) {
      std::cout << " [enum add value]";
    }
    if (s.concurrent_index()) {
      std::cout << " [index " << s.concurrent_index()->text() << ']';
    }
    for (const auto& l : s.locks()) {
      std::cout << " {" << l.relation_text() << ' '
                << hop::sql::level_name(l.level)
                << (l.rewrite ? " rewrite" : "") << (l.scan ? " scan" : "")
                << '}';
    }
    std::cout << '\n';
  }
}

void report(const hop::sql::Script& script, const std::string& path)
{
  auto conn = hop::db::Connection::connect({});
  auto reports = hop::sql::lock_report({{&script, &path}}, conn);
  for (const auto& r : reports.front()) {
    std::cout << r.file_line << " (" << r.count << " x " << r.tag << ") "
              << r.relation << ' ' << hop::sql::level_name(r.level)
              << (r.rewrite ? " rewrite" : "") << (r.scan ? " scan" : "")
              << " rows=" << (r.rows ? std::to_string(*r.rows) : "-")
              << " bytes=" << (r.bytes ? std::to_string(*r.bytes) : "-") << ": "
              << r.reason << '\n';
  }
}

// scdoc treats * and _ as formatting: escape them.
std::string scdoc(std::string_view text)
{
  std::string out;
  for (char c : text) {
    if (c == '*' || c == '_' || c == '\\') {
      out += '\\';
    }
    out += c;
  }
  return out;
}

void rules()
{
  for (const auto& r : hop::sql::lock_rules()) {
    std::cout << '*' << scdoc(r.statement) << "*\n\t"
              << hop::sql::level_name(r.level);
    if (r.rewrite) {
      std::cout << ", rewrites";
    }
    if (r.scan) {
      std::cout << ", scans";
    }
    std::cout << ": " << scdoc(r.reason) << ". Source: " << scdoc(r.source)
              << ".\n\n";
  }
}

} // namespace

int main(int argc, char** argv)
{
  bool show = false, with_report = false;
  hop::sql::Options options;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--rules") {
      rules();
      return 0;
    }
    if (a == "--report") {
      with_report = true;
    } else if (a == "--list") {
      show = true;
    } else if (a == "--allow-mixed") {
      options.allow_mixed = true;
    } else {
      files.push_back(a);
    }
  }
  if (files.empty()) {
    std::cerr
        << "usage: hop-sql-parse [--list] [--report] [--allow-mixed] FILE...\n";
    return 129;
  }
  try {
    for (const auto& f : files) {
      std::string text = read(f);
      hop::sql::Script script = hop::sql::parse(text, f, options);
      std::cout << f << ": " << script.statements.size() << " statements, "
                << script.kinds() << " kinds\n";
      if (show) {
        list(script);
      }
      if (with_report) {
        report(script, f);
      }
    }
  } catch (const hop::Error& e) {
    std::cerr << "fatal: " << e.what() << '\n';
    for (const auto& d : e.details()) {
      std::cerr << "    " << d << '\n';
    }
    for (const auto& h : e.hints()) {
      std::cerr << "hint: " << h << '\n';
    }
    return e.exit_code();
  }
  return 0;
}

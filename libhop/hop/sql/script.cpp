#include "script.hpp"

#include "../error.hpp"
#include "classify.hpp"
#include "pgq.hpp"
#include "split.hpp"
#include "tree.hpp"

#include <algorithm>
#include <cstring>
#include <functional>
#include <unordered_map>

namespace hop::sql {

std::string_view level_name(LockLevel level)
{
  switch (level) {
  case LockLevel::access_share:
    return "ACCESS SHARE";
  case LockLevel::row_share:
    return "ROW SHARE";
  case LockLevel::row_exclusive:
    return "ROW EXCLUSIVE";
  case LockLevel::share_update_exclusive:
    return "SHARE UPDATE EXCLUSIVE";
  case LockLevel::share:
    return "SHARE";
  case LockLevel::share_row_exclusive:
    return "SHARE ROW EXCLUSIVE";
  case LockLevel::exclusive:
    return "EXCLUSIVE";
  case LockLevel::access_exclusive:
    return "ACCESS EXCLUSIVE";
  }
  return "?";
}

std::string Name::text() const
{
  return schema.empty() ? name : schema + "." + name;
}

std::string Name::quoted() const
{
  auto quote = [](std::string_view part) {
    std::string q = "\"";
    for (char c : part) {
      q += c;
      if (c == '"') {
        q += '"';
      }
    }
    return q + "\"";
  };
  return schema.empty() ? quote(name) : quote(schema) + "." + quote(name);
}

std::string Lock::relation_text() const
{
  if (all_tables) {
    return relation.schema.empty() ? "*" : relation.schema + ".*";
  }
  return relation.text();
}

bool Kind::operator==(const Kind& other) const
{
  bool same_index = concurrent_index && other.concurrent_index
                        ? *concurrent_index == *other.concurrent_index
                        : !concurrent_index && !other.concurrent_index;
  return tag == other.tag && transactional == other.transactional &&
         non_transactional == other.non_transactional &&
         enum_add_value == other.enum_add_value && same_index &&
         locks == other.locks;
}

Statement Statements::operator[](size_t i) const
{
  const Row& r = m_rows[i];
  Statement s;
  s.offset = (size_t(r.high & 0xFFU) << 32) | r.offset_low;
  s.length = r.length;
  s.line = static_cast<int>(r.line);
  s.column = static_cast<int>(r.column);
  s.kind = m_kinds[r.high >> 8].get();
  return s;
}

bool Script::has_non_transactional() const
{
  return first_non_transactional().has_value();
}

bool Script::all_non_transactional() const
{
  if (statements.empty()) {
    return false;
  }
  for (const auto& s : statements) {
    if (s.transactional()) {
      return false;
    }
  }
  return true;
}

std::optional<Statement> Script::first_non_transactional() const
{
  for (const auto& s : statements) {
    if (!s.transactional()) {
      return s;
    }
  }
  return std::nullopt;
}

namespace {

constexpr std::string_view k_bom = "\xEF\xBB\xBF";

size_t skip_bom(std::string_view text)
{
  return text.starts_with(k_bom) ? k_bom.size() : 0;
}

// Line and column of increasing offsets, in one pass over the text.
class Cursor {
public:
  Cursor(std::string_view text, size_t start, Position at = {1, 1})
      : m_text(text), m_offset(start), m_pos(at)
  {
  }

  // The offset at() reached last.
  size_t offset() const { return m_offset; }

  Position at(size_t offset)
  {
    offset = std::min(offset, m_text.size());
    for (; m_offset < offset; ++m_offset) {
      auto c = static_cast<unsigned char>(m_text[m_offset]);
      if (c == '\n') {
        ++m_pos.line;
        m_pos.column = 1;
      } else if ((c & 0xC0) != 0x80) {
        ++m_pos.column;
      }
    }
    return m_pos;
  }

private:
  std::string_view m_text;
  size_t m_offset;
  Position m_pos;
};

size_t hash_combine(size_t seed, size_t v)
{
  return seed ^ (v + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2));
}

struct KindHash
{
  size_t operator()(const Kind* k) const
  {
    std::hash<std::string_view> h;
    size_t seed = h(k->tag);
    seed = hash_combine(seed, k->transactional);
    seed = hash_combine(seed, k->enum_add_value);
    if (k->concurrent_index) {
      seed = hash_combine(seed, h(k->concurrent_index->name));
    }
    for (const auto& l : k->locks) {
      seed = hash_combine(seed, h(l.relation.schema));
      seed = hash_combine(seed, h(l.relation.name));
      seed = hash_combine(seed, static_cast<size_t>(l.level));
      seed = hash_combine(seed, h(l.reason));
    }
    return seed;
  }
};

struct KindEq
{
  bool operator()(const Kind* a, const Kind* b) const { return *a == *b; }
};

std::string meta_command_name(std::string_view text, size_t at)
{
  size_t end = at + 1;
  while (end < text.size() && end - at < 40 &&
         std::strchr(" \t\r\n\f\v;", text[end]) == nullptr) {
    ++end;
  }
  return std::string(text.substr(at, end - at));
}

} // namespace

class Builder {
public:
  Builder(std::string_view text, const std::string& path,
          const Options& options)
      : m_text(text)
      , m_path(path)
      , m_options(options)
      , m_start(skip_bom(text))
      , m_cursor(text, m_start)
  {
  }

  Script run();

private:
  [[noreturn]] void fail(size_t offset, const std::string& message,
                         const std::vector<std::string>& details = {},
                         const std::vector<std::string>& hints = {});
  [[noreturn]] void syntax_error(size_t offset, const pgq::Failure& f);
  size_t chunk(size_t begin, size_t end, bool final);
  bool try_chunk(size_t begin, size_t end);
  void add_all(size_t begin, size_t end, const pgq::Json& json);
  void add(size_t begin, size_t end, detail::Value stmt);
  void check_mixing() const;
  void check_nul();
  std::string where(size_t offset);

  std::string_view m_text;
  const std::string& m_path;
  const Options& m_options;
  size_t m_start;
  Cursor m_cursor;
  std::string m_window;
  detail::Tree m_tree;
  Script m_script;
  // The kinds met so far, each with its index in m_script's.
  std::unordered_map<const Kind*, unsigned, KindHash, KindEq> m_kinds;
};

std::string Builder::where(size_t offset)
{
  // From the last statement's start, which is before any problem the
  // parser finds: the start of a big script is not read again.
  Position p = offset >= m_cursor.offset() ? m_cursor.at(offset)
                                           : position_of(m_text, offset);
  return m_path + ":" + std::to_string(p.line) + ":" + std::to_string(p.column);
}

void Builder::fail(size_t offset, const std::string& message,
                   const std::vector<std::string>& details,
                   const std::vector<std::string>& hints)
{
  Error e = fatal(where(offset) + ": " + message);
  for (const auto& d : details) {
    e.detail(d);
  }
  for (const auto& h : hints) {
    e.hint(h);
  }
  throw e;
}

void Builder::syntax_error(size_t offset, const pgq::Failure& f)
{
  std::vector<std::string> details;
  if (f.from_scanner) {
    details.emplace_back("SQLSTATE: 42601");
  }
  fail(offset, f.message, details);
}

// The script is read a window at a time, up to a place where a statement
// ends: the last ';' before a line end when the parser reads up to there
// without an error (a ';' that is not a statement's end cannot be followed
// by the end of the text without one, but in a -- comment, harmless),
// else the last place the lexer says a statement may end (libpg_query's
// scanner split, dearer). The parser reads everything up to there at once
// and the next window starts there. A statement larger than the window
// doubles the window.
Script Builder::run()
{
  std::string_view body = m_text.substr(m_start);
  // At least 2 bytes a statement ("x;"): reserve address space, which the
  // system backs with memory only where written.
  m_script.statements.m_rows.reserve(
      std::min<size_t>(body.size() / 32 + 16, size_t(1) << 26));
  check_nul();
  size_t pos = m_start;
  size_t window = detail::k_window;
  while (pos < m_text.size()) {
    if (m_options.done_before) {
      m_options.done_before(pos);
    }
    size_t avail = m_text.size() - pos;
    size_t len = std::min(avail, window);
    if (len == avail) {
      chunk(pos, m_text.size(), true);
      break;
    }
    std::string_view w = m_text.substr(pos, len);
    size_t line_end = w.size() >= 2 ? w.size() - 2 : std::string_view::npos;
    for (; line_end != std::string_view::npos; --line_end) {
      if (w[line_end] == ';' &&
          (w[line_end + 1] == '\n' || w[line_end + 1] == '\r')) {
        break;
      }
      if (line_end == 0) {
        line_end = std::string_view::npos;
        break;
      }
    }
    if (line_end != std::string_view::npos &&
        try_chunk(pos, pos + line_end + 1)) {
      pos += line_end + 1;
      window = detail::k_window;
      continue;
    }
    m_window.assign(w);
    detail::Cuts cuts = detail::scanner_cuts(m_window);
    if (cuts.ends.empty()) {
      // A stray ')' hides every later ';' from the scanner split.
      cuts = detail::psql_cuts(m_window);
    }
    size_t done =
        cuts.ends.empty() ? pos : chunk(pos, pos + cuts.ends.back(), false);
    if (done == pos) {
      window *= 2;
      continue;
    }
    pos = done;
    window = detail::k_window;
  }
  if (!m_options.allow_mixed) {
    check_mixing();
  }
  return std::move(m_script);
}

// A NUL anywhere is the first problem reported (the parser reads C
// strings: it would stop there). Read a MiB at a time, given back as it
// goes (done_before).
void Builder::check_nul()
{
  constexpr size_t k_step = size_t{1} << 20;
  for (size_t at = m_start; at < m_text.size(); at += k_step) {
    size_t n = std::min(k_step, m_text.size() - at);
    if (const void* nul = std::memchr(m_text.data() + at, '\0', n)) {
      fail(static_cast<size_t>(static_cast<const char*>(nul) - m_text.data()),
           "the script contains a NUL byte",
           {"PostgreSQL cannot take a NUL byte in a statement."});
    }
    if (m_options.done_before) {
      m_options.done_before(at + n);
    }
  }
}

void Builder::add_all(size_t begin, size_t end, const pgq::Json& json)
{
  m_tree.read(json.text());
  for (detail::Value raw : m_tree.root()["stmts"]) {
    size_t from = begin + static_cast<size_t>(raw["stmt_location"].integer());
    auto length = static_cast<size_t>(raw["stmt_len"].integer());
    size_t to = length == 0 ? end : from + length;
    from += detail::first_token(m_text.substr(from, to - from));
    to = from + detail::last_token_end(m_text.substr(from, to - from),
                                       to == m_text.size());
    add(from, to, raw["stmt"]);
  }
}

// Parse text[begin, end) and add its statements; false (and nothing
// added) when the parser finds an error.
bool Builder::try_chunk(size_t begin, size_t end)
{
  std::string buf(m_text.substr(begin, end - begin));
  pgq::Failure failure;
  pgq::Json json = pgq::parse(buf.c_str(), &failure);
  if (!json) {
    return false;
  }
  add_all(begin, end, json);
  return true;
}

// Parse text[begin, end) and add its statements; throw at the first
// problem. Returns where the added statements end: `end`, or less when
// [begin, end) is not final and ends inside a statement (the scanner split
// cut a BEGIN ATOMIC body).
size_t Builder::chunk(size_t begin, size_t end, bool final)
{
  std::string buf(m_text.substr(begin, end - begin));
  pgq::Failure failure;
  pgq::Json json = pgq::parse(buf.c_str(), &failure);
  if (json) {
    add_all(begin, end, json);
    return end;
  }
  size_t at = begin + detail::byte_at_char(buf, failure.position);
  // The complete statements before the error first: the first problem of
  // the script may be one of them (COPY ... FROM STDIN before its data).
  size_t before = begin;
  for (size_t c : detail::psql_cuts(buf).ends) {
    if (begin + c <= at && begin + c < end) {
      before = begin + c;
    }
  }
  if (before > begin) {
    if (size_t done = chunk(begin, before, false); done < before) {
      return done;
    }
  }
  if (!final && failure.message.ends_with("at end of input")) {
    return before;
  }
  if (at < m_text.size() && m_text[at] == '\\') {
    detail::Refusal r = detail::meta_command(meta_command_name(m_text, at));
    fail(at, r.message, r.details, r.hints);
  }
  syntax_error(at, failure);
}

void Builder::add(size_t begin, size_t end, detail::Value stmt)
{
  Kind kind;
  try {
    kind = detail::classify(stmt);
  } catch (const detail::Refusal& r) {
    fail(begin, r.message, r.details, r.hints);
  }
  Statements& st = m_script.statements;
  unsigned index = 0;
  if (auto it = m_kinds.find(&kind); it != m_kinds.end()) {
    index = it->second;
  } else {
    if (st.m_kinds.size() >= (size_t(1) << 24)) {
      fail(begin, "the script has more than 16,777,215 kinds of statement");
    }
    index = static_cast<unsigned>(st.m_kinds.size());
    st.m_kinds.push_back(std::make_unique<Kind>(std::move(kind)));
    m_kinds.emplace(st.m_kinds.back().get(), index);
  }
  if (begin >= (size_t(1) << 40) || end - begin > 0xFFFFFFFFU) {
    fail(begin, "the script or the statement is too large");
  }
  Position p = m_cursor.at(begin);
  st.m_rows.push_back({static_cast<unsigned>(begin & 0xFFFFFFFFU),
                       static_cast<unsigned>(begin >> 32) | (index << 8),
                       static_cast<unsigned>(end - begin),
                       static_cast<unsigned>(p.line),
                       static_cast<unsigned>(p.column)});
}

void Builder::check_mixing() const
{
  std::optional<Statement> no;
  std::optional<Statement> yes;
  for (const auto& s : m_script.statements) {
    auto& first = s.transactional() ? yes : no;
    if (!first) {
      first = s;
    }
    if (no && yes) {
      break;
    }
  }
  if (!no || !yes) {
    return;
  }
  throw fatal(m_path + ": mixes statements that cannot run inside a "
                       "transaction block with statements that can")
      .detail("line " + std::to_string(no->line) + ": " +
              std::string(no->kind->non_transactional))
      .detail("line " + std::to_string(yes->line) + ": " +
              std::string(yes->tag()) +
              " runs inside the release's transaction")
      .hint("Move the statements that cannot run inside a transaction "
            "block to a script of their own: git-hop runs such a script "
            "outside any transaction, one statement at a time.");
}

Script parse(std::string_view text, const std::string& path,
             const Options& options)
{
  return Builder(text, path, options).run();
}

Position position_of(std::string_view text, size_t offset)
{
  return Cursor(text, skip_bom(text)).at(offset);
}

Position position_in(std::string_view text, const Statement& s, int position)
{
  // From the statement's own start: a big script is not read again.
  std::string_view body = s.text(text);
  size_t at = detail::byte_at_char(body, position);
  return Cursor(text, s.offset, {s.line, s.column}).at(s.offset + at);
}

} // namespace hop::sql

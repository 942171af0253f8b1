// SQL scripts read by PostgreSQL's own lexer and parser (libpg_query, the
// only user of pg_query.h): a script is cut into statements with their
// positions, each statement is classified (command tag, whether it can run
// inside a transaction block, the table locks it takes) and constructs
// git-hop cannot run are refused, all before any database is touched.
//
//   auto script = sql::parse(text, "Patches/0/1/0/00_schema.sql");
//   for (const auto& s : script.statements) {
//     conn.exec(s.text(text));   // one statement, without its ';'
//     // s.tag(), s.transactional(), s.locks(), s.concurrent_index()
//   }
//   // a server error at character `pos` of statement s:
//   auto where = sql::position_in(text, s, pos);
//
// Statements end where PostgreSQL's parser says (a ';' outside
// parentheses and outside a CREATE FUNCTION/PROCEDURE ... BEGIN ATOMIC
// body). The script is read a window at a time: the lexer finds where
// statements may end, the parser reads up to there at once and its tree
// is classified and freed; so memory grows with the number of statements
// (20 bytes each) and with the largest statement, never with the whole
// script's trees. Statements that are alike (every INSERT into one table)
// share one Kind.
//
// The lock rules and the manual pages they come from are in lock_rules()
// and in git-hop(1), section LOCKS.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hop::db {
class Connection;
}

namespace hop::sql {

// PostgreSQL's table-level lock modes, weakest first.
enum class LockLevel : unsigned char {
  access_share,
  row_share,
  row_exclusive,
  share_update_exclusive,
  share,
  share_row_exclusive,
  exclusive,
  access_exclusive,
};

// "ACCESS SHARE" ... "ACCESS EXCLUSIVE".
std::string_view level_name(LockLevel level);

// A relation's name as written: the parts unquoted (case as the parser
// leaves it: unquoted names folded to lower case), the schema only when
// written.
struct Name
{
  std::string schema;
  std::string name;

  // "schema.name" or "name".
  std::string text() const;
  // Every part double-quoted, for to_regclass(): "\"s\".\"t\"".
  std::string quoted() const;
  bool operator==(const Name&) const = default;
};

// A table-level lock a statement takes.
struct Lock
{
  Name relation;
  // The lock is on every table of `relation.schema` (of the database when
  // the schema is empty); relation.name is empty (VACUUM, REINDEX SCHEMA,
  // DROP SCHEMA ... CASCADE...).
  bool all_tables = false;
  LockLevel level = LockLevel::access_share;
  bool rewrite = false;    // rewrites the whole table (and its indexes)
  bool scan = false;       // reads the whole table while holding the lock
  std::string_view reason; // one sentence, from lock_rules()

  // relation.text(), or "schema.*" / "*" for all_tables.
  std::string relation_text() const;
  bool operator==(const Lock&) const = default;
};

// What a statement is; statements that are alike share one Kind.
struct Kind
{
  std::string_view tag; // PostgreSQL's command tag: "CREATE INDEX", "INSERT"
  bool transactional = true;
  // Why it cannot run inside a transaction block, when !transactional:
  // "CREATE INDEX CONCURRENTLY cannot run inside a transaction block".
  std::string_view non_transactional;
  // ALTER TYPE ... ADD VALUE. PostgreSQL (12 and later) runs it inside a
  // transaction block, so it stays transactional; but the new value cannot
  // be used before that transaction commits, and which later statements
  // use it is beyond the parser: the flag lets the engine warn, or commit
  // after it.
  bool enum_add_value = false;
  std::vector<Lock> locks; // at most one per relation, the strongest
  // CREATE INDEX CONCURRENTLY: the index (its schema is the table's, when
  // the table is written schema-qualified), to find and rebuild an
  // INVALID one left by an interrupted build. A pointer: most kinds have
  // none, and a script may hold many kinds.
  std::unique_ptr<Name> concurrent_index;

  bool operator==(const Kind& other) const;
};

struct Statement
{
  // Bytes of the statement in the text given to parse(): from its first
  // token to its last, without the comments and blanks around it and
  // without the terminating ';'.
  size_t offset = 0;
  size_t length = 0;
  // 1-based start; the column counts characters (a tab counts one), like
  // the server's error positions. A leading BOM is not counted.
  int line = 0;
  int column = 0;
  const Kind* kind = nullptr;

  std::string_view text(std::string_view script) const
  {
    return script.substr(offset, length);
  }
  std::string_view tag() const { return kind->tag; }
  bool transactional() const { return kind->transactional; }
  bool enum_add_value() const { return kind->enum_add_value; }
  // The index a CREATE INDEX CONCURRENTLY builds, nullptr otherwise.
  const Name* concurrent_index() const { return kind->concurrent_index.get(); }
  const std::vector<Lock>& locks() const { return kind->locks; }
};

// A script's statements, kept compact (20 bytes each: a big script has
// hundreds of thousands): statements[i] and iteration give Statement
// values, whose kind points into the kinds held here.
class Statements {
public:
  class iterator {
  public:
    using value_type = Statement;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    iterator(const Statements* s, size_t i) : m_s(s), m_i(i) {}
    Statement operator*() const { return (*m_s)[m_i]; }
    iterator& operator++()
    {
      ++m_i;
      return *this;
    }
    iterator operator++(int)
    {
      iterator old = *this;
      ++m_i;
      return old;
    }
    bool operator==(const iterator& o) const { return m_i == o.m_i; }

  private:
    const Statements* m_s = nullptr;
    size_t m_i = 0;
  };

  Statements() = default;
  Statements(Statements&&) noexcept = default;
  Statements& operator=(Statements&&) noexcept = default;
  Statements(const Statements&) = delete; // statements point into m_kinds
  Statements& operator=(const Statements&) = delete;

  size_t size() const { return m_rows.size(); }
  bool empty() const { return m_rows.empty(); }
  Statement operator[](size_t i) const;
  iterator begin() const { return {this, 0}; }
  iterator end() const { return {this, m_rows.size()}; }

private:
  friend class Script;
  friend class Builder;
  // offset: 40 bits (low 32 in offset_low, high 8 in high), the kind's
  // index in m_kinds: 24 bits (high >> 8).
  struct Row
  {
    unsigned offset_low = 0;
    unsigned high = 0;
    unsigned length = 0;
    unsigned line = 0;
    unsigned column = 0;
  };
  std::vector<Row> m_rows;
  std::vector<std::unique_ptr<Kind>> m_kinds;
};

class Script {
public:
  Statements statements;

  bool has_non_transactional() const;
  // True when there is at least one statement and none is transactional.
  bool all_non_transactional() const;
  // The first statement that cannot run in a transaction block, if any.
  std::optional<Statement> first_non_transactional() const;
  // How many distinct kinds the statements share.
  size_t kinds() const { return statements.m_kinds.size(); }
};

struct Options
{
  // Accept a script that mixes statements that cannot run in a
  // transaction block with ones that can (a script marked to run outside
  // any transaction, one statement at a time).
  bool allow_mixed = false;
  // Called with an offset before which the parser will not read `text`
  // again in this pass (a big script's memory can be given back:
  // Text::release_before). Two passes, each in increasing order: the
  // check for a NUL byte, then the statements.
  std::function<void(size_t)> done_before;
};

// Cut and classify `text`; `path` names the script in messages. Touches no
// database. Throws hop::Error (fatal), the message starting with
// "<path>:<line>:<col>: ":
//  - a syntax error, as the server words it ("syntax error at or near
//    \"x\"", detail "SQLSTATE: 42601");
//  - a refused construct, with what to do instead: transaction control
//    (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, PREPARE TRANSACTION...), a psql
//    meta-command (\connect, \i, \set...), COPY ... FROM STDIN or TO
//    STDOUT, CREATE DATABASE, DROP DATABASE, CREATE INDEX CONCURRENTLY
//    without an index name, a NUL byte;
//  - unless options.allow_mixed, a script that mixes statements that cannot
//    run inside a transaction block with ones that can (message
//    "<path>: ...", naming the first of each with its line).
// DO blocks, routines and CALL are transactional: a COMMIT inside them is
// no transaction control at the top level (inside git-hop's transaction
// it fails when it runs: "invalid transaction termination").
// A UTF-8 BOM at the start is skipped: offsets still index `text`, lines
// and columns count from after it.
Script parse(std::string_view text, const std::string& path,
             const Options& options = {});

struct Position
{
  int line = 0;
  int column = 0;
  bool operator==(const Position&) const = default;
};

// 1-based line and column (in characters) of byte `offset` of `text`.
Position position_of(std::string_view text, size_t offset);
// Line and column in the script of a server error position (1-based, in
// characters: PG_DIAG_STATEMENT_POSITION) inside statement `s` as sent
// (s.text(text)). A position past the statement's end gives its end.
Position position_in(std::string_view text, const Statement& s, int position);

// One rule of the lock table: what a statement (or ALTER TABLE form) takes,
// with the PostgreSQL 15 manual page (or source file, where the manual is
// silent) it comes from. git-hop(1) LOCKS lists the same rules.
struct Rule
{
  std::string_view statement; // "CREATE INDEX CONCURRENTLY"
  LockLevel level;
  bool rewrite;
  bool scan;
  std::string_view reason; // the Lock::reason of the locks it gives
  std::string_view source; // "CREATE INDEX", "Explicit Locking (13.3)"
};
std::span<const Rule> lock_rules();

// The lock report: one row per lock of each run of consecutive statements
// of the same kind, with the relation's size in the database `conn` is
// connected to (one catalog query for all the scripts reported).
struct ReportRow
{
  size_t statement = 0;  // index of the run's first statement
  size_t count = 1;      // statements in the run
  std::string file_line; // "<path>:<line>" of the first
  std::string_view tag;
  std::string relation; // Lock::relation_text()
  LockLevel level = LockLevel::access_share;
  bool rewrite = false;
  bool scan = false;
  std::string_view reason;
  // The planner's row estimate (pg_class.reltuples, summed over partitions
  // and over all tables for all_tables locks) and pg_total_relation_size;
  // none for a relation the database does not have (yet: created by the
  // script) and no rows for a table never analyzed.
  std::optional<long long> rows;
  std::optional<long long> bytes;
};
// A script to report and the path that names it in ReportRow::file_line.
struct ReportScript
{
  const Script* script = nullptr;
  const std::string* path = nullptr;
};
// The rows of each of `scripts`, in order.
std::vector<std::vector<ReportRow>>
lock_report(const std::vector<ReportScript>& scripts, db::Connection& conn);

} // namespace hop::sql

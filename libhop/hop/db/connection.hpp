// PostgreSQL through libpq. The only user of libpq-fe.h.
//
//   auto conn = db::Connection::connect({{"dbname", "blog"}});
//   auto r = conn.query("select relname from pg_class where relkind = $1",
//                       {"r"});
//   for (int i = 0; i < r.rows(); ++i) use(r.value(i, 0));
//   db::Transaction tx(conn);     // BEGIN
//   conn.exec(script);            // may hold many statements
//   tx.commit();                  // else ROLLBACK in the destructor
//
// Values always travel as parameters; names are quoted with
// quote_ident(). Server errors become db::Error carrying the SQLSTATE,
// detail, hint and error position; its message is one line (the first of a
// multi-line server or libpq message, whose other lines are details).
#pragma once

#include "../error.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct pg_conn;
struct pg_result;

namespace hop::db {

class Error : public hop::Error {
public:
  Error(const std::string& message, std::string sqlstate, int position);
  // Five-character SQLSTATE, empty when not from the server.
  const std::string& sqlstate() const { return m_sqlstate; }
  // 1-based character position in the statement, 0 when unknown.
  int position() const { return m_position; }

private:
  std::string m_sqlstate;
  int m_position;
};

class Result {
public:
  Result() = default;
  explicit Result(pg_result* res);
  int rows() const;
  int columns() const;
  bool is_null(int row, int col) const;
  // The text value ("" when NULL).
  std::string value(int row, int col) const;
  std::optional<std::string> get(int row, int col) const;

private:
  struct Free
  {
    void operator()(pg_result* r) const;
  };
  std::unique_ptr<pg_result, Free> m_res;
};

using Params = std::vector<std::optional<std::string>>;

// The application_name of the connections this process opens from now on
// (unless PGAPPNAME or the keywords set one): "git-hop" by default;
// deploy::Lock names it "git-hop <command> [pid N]", so that what a killed
// git-hop left running on the server can be told (Cluster::sweep()).
void set_application_name(const std::string& name);

class Connection {
public:
  // Connect with libpq keywords (dbname, user, host...); missing ones come
  // from libpq's environment. Throws db::Error "cannot connect...".
  static Connection connect(const std::map<std::string, std::string>& keywords);
  // Like connect() but returns nullopt and the error text on failure.
  static std::optional<Connection>
  try_connect(const std::map<std::string, std::string>& keywords,
              std::string* error);

  Connection(Connection&&) noexcept = default;
  Connection& operator=(Connection&&) noexcept = default;
  ~Connection();

  // Run `sql` as a simple query (several statements allowed).
  Result exec(std::string_view sql);
  // Run one parameterised statement.
  Result query(std::string_view sql, const Params& params = {});

  std::string quote_ident(std::string_view name) const;
  std::string quote_literal(std::string_view value) const;

  // Send `sql` (a simple query) without waiting; wait_sent() waits for its
  // results (throws as exec() does). Nothing else may run in between. Both
  // are traced: "(sent)", then the time from the send to the results.
  void send(std::string_view sql);
  void wait_sent();

  // The connection's socket (process::detach() keeps it for a child).
  int socket() const;
  // Close this process's handle without ending the server session: a
  // child that holds the same socket goes on with it. The connection is
  // unusable after.
  void abandon();

  // Whether a transaction block is open (also when it failed).
  bool in_transaction() const;
  // The server process of this connection.
  int backend_pid() const;

  std::string dbname() const;
  std::string user() const;
  std::string host() const;
  std::string port() const;
  int server_version() const;

private:
  explicit Connection(pg_conn* conn);
  struct Finish
  {
    void operator()(pg_conn* c) const;
  };
  std::unique_ptr<pg_conn, Finish> m_conn;
  // What send() sent, and when (traced by wait_sent()).
  std::string m_sent;
  std::chrono::steady_clock::time_point m_sent_at;
};

class Transaction {
public:
  explicit Transaction(Connection& conn);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  void commit();

private:
  Connection& m_conn;
  bool m_done = false;
};

// The libpq connection error text without its trailing newline, without
// the "FATAL:  " severity, and with the tab that starts libpq's second lines
// removed: one line per line, joined by "\n" (rendered as detail lines).
std::string tidy_libpq_message(std::string_view message);

// A text[] literal of `items`, every element quoted ('{"a","b"}'), for a
// parameter such as `= any($1::text[])`.
std::string text_array(const std::vector<std::string>& items);

} // namespace hop::db

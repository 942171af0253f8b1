#include "connection.hpp"

#include "../output.hpp"

#include <libpq-fe.h>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <optional>

namespace hop::db {

namespace {

std::string first_line(std::string_view sql)
{
  size_t b = sql.find_first_not_of(" \t\n");
  if (b == std::string_view::npos) {
    return "";
  }
  sql = sql.substr(b);
  size_t e = sql.find('\n');
  std::string line(sql.substr(0, e));
  if (e != std::string_view::npos) {
    line += " ...";
  }
  return line;
}

void trace_sql(std::string_view sql,
               std::chrono::steady_clock::time_point start)
{
  if (!output::tracing()) {
    return;
  }
  output::trace("sql: " + first_line(sql) + "  (" + output::ms_since(start) +
                ")");
}

// The non-empty lines of `text`, without the spaces and tabs that start
// them (libpq indents its second lines with a tab).
std::vector<std::string> message_lines(std::string_view text)
{
  std::vector<std::string> lines;
  while (!text.empty()) {
    size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    size_t b = line.find_first_not_of(" \t");
    size_t e = line.find_last_not_of(" \t\r");
    if (b != std::string_view::npos) {
      lines.emplace_back(line.substr(b, e - b + 1));
    }
    if (eol == std::string_view::npos) {
      break;
    }
    text.remove_prefix(eol + 1);
  }
  return lines;
}

Error error_from_result(const PGresult* res, PGconn* conn)
{
  auto field = [&](int code) -> std::string {
    const char* v = res ? PQresultErrorField(res, code) : nullptr;
    return v ? v : "";
  };
  std::string primary = field(PG_DIAG_MESSAGE_PRIMARY);
  if (primary.empty()) {
    primary = tidy_libpq_message(PQerrorMessage(conn));
  }
  // A message may hold several lines (RAISE E'...\n...', libpq's "server
  // closed the connection unexpectedly\n\tThis probably means..."): the
  // first is the message, the others are details.
  std::vector<std::string> lines = message_lines(primary);
  std::string pos = field(PG_DIAG_STATEMENT_POSITION);
  Error e(lines.empty() ? std::string("unknown error") : lines.front(),
          field(PG_DIAG_SQLSTATE), pos.empty() ? 0 : std::atoi(pos.c_str()));
  for (size_t i = 1; i < lines.size(); ++i) {
    e.detail(lines[i]);
  }
  std::string prefix = "DETAIL: ";
  for (auto& line : message_lines(field(PG_DIAG_MESSAGE_DETAIL))) {
    e.detail(prefix + line);
    prefix = "";
  }
  if (auto sqlstate = field(PG_DIAG_SQLSTATE); !sqlstate.empty()) {
    e.detail("SQLSTATE: " + sqlstate);
  }
  for (auto& line : message_lines(field(PG_DIAG_MESSAGE_HINT))) {
    e.hint(line);
  }
  return e;
}

} // namespace

Error::Error(const std::string& message, std::string sqlstate, int position)
    : hop::Error(message), m_sqlstate(std::move(sqlstate)), m_position(position)
{
}

std::string tidy_libpq_message(std::string_view message)
{
  std::string m;
  for (const auto& line : message_lines(message)) {
    m += (m.empty() ? "" : "\n") + line;
  }
  // "...failed: FATAL:  database "x" does not exist": keep where libpq
  // tried (the socket or host), drop the severity.
  for (size_t p; (p = m.find("FATAL:  ")) != std::string::npos;) {
    m.erase(p, 8);
  }
  return m;
}

void Result::Free::operator()(pg_result* r) const
{
  PQclear(r);
}

Result::Result(pg_result* res) : m_res(res) {}

int Result::rows() const
{
  return m_res ? PQntuples(m_res.get()) : 0;
}

int Result::columns() const
{
  return m_res ? PQnfields(m_res.get()) : 0;
}

bool Result::is_null(int row, int col) const
{
  return PQgetisnull(m_res.get(), row, col) != 0;
}

std::string Result::value(int row, int col) const
{
  if (row >= rows() || col >= columns()) {
    HOP_BUG("db::Result::value out of range");
  }
  return PQgetvalue(m_res.get(), row, col);
}

std::optional<std::string> Result::get(int row, int col) const
{
  if (is_null(row, col)) {
    return std::nullopt;
  }
  return value(row, col);
}

void Connection::Finish::operator()(pg_conn* c) const
{
  PQfinish(c);
}

Connection::Connection(pg_conn* conn) : m_conn(conn) {}

Connection::~Connection() = default;

namespace {

std::string& application_name()
{
  static std::string name = "git-hop";
  return name;
}

} // namespace

void set_application_name(const std::string& name)
{
  application_name() = name;
}

std::optional<Connection>
Connection::try_connect(const std::map<std::string, std::string>& keywords,
                        std::string* error)
{
  std::vector<const char*> keys;
  std::vector<const char*> values;
  for (const auto& [k, v] : keywords) {
    keys.push_back(k.c_str());
    values.push_back(v.c_str());
  }
  keys.push_back("fallback_application_name");
  values.push_back(application_name().c_str());
  // Never hang on an unreachable server (libpq waits forever by default).
  const char* timeout = std::getenv("PGCONNECT_TIMEOUT");
  if (!keywords.count("connect_timeout") && !(timeout && *timeout)) {
    keys.push_back("connect_timeout");
    values.push_back("10");
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  auto start = std::chrono::steady_clock::now();
  PGconn* raw = PQconnectdbParams(keys.data(), values.data(), 0);
  Connection conn(raw);
  if (!raw || PQstatus(raw) != CONNECTION_OK) {
    if (error) {
      *error = raw ? tidy_libpq_message(PQerrorMessage(raw)) : "out of memory";
    }
    return std::nullopt;
  }
  // Server notices ("relation already exists, skipping") are for traces.
  PQsetNoticeProcessor(
      raw,
      [](void*, const char* message) {
        output::trace(std::string("db: ") + tidy_libpq_message(message));
      },
      nullptr);
  if (output::tracing()) {
    output::trace("db: connected to '" + conn.dbname() + "' as " + conn.user() +
                  " (" + output::ms_since(start) + ")");
  }
  return conn;
}

Connection
Connection::connect(const std::map<std::string, std::string>& keywords)
{
  std::string error;
  auto conn = try_connect(keywords, &error);
  if (!conn) {
    auto it = keywords.find("dbname");
    std::string name = it != keywords.end() ? it->second : "(default)";
    Error e("cannot connect to database '" + name + "'", "", 0);
    e.detail(error);
    throw e;
  }
  return std::move(*conn);
}

Result Connection::exec(std::string_view sql)
{
  auto start = std::chrono::steady_clock::now();
  std::string text(sql);
  PGresult* res = PQexec(m_conn.get(), text.c_str());
  Result result(res);
  trace_sql(sql, start);
  auto status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK &&
      status != PGRES_EMPTY_QUERY) {
    throw error_from_result(res, m_conn.get());
  }
  return result;
}

void Connection::send(std::string_view sql)
{
  m_sent = std::string(sql);
  m_sent_at = std::chrono::steady_clock::now();
  if (PQsendQuery(m_conn.get(), m_sent.c_str()) != 1) {
    throw error_from_result(nullptr, m_conn.get());
  }
  if (output::tracing()) {
    output::trace("sql: " + first_line(m_sent) + "  (sent)");
  }
}

void Connection::wait_sent()
{
  std::optional<Error> first;
  while (PGresult* res = PQgetResult(m_conn.get())) {
    Result result(res);
    auto status = PQresultStatus(res);
    if (!first && status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK &&
        status != PGRES_EMPTY_QUERY) {
      first = error_from_result(res, m_conn.get());
    }
  }
  trace_sql(m_sent, m_sent_at);
  if (first) {
    throw *first;
  }
}

int Connection::socket() const
{
  return PQsocket(m_conn.get());
}

void Connection::abandon()
{
  int fd = PQsocket(m_conn.get());
  int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (fd >= 0 && null >= 0) {
    // libpq's goodbye (and TLS close_notify) now goes to /dev/null, and
    // the socket stays open in the child only.
    dup3(null, fd, O_CLOEXEC);
  }
  if (null >= 0) {
    close(null);
  }
  m_conn.reset();
}

Result Connection::query(std::string_view sql, const Params& params)
{
  std::vector<const char*> values;
  for (const auto& p : params) {
    values.push_back(p ? p->c_str() : nullptr);
  }
  auto start = std::chrono::steady_clock::now();
  std::string text(sql);
  PGresult* res =
      PQexecParams(m_conn.get(), text.c_str(), static_cast<int>(values.size()),
                   nullptr, values.data(), nullptr, nullptr, 0);
  Result result(res);
  trace_sql(sql, start);
  auto status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    throw error_from_result(res, m_conn.get());
  }
  return result;
}

std::string Connection::quote_ident(std::string_view name) const
{
  char* q = PQescapeIdentifier(m_conn.get(), name.data(), name.size());
  if (!q) {
    throw Error("cannot quote identifier: " +
                    tidy_libpq_message(PQerrorMessage(m_conn.get())),
                "", 0);
  }
  std::string s = q;
  PQfreemem(q);
  return s;
}

std::string Connection::quote_literal(std::string_view value) const
{
  char* q = PQescapeLiteral(m_conn.get(), value.data(), value.size());
  if (!q) {
    throw Error("cannot quote a literal: " +
                    tidy_libpq_message(PQerrorMessage(m_conn.get())),
                "", 0);
  }
  std::string s = q;
  PQfreemem(q);
  return s;
}

bool Connection::in_transaction() const
{
  auto status = PQtransactionStatus(m_conn.get());
  return status == PQTRANS_INTRANS || status == PQTRANS_INERROR ||
         status == PQTRANS_ACTIVE;
}

int Connection::backend_pid() const
{
  return PQbackendPID(m_conn.get());
}

std::string Connection::dbname() const
{
  return PQdb(m_conn.get());
}

std::string Connection::user() const
{
  return PQuser(m_conn.get());
}

std::string Connection::host() const
{
  const char* h = PQhost(m_conn.get());
  return h ? h : "";
}

std::string Connection::port() const
{
  const char* p = PQport(m_conn.get());
  return p ? p : "";
}

int Connection::server_version() const
{
  return PQserverVersion(m_conn.get());
}

Transaction::Transaction(Connection& conn) : m_conn(conn)
{
  m_conn.exec("BEGIN");
}

Transaction::~Transaction()
{
  if (!m_done) {
    try {
      m_conn.exec("ROLLBACK");
    } catch (...) {
      // The connection is gone; the server rolls back by itself.
    }
  }
}

void Transaction::commit()
{
  m_conn.exec("COMMIT");
  m_done = true;
}

std::string text_array(const std::vector<std::string>& items)
{
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    out += (i ? "," : "");
    out += '"';
    for (char c : items[i]) {
      if (c == '"' || c == '\\') {
        out += '\\';
      }
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

} // namespace hop::db

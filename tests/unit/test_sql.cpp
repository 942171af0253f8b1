#include <hop/error.hpp>
#include <hop/sql/script.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

using hop::sql::LockLevel;
using hop::sql::Position;

namespace {

hop::sql::Options mixed(bool allow)
{
  hop::sql::Options o;
  o.allow_mixed = allow;
  return o;
}

hop::sql::Script parse(std::string_view text)
{
  return hop::sql::parse(text, "s.sql", mixed(true));
}

// The one statement of `sql`.
hop::sql::Statement one(const hop::sql::Script& script)
{
  REQUIRE(script.statements.size() == 1);
  return script.statements[0];
}

// "relation LEVEL [rewrite] [scan]" for each lock, as a readable string.
std::string locks(const hop::sql::Statement& s)
{
  std::string out;
  for (const auto& l : s.locks()) {
    if (!out.empty()) {
      out += "; ";
    }
    out += l.relation_text() + " " + std::string(hop::sql::level_name(l.level));
    if (l.rewrite) {
      out += " rewrite";
    }
    if (l.scan) {
      out += " scan";
    }
  }
  return out;
}

// The error parse() throws for `text`.
hop::Error error_of(std::string_view text, bool allow_mixed = true)
{
  try {
    hop::sql::parse(text, "s.sql", mixed(allow_mixed));
  } catch (const hop::Error& e) {
    return e;
  }
  FAIL("no error for: " << text);
  return hop::fatal("unreachable");
}

bool has(const std::vector<std::string>& lines, std::string_view part)
{
  for (const auto& l : lines) {
    if (l.find(part) != std::string::npos) {
      return true;
    }
  }
  return false;
}

} // namespace

TEST_CASE("hop::sql::parse classifies statements and their locks", "[sql]")
{
  struct Case
  {
    const char* sql;
    const char* tag;
    const char* locks;
  };
  const Case cases[] = {
      {"select * from a join s.b on true", "SELECT",
       "a ACCESS SHARE; s.b ACCESS SHARE"},
      {"select * from a for update", "SELECT", "a ROW SHARE"},
      {"select 1", "SELECT", ""},
      {"with c as (select 1) select * from c, t", "SELECT", "t ACCESS SHARE"},
      {"select * into n from t", "SELECT INTO", "t ACCESS SHARE"},
      {"insert into t values (1), (2)", "INSERT", "t ROW EXCLUSIVE"},
      {"insert into t select * from u", "INSERT",
       "t ROW EXCLUSIVE; u ACCESS SHARE"},
      {"update t set x = (select max(x) from t) from u where t.i = u.i",
       "UPDATE", "t ROW EXCLUSIVE; u ACCESS SHARE"},
      {"delete from t using u where t.i = u.i", "DELETE",
       "t ROW EXCLUSIVE; u ACCESS SHARE"},
      {"with d as (delete from a returning *) insert into b select * from d",
       "INSERT", "b ROW EXCLUSIVE; a ROW EXCLUSIVE"},
      {"merge into t using u on t.i = u.i when matched then delete", "MERGE",
       "t ROW EXCLUSIVE; u ACCESS SHARE"},
      {"copy t from '/tmp/f'", "COPY", "t ROW EXCLUSIVE"},
      {"copy t to '/tmp/f'", "COPY", "t ACCESS SHARE"},
      {"copy (select * from t) to '/tmp/f'", "COPY", "t ACCESS SHARE"},
      {"truncate a, s.b", "TRUNCATE TABLE",
       "a ACCESS EXCLUSIVE; s.b ACCESS EXCLUSIVE"},
      {"lock table t in share row exclusive mode", "LOCK TABLE",
       "t SHARE ROW EXCLUSIVE"},
      {"lock t", "LOCK TABLE", "t ACCESS EXCLUSIVE"},
      {"lock t in access share mode", "LOCK TABLE", "t ACCESS SHARE"},
      {"create table t (a int)", "CREATE TABLE", ""},
      {"create table t (a int references p, b int, foreign key (b) "
       "references s.q)",
       "CREATE TABLE", "p SHARE ROW EXCLUSIVE; s.q SHARE ROW EXCLUSIVE"},
      {"create table c partition of p for values in (1)", "CREATE TABLE",
       "p ACCESS EXCLUSIVE"},
      {"create table c () inherits (p)", "CREATE TABLE",
       "p SHARE UPDATE EXCLUSIVE"},
      {"create table c (like p)", "CREATE TABLE", "p ACCESS SHARE"},
      {"create table n as select * from t", "CREATE TABLE AS",
       "t ACCESS SHARE"},
      {"create materialized view m as select * from t",
       "CREATE MATERIALIZED VIEW", "t ACCESS SHARE"},
      {"create view v as select * from t", "CREATE VIEW", "t ACCESS SHARE"},
      {"create or replace view v as select * from t", "CREATE VIEW",
       "v ACCESS EXCLUSIVE; t ACCESS SHARE"},
      {"create index i on s.t (x)", "CREATE INDEX", "s.t SHARE scan"},
      {"create unique index i on t (x)", "CREATE INDEX", "t SHARE scan"},
      {"drop index i", "DROP INDEX", "i ACCESS EXCLUSIVE"},
      {"drop table a, s.b", "DROP TABLE",
       "a ACCESS EXCLUSIVE; s.b ACCESS EXCLUSIVE"},
      {"drop view v", "DROP VIEW", "v ACCESS EXCLUSIVE"},
      {"drop materialized view m", "DROP MATERIALIZED VIEW",
       "m ACCESS EXCLUSIVE"},
      {"drop sequence q", "DROP SEQUENCE", "q ACCESS EXCLUSIVE"},
      {"drop schema s", "DROP SCHEMA", ""},
      {"drop schema s cascade", "DROP SCHEMA", "s.* ACCESS EXCLUSIVE"},
      {"drop function f(int)", "DROP FUNCTION", ""},
      {"drop trigger g on s.t", "DROP TRIGGER", "s.t ACCESS EXCLUSIVE"},
      {"drop policy p on t", "DROP POLICY", "t ACCESS EXCLUSIVE"},
      {"drop rule r on t", "DROP RULE", "t ACCESS EXCLUSIVE"},
      // ALTER TABLE, form by form (the ALTER TABLE page).
      {"alter table t add column c int", "ALTER TABLE", "t ACCESS EXCLUSIVE"},
      {"alter table t add column c int default 0", "ALTER TABLE",
       "t ACCESS EXCLUSIVE"},
      {"alter table t add column c timestamptz default now()", "ALTER TABLE",
       "t ACCESS EXCLUSIVE"},
      {"alter table t add column c timestamptz default current_timestamp",
       "ALTER TABLE", "t ACCESS EXCLUSIVE"},
      {"alter table t add column c jsonb default '{}'::jsonb", "ALTER TABLE",
       "t ACCESS EXCLUSIVE"},
      {"alter table t add column c float default random()", "ALTER TABLE",
       "t ACCESS EXCLUSIVE rewrite"},
      {"alter table t add column c uuid default gen_random_uuid()",
       "ALTER TABLE", "t ACCESS EXCLUSIVE rewrite"},
      {"alter table t add column c serial", "ALTER TABLE",
       "t ACCESS EXCLUSIVE rewrite"},
      {"alter table t add column c int generated always as identity",
       "ALTER TABLE", "t ACCESS EXCLUSIVE rewrite"},
      {"alter table t add column c int generated always as (a + 1) stored",
       "ALTER TABLE", "t ACCESS EXCLUSIVE rewrite"},
      {"alter table t add column c int not null", "ALTER TABLE",
       "t ACCESS EXCLUSIVE scan"},
      {"alter table t add column c int not null default 0", "ALTER TABLE",
       "t ACCESS EXCLUSIVE"},
      {"alter table t add column c int check (c > 0)", "ALTER TABLE",
       "t ACCESS EXCLUSIVE scan"},
      {"alter table t add column c int references p", "ALTER TABLE",
       "t ACCESS EXCLUSIVE scan; p SHARE ROW EXCLUSIVE"},
      {"alter table t drop column c", "ALTER TABLE", "t ACCESS EXCLUSIVE"},
      {"alter table t alter column c type bigint", "ALTER TABLE",
       "t ACCESS EXCLUSIVE rewrite"},
      {"alter table t alter column c set not null", "ALTER TABLE",
       "t ACCESS EXCLUSIVE scan"},
      {"alter table t alter column c drop not null", "ALTER TABLE",
       "t ACCESS EXCLUSIVE"},
      {"alter table t alter column c set default 1", "ALTER TABLE",
       "t ACCESS EXCLUSIVE"},
      {"alter table t alter column c set statistics 100", "ALTER TABLE",
       "t SHARE UPDATE EXCLUSIVE"},
      {"alter table t alter column c set (n_distinct = 10)", "ALTER TABLE",
       "t SHARE UPDATE EXCLUSIVE"},
      {"alter table t alter column c set storage external", "ALTER TABLE",
       "t ACCESS EXCLUSIVE"},
      {"alter table t add constraint k check (c > 0)", "ALTER TABLE",
       "t ACCESS EXCLUSIVE scan"},
      {"alter table t add constraint k check (c > 0) not valid", "ALTER TABLE",
       "t ACCESS EXCLUSIVE"},
      {"alter table t add constraint k foreign key (c) references s.p",
       "ALTER TABLE", "t SHARE ROW EXCLUSIVE scan; s.p SHARE ROW EXCLUSIVE"},
      {"alter table t add foreign key (c) references p not valid",
       "ALTER TABLE", "t SHARE ROW EXCLUSIVE; p SHARE ROW EXCLUSIVE"},
      {"alter table t add primary key (c)", "ALTER TABLE",
       "t ACCESS EXCLUSIVE scan"},
      {"alter table t add constraint u unique (c)", "ALTER TABLE",
       "t ACCESS EXCLUSIVE scan"},
      {"alter table t add constraint u unique using index i", "ALTER TABLE",
       "t ACCESS EXCLUSIVE"},
      {"alter table t validate constraint k", "ALTER TABLE",
       "t SHARE UPDATE EXCLUSIVE scan"},
      {"alter table t drop constraint k", "ALTER TABLE", "t ACCESS EXCLUSIVE"},
      {"alter table t cluster on i", "ALTER TABLE", "t SHARE UPDATE EXCLUSIVE"},
      {"alter table t set without cluster", "ALTER TABLE",
       "t SHARE UPDATE EXCLUSIVE"},
      {"alter table t set (fillfactor = 70, autovacuum_enabled = false)",
       "ALTER TABLE", "t SHARE UPDATE EXCLUSIVE"},
      {"alter table t set (toast.autovacuum_enabled = false)", "ALTER TABLE",
       "t SHARE UPDATE EXCLUSIVE"},
      {"alter table t set (fillfactor = 70, user_catalog_table = true)",
       "ALTER TABLE", "t ACCESS EXCLUSIVE"},
      {"alter table t reset (parallel_workers)", "ALTER TABLE",
       "t SHARE UPDATE EXCLUSIVE"},
      {"alter table t disable trigger all", "ALTER TABLE",
       "t SHARE ROW EXCLUSIVE"},
      {"alter table t enable trigger g", "ALTER TABLE",
       "t SHARE ROW EXCLUSIVE"},
      {"alter table t set tablespace x", "ALTER TABLE",
       "t ACCESS EXCLUSIVE rewrite"},
      {"alter table t set logged", "ALTER TABLE", "t ACCESS EXCLUSIVE rewrite"},
      {"alter table t set unlogged", "ALTER TABLE",
       "t ACCESS EXCLUSIVE rewrite"},
      {"alter table t set access method heap", "ALTER TABLE",
       "t ACCESS EXCLUSIVE rewrite"},
      {"alter table t owner to u", "ALTER TABLE", "t ACCESS EXCLUSIVE"},
      {"alter table t enable row level security", "ALTER TABLE",
       "t ACCESS EXCLUSIVE"},
      {"alter table p attach partition s.c for values in (1)", "ALTER TABLE",
       "p SHARE UPDATE EXCLUSIVE; s.c ACCESS EXCLUSIVE scan"},
      {"alter table p detach partition c", "ALTER TABLE",
       "p ACCESS EXCLUSIVE; c ACCESS EXCLUSIVE"},
      {"alter table p detach partition c finalize", "ALTER TABLE",
       "p SHARE UPDATE EXCLUSIVE"},
      // The strongest subcommand wins; rewrite and scan add up.
      {"alter table t alter column c set statistics 10, add column d int "
       "default random(), alter column e set not null",
       "ALTER TABLE", "t ACCESS EXCLUSIVE rewrite scan"},
      {"alter table t rename to u", "ALTER TABLE", "t ACCESS EXCLUSIVE"},
      {"alter table t rename column a to b", "ALTER TABLE",
       "t ACCESS EXCLUSIVE"},
      {"alter table t set schema s", "ALTER TABLE", "t ACCESS EXCLUSIVE"},
      {"alter view v rename to w", "ALTER VIEW", "v ACCESS EXCLUSIVE"},
      {"alter index s.i rename to j", "ALTER INDEX",
       "s.i SHARE UPDATE EXCLUSIVE"},
      {"alter index i set tablespace x", "ALTER INDEX",
       "i ACCESS EXCLUSIVE rewrite"},
      {"alter index i set (fillfactor = 80)", "ALTER INDEX",
       "i SHARE UPDATE EXCLUSIVE"},
      {"alter index i alter column 1 set statistics 100", "ALTER INDEX",
       "i SHARE UPDATE EXCLUSIVE"},
      {"alter table all in tablespace a set tablespace b", "ALTER TABLE",
       "* ACCESS EXCLUSIVE rewrite"},
      {"alter sequence q restart", "ALTER SEQUENCE", "q SHARE ROW EXCLUSIVE"},
      {"create trigger g before insert on s.t for each row execute function "
       "f()",
       "CREATE TRIGGER", "s.t SHARE ROW EXCLUSIVE"},
      {"create rule r as on insert to t do nothing", "CREATE RULE",
       "t ACCESS EXCLUSIVE"},
      {"create policy p on t using (true)", "CREATE POLICY",
       "t ACCESS EXCLUSIVE"},
      {"alter policy p on t using (false)", "ALTER POLICY",
       "t ACCESS EXCLUSIVE"},
      {"comment on table s.t is 'x'", "COMMENT", "s.t SHARE UPDATE EXCLUSIVE"},
      {"comment on column s.t.c is 'x'", "COMMENT",
       "s.t SHARE UPDATE EXCLUSIVE"},
      {"comment on function f() is 'x'", "COMMENT", ""},
      {"create statistics st on a, b from t", "CREATE STATISTICS",
       "t SHARE UPDATE EXCLUSIVE"},
      {"create publication p for table t", "CREATE PUBLICATION",
       "t SHARE UPDATE EXCLUSIVE"},
      {"reindex table t", "REINDEX", "t SHARE scan"},
      {"reindex index i", "REINDEX", "i ACCESS EXCLUSIVE scan"},
      {"analyze t", "ANALYZE", "t SHARE UPDATE EXCLUSIVE"},
      {"analyze", "ANALYZE", "* SHARE UPDATE EXCLUSIVE"},
      {"cluster t using i", "CLUSTER", "t ACCESS EXCLUSIVE rewrite"},
      {"refresh materialized view m", "REFRESH MATERIALIZED VIEW",
       "m ACCESS EXCLUSIVE rewrite"},
      {"refresh materialized view concurrently m", "REFRESH MATERIALIZED VIEW",
       "m EXCLUSIVE scan"},
      {"explain analyze update t set x = 1", "EXPLAIN", "t ROW EXCLUSIVE"},
      // No table lock worth reporting.
      {"create function f() returns int language sql as 'select 1'",
       "CREATE FUNCTION", ""},
      {"create procedure p() language sql as 'select 1'", "CREATE PROCEDURE",
       ""},
      {"call p()", "CALL", ""},
      {"do $$ begin perform 1; end $$", "DO", ""},
      {"create schema s", "CREATE SCHEMA", ""},
      {"create sequence q", "CREATE SEQUENCE", ""},
      {"create type e as enum ('a')", "CREATE TYPE", ""},
      {"create extension if not exists pgcrypto", "CREATE EXTENSION", ""},
      {"grant select on t to u", "GRANT", ""},
      {"revoke select on t from u", "REVOKE", ""},
      {"set search_path = s", "SET", ""},
      {"reset search_path", "RESET", ""},
      {"notify c", "NOTIFY", ""},
      {"discard plans", "DISCARD PLANS", ""},
  };
  for (const auto& c : cases) {
    INFO(c.sql);
    auto script = parse(c.sql);
    const auto& s = one(script);
    CHECK(s.tag() == c.tag);
    CHECK(locks(s) == c.locks);
    CHECK(s.transactional());
    CHECK_FALSE(s.enum_add_value());
    CHECK(s.concurrent_index() == nullptr);
  }
}

TEST_CASE("hop::sql::parse gives each lock its rule's reason", "[sql]")
{
  auto script = parse("alter table t alter column c type text");
  const auto& l = one(script).locks().at(0);
  CHECK(l.reason ==
        "ALTER COLUMN ... TYPE rewrites the table and its indexes unless the "
        "old type is binary coercible to the new one");
  CHECK(l.relation == hop::sql::Name{"", "t"});
  auto fk = parse("alter table s.t add foreign key (c) references p");
  CHECK(one(fk).locks().at(0).reason ==
        "ADD FOREIGN KEY blocks writes to both tables while it scans the "
        "table");
  CHECK(one(fk).locks().at(1).reason ==
        "ADD FOREIGN KEY ... NOT VALID blocks writes to both tables but scans "
        "nothing");
}

TEST_CASE("hop::sql::parse finds the statements that cannot run in a "
          "transaction block",
          "[sql]")
{
  struct Case
  {
    const char* sql;
    const char* tag;
    const char* why; // empty: transactional
    const char* locks;
  };
  const Case cases[] = {
      {"create index concurrently i on s.t (x)", "CREATE INDEX",
       "CREATE INDEX CONCURRENTLY cannot run inside a transaction block",
       "s.t SHARE UPDATE EXCLUSIVE scan"},
      {"create unique index concurrently if not exists i on t (x)",
       "CREATE INDEX",
       "CREATE INDEX CONCURRENTLY cannot run inside a transaction block",
       "t SHARE UPDATE EXCLUSIVE scan"},
      {"drop index concurrently if exists s.i", "DROP INDEX",
       "DROP INDEX CONCURRENTLY cannot run inside a transaction block",
       "s.i SHARE UPDATE EXCLUSIVE"},
      {"reindex table concurrently t", "REINDEX",
       "REINDEX CONCURRENTLY cannot run inside a transaction block",
       "t SHARE UPDATE EXCLUSIVE scan"},
      {"reindex (concurrently) index i", "REINDEX",
       "REINDEX CONCURRENTLY cannot run inside a transaction block",
       "i SHARE UPDATE EXCLUSIVE scan"},
      {"reindex (concurrently false) index i", "REINDEX", "",
       "i ACCESS EXCLUSIVE scan"},
      {"reindex schema s", "REINDEX",
       "REINDEX SCHEMA cannot run inside a transaction block",
       "s.* SHARE scan"},
      {"reindex database d", "REINDEX",
       "REINDEX DATABASE cannot run inside a transaction block",
       "* SHARE scan"},
      {"reindex system d", "REINDEX",
       "REINDEX SYSTEM cannot run inside a transaction block", "* SHARE scan"},
      {"vacuum t", "VACUUM", "VACUUM cannot run inside a transaction block",
       "t SHARE UPDATE EXCLUSIVE scan"},
      {"vacuum analyze t", "VACUUM",
       "VACUUM cannot run inside a transaction block",
       "t SHARE UPDATE EXCLUSIVE scan"},
      {"vacuum full t, s.u", "VACUUM",
       "VACUUM cannot run inside a transaction block",
       "t ACCESS EXCLUSIVE rewrite; s.u ACCESS EXCLUSIVE rewrite"},
      {"vacuum (full false, verbose) t", "VACUUM",
       "VACUUM cannot run inside a transaction block",
       "t SHARE UPDATE EXCLUSIVE scan"},
      {"vacuum", "VACUUM", "VACUUM cannot run inside a transaction block",
       "* SHARE UPDATE EXCLUSIVE scan"},
      {"analyze verbose t", "ANALYZE", "", "t SHARE UPDATE EXCLUSIVE"},
      {"cluster", "CLUSTER",
       "CLUSTER without a table name cannot run inside a transaction block",
       "* ACCESS EXCLUSIVE rewrite"},
      {"create tablespace x location '/tmp/x'", "CREATE TABLESPACE",
       "CREATE TABLESPACE cannot run inside a transaction block", ""},
      {"drop tablespace x", "DROP TABLESPACE",
       "DROP TABLESPACE cannot run inside a transaction block", ""},
      {"alter system set work_mem = '8MB'", "ALTER SYSTEM",
       "ALTER SYSTEM cannot run inside a transaction block", ""},
      {"alter table p detach partition s.c concurrently", "ALTER TABLE",
       "ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY cannot run inside a "
       "transaction block",
       "p SHARE UPDATE EXCLUSIVE; s.c ACCESS EXCLUSIVE"},
      {"create subscription s connection 'c' publication p",
       "CREATE "
       "SUBSCRIPTION",
       "CREATE SUBSCRIPTION ... WITH (create_slot = true) cannot run inside a "
       "transaction block",
       ""},
      {"create subscription s connection 'c' publication p with (create_slot "
       "= false)",
       "CREATE SUBSCRIPTION", "", ""},
      {"create subscription s connection 'c' publication p with (connect = "
       "false)",
       "CREATE SUBSCRIPTION", "", ""},
      {"drop subscription s", "DROP SUBSCRIPTION",
       "DROP SUBSCRIPTION cannot run inside a transaction block when the "
       "subscription has a replication slot",
       ""},
      {"alter subscription s refresh publication", "ALTER SUBSCRIPTION",
       "ALTER SUBSCRIPTION with refresh cannot run inside a transaction block",
       ""},
      {"alter subscription s add publication q", "ALTER SUBSCRIPTION",
       "ALTER SUBSCRIPTION with refresh cannot run inside a transaction block",
       ""},
      {"alter subscription s set publication q with (refresh = false)",
       "ALTER SUBSCRIPTION", "", ""},
      {"alter subscription s disable", "ALTER SUBSCRIPTION", "", ""},
      {"discard all", "DISCARD ALL",
       "DISCARD ALL cannot run inside a transaction block", ""},
      {"alter database d set tablespace x", "ALTER DATABASE",
       "ALTER DATABASE ... SET TABLESPACE cannot run inside a transaction "
       "block",
       ""},
      {"alter database d set work_mem = '8MB'", "ALTER DATABASE", "", ""},
      // DO blocks and routines holding COMMIT are not transaction control at
      // the top level; CALL is transactional.
      {"do $$ begin commit; end $$", "DO", "", ""},
      {"do language plpgsql 'begin rollback; end'", "DO", "", ""},
      {"create procedure p() language plpgsql as $$ begin commit; end $$",
       "CREATE PROCEDURE", "", ""},
      {"create function f() returns void language plpgsql as $$ begin "
       "commit; end $$",
       "CREATE FUNCTION", "", ""},
      {"call p()", "CALL", "", ""},
  };
  for (const auto& c : cases) {
    INFO(c.sql);
    auto script = parse(c.sql);
    const auto& s = one(script);
    CHECK(s.tag() == c.tag);
    CHECK(s.transactional() == (*c.why == '\0'));
    CHECK(s.kind->non_transactional == c.why);
    CHECK(locks(s) == c.locks);
    CHECK(script.has_non_transactional() == !s.transactional());
    CHECK(script.all_non_transactional() == !s.transactional());
  }
}

TEST_CASE("hop::sql::parse names the index a CREATE INDEX CONCURRENTLY builds",
          "[sql]")
{
  auto a = parse("create index concurrently i on s.t (x)");
  REQUIRE(one(a).concurrent_index());
  CHECK(*one(a).concurrent_index() == hop::sql::Name{"s", "i"});
  CHECK(one(a).concurrent_index()->text() == "s.i");
  auto b = parse("create index concurrently \"My Index\" on t (x)");
  REQUIRE(one(b).concurrent_index());
  CHECK(one(b).concurrent_index()->text() == "My Index");
  CHECK(one(b).concurrent_index()->quoted() == "\"My Index\"");
  CHECK(parse("create index i on t (x)").statements[0].concurrent_index() ==
        nullptr);
}

TEST_CASE("hop::sql::parse flags ALTER TYPE ... ADD VALUE", "[sql]")
{
  auto add = parse("alter type s.mood add value 'meh' before 'ok'");
  CHECK(one(add).tag() == "ALTER TYPE");
  CHECK(one(add).transactional());
  CHECK(one(add).enum_add_value());
  auto rename = parse("alter type mood rename value 'meh' to 'bof'");
  CHECK_FALSE(one(rename).enum_add_value());
}

TEST_CASE("hop::sql::parse refuses what git-hop cannot run", "[sql]")
{
  struct Case
  {
    const char* sql;
    const char* message; // after "s.sql:<line>:<col>: "
    const char* where;
    const char* hint;
  };
  const Case cases[] = {
      {"begin;", "BEGIN is not allowed in a script", "1:1",
       "Remove it. Statements that cannot run inside a transaction block"},
      {"start transaction;", "START TRANSACTION is not allowed in a script",
       "1:1", "Remove it."},
      {"select 1;\ncommit;", "COMMIT is not allowed in a script", "2:1",
       "Remove it."},
      {"end;", "COMMIT is not allowed in a script", "1:1", "Remove it."},
      {"rollback;", "ROLLBACK is not allowed in a script", "1:1", "Remove it."},
      {"abort;", "ROLLBACK is not allowed in a script", "1:1", "Remove it."},
      {"savepoint a;", "SAVEPOINT is not allowed in a script", "1:1",
       "Remove it."},
      {"release savepoint a;", "RELEASE is not allowed in a script", "1:1",
       "Remove it."},
      {"rollback to savepoint a;",
       "ROLLBACK TO SAVEPOINT is not allowed in a script", "1:1", "Remove it."},
      {"prepare transaction 'x';",
       "PREPARE TRANSACTION is not allowed in a script", "1:1", "Remove it."},
      {"commit prepared 'x';", "COMMIT PREPARED is not allowed in a script",
       "1:1", "Remove it."},
      {"rollback prepared 'x';", "ROLLBACK PREPARED is not allowed in a script",
       "1:1", "Remove it."},
      {"select 1;\n\\connect other\nselect 2;",
       "psql meta-command \\connect is not supported", "2:1",
       "Write plain SQL"},
      {"\\i other.sql\n", "psql meta-command \\i is not supported", "1:1",
       "Write plain SQL"},
      {"  \\set ON_ERROR_STOP on\nselect 1;",
       "psql meta-command \\set is not supported", "1:3", "Write plain SQL"},
      {"\\echo it's\n", "psql meta-command \\echo is not supported", "1:1",
       "Write plain SQL"},
      {"select 1 \\gset\n", "psql meta-command \\gset is not supported", "1:10",
       "Write plain SQL"},
      {"copy t from stdin;\n1\tO'Brien\n\\.\n",
       "COPY ... FROM STDIN is not supported", "1:1",
       "Use COPY ... FROM '<file>' (a file the server reads), INSERT "
       "statements, or a .py script."},
      {"copy t (a, b) from stdin with (format csv);",
       "COPY ... FROM STDIN is not supported", "1:1", "Use COPY ... FROM"},
      {"copy t to stdout;", "COPY ... TO STDOUT is not supported", "1:1",
       "COPY ... TO '<file>'"},
      {"create database x;", "CREATE DATABASE is not allowed in a script",
       "1:1", "Create or drop other databases outside"},
      {"drop database if exists x;", "DROP DATABASE is not allowed in a script",
       "1:1", "Create or drop other databases outside"},
      {"create index concurrently on t (x);",
       "CREATE INDEX CONCURRENTLY needs an index name", "1:1",
       "Name the index: CREATE INDEX CONCURRENTLY <name> ON ..."},
  };
  for (const auto& c : cases) {
    INFO(c.sql);
    hop::Error e = error_of(c.sql);
    CHECK(std::string(e.what()) ==
          std::string("s.sql:") + c.where + ": " + c.message);
    CHECK(e.exit_code() == hop::k_exit_fatal);
    CHECK_FALSE(e.details().empty());
    CHECK(has(e.hints(), c.hint));
  }
  hop::Error nul = error_of(std::string_view("select 1;\nselect\0 2;", 20));
  CHECK(std::string(nul.what()) == "s.sql:2:7: the script contains a NUL byte");
}

TEST_CASE("hop::sql::parse reports syntax errors where the server would",
          "[sql]")
{
  struct Case
  {
    const char* sql;
    const char* message;
    bool sqlstate;
  };
  const Case cases[] = {
      // The two scripts of tests/e2e/test_release_cycle.py test_17.
      {"-- line 1\ncreate table public.b (x int);\ncreate tabl public.c (x "
       "int);\n",
       "s.sql:3:8: syntax error at or near \"tabl\"", true},
      {"-- café, 日本語\ncreate table public.\"é\" (x int);\ncreate table "
       "public.\"日本\" (x int); selec 1;\n",
       "s.sql:3:35: syntax error at or near \"selec\"", true},
      {"select 1 +;\nselect 2;", "s.sql:1:11: syntax error at or near \";\"",
       true},
      {"select 1;\nselect 2 +", "s.sql:2:11: syntax error at end of input",
       true},
      {"select 1; 42; select 2;", "s.sql:1:11: syntax error at or near \"42\"",
       true},
      {"select 1);\nselect 2;", "s.sql:1:9: syntax error at or near \")\"",
       true},
      {"select 1;\nselect (2;\nselect 3;",
       "s.sql:2:10: syntax error at or near \";\"", true},
      {"select 1;\nselect 'abc",
       "s.sql:2:8: unterminated quoted string at or "
       "near \"'abc\"",
       true},
      {"select 1; /* never closed",
       "s.sql:1:11: unterminated /* comment at or "
       "near \"/* never closed\"",
       true},
      {"select 1; select $$ body",
       "s.sql:1:18: unterminated dollar-quoted "
       "string at or near \"$$ body\"",
       true},
      {"create function f() returns int language sql begin atomic select 1;",
       "s.sql:1:68: syntax error at end of input", true},
      {"\t\tselec 1", "s.sql:1:3: syntax error at or near \"selec\"", true},
  };
  for (const auto& c : cases) {
    INFO(c.sql);
    hop::Error e = error_of(c.sql);
    CHECK(std::string(e.what()) == c.message);
    CHECK(has(e.details(), "SQLSTATE: 42601") == c.sqlstate);
  }
}

TEST_CASE("hop::sql::parse cuts statements as psql does", "[sql]")
{
  SECTION("dollar-quoted bodies, strings, identifiers and comments keep their "
          "';' and backslashes")
  {
    std::string sql =
        "create function f() returns int language plpgsql as $body$\n"
        "begin\n  perform 1; -- a comment; still the body\n  return 2;\n"
        "end\n$body$;\n"
        "select 'a;b', E'c\\';d', $$e;f$$, \"g;h\" from t; -- x; y\n"
        "/* a ; comment \\connect /* nested; */ */ select 2;\n"
        "select '\\connect x';\n"
        "-- \\connect y\n"
        "select 3";
    auto script = parse(sql);
    REQUIRE(script.statements.size() == 5);
    CHECK(script.statements[0].tag() == "CREATE FUNCTION");
    CHECK(script.statements[1].text(sql) ==
          "select 'a;b', E'c\\';d', $$e;f$$, \"g;h\" from t");
    CHECK(script.statements[2].text(sql) == "select 2");
    CHECK(script.statements[3].text(sql) == "select '\\connect x'");
    CHECK(script.statements[4].text(sql) == "select 3");
    CHECK(script.statements[4].line == 11);
  }
  SECTION("SQL-standard routine bodies (BEGIN ATOMIC ... END)")
  {
    std::string sql = "create function f(x int) returns int language sql\n"
                      "begin atomic\n  select case when x > 0 then 1 else 0 "
                      "end;\n  select 2;\nend;\n"
                      "create or replace procedure p() language sql begin "
                      "atomic insert into t values (1); end;\n"
                      "select 3;";
    auto script = parse(sql);
    REQUIRE(script.statements.size() == 3);
    CHECK(script.statements[0].tag() == "CREATE FUNCTION");
    CHECK(script.statements[0].text(sql).ends_with("select 2;\nend"));
    CHECK(script.statements[1].tag() == "CREATE PROCEDURE");
    CHECK(script.statements[2].text(sql) == "select 3");
    CHECK(script.statements[2].line == 7);
  }
  SECTION("a rule's parenthesised actions")
  {
    auto script = parse("create rule r as on insert to t do also (insert "
                        "into a values (1); insert into b values (2));\n"
                        "select 1;");
    REQUIRE(script.statements.size() == 2);
    CHECK(script.statements[0].tag() == "CREATE RULE");
  }
  SECTION("what psql joins, the parser tells apart")
  {
    // psql counts the function's name "begin" as a BEGIN: the ';' after it
    // does not end the statement for psql; the parser sees two statements.
    std::string sql = "create function begin() returns int language sql "
                      "return 1;\n  select 2;";
    auto script = parse(sql);
    REQUIRE(script.statements.size() == 2);
    CHECK(script.statements[0].tag() == "CREATE FUNCTION");
    CHECK(script.statements[1].text(sql) == "select 2");
    CHECK(script.statements[1].line == 2);
    CHECK(script.statements[1].column == 3);
  }
  SECTION("empty statements and blank scripts")
  {
    CHECK(parse("").statements.empty());
    CHECK(parse(" \n-- nothing\n/* at all */\n;;\n").statements.empty());
    auto script = parse(";;select 1;;;select 2;;");
    CHECK(script.statements.size() == 2);
    CHECK_FALSE(script.all_non_transactional());
    CHECK_FALSE(parse("").all_non_transactional());
  }
}

TEST_CASE("hop::sql::parse places statements by line and character column",
          "[sql]")
{
  std::string sql = "/* a comment\n   over lines; */ select 1;\n"
                    "\t\tselect 2; select 'é日本';  select 3\n"
                    "-- the end\n";
  auto script = parse(sql);
  REQUIRE(script.statements.size() == 4);
  const auto& st = script.statements;
  CHECK(std::make_pair(st[0].line, st[0].column) == std::make_pair(2, 19));
  CHECK(std::make_pair(st[1].line, st[1].column) == std::make_pair(3, 3));
  CHECK(std::make_pair(st[2].line, st[2].column) == std::make_pair(3, 13));
  // 'é日本' is 9 bytes, 3 characters.
  CHECK(std::make_pair(st[3].line, st[3].column) == std::make_pair(3, 28));
  CHECK(st[0].text(sql) == "select 1");
  CHECK(st[3].text(sql) == "select 3");
  CHECK(st[3].offset == sql.find("select 3"));
  CHECK(hop::sql::position_of(sql, st[3].offset) == Position{3, 28});

  // A server error position (characters) inside a statement.
  std::string s2 = "select 1;\n  select 'é',\n    x + ;";
  try {
    parse(s2);
    FAIL("expected a syntax error");
  } catch (const hop::Error& e) {
    CHECK(std::string(e.what()) == "s.sql:3:9: syntax error at or near \";\"");
  }
  std::string s3 = "select 1;\n  select 'é',\n    x + y;";
  auto three = parse(s3);
  const auto& s = three.statements[1];
  // "select 'é',\n    x + y": x is character 17.
  CHECK(hop::sql::position_in(s3, s, 17) == Position{3, 5});
  CHECK(hop::sql::position_in(s3, s, 1) == Position{2, 3});
  CHECK(hop::sql::position_in(s3, s, 1000) == Position{3, 10});
}

TEST_CASE("hop::sql::parse reads CRLF line ends", "[sql]")
{
  std::string sql = "select 1;\r\n-- two\r\n  select 2\r\n;\r\nselec 3;\r\n";
  hop::Error e = error_of(sql);
  CHECK(std::string(e.what()) ==
        "s.sql:5:1: syntax error at or near \"selec\"");
  auto script = parse("select 1;\r\n-- two\r\n  select 2\r\n;\r\n");
  REQUIRE(script.statements.size() == 2);
  CHECK(script.statements[1].line == 3);
  CHECK(script.statements[1].column == 3);
  CHECK(script.statements[1].length == 8);
}

TEST_CASE("hop::sql::parse skips a UTF-8 BOM", "[sql]")
{
  std::string sql = "\xEF\xBB\xBF"
                    "select 1;\n select 2;";
  auto script = parse(sql);
  REQUIRE(script.statements.size() == 2);
  CHECK(script.statements[0].offset == 3);
  CHECK(script.statements[0].column == 1);
  CHECK(script.statements[0].text(sql) == "select 1");
  CHECK(std::make_pair(script.statements[1].line,
                       script.statements[1].column) == std::make_pair(2, 2));
  hop::Error e = error_of("\xEF\xBB\xBF"
                          "selec 1;");
  CHECK(std::string(e.what()) ==
        "s.sql:1:1: syntax error at or near \"selec\"");
}

TEST_CASE("hop::sql::parse refuses to mix statements that cannot run in a "
          "transaction block with ones that can",
          "[sql]")
{
  std::string sql = "create table t (x int);\n"
                    "insert into t values (1);\n"
                    "create index concurrently t_x on t (x);\n"
                    "vacuum t;\n";
  hop::Error e = error_of(sql, false);
  CHECK(std::string(e.what()) ==
        "s.sql: mixes statements that cannot run inside a transaction block "
        "with statements that can");
  CHECK(e.details() ==
        std::vector<std::string>{
            "line 3: CREATE INDEX CONCURRENTLY cannot run inside a "
            "transaction block",
            "line 1: CREATE TABLE runs inside the release's transaction"});
  CHECK(has(e.hints(), "to a script of their own"));

  auto allowed = hop::sql::parse(sql, "s.sql", mixed(true));
  CHECK(allowed.statements.size() == 4);
  CHECK(allowed.has_non_transactional());
  CHECK_FALSE(allowed.all_non_transactional());
  REQUIRE(allowed.first_non_transactional());
  CHECK(allowed.first_non_transactional()->offset ==
        allowed.statements[2].offset);

  auto alone = hop::sql::parse("create index concurrently a on t (x);\n"
                               "create index concurrently b on t (y);\n"
                               "vacuum analyze t;\n",
                               "s.sql");
  CHECK(alone.all_non_transactional());
  CHECK(alone.statements.size() == 3);
  auto fine = hop::sql::parse("create table t (x int); analyze t;", "s.sql");
  CHECK_FALSE(fine.has_non_transactional());
}

TEST_CASE("hop::sql::parse handles scripts larger than its window", "[sql]")
{
  // Many statements, a literal and a dollar-quoted body across window ends,
  // one statement far larger than a window: each found where it is.
  std::string sql;
  std::vector<size_t> offsets;
  std::vector<int> lines;
  int line = 1;
  for (int i = 0; i < 20000; ++i) {
    offsets.push_back(sql.size());
    lines.push_back(line);
    std::string s;
    if (i % 1000 == 7) {
      s = "insert into big values ('" + std::string(300 * 1024, 'x') + "')";
    } else if (i % 97 == 3) {
      s = "do $$ begin perform 1; -- ;;;\n perform 2; end $$";
    } else {
      s = "insert into t" + std::to_string(i % 3) + " values (" +
          std::to_string(i) + ", 'a;b -- c')";
    }
    sql += s + ";\n";
    line += 1 + static_cast<int>(std::count(s.begin(), s.end(), '\n'));
  }
  auto script = parse(sql);
  REQUIRE(script.statements.size() == 20000);
  for (size_t i = 0; i < 20000; ++i) {
    if (script.statements[i].offset != offsets[i] ||
        script.statements[i].line != lines[i]) {
      FAIL("statement " << i << " at " << script.statements[i].offset
                        << " line " << script.statements[i].line);
    }
  }
  // t0, t1, t2, big and DO: statements that are alike share a kind.
  CHECK(script.kinds() == 5);
  CHECK(script.statements[7].tag() == "INSERT");
  CHECK(script.statements[7].length == 300 * 1024 + 27);

  std::string broken = sql + "select 'never closed;\n";
  hop::Error e = error_of(broken);
  CHECK(std::string(e.what()).starts_with("s.sql:" + std::to_string(line) +
                                          ":8: unterminated quoted string"));
}

TEST_CASE("hop::sql::parse reads BEGIN ATOMIC bodies across windows", "[sql]")
{
  // Bodies of many statements at every offset: some straddle the end of
  // a window (the scanner split cuts inside them; the parser says which
  // statement is whole).
  std::string sql;
  size_t functions = 0;
  for (int i = 0; sql.size() < 400 * 1024; ++i) {
    sql += "create function f" + std::to_string(i) +
           "() returns int language sql\nbegin atomic\n";
    for (int k = 0; k < 30 + i % 7; ++k) {
      sql += "  select case when " + std::to_string(k) +
             " > 0 then 1 else 0 end;\n";
    }
    sql += "end;\ninsert into t values (" + std::to_string(i) + ");\n";
    ++functions;
  }
  auto script = parse(sql);
  REQUIRE(script.statements.size() == 2 * functions);
  for (size_t i = 0; i < script.statements.size(); ++i) {
    const auto& s = script.statements[i];
    CHECK(s.tag() == (i % 2 == 0 ? "CREATE FUNCTION" : "INSERT"));
    if (i % 2 == 0) {
      CHECK(s.text(sql).ends_with("end;\nend"));
    }
  }
}

TEST_CASE("hop::sql::parse reports the first problem of a large script",
          "[sql]")
{
  std::string head;
  int lines = 0;
  while (head.size() < 200 * 1024) {
    head += "insert into t values (1, 'x');\n";
    ++lines;
  }
  std::string at = "s.sql:" + std::to_string(lines + 1) + ":";
  // A stray ')' hides every later ';' from the scanner split.
  hop::Error paren = error_of(head + "select 1);\n" + head);
  CHECK(std::string(paren.what()) == at + "9: syntax error at or near \")\"");
  // COPY ... FROM STDIN before its data: the COPY is the problem.
  hop::Error copy =
      error_of(head + "copy t from stdin;\n1\tit's; not SQL\n\\.\n" + head);
  CHECK(std::string(copy.what()) ==
        at + "1: COPY ... FROM STDIN is not supported");
  hop::Error meta = error_of(head + "\\set x 'y\n" + head);
  CHECK(std::string(meta.what()) ==
        at + "1: psql meta-command \\set is not supported");
  // A body that never ends takes the rest of the script, as for the server.
  hop::Error broken = error_of(head +
                               "create function f() returns int "
                               "language sql begin atomic select 1;\n" +
                               head);
  CHECK(std::string(broken.what()) == "s.sql:" + std::to_string(2 * lines + 2) +
                                          ":1: syntax error at end of input");
}

TEST_CASE("hop::sql::level_name and Lock::relation_text", "[sql]")
{
  CHECK(hop::sql::level_name(LockLevel::access_share) == "ACCESS SHARE");
  CHECK(hop::sql::level_name(LockLevel::row_share) == "ROW SHARE");
  CHECK(hop::sql::level_name(LockLevel::row_exclusive) == "ROW EXCLUSIVE");
  CHECK(hop::sql::level_name(LockLevel::share_update_exclusive) ==
        "SHARE UPDATE EXCLUSIVE");
  CHECK(hop::sql::level_name(LockLevel::share) == "SHARE");
  CHECK(hop::sql::level_name(LockLevel::share_row_exclusive) ==
        "SHARE ROW EXCLUSIVE");
  CHECK(hop::sql::level_name(LockLevel::exclusive) == "EXCLUSIVE");
  CHECK(hop::sql::level_name(LockLevel::access_exclusive) ==
        "ACCESS EXCLUSIVE");
  CHECK(LockLevel::access_share < LockLevel::access_exclusive);
  hop::sql::Name n{"My \"S\"", "t"};
  CHECK(n.text() == "My \"S\".t");
  CHECK(n.quoted() == "\"My \"\"S\"\"\".\"t\"");
  auto script = parse("select * from \"Weird Name\", \"S\".\"T\"");
  CHECK(locks(one(script)) == "Weird Name ACCESS SHARE; S.T ACCESS SHARE");
}

TEST_CASE("hop::sql::lock_rules are all documented in git-hop(1) LOCKS",
          "[sql]")
{
  const char* root = std::getenv("GIT_HOP_DATADIR");
  REQUIRE(root != nullptr);
  std::ifstream in(std::string(root) + "/man/git-hop.1.scd");
  REQUIRE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string page = ss.str();
  auto start = page.find("\n# LOCKS\n");
  REQUIRE(start != std::string::npos);
  auto end = page.find("\n# ", start + 1);
  // As read: scdoc's escapes dropped, lines joined.
  std::string section;
  for (char c : page.substr(start, end - start)) {
    if (c == '\\') {
      continue;
    }
    if (c == '\n' || c == '\t') {
      c = ' ';
    }
    if (c == ' ' && !section.empty() && section.back() == ' ') {
      continue;
    }
    section += c;
  }
  auto rules = hop::sql::lock_rules();
  CHECK(rules.size() > 50);
  for (const auto& r : rules) {
    INFO(r.statement);
    CHECK(section.find(std::string(r.statement)) != std::string::npos);
    CHECK(section.find(std::string(r.source)) != std::string::npos);
    CHECK(section.find(std::string(hop::sql::level_name(r.level))) !=
          std::string::npos);
  }
}

"""Tests of the test harness itself (no git-hop needed)."""

import re

from hoptest import db_exists, sql


def test_cluster_is_private_postgresql_15(pg_cluster):
    [(version,)] = sql(pg_cluster, "postgres", "select version()")
    assert version.startswith("PostgreSQL 15"), version
    # the private cluster, not the machine's: socket only, in our own directory
    [(sockets, listen)] = sql(
        pg_cluster,
        "postgres",
        "select current_setting('unix_socket_directories'),"
        " current_setting('listen_addresses')",
    )
    assert sockets == pg_cluster.host
    assert listen == ""
    assert pg_cluster.user == "postgres"


def test_dbname_exists_and_new_dbname_does_not(pg_cluster, dbname, new_dbname):
    assert dbname != new_dbname
    for name in (dbname, new_dbname):
        assert re.fullmatch(r"[a-z][a-z0-9_]{0,62}", name), name
    assert db_exists(pg_cluster, dbname)
    assert not db_exists(pg_cluster, new_dbname)
    # the new database is empty: no user tables
    assert sql(
        pg_cluster,
        dbname,
        "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace"
        " where n.nspname not in ('pg_catalog', 'information_schema')"
        " and n.nspname !~ '^pg_toast'",
    ) == [(0,)]

# git-hop runs each .py script of a release through this bootstrap
# (python3 -c <this file> <script>), so that the script's work on the
# database and git-hop's record of it commit together, exactly once
# (design §6.1; libhop/hop/deploy/runner.cpp).
#
# Every psycopg2 connection the script opens to the target database (the
# one in PGDATABASE; half_orm's included) runs in one transaction: the
# script's commits become savepoints, its rollbacks roll back to the last
# of them, its close() keeps the connection for the end. When the script
# ends well, the record of the script (GIT_HOP_RECORD) is inserted in that
# transaction and it commits; when it fails or is killed, nothing of it is
# left. Work done otherwise (another driver, psql...) is outside this: such
# a script must be idempotent, as git-hop(1) says.
import os
import runpy
import sys
import time


def main():
    script = sys.argv[1]
    record = os.environ.pop("GIT_HOP_RECORD", "")
    target = os.environ.get("PGDATABASE", "")
    sys.argv = sys.argv[1:]
    sys.path[0] = os.path.dirname(os.path.abspath(script))
    wrapped = []
    try:
        import psycopg2
        import psycopg2.extensions
    except ImportError:
        psycopg2 = None
    if psycopg2 is not None and record:
        base = psycopg2.extensions.connection

        class Connection(base):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self._hop = self.info.dbname == target
                self._hop_closed = False
                if self._hop:
                    wrapped.append(self)
                    base.autocommit.__set__(self, False)
                    with base.cursor(self) as cur:
                        cur.execute("savepoint git_hop")

            @property
            def autocommit(self):
                return False if self._hop else base.autocommit.__get__(self)

            @autocommit.setter
            def autocommit(self, value):
                if not self._hop:
                    base.autocommit.__set__(self, value)

            @property
            def closed(self):
                return 1 if self._hop_closed else base.closed.__get__(self)

            def cursor(self, *args, **kwargs):
                if self._hop_closed:
                    raise psycopg2.InterfaceError("connection already closed")
                return base.cursor(self, *args, **kwargs)

            def commit(self):
                if not self._hop:
                    return base.commit(self)
                with base.cursor(self) as cur:
                    cur.execute("release savepoint git_hop; savepoint git_hop")

            def rollback(self):
                if not self._hop:
                    return base.rollback(self)
                with base.cursor(self) as cur:
                    cur.execute("rollback to savepoint git_hop")

            def close(self):
                if not self._hop:
                    return base.close(self)
                self._hop_closed = True

            def __exit__(self, kind, value, traceback):
                if self._hop_closed:
                    raise psycopg2.InterfaceError("connection already closed")
                if kind is None:
                    self.commit()
                else:
                    self.rollback()
                return False

        connect = psycopg2.connect

        def hop_connect(*args, **kwargs):
            if kwargs.get("connection_factory") is None:
                kwargs["connection_factory"] = Connection
            return connect(*args, **kwargs)

        psycopg2.connect = hop_connect

    start = time.monotonic()
    status = 0
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as e:
        status = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        if not isinstance(e.code, (int, type(None))):
            print(e.code, file=sys.stderr)
    except BaseException:
        for c in wrapped:
            base.rollback(c)
        raise
    if status != 0:
        for c in wrapped:
            base.rollback(c)
        sys.exit(status)
    if wrapped:
        major, minor, patch, path, sha256 = record.split("\t")
        last = wrapped[-1]
        with base.cursor(last) as cur:
            cur.execute(
                "insert into half_orm_meta.hop_script"
                " (major, minor, patch, path, sha256, duration_ms)"
                " values (%s, %s, %s, %s, %s, %s)",
                (major, minor, patch, path, sha256,
                 int((time.monotonic() - start) * 1000)),
            )
        for c in wrapped:
            base.commit(c)
            base.close(c)


main()

"""SQL type -> Python type map of the @PACKAGE@ package.

git-hop reads SQL_ADAPTER below when it generates ho_dataclasses.py: one
entry a line, "'<SQL type name>': <Python type>," where the type is a
builtin (str) or a dotted name (datetime.date, mymodule.MyType). Add the
types git-hop warns about. git-hop writes this file once and never again:
it is yours.
"""

SQL_ADAPTER = {
    # 'ltree': str,
}

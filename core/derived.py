"""A column of a pre-grouped derived table, LEFT JOINed to the query that uses it.

A correlated subquery in a SELECT list runs once per row: over a whole table (the full
CSV export, two million budget lines) that is millions of index probes, the same action's
codes fetched again for each of its lines. ``GroupedColumn`` reads instead a column of a
derived table grouped once by its key,

    LEFT OUTER JOIN (SELECT key AS k, <aggregate> AS v FROM ... GROUP BY key) name
         ON (name.k = <the row's column>)

which PostgreSQL computes in one pass and hash-joins. Only for queries that read (nearly)
every row: a page of 50 rows is cheaper with the correlated subquery, which reads only
the groups of its rows.

The join is added to the query's FROM when the expression is compiled (the ON condition
is the compiled column, whatever alias the query gave its table), replacing the join of an
earlier compilation of the same query: Django's compiler writes the FROM clause after the
SELECT list and copes with entries added meanwhile (``get_from_clause``).
"""

from django.db.models import Expression
from django.db.models.sql.constants import LOUTER


class DerivedJoin:
    """An entry of ``Query.alias_map``: ``LEFT OUTER JOIN (sql) alias ON (alias.k = on)``."""

    join_type = LOUTER
    nullable = True
    filtered_relation = None

    def __init__(self, name, sql, params, on_sql, on_params, parent_alias=None, alias=None):
        self.name, self.sql, self.params = name, sql, tuple(params)
        self.on_sql, self.on_params = on_sql, tuple(on_params)
        self.parent_alias = parent_alias
        self.table_name = self.table_alias = alias or name

    @property
    def identity(self):
        return (self.__class__, self.name, self.sql, self.params, self.on_sql, self.on_params)

    def __eq__(self, other):
        return isinstance(other, DerivedJoin) and self.identity == other.identity

    def __hash__(self):
        return hash(self.identity)

    def as_sql(self, compiler, connection):
        sql = (f"LEFT OUTER JOIN ({self.sql}) {self.table_alias} "
               f"ON ({self.table_alias}.k = {self.on_sql})")
        return sql, [*self.params, *self.on_params]

    def relabeled_clone(self, change_map):
        # The ON condition is compiled again, with the new aliases, when the query is.
        return DerivedJoin(self.name, self.sql, self.params, self.on_sql, self.on_params,
                           change_map.get(self.parent_alias, self.parent_alias),
                           change_map.get(self.table_alias, self.table_alias))

    def demote(self):
        return self

    def promote(self):
        return self


class GroupedColumn(Expression):
    """Column ``v`` of the derived table ``sql`` (columns ``k``, ``v``; one row per ``k``)
    joined on ``k = on`` (an expression of the outer row, e.g. ``F("action_id")``).

    ``name`` is the join's alias: an SQL identifier, unique per derived table in a query.
    """

    def __init__(self, name, sql, params, on, output_field=None):
        super().__init__(output_field=output_field)
        self.name, self.sql, self.params, self.on = name, sql, tuple(params), on

    def __repr__(self):
        return f"{self.__class__.__name__}({self.name!r}, {self.on!r})"

    def get_source_expressions(self):
        return [self.on]

    def set_source_expressions(self, exprs):
        (self.on,) = exprs

    def as_sql(self, compiler, connection):
        on_sql, on_params = compiler.compile(self.on)
        query = compiler.query
        for alias, join in tuple(query.alias_map.items()):
            if isinstance(join, DerivedJoin) and join.name == self.name:
                del query.alias_map[alias]
                query.alias_refcount.pop(alias, None)
        query.alias_map[self.name] = DerivedJoin(self.name, self.sql, self.params,
                                                 on_sql, on_params)
        query.alias_refcount[self.name] = 1
        return f"{self.name}.v", []

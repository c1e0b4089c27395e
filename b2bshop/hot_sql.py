"""Hand-written statements for the order path: reads with ``select_related``'s result, and inserts.

Why: on the order path (sign-in, cart lines, stock locks, the order's rows) compiling the ORM
query costs more CPU than PostgreSQL spends answering it (tools/profile_checkout.py,
docs/performance.md). Here the column lists and joins are built once per process from the models'
metadata, so a new field is read and written without touching a caller, and each call only binds
its parameters.

Reads (``fetch_joined``): callers write the WHERE clause against the aliases, ``r`` for the root
model and ``"a__b"`` (quoted) for the relation path ``a__b``. Only what the hot paths need: forward
foreign keys / one-to-ones and reverse one-to-ones, all LEFT OUTER joins (a missing related row
gives ``None``, as ``select_related`` does).

Inserts (``insert_rows``): what ``bulk_create`` does for new rows (``auto_now``/defaults through the
fields' ``pre_save``, values through ``get_db_prep_save``, the new primary keys set), without model
signals: use it only for models nothing listens to (django-auditlog tracks none of them).

On PostgreSQL every statement here runs prepared (``_run``: once per session, at most
``MAX_PREPARED`` of them; ``HOT_SQL_PREPARE=0`` turns it off, e.g. behind a transaction-mode pooler),
and ``IN`` lists are one array parameter (``in_list``), so a cart of any size is one statement shape.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection, models

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True, slots=True)
class _Part:
    model: type[models.Model]
    path: str  # "" for the root
    parent: int  # index of the parent part (-1 for the root)
    field: Any  # the forward field, or the reverse one-to-one relation, leading here from the parent
    reverse: bool
    attnames: tuple[str, ...]
    start: int
    end: int
    converters: tuple[
        tuple[int, tuple[Any, ...], Any], ...
    ]  # (offset, converters, column) per field needing any


@dataclass(frozen=True, slots=True)
class _Plan:
    select_from: str
    parts: tuple[_Part, ...]


MAX_PREPARED = 100
"""Statements prepared per database session at most (each holds a plan in the PostgreSQL backend)."""


def _prepared_names() -> set[str]:
    """The statements prepared on this thread's current database session (a new session starts empty)."""
    raw = connection.connection
    if getattr(connection, "_hot_sql_session", None) is not raw:
        connection._hot_sql_session = raw  # type: ignore[attr-defined]  # our bookkeeping on Django's wrapper
        connection._hot_sql_prepared = set()  # type: ignore[attr-defined]  # same
    return connection._hot_sql_prepared  # type: ignore[attr-defined]  # set just above


def _run(cursor: Any, sql: str, params: list[Any]) -> None:
    """Execute ``sql`` as a server-side prepared statement on PostgreSQL (parsed and planned once per
    session: these statements join up to five tables, and planning them cost PostgreSQL more than
    running them). The SQL follows as a comment, so logs and captured queries still show it.
    """
    if connection.vendor != "postgresql" or not settings.HOT_SQL_PREPARE:
        cursor.execute(sql, params)
        return
    name = "hot_" + hashlib.blake2b(sql.encode(), digest_size=8).hexdigest()
    arguments = f" ({', '.join(['%s'] * len(params))})" if params else ""
    shown = sql.replace("*/", "* /").replace("%", "%%")  # a comment: no placeholders in it
    execute = f"EXECUTE {name}{arguments} /* {shown} */"
    prepared = _prepared_names()
    if name in prepared:
        cursor.execute(execute, params)
        return
    if len(prepared) >= MAX_PREPARED:  # e.g. many multi-row INSERT sizes: the rest run unprepared
        cursor.execute(sql, params)
        return
    pieces = sql.split("%s")
    numbered = pieces[0] + "".join(f"${index}{piece}" for index, piece in enumerate(pieces[1:], start=1))
    # One round trip. PREPARE is not undone when the EXECUTE (or the transaction) fails afterwards,
    # so the name counts as prepared from here on, whatever the EXECUTE does.
    prepared.add(name)
    cursor.execute(f"PREPARE {name} AS {numbered}; {execute}", params)


def _alias(path: str) -> str:
    return f'"{path}"' if path else "r"


def _converters(model: type[models.Model], fields: list[Any]) -> tuple[tuple[int, tuple[Any, ...], Any], ...]:
    """What the ORM's compiler applies to raw values before ``from_db`` (JSON text, SQLite decimals, …)."""
    out = []
    for offset, field in enumerate(fields):
        column = field.get_col(model._meta.db_table)
        found = tuple(connection.ops.get_db_converters(column)) + tuple(field.get_db_converters(connection))
        if found:
            out.append((offset, found, column))
    return tuple(out)


@lru_cache(maxsize=64)
def _plan(model: type[models.Model], related: tuple[str, ...]) -> _Plan:
    fields = list(model._meta.concrete_fields)
    columns = [f'r."{f.column}"' for f in fields]
    parts = [
        _Part(
            model,
            "",
            -1,
            None,
            False,
            tuple(f.attname for f in fields),
            0,
            len(fields),
            _converters(model, fields),
        )
    ]
    joins = []
    index_of = {"": 0}
    for path in sorted(related, key=lambda p: p.count("__")):
        parent_path, _, name = path.rpartition("__")
        parent = parts[index_of[parent_path]]
        field: Any = parent.model._meta.get_field(name)  # a relation field or a reverse relation
        here, there = _alias(path), _alias(parent_path)
        if field.one_to_one and not field.concrete:  # reverse one-to-one (Product.stock)
            target: Any = field.related_model
            joins.append(
                f'LEFT OUTER JOIN "{target._meta.db_table}" {here} '
                f'ON {here}."{field.field.column}" = {there}."{parent.model._meta.pk.column}"'
            )
            reverse = True
        elif field.many_to_one or field.one_to_one:
            target = field.related_model
            joins.append(
                f'LEFT OUTER JOIN "{target._meta.db_table}" {here} '
                f'ON {here}."{field.target_field.column}" = {there}."{field.column}"'
            )
            reverse = False
        else:
            raise ValueError(f"{model.__name__}: {path} is not a single-valued relation")
        target_fields = list(target._meta.concrete_fields)
        start = len(columns)
        columns += [f'{here}."{f.column}"' for f in target_fields]
        index_of[path] = len(parts)
        parts.append(
            _Part(
                target,
                path,
                index_of[parent_path],
                field,
                reverse,
                tuple(f.attname for f in target_fields),
                start,
                len(columns),
                _converters(target, target_fields),
            )
        )
    # Identifiers only, all from the models' metadata.
    select_from = f'SELECT {", ".join(columns)} FROM "{model._meta.db_table}" r ' + " ".join(joins)  # noqa: S608
    return _Plan(select_from=select_from, parts=tuple(parts))


def in_list(column: str, values: Sequence[Any], *, negate: bool = False) -> tuple[str, list[Any]]:
    """SQL and parameters for ``column IN values`` (``NOT IN`` with ``negate``).

    PostgreSQL gets one array parameter, so every list length is one statement shape (one prepared
    statement, not one per cart size); the SQLite demo, which has no arrays, gets ``IN (%s, …)``.
    """
    if connection.vendor == "postgresql":
        return (f"{column} <> ALL(%s)" if negate else f"{column} = ANY(%s)"), [list(values)]
    if not values:
        return ("1 = 1" if negate else "1 = 0"), []
    marks = ", ".join(["%s"] * len(values))
    return f"{column} {'NOT IN' if negate else 'IN'} ({marks})", list(values)


def fetch_joined(
    model: type[M], related: Sequence[str], where: str, params: Sequence[Any], *, tail: str = ""
) -> list[M]:
    """``model`` rows matching ``where`` (SQL over the aliases), each with ``related`` loaded and cached.

    ``tail`` follows the WHERE clause (ORDER BY, LIMIT, FOR UPDATE); ``where`` and ``tail`` must be
    constant SQL, every value a bound parameter.
    """
    plan = _plan(model, tuple(related))
    sql = f"{plan.select_from} WHERE {where} {tail}"
    with connection.cursor() as cursor:
        _run(cursor, sql, list(params))
        rows = cursor.fetchall()
    alias = connection.alias
    out: list[M] = []
    for row in rows:
        made: list[models.Model | None] = []
        for part in plan.parts:
            values = row[part.start : part.end]
            if part.converters:
                values = list(values)
                for offset, converters, column in part.converters:
                    for convert in converters:
                        values[offset] = convert(values[offset], column, connection)
            parent = made[part.parent] if part.parent >= 0 else None
            if part.parent >= 0 and parent is None:
                made.append(None)
                continue
            # A LEFT JOIN that found nothing gives NULL in the primary key, which is never NULL otherwise.
            pk_value = values[part.attnames.index(part.model._meta.pk.attname)]
            instance = None if pk_value is None else part.model.from_db(alias, part.attnames, values)
            if part.parent >= 0:
                if part.reverse:
                    part.field.set_cached_value(parent, instance)
                    if instance is not None:
                        part.field.field.set_cached_value(instance, parent)
                else:
                    part.field.set_cached_value(parent, instance)
            made.append(instance)
        out.append(made[0])  # type: ignore[arg-type]  # the root row always exists
    return out


def fetch_first(
    model: type[M], related: Sequence[str], where: str, params: Sequence[Any], *, tail: str = ""
) -> M | None:
    """The first row ``fetch_joined`` finds, or None (``tail`` as there; add LIMIT 1 when many can match)."""
    found = fetch_joined(model, related, where, params, tail=tail)
    return found[0] if found else None


def _column(opts: Any, name: str) -> str:
    column: str = opts.get_field(name).column
    return column


@lru_cache(maxsize=64)
def _insert_plan(
    model: type[models.Model], conflict: tuple[str, ...], update: tuple[str, ...]
) -> tuple[tuple[Any, ...], str, Any]:
    opts = model._meta
    pk = opts.pk
    returned = pk if getattr(pk, "db_returning", False) else None
    fields = tuple(f for f in opts.concrete_fields if f is not returned)
    columns = ", ".join(f'"{f.column}"' for f in fields)
    upsert = ""
    if conflict:
        keys = ", ".join(f'"{_column(opts, name)}"' for name in conflict)
        sets = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in (_column(opts, name) for name in update))
        upsert = f" ON CONFLICT ({keys}) DO UPDATE SET {sets}"
    returning = f' RETURNING "{returned.column}"' if returned is not None else ""
    # Identifiers only, all from the model's metadata; the VALUES are bound parameters.
    head = f'INSERT INTO "{opts.db_table}" ({columns}) VALUES '  # noqa: S608
    return fields, head + "{values}" + upsert + returning, returned


def insert_rows(
    objs: Sequence[models.Model], *, on_conflict: Sequence[str] = (), update: Sequence[str] = ()
) -> None:
    """INSERT new instances of one model in one statement and set their primary keys.

    ``on_conflict`` (unique field names) with ``update`` (field names) makes it an upsert, as
    ``bulk_create(update_conflicts=True)``: an existing row gets the new values of ``update`` and
    its primary key is set on the instance.
    """
    if not objs:
        return
    fields, template, returned = _insert_plan(type(objs[0]), tuple(on_conflict), tuple(update))
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for obj in objs for f in fields]
    with connection.cursor() as cursor:
        _run(cursor, template.format(values=", ".join([row] * len(objs))), params)
        keys = cursor.fetchall() if returned is not None else []
    for index, obj in enumerate(objs):
        if returned is not None:
            setattr(obj, returned.attname, keys[index][0])
        obj._state.adding = False
        obj._state.db = connection.alias


def fetch_rows(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """The rows of one hand-written SELECT (prepared on PostgreSQL like every statement here)."""
    with connection.cursor() as cursor:
        _run(cursor, sql, list(params))
        return cursor.fetchall()


def execute(sql: str, params: Sequence[Any]) -> int:
    """Run one hand-written write; returns the row count."""
    with connection.cursor() as cursor:
        _run(cursor, sql, list(params))
        return cursor.rowcount

"""The SQL condition that selects cached recommendations by their indexed fields.

Shared by the tracker's indexed query (``rows``) and the start-up fast path
(``fresh``); it imports nothing, so the fast path stays light.
"""

from __future__ import annotations


def rec_filter(*, statuses=None, sources=None, owners=None, themes=None, addressees=None, responses=None,
               unowned=False, sdgs=None, where_pairs=(), terms=()) -> tuple[str, list[str]]:
    """``(" WHERE ...", params)`` for ``recs`` rows matching every filter given (``("", [])`` for none).

    Each filter is a collection of exact values (owners with their
    descendants, themes and addressees as label keys). ``sdgs``,
    ``where_pairs`` (``--where``) and ``terms`` (search terms) select a superset, to be checked again
    (see :mod:`.fields`).
    """
    where: list[str] = []
    params: list[str] = []

    def among(column: str, values) -> str:
        values = sorted(values)
        params.extend(values)
        return f"{column} IN ({', '.join('?' * len(values))})"

    if statuses is not None:
        where.append(among("status", statuses))
    if sources is not None:
        where.append(among("source", sources))
    if responses is not None:
        where.append(among("response", responses))
    if unowned:
        where.append("owned = 0")
    for table, column, values in (("rec_owner", "owner", owners), ("rec_theme", "theme", themes),
                                  ("rec_addressee", "addressee", addressees)):
        if values is not None:
            where.append(f"id IN (SELECT rec FROM {table} WHERE {among(column, values)})")
    if sdgs is not None or where_pairs or terms:
        from .fields import conditions

        more, more_params = conditions(sdgs=sdgs, where=where_pairs, terms=terms)
        where.extend(more)
        params.extend(more_params)
    return (f" WHERE {' AND '.join(where)}" if where else ""), params

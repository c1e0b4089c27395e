"""The project's own tables: only the version counters of per-process caches (b2bshop.versions)."""

from __future__ import annotations

from django.db import models


class CacheVersion(models.Model):
    """The version of one rarely-changing table, bumped by a database trigger on every change.

    ``key`` is the table name. The trigger writes ``version`` from one sequence that is never reset,
    in the changing statement's own transaction: a reader that sees the new rows also sees the new
    version, and a version number is never reused, even after the table is truncated.
    """

    key = models.CharField(max_length=63, primary_key=True)
    version = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.key}@{self.version}"

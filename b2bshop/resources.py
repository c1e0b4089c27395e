"""The base for admin CSV import/export (django-import-export): every exported cell is formula-safe.

Each app declares its resources in ``<app>/resources.py`` on top of ``SafeModelResource``, so a
name like ``=HYPERLINK(...)`` typed into the shop opens as text in Excel (b2bshop/csv_safe.py).
"""

from __future__ import annotations

from typing import Any

from import_export import resources
from import_export.admin import ExportMixin, ImportExportMixin
from import_export.formats import base_formats

from b2bshop.csv_safe import neutralize


class SafeModelResource(resources.ModelResource):
    """A ModelResource whose exported cells go through ``csv_safe.neutralize``."""

    def export_field(self, field: Any, instance: Any, **kwargs: Any) -> Any:
        return neutralize(super().export_field(field, instance, **kwargs))


class CsvImportExportMixin(ImportExportMixin):
    """Admin import (preview, per-row errors, then confirm) and export, as CSV only."""

    formats = [base_formats.CSV]


class CsvExportMixin(ExportMixin):
    """Admin export as CSV only."""

    formats = [base_formats.CSV]

"""Writes for the integration app."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from integration.models import ReconciliationRun

if TYPE_CHECKING:
    from orders.reconciliation import ReconciliationReport

logger = logging.getLogger(__name__)


def record_reconciliation(*, report: ReconciliationReport) -> ReconciliationRun:
    """Keep one reconciliation result; warn in the log when something needs a person."""
    run = ReconciliationRun.objects.create(
        ran_at=report.now,
        unaccepted_orders=report.unaccepted_count,
        failed_pushes=report.failed_count,
        stale_stock=report.stale_stock_count,
        details=report.as_json(),
    )
    if not report.is_clean:
        logger.warning(
            "ERP reconciliation: %s orders not accepted in time, %s failed pushes, %s stale stock figures",
            report.unaccepted_count,
            report.failed_count,
            report.stale_stock_count,
        )
    return run

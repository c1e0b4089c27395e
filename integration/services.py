"""Writes for the integration app: the daily reconciliation run."""

from __future__ import annotations

import logging
from datetime import datetime

from integration.models import ReconciliationRun
from integration.selectors import ReconciliationReport, build_report
from orders import outbox
from orders.models import OrderPush

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


def run_reconciliation(*, now: datetime) -> ReconciliationReport:
    """The daily job: build the report and keep it (ReconciliationRun) for the admin page."""
    report = build_report(now=now)
    record_reconciliation(report=report)
    return report


def retry_failed_pushes(*, now: datetime) -> int:
    """The reconciliation page's fix for failed pushes: every failed one goes back to the outbox."""
    ids = list(OrderPush.objects.filter(status=OrderPush.Status.FAILED).values_list("id", flat=True))
    return outbox.retry_failed_pushes(outbox_ids=ids, now=now)

"""Staff insights pages (in the admin): read the query, call the selectors, draw, render or export CSV.

Every page needs ``insights.view_insights`` (superusers have it); buyers and anonymous users never
reach these views (the admin sends them to its login page). ``?csv=<table>`` exports any table.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from b2bshop.csv_safe import safe_writer
from b2bshop.errors import ApplicationError
from crm.selectors import KEY_ROLES, department_coverage
from customers.models import PREFECTURE_CHOICES, Customer, PriceGroup
from engagement.selectors import usual_products
from insights import charts, selectors, services
from insights.models import ReplayRun

PERMISSION = "insights.view_insights"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"

Table = tuple[Sequence[str], Iterable[Sequence[Any]]]


def _check(request: HttpRequest) -> None:
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied


def _csv(name: str, table: Table) -> HttpResponse:
    header, rows = table
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel opens UTF-8 Japanese correctly only with a BOM
    writer = safe_writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    response = HttpResponse(buffer.getvalue(), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="insights-{name}.csv"'
    return response


def _export(request: HttpRequest, tables: dict[str, Callable[[], Table]]) -> HttpResponse | None:
    name = request.GET.get("csv")
    if not name:
        return None
    if name not in tables:
        raise Http404
    return _csv(name, tables[name]())


def _site_context(request: HttpRequest) -> dict[str, Any]:
    """``admin.site.each_context`` without the app list: these pages have their own navigation,
    and reversing every model's URLs for the sidebar cost more than the customer page's own SQL."""
    site = admin.site
    script_name = request.META.get("SCRIPT_NAME", "")
    return {
        "site_title": site.site_title,
        "site_header": site.site_header,
        "site_url": script_name if site.site_url == "/" and script_name else site.site_url,
        "has_permission": site.has_permission(request),
        "available_apps": [],
        "is_popup": False,
        "is_nav_sidebar_enabled": False,
        "log_entries": site.get_log_entries(request),
    }


def _context(request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
    return {**_site_context(request), "opts": None, "insights_nav": _nav(), **kwargs}


def _nav() -> list[tuple[str, str]]:
    return [
        (reverse("admin:insights_pareto"), gettext("Pareto / ABC")),
        (reverse("admin:insights_retention"), gettext("Retention")),
        (reverse("admin:insights_economics"), gettext("Small-order economics")),
        (reverse("admin:insights_whatif"), gettext("Rule what-if")),
    ]


# ----------------------------------------------------------------------------- the period form


class PeriodForm(forms.Form):
    date_from = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    metric = forms.ChoiceField(
        label=_("Rank by"),
        choices=[(selectors.REVENUE, _("Revenue")), (selectors.MARGIN, _("Gross margin"))],
        required=False,
    )
    cut_a = forms.IntegerField(label=_("A up to (%)"), min_value=1, max_value=98, required=False)
    cut_b = forms.IntegerField(label=_("B up to (%)"), min_value=2, max_value=99, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            raise forms.ValidationError(_("The end date is before the start date."))
        if start and end and (end - start).days > 3 * 366:
            raise forms.ValidationError(_("Choose a period of at most three years."))
        a, b = data.get("cut_a"), data.get("cut_b")
        if a and b and not a < b:
            raise forms.ValidationError(_("The A cut-off must be below the B cut-off."))
        return data


def _period_form(request: HttpRequest) -> tuple[PeriodForm, selectors.Period, str, tuple[int, int]]:
    today = timezone.localdate()
    default = selectors.default_period(today=today)
    cut_a, cut_b = selectors.configured_cutoffs()
    initial = {"date_from": default.start, "date_to": default.end, "metric": selectors.REVENUE,
               "cut_a": cut_a, "cut_b": cut_b}  # fmt: skip
    data = {**{k: str(v) for k, v in initial.items()}, **request.GET.dict()}
    form = PeriodForm(data)
    if form.is_valid():
        d = form.cleaned_data
        period = selectors.Period(start=d["date_from"], end=d["date_to"])
        metric = d.get("metric") or selectors.REVENUE
        cutoffs = (d.get("cut_a") or cut_a, d.get("cut_b") or cut_b)
        return form, period, metric, cutoffs
    return form, default, selectors.REVENUE, (cut_a, cut_b)


def _pct(value: Decimal | None) -> str:
    return "" if value is None else f"{value * 100:.1f}"


# ----------------------------------------------------------------------------- Pareto / ABC


def pareto_view(request: HttpRequest) -> HttpResponse:
    _check(request)
    form, period, metric, cutoffs = _period_form(request)
    margin_available = selectors.has_cost_prices()
    if metric == selectors.MARGIN and not margin_available:
        metric = selectors.REVENUE
    result = selectors.pareto(period=period, metric=metric, cutoffs=cutoffs)

    def ranking() -> Table:
        header = ["rank", "customer", "name", metric, "orders", "share_pct", "cumulative_pct", "class",
                  "previous_class", "previous_value", "growth_pct"]  # fmt: skip
        rows = (
            [
                c.rank,
                c.code,
                c.name,
                c.value,
                c.orders,
                _pct(c.share),
                _pct(c.cumulative_share),
                c.abc,
                c.previous_abc or "-",
                c.previous_value,
                _pct(c.growth),
            ]  # fmt: skip
            for c in result.customers
        )
        return header, rows

    def classes() -> Table:
        return ["class", "customers", metric, "share_pct"], (
            [s.abc, s.customers, s.value, _pct(s.share)] for s in result.classes
        )

    def movements() -> Table:
        return ["from_class", "to_class", "customers"], (
            [a or "-", b or "-", n] for (a, b), n in sorted(result.movements.items())
        )

    def risk() -> Table:
        return ["top_customers", metric, "share_pct"], ([r.top, r.value, _pct(r.share)] for r in result.risk)

    def lost() -> Table:
        return ["customer", "name", "previous_class", "previous_value"], (
            [c.code, c.name, c.abc, c.value] for c in result.lost
        )

    tables = {"ranking": ranking, "classes": classes, "movements": movements, "risk": risk, "lost": lost}
    if (export := _export(request, tables)) is not None:
        return export
    labels = ["", "A", "B", "C"]
    matrix = [
        (src or gettext("new"), [result.movements.get((src, dst), 0) for dst in ("A", "B", "C", "")])
        for src in labels
    ]
    curve = charts.pareto_curve(
        title=gettext("Cumulative share of revenue"),
        cumulative=[c.cumulative_share for c in result.customers],
        cut_a=cutoffs[0],
        cut_b=cutoffs[1],
        x_label=gettext("Share of customers (ranked)"),
        y_label=gettext("Cumulative share"),
    )
    classes_chart = charts.bar_chart(
        title=gettext("Revenue by class"),
        labels=[f"{s.abc} ({s.customers:,})" for s in result.classes],
        series={gettext("Revenue"): [s.value for s in result.classes]},
    )
    return render(
        request,
        "admin/insights/pareto.html",
        _context(
            request,
            title=gettext("Pareto / ABC"),
            form=form,
            result=result,
            metric=metric,
            margin_available=margin_available,
            top=result.customers[:50],
            risers=result.risers[:20],
            matrix=matrix,
            curve=curve,
            classes_chart=classes_chart,
            costs=selectors.configured_costs(),
        ),
    )


# ----------------------------------------------------------------------------- retention


def retention_view(request: HttpRequest) -> HttpResponse:
    _check(request)
    form, period, _metric, _cutoffs = _period_form(request)
    result = selectors.retention(period=period)

    def churned() -> Table:
        return ["customer", "name", "previous_revenue", "last_order_at"], (
            [c.code, c.name, c.previous_revenue, timezone.localtime(c.last_order_at).isoformat()]
            for c in result.churned
        )

    def cohorts() -> Table:
        months = result.cohort_months
        header = (
            ["cohort", "customers"]
            + [f"m{i}_active" for i in range(months)]
            + [f"m{i}_revenue" for i in range(months)]
        )
        return header, (
            [c.month.strftime("%Y-%m"), c.customers, *c.active, *c.revenue] for c in result.cohorts
        )

    def summary() -> Table:
        return ["measure", "value"], [
            ["active_customers", result.active],
            ["repeat_customers", result.repeaters],
            ["repeat_rate_pct", _pct(result.repeat_rate)],
            ["new_customers", result.new_customers],
            ["new_revenue", result.new_revenue],
            ["existing_customers", result.existing_customers],
            ["existing_revenue", result.existing_revenue],
            ["churned_customers", len(result.churned)],
            ["churned_revenue", result.churned_revenue],
        ]

    tables = {"summary": summary, "churned": churned, "cohorts": cohorts}
    if (export := _export(request, tables)) is not None:
        return export
    split_chart = charts.bar_chart(
        title=gettext("Revenue from existing and new customers"),
        labels=[gettext("Existing customers"), gettext("New customers")],
        series={gettext("Revenue"): [result.existing_revenue, result.new_revenue]},
    )
    cohort_rows = [
        (c, [(n, share, charts.heat(share)) for n, share in zip(c.active, c.retention(), strict=True)])
        for c in result.cohorts
    ]
    return render(
        request,
        "admin/insights/retention.html",
        _context(
            request,
            title=gettext("Retention"),
            form=form,
            result=result,
            churned=result.churned[:50],
            split_chart=split_chart,
            cohort_rows=cohort_rows,
            offsets=range(result.cohort_months),
        ),
    )


# ----------------------------------------------------------------------------- economics and channel mix


def _band_label(band: selectors.Band) -> str:
    if band.upper is None:
        return gettext("%(lower)s and over") % {"lower": charts.yen_label(band.lower)}
    return f"{charts.yen_label(band.lower)}–{charts.yen_label(band.upper)}"


def _pilot_label(row: selectors.PilotChannelRow) -> str:
    if not row.scope:
        return gettext("Customers never invited")
    scope = gettext("Prefecture") if row.scope == "prefecture" else gettext("Price group")
    when = gettext("since the invitation") if row.since_invitation else gettext("before the invitation")
    return f"{scope}: {row.value} — {when}"


def economics_view(request: HttpRequest) -> HttpResponse:
    _check(request)
    form, period, _metric, cutoffs = _period_form(request)
    costs = selectors.configured_costs()
    result = selectors.economics(period=period, costs=costs)
    bands, profits = result.bands, result.profits
    by_month = selectors.channel_mix_by_month(period=period)
    by_class = selectors.channel_mix_by_class(period=period, cutoffs=cutoffs)
    by_pilot = selectors.channel_mix_by_pilot(period=period)
    channels = selectors.CHANNELS

    def bands_table() -> Table:
        header = ["band", "orders", *[f"orders_{ch}" for ch in channels], "revenue", "fees", "gross_margin",
                  "handling_cost", "profit", "handling_cost_before_web", "profit_before_web"]  # fmt: skip
        return header, (
            [
                _band_label(b),
                b.orders,
                *[b.by_channel.get(ch, 0) for ch in channels],
                b.revenue,
                b.fees,
                b.margin,
                b.handling,
                b.profit,
                b.handling_before_web,
                b.profit_before_web,
            ]  # fmt: skip
            for b in bands
        )

    def profits_table() -> Table:
        header = ["customer", "name", "orders", "revenue", "fees", "gross_margin", "handling_cost", "profit"]
        return header, (
            [p.code, p.name, p.orders, p.revenue, p.fees, p.margin, p.handling, p.profit] for p in profits
        )

    def mix_table(rows: list[selectors.ChannelRow], key: str) -> Table:
        header = [key, *[f"orders_{ch}" for ch in channels], *[f"revenue_{ch}" for ch in channels]]
        return header, ([r.label, *[r.orders[ch] for ch in channels], *[r.revenue[ch] for ch in channels]]
                        for r in rows)  # fmt: skip

    def pilot_table() -> Table:
        header = ["scope", "value", "since_invitation", "customers", *[f"orders_{ch}" for ch in channels],
                  *[f"revenue_{ch}" for ch in channels]]  # fmt: skip
        return header, (
            [r.scope or "-", r.value or "-", "true" if r.since_invitation else "false", r.customers,
             *[r.mix.orders[ch] for ch in channels], *[r.mix.revenue[ch] for ch in channels]]
            for r in by_pilot
        )  # fmt: skip

    tables = {
        "bands": bands_table,
        "profit": profits_table,
        "channels_by_month": lambda: mix_table(by_month, "month"),
        "channels_by_class": lambda: mix_table(by_class, "class"),
        "channels_by_pilot": pilot_table,
    }
    if (export := _export(request, tables)) is not None:
        return export
    labels = [_band_label(b) for b in bands]
    profit_chart = charts.bar_chart(
        title=gettext("Profit per order-size band, before and after the web channel"),
        labels=labels,
        series={
            gettext("Before the web channel (all by phone/FAX)"): [b.profit_before_web for b in bands],
            gettext("Now (actual channels)"): [b.profit for b in bands],
        },
    )
    orders_chart = charts.bar_chart(
        title=gettext("Orders per band and channel"),
        labels=labels,
        series={
            str(ch.label): [b.by_channel.get(ch.value, 0) for b in bands] for ch in selectors.Order.Channel
        },
        money=False,
        stacked=True,
    )
    mix_chart = charts.bar_chart(
        title=gettext("Orders per channel and month"),
        labels=[r.label[2:] for r in by_month],
        series={str(ch.label): [r.orders[ch.value] for r in by_month] for ch in selectors.Order.Channel},
        money=False,
        stacked=True,
    )
    return render(
        request,
        "admin/insights/economics.html",
        _context(
            request,
            title=gettext("Small-order economics"),
            form=form,
            costs=costs,
            bands=[(b, _band_label(b)) for b in bands],
            best=profits[:20],
            worst=list(reversed(profits[-20:])) if len(profits) > 20 else [],
            by_month=by_month,
            by_class=by_class,
            by_pilot=[(r, _pilot_label(r)) for r in by_pilot],
            channels=list(selectors.Order.Channel),
            profit_chart=profit_chart,
            orders_chart=orders_chart,
            mix_chart=mix_chart,
        ),
    )


# ----------------------------------------------------------------------------- rule what-if


class ReplayForm(forms.Form):
    name = forms.CharField(label=_("Title"), max_length=200, required=False)
    draft = forms.FileField(label=_("Draft rules file (JSON)"))
    date_from = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))


class PilotForm(forms.Form):
    prefecture = forms.ChoiceField(
        label=_("Prefecture"), choices=[("", "—"), *PREFECTURE_CHOICES], required=False
    )
    price_group = forms.ModelChoiceField(
        label=_("Price group"), queryset=PriceGroup.objects.all(), required=False, to_field_name="code"
    )


def whatif_view(request: HttpRequest) -> HttpResponse:
    _check(request)
    today = timezone.localdate()
    if request.method == "POST":
        form = ReplayForm(request.POST, request.FILES)
        if form.is_valid():
            d = form.cleaned_data
            raw = d["draft"].read(2 * 1024 * 1024 + 1)
            try:
                if len(raw) > 2 * 1024 * 1024:
                    raise ApplicationError(gettext("The rules file is too large (at most 2 MB)."))
                text = raw.decode("utf-8-sig")
                run = services.start_replay(
                    name=d["name"],
                    text=text,
                    date_from=d["date_from"],
                    date_to=d["date_to"],
                    actor=request.user,  # type: ignore[arg-type]
                    now=timezone.now(),
                )
            except UnicodeDecodeError:
                form.add_error("draft", gettext("Save the rules file as UTF-8."))
            except ApplicationError as exc:
                form.add_error("draft", exc.message)
            else:
                messages.success(
                    request, gettext("The replay has started; this page shows it when it is done.")
                )
                return HttpResponseRedirect(reverse("admin:insights_whatif_run", args=[run.pk]))
    else:
        form = ReplayForm(initial={"date_from": today - timedelta(days=364), "date_to": today})
    runs = ReplayRun.objects.select_related("created_by")[:20]
    return render(
        request,
        "admin/insights/whatif.html",
        _context(request, title=gettext("Rule what-if"), form=form, runs=runs),
    )


def whatif_run_view(request: HttpRequest, run_id: int) -> HttpResponse:
    _check(request)
    run = get_object_or_404(ReplayRun.objects.select_related("created_by"), pk=run_id)
    pilot_form = PilotForm()
    if request.method == "POST":
        if not (
            request.user.has_perm("pricing_rules.add_rule")
            and request.user.has_perm("pricing_rules.change_rule")
        ):
            raise PermissionDenied
        pilot_form = PilotForm(request.POST)
        if pilot_form.is_valid() and run.status == ReplayRun.Status.DONE:
            group = pilot_form.cleaned_data["price_group"]
            try:
                saved = services.switch_on_pilot(
                    run=run,
                    prefecture=pilot_form.cleaned_data["prefecture"],
                    price_group=group.code if group else "",
                    actor=request.user,  # type: ignore[arg-type]
                )
            except ApplicationError as exc:
                pilot_form.add_error(None, exc.message)
            else:
                messages.success(request, gettext("%(n)d pilot rules are live.") % {"n": len(saved)})
                return HttpResponseRedirect(reverse("admin:insights_whatif_run", args=[run.pk]))
    summary = run.summary or {}
    if request.GET.get("csv") == "report":
        if not run.report:
            raise Http404
        response = HttpResponse(run.report.read(), content_type=CSV_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="replay-{run.pk}.csv"'
        return response
    tables: dict[str, Callable[[], Table]] = {
        "customers": lambda: (
            ["customer", "name", "orders", "blocked", "blocked_revenue", "fees_before", "fees_after"],
            (
                [
                    c["code"],
                    c["name"],
                    c["orders"],
                    c["blocked"],
                    c["blocked_revenue"],
                    c["fees_before"],
                    c["fees_after"],
                ]
                for c in summary.get("customers", [])
            ),  # fmt: skip
        ),
        "bands": lambda: (
            ["lower", "upper", "orders", "blocked", "profit_before", "profit_after"],
            (
                [
                    b["lower"],
                    b["upper"] or "",
                    b["orders"],
                    b["blocked"],
                    b["profit_before"],
                    b["profit_after"],
                ]
                for b in summary.get("bands", [])
            ),  # fmt: skip
        ),
    }
    if (export := _export(request, tables)) is not None:
        return export
    chart = None
    bands = []
    if summary.get("bands"):
        for b in summary["bands"]:
            lower = Decimal(b["lower"])
            upper = Decimal(b["upper"]) if b["upper"] else None
            label = (
                f"{charts.yen_label(lower)}–{charts.yen_label(upper)}"
                if upper is not None
                else gettext("%(lower)s and over") % {"lower": charts.yen_label(lower)}
            )
            bands.append((label, b))
        chart = charts.bar_chart(
            title=gettext("Profit per order-size band, before and after the draft"),
            labels=[label for label, _ in bands],
            series={
                gettext("Current rules"): [Decimal(b["profit_before"]) for _, b in bands],
                gettext("Draft rules"): [Decimal(b["profit_after"]) for _, b in bands],
            },
        )
    return render(
        request,
        "admin/insights/whatif_run.html",
        _context(
            request,
            title=gettext("What-if: %(name)s") % {"name": run.name},
            run=run,
            summary=summary,
            bands=bands,
            chart=chart,
            draft=services.draft_text(run),
            pilot_form=pilot_form,
            can_pilot=request.user.has_perm("pricing_rules.add_rule")
            and request.user.has_perm("pricing_rules.change_rule"),
            fee_delta=Decimal(summary.get("fees_after", 0)) - Decimal(summary.get("fees_before", 0)),
        ),
    )


# ----------------------------------------------------------------------------- one customer


def customer_view(request: HttpRequest, customer_id: int) -> HttpResponse:
    _check(request)
    customer = selectors.customer_header(customer_id=customer_id)
    if customer is None:
        raise Http404
    now = timezone.now()
    today = timezone.localdate(now)
    trend = selectors.customer_trend(customer_id=customer.id, today=today)
    # Products no longer sold still show: this page is about what the customer has bought.
    usual = usual_products(
        customer_ids=[customer.id], since=today - timedelta(days=365), limit=10, active_only=False
    ).get(customer.id, [])
    history = selectors.web_history(customer_id=customer.id, now=now)
    departments = department_coverage(customer=Customer(pk=customer.id))
    reminders = selectors.reminder_history(customer_id=customer.id, since=today - timedelta(days=365))

    tables: dict[str, Callable[[], Table]] = {
        "trend": lambda: (["month", "revenue"], trend.months),
        "products": lambda: (
            ["sku", "name", "orders", "quantity", "revenue", "last_ordered_at"],
            (
                [p.sku, p.name, p.orders, p.quantity, p.revenue, timezone.localtime(p.last_ordered_at).date()]
                for p in usual
            ),  # fmt: skip
        ),
        "web": lambda: (
            ["at", "kind", "detail"],
            ([timezone.localtime(e.at).isoformat(), e.kind, e.detail] for e in history.recent),
        ),
        "reminders": lambda: (
            ["sent_on", "to", "status", "items", f"order_within_{settings.REMINDER_CONVERSION_DAYS}_days"],
            (
                [r.on_date, r.to_email, r.status, " ".join(r.skus), "true" if r.converted else "false"]
                for r in reminders
            ),
        ),  # fmt: skip
        "departments": lambda: (
            ["department", *[str(role.label) for role in KEY_ROLES], "contacts", "key_persons"],
            (
                [d.department or "-", *[d.known[role] for role in KEY_ROLES], d.contacts, d.key_persons]
                for d in departments
            ),  # fmt: skip
        ),
    }
    if (export := _export(request, tables)) is not None:
        return export
    trend_chart = charts.bar_chart(
        title=gettext("Monthly revenue (24 months)"),
        labels=[m[2:] for m, _ in trend.months],
        series={gettext("Revenue"): [v for _, v in trend.months]},
    )
    return render(
        request,
        "admin/insights/customer.html",
        _context(
            request,
            title=gettext("Customer insight: %(name)s") % {"name": customer.name},
            customer=customer,
            trend=trend,
            trend_chart=trend_chart,
            usual=usual,
            last=customer.last_order,
            history=history,
            departments=departments,
            reminders=reminders,
            reminders_converted=sum(1 for r in reminders if r.converted),
            conversion_days=settings.REMINDER_CONVERSION_DAYS,
            roles=[(role.value, role.label) for role in KEY_ROLES],
        ),
    )


def customer_lookup_view(request: HttpRequest) -> HttpResponse:
    """Jump to a customer's page by code."""
    _check(request)
    code = request.GET.get("code", "").strip()
    customer = Customer.objects.filter(code=code).only("pk").first() if code else None
    if customer is None:
        messages.error(request, gettext("No customer with the code %(code)s.") % {"code": code or "—"})
        return HttpResponseRedirect(reverse("admin:insights_pareto"))
    return HttpResponseRedirect(reverse("admin:insights_customer", args=[customer.pk]))

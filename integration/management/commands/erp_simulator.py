import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from integration.erp_simulator import ErpSimulatorServer, SimulatorState


class Command(BaseCommand):
    help = (
        "Serve a simulated ERP on http://HOST:PORT/orders (the receiving side of the order push): checks the "
        "HMAC signature (401), answers 409 to a repeated Idempotency-Key, can fail N times or answer slowly."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--fail", type=int, default=0, help="answer 503 to the first N requests")
        parser.add_argument("--delay", type=float, default=0.0, help="seconds to wait before each answer")
        parser.add_argument("--secret", default=None, help="signing secret (default: ERP_SIGNING_SECRET)")
        parser.add_argument(
            "--record", default="", help="append every accepted order as a JSON line to this file"
        )
        parser.add_argument(
            "--accept-url",
            default="",
            help="shop base URL to report 'accepted' to, e.g. http://127.0.0.1:8000",
        )
        parser.add_argument("--accept-token", default="", help="integration token for --accept-url")

    def handle(self, *args, **opts):
        secret = opts["secret"] if opts["secret"] is not None else settings.ERP_SIGNING_SECRET
        if not secret:
            raise CommandError("no signing secret: set ERP_SIGNING_SECRET or pass --secret")
        if opts["fail"] < 0 or opts["delay"] < 0:
            raise CommandError("--fail and --delay must not be negative")
        if bool(opts["accept_url"]) != bool(opts["accept_token"]):
            raise CommandError("--accept-url and --accept-token go together")
        state = SimulatorState(
            secret=secret,
            fail=opts["fail"],
            delay=opts["delay"],
            record_path=opts["record"],
            accept_url=opts["accept_url"],
            accept_token=opts["accept_token"],
        )
        try:
            server = ErpSimulatorServer((opts["host"], opts["port"]), state)
        except OSError as exc:
            raise CommandError(f"cannot listen on {opts['host']}:{opts['port']}: {exc}") from exc
        logging.getLogger("integration.erp_simulator").setLevel(logging.INFO)
        self.stdout.write(
            f"ERP simulator on http://{opts['host']}:{server.server_address[1]}/orders", ending="\n"
        )
        self.stdout.flush()
        try:
            server.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
            summary = state.summary()
            self.stdout.write(
                f"received {summary['received']} orders in {summary['requests']} requests "
                f"({summary['duplicates']} duplicates, {summary['rejected_signatures']} bad signatures)"
            )

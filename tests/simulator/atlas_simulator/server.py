"""Run the simulator as a threaded werkzeug server on 127.0.0.1, stopping cleanly on SIGTERM/SIGINT."""

import argparse
import json
import signal
import ssl
import sys
import threading

from werkzeug.serving import WSGIRequestHandler, make_server

from .app import SimulatorApp
from .cloud import DEFAULT_ATLAS_ACCOUNT_ID
from .model import DEFAULT_CONFIG, Atlas

LOOPBACK = "127.0.0.1"


class QuietHandler(WSGIRequestHandler):
    """No access log on stderr (the request log is at /_sim/requests); errors still show."""

    def log_request(self, code="-", size="-"):
        pass


def build_server(port, aws_endpoint, atlas_account_id=DEFAULT_ATLAS_ACCOUNT_ID, config=None, tls_cert=None, tls_key=None):
    app = SimulatorApp(Atlas(aws_endpoint, atlas_account_id, config))
    # Atlas notices an accepted request on its own, whether or not anybody reads the peering (model.notice_acceptances).
    threading.Thread(target=app.atlas.watch_acceptances, args=(threading.Event(),), daemon=True, name="acceptances").start()
    ssl_context = None
    if tls_cert:
        # HTTPS with the given certificate (e.g. one a test made, signed by its own CA): for validate_certs tests.
        ssl_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ssl_context.load_cert_chain(tls_cert, tls_key)
    return make_server(LOOPBACK, port, app, threaded=True, request_handler=QuietHandler, ssl_context=ssl_context)


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="atlas_simulator", description=__doc__)
    parser.add_argument("--host", default=LOOPBACK, choices=[LOOPBACK], help="always 127.0.0.1: the simulator never listens elsewhere")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port; the URL is printed as the first line of stdout")
    parser.add_argument("--aws-endpoint", required=True, help="moto server URL, e.g. http://127.0.0.1:5000")
    parser.add_argument("--atlas-account-id", default=DEFAULT_ATLAS_ACCOUNT_ID, help="Atlas's own AWS account inside moto")
    parser.add_argument("--tls-cert", help="serve HTTPS with this PEM certificate (chain)")
    parser.add_argument("--tls-key", help="the certificate's PEM private key (default: in --tls-cert)")
    for name, default in DEFAULT_CONFIG.items():
        if name != "caller_ip":
            parser.add_argument(f"--{name.replace('_', '-')}", type=float, default=default, help=f"default {default}")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    config = {name: getattr(args, name) for name in DEFAULT_CONFIG if name != "caller_ip"}
    server = build_server(args.port, args.aws_endpoint, args.atlas_account_id, config, tls_cert=args.tls_cert, tls_key=args.tls_key)

    def stop(_signum, _frame):
        # shutdown() waits for serve_forever() to return, so it must run off the thread that serves.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    scheme = "https" if args.tls_cert else "http"
    print(json.dumps({"url": f"{scheme}://{LOOPBACK}:{server.server_port}", "aws_endpoint": args.aws_endpoint}), flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0

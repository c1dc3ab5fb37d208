"""The `modelrouter` command: serve, check-config, health."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from modelrouter.config.load import ConfigError, load_config

EXIT_BAD_CONFIG = 2
EXIT_CANNOT_LISTEN = 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="modelrouter", description="Pick, call and measure language models."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the gRPC API")
    serve.add_argument(
        "--config", help="YAML configuration file (default: the built-in offline configuration)"
    )
    serve.add_argument(
        "--address", help="HOST:PORT to listen on (default: server.address of the configuration)"
    )
    check = sub.add_parser("check-config", help="validate a configuration file")
    check.add_argument("file")
    health = sub.add_parser("health", help="ask a running server's gRPC health service")
    health.add_argument("--address", default="127.0.0.1:50051")
    health.add_argument("--timeout", type=float, default=3.0, help="seconds (default 3)")
    health.add_argument("--service", default="", help="service name to check (default: the whole server)")
    health.add_argument("--ca-file", help="TLS: the CA (PEM) that signed the server's certificate")
    health.add_argument("--cert-file", help="mTLS: this client's certificate chain (PEM)")
    health.add_argument("--key-file", help="mTLS: this client's private key (PEM)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "check-config":
        try:
            config = load_config(args.file)
        except ConfigError as err:
            print(err.report(), file=sys.stderr)
            return EXIT_BAD_CONFIG
        print(f"{args.file}: valid ({len(config.models)} models, {len(config.strategies)} strategies)")
        return 0
    if args.command == "health":
        from modelrouter.server import check_health

        tls = None
        if args.ca_file or args.cert_file:
            tls = (args.ca_file, args.cert_file, args.key_file)
        return check_health(args.address, args.timeout, args.service, tls)
    try:
        config = load_config(args.config)
    except ConfigError as err:
        print(err.report(), file=sys.stderr)
        return EXIT_BAD_CONFIG
    from modelrouter import logs
    from modelrouter.server import ListenError, run
    from modelrouter.usage.store import UsageStoreError

    try:
        return run(config, args.address or config.server.address, logs.make_logging())
    except (ListenError, UsageStoreError) as err:
        print(err, file=sys.stderr)
        return EXIT_CANNOT_LISTEN


if __name__ == "__main__":
    sys.exit(main())

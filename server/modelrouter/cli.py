"""The `modelrouter` command: serve, check-config, health, reload."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from modelrouter.config.load import ConfigError, load_config

EXIT_BAD_CONFIG = 2
EXIT_CANNOT_LISTEN = 1
API_KEY_ENV = "MODELROUTER_API_KEY"


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
    _tls_arguments(health)
    reload = sub.add_parser(
        "reload", help="ask a running server to reload its configuration file (AdminService.ReloadConfig)"
    )
    reload.add_argument("--address", default="127.0.0.1:50051")
    reload.add_argument("--timeout", type=float, default=10.0, help="seconds (default 10)")
    _tls_arguments(reload)
    reload.add_argument(
        "--api-key-env",
        default=API_KEY_ENV,
        metavar="NAME",
        help=f"the variable holding an admin API key, sent when set (default {API_KEY_ENV})",
    )
    return parser


def _tls_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ca-file", help="TLS: the CA (PEM) that signed the server's certificate")
    parser.add_argument("--cert-file", help="mTLS: this client's certificate chain (PEM)")
    parser.add_argument("--key-file", help="mTLS: this client's private key (PEM)")


def _tls_files(args: argparse.Namespace) -> tuple[str | None, str | None, str | None] | None:
    if args.ca_file or args.cert_file:
        return (args.ca_file, args.cert_file, args.key_file)
    return None


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

        return check_health(args.address, args.timeout, args.service, _tls_files(args))
    if args.command == "reload":
        from modelrouter.admin_client import reload_config

        api_key = os.environ.get(args.api_key_env) or None
        return reload_config(args.address, args.timeout, _tls_files(args), api_key)
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

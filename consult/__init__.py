"""consult: consultations and surveys of the membership of an intergovernmental organization."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

from flask import Flask

from consult.config import CONFIGS, ProductionConfig
from consult.core.application import Consult


def create_app(config_name: str | None = None, test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application."""
    app = Consult(
        __name__, instance_path=os.environ.get("CONSULT_INSTANCE_DIR"), static_folder=None
    )
    configure(app, config_name, test_config)
    register_requests(app)
    register_errorhandlers(app)  # first, so that every request has its id before it can fail
    register_assets(app)
    register_proxy(app)
    register_extensions(app)
    register_database(app)
    register_i18n(app)
    register_auth(app)
    register_blueprints(app)
    register_limits(app)
    register_mail(app)
    register_templating(app)  # after the blueprints: their copies of Flask's context processor go
    register_headers(app)
    register_commands(app)
    configure_logging(app)
    return app


def configure(app: Flask, config_name: str | None, test_config: dict[str, Any] | None) -> None:
    name = config_name or os.environ.get("CONSULT_CONFIG", "development")
    config = CONFIGS[name]
    app.config.from_object(config)
    if test_config:
        app.config.update(test_config)
    if config is ProductionConfig and (problems := ProductionConfig.problems(app.config)):
        raise RuntimeError("consult refuses to start in production: " + "; ".join(problems))
    os.makedirs(app.instance_path, exist_ok=True)


def register_requests(app: Flask) -> None:
    from consult.core.params import CONVERTERS
    from consult.core.requests import init_requests

    app.url_map.converters.update(CONVERTERS)
    init_requests(app)


def register_assets(app: Flask) -> None:
    from consult.core.assets import init_assets

    init_assets(app)


def register_proxy(app: Flask) -> None:
    """Behind ``TRUSTED_PROXIES`` reverse proxies, take the client's address and scheme from
    their X-Forwarded-For and X-Forwarded-Proto (Werkzeug's ProxyFix); with none (the default)
    forwarded headers are ignored, since any client could send them."""
    count = app.config["TRUSTED_PROXIES"]
    if count:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)  # type: ignore[method-assign]


def register_extensions(app: Flask) -> None:
    import consult.models  # noqa: F401 - every table known to Alembic and the mappers
    from consult.extensions import csrf, db, limiter, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "..", "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)


def register_database(app: Flask) -> None:
    from consult.core.database import init_database

    init_database(app)


def register_i18n(app: Flask) -> None:
    from consult.core.i18n import init_babel

    init_babel(app)


def register_auth(app: Flask) -> None:
    from consult.auth.session import init_login

    init_login(app)


def register_blueprints(app: Flask) -> None:
    from consult.audit.views import bp as audit_bp
    from consult.auth.account import bp as account_bp
    from consult.auth.admin import bp as accounts_bp
    from consult.auth.views import bp as auth_bp
    from consult.ballots.views import bp as ballots_bp
    from consult.consultations.pages import bp as consultations_bp
    from consult.documents.views import bp as documents_bp
    from consult.entries.views import bp as entries_bp
    from consult.main.views import bp as main_bp
    from consult.registry.views import bp as members_bp
    from consult.results.mail_views import bp as mail_bp
    from consult.results.views import bp as results_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(ballots_bp)
    app.register_blueprint(entries_bp)
    app.register_blueprint(results_bp)
    app.register_blueprint(consultations_bp)
    app.register_blueprint(documents_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(members_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(mail_bp)


def register_limits(app: Flask) -> None:
    """Flask-Limiter checks every request before its view for limits of the whole app, of a
    blueprint or of its own (meta) — consult has none: each limit decorates its view, which
    checks it when called. That check found nothing on every page, at some 50 µs each, so it
    is left out while there are none of those limits (configuring one keeps it).

    After the view, its hooks write the limit's headers and forget the request's limits: on
    a request that checked no limit (it has no limiter context then), they have nothing to
    write or forget, at some 40 µs, and are not run."""
    from flask.globals import request_ctx

    from consult.extensions import limiter

    def where_limited(hook: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def run(value: Any) -> Any:
            if hasattr(request_ctx, "_limiter_request_context"):  # Limiter.context made it
                return hook(value)
            return value

        return run

    hooks = app.after_request_funcs.get(None, [])
    for i, hook in enumerate(hooks):
        if getattr(hook, "args", None) == (limiter,):  # partial(Limiter.__inject_headers, it)
            hooks[i] = where_limited(hook)
    teardowns = app.teardown_request_funcs.get(None, [])
    for i, hook in enumerate(teardowns):
        if getattr(hook, "__self__", None) is limiter:  # its __release_context
            teardowns[i] = where_limited(hook)

    manager = limiter.limit_manager
    if (
        manager.default_limits
        or manager.application_limits
        or manager._blueprint_limits
        or limiter._meta_limits
    ):
        return
    checks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in checks:  # not there when limits are disabled
        checks.remove(limiter._check_request_limit)


def register_mail(app: Flask) -> None:
    """Mail and the receivers of the features' events: consultation notices, answers to reset
    requests, a deactivated member's delegates signed out."""
    from consult.auth import accounts
    from consult.auth.passwords import answer_reset_requests
    from consult.ballots import receipt_mail
    from consult.consultations import notices
    from consult.mail import init_mail, outbox

    init_mail(app)
    notices.connect()
    accounts.connect()
    outbox.register_writer("password_reset", answer_reset_requests)
    outbox.register_writer(receipt_mail.WRITER, receipt_mail.write_receipts, pending=True)


def register_templating(app: Flask) -> None:
    from consult.core.templating import init_templating

    init_templating(app)


def register_errorhandlers(app: Flask) -> None:
    from consult.core.errors import init_errors

    init_errors(app)


def register_headers(app: Flask) -> None:
    from consult.core.headers import init_headers

    init_headers(app)


def register_commands(app: Flask) -> None:
    from consult.cli import init_commands

    init_commands(app)


def configure_logging(app: Flask) -> None:
    if not app.debug and not app.testing:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s"
        )

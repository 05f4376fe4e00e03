"""The after-sales process engine: create_app() builds the Flask application."""
from pathlib import Path
from datetime import datetime

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from flask_babel import LazyString

from . import config


class JSONProvider(DefaultJSONProvider):
    def default(self, o):
        if isinstance(o, datetime):
            from .clock import local
            return local(o).isoformat()  # ISO 8601 with the service zone's offset
        if isinstance(o, LazyString):
            return str(o)  # a lazy label, in the request's language
        return super().default(o)


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(config.ROOT / "instance"),
                template_folder="web/templates", static_folder="web/static")
    app.json = JSONProvider(app)
    app.config.from_mapping(config.from_environment(Path(app.instance_path)))
    app.config.from_mapping(overrides or {})
    from . import logs
    logs.init_app(app)  # first: every later hook's log lines carry the request id

    from . import clock
    from .engine import use_clock
    use_clock(clock.now)  # the engine's timers follow the service's clock

    from . import models  # noqa: F401  (every table registered before anything queries)
    from .extensions import csrf, db, limiter, mail, migrate
    from . import request_guards
    request_guards.init_app(app)  # first: it bounds the routes' <int:...> ids and reads no body too large
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    csrf.init_app(app)
    mail.init_app(app)

    from . import db_session
    db_session.init_app(app)
    limiter.init_app(app)  # after the guards: a refused input never counts as an attempt
    if app.config["TRUSTED_PROXIES"]:  # the client's address, as nginx saw it
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["TRUSTED_PROXIES"],
                                x_proto=app.config["TRUSTED_PROXIES"])

    from . import i18n
    i18n.init_app(app)  # the request's language picks the gettext catalogue (app/translations/)
    from .api import bp as api_bp
    csrf.exempt(api_bp)  # bearer tokens, never cookies: nothing for a forged form to ride on
    app.register_blueprint(api_bp)
    from .web import init_app as init_web
    init_web(app)
    from .web import health
    health.init_app(app)  # /healthz, public

    from .commands import register_commands
    register_commands(app)
    return app

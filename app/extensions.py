"""The Flask extensions, created once and bound to the app in create_app()."""
from flask_limiter import Limiter
from flask_mail import Mail
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
# Storage and strategy from RATELIMIT_STORAGE_URI / RATELIMIT_STRATEGY (app/config.py).
limiter = Limiter(key_func=get_remote_address)
# Task notices by e-mail (MAIL_* settings, app/services/notices.py).
mail = Mail()

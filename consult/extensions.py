"""Flask extensions, created unbound and attached in :func:`consult.create_app`."""

from typing import TYPE_CHECKING

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from consult.core.base import Base
from consult.core.csrf import CSRF

db = SQLAlchemy(model_class=Base)

# The base class of the models: Flask-SQLAlchemy builds ``db.Model`` at run time from ``Base``,
# which is what a type checker can see.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRF()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])

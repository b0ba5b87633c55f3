"""Extensions, created unbound and bound to the app in create_app()."""

from __future__ import annotations

from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so Alembic migrations can alter them on SQLite too.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
# Batch mode, because SQLite alters tables by copying them.
migrate = Migrate(render_as_batch=True, compare_type=True)
socketio = SocketIO()
csrf = CSRFProtect()
# No default limits: only the views that say so are limited (see throttle.py).
limiter = Limiter(key_func=get_remote_address)
# JSON and pages sent compressed to clients that accept it (the screens' own scripts
# and styles are kept compressed in memory instead, see pages/assets.py).
compress = Compress()

"""The WSGI entry point for production servers: `gunicorn 'lms.wsgi:app'`."""
from . import create_app
from .config import check_web_ready

app = create_app()
# Refuse to serve with a default or missing secret key in production (see README).
check_web_ready(app.extensions["lms"].settings)

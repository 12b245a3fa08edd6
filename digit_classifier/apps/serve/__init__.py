"""``digit-classifier serve``: the web page and JSON API (FastAPI), and its
static page (``static/``: HTML, CSS and JavaScript, nothing from elsewhere).
"""

from ._app import app_from_environment, make_app
from ._run import run_server

__all__ = ["app_from_environment", "make_app", "run_server"]

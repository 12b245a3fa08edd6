"""``digit-classifier serve``: the web page and JSON API (FastAPI), and its
static page (``static/``: HTML, CSS and JavaScript, nothing from elsewhere).

The app itself is :mod:`digit_classifier.serving`'s ``make_app``. This package
imports only the server's runner, so that the process that supervises several
workers does not import FastAPI and the model's libraries.
"""

from ._run import run_server

__all__ = ["run_server"]

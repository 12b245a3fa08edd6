"""The web app of ``digit-classifier serve``: :mod:`digit_classifier.apps.serve`,
by the name users mount it from.
"""

from .apps.serve._app import app_from_environment, make_app
from .apps.serve._settings import MAX_UPLOAD_ENV_VAR, MODEL_ENV_VAR, SAMPLES_ENV_VAR

__all__ = [
    "MAX_UPLOAD_ENV_VAR",
    "MODEL_ENV_VAR",
    "SAMPLES_ENV_VAR",
    "app_from_environment",
    "make_app",
]

"""Writer adaptation, as ``digit-classifier adapt`` does it:
:mod:`digit_classifier.apps.adapting`, by its documented name.
"""

from .apps.adapting import Adaptation, adapt_model

__all__ = ["Adaptation", "adapt_model"]

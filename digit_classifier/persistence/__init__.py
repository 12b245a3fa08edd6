"""Model files that hold only data: the format, its checks, and the estimators.

A model file is a zip archive of:

- ``manifest.json``: the format version, library versions, and each member
  network (one, or a committee's): its steps' parameters and fitted
  attributes (classes, history); a committee's weights and classes;
- ``weights.safetensors``: the kernel and bias of each member's Dense
  layers, as named float32 arrays (``<member>/hidden_1/kernel``) in the
  safetensors format (a JSON header and raw buffers);
- ``optimizer.safetensors`` (optional): the optimizers' state, so that a
  loaded model continues training where it stopped.

Nothing in it is code or a serialized object: loading parses JSON, checks
every parameter, name, shape and dtype (:mod:`._manifest`, :mod:`._format`:
no TensorFlow, no scikit-learn), and the classifier rebuilds its network
with its own builder. Keras's model loading, whose configurations have
carried code past ``safe_mode`` more than once, is never called.
:func:`load_predictor` reads the same file for prediction only, without
importing TensorFlow, Keras or scikit-learn.
"""

from ._models import library_versions, load_model, load_predictor, save_model

__all__ = ["library_versions", "load_model", "load_predictor", "save_model"]

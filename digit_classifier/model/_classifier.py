"""The Keras multilayer perceptron behind a scikit-learn classifier API."""

import difflib
import functools
import inspect
import math
from numbers import Integral, Real

import keras
import numpy as np
from PIL import Image
from scikeras.wrappers import KerasClassifier
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils import ClassifierTags, check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from .._checks import check_hidden_layer_sizes
from .._validation import validate_rows
from ..datasets import make_non_digits
from ..inference import digit_likeness, forward_pass, layer_names, output_logits
from ._augmentation import compiled_augmentation
from ._compat import Interval, StrOptions, route_params
from ._training import (
    NON_DIGIT,
    DigitAccuracy,
    StackedRows,
    batches,
    cosine_learning_rate,
    current_learning_rate,
    digits_or_uniform_crossentropy,
    n_batches,
    stratified_split,
)

# Seeds handed to Keras and tf.data must fit in an int32.
_MAX_SEED = np.iinfo(np.int32).max
# batch_size="auto" never exceeds this (the best found on MNIST).
MAX_AUTO_BATCH_SIZE = 256
# Validation passes only predict: large batches cost less per sample.
VALIDATION_BATCH_SIZE = 2048
AUGMENT_PARAMETERS = (
    "augment_rotation",
    "augment_zoom",
    "augment_shift",
    "augment_shear",
    "augment_elastic",
    "augment_stroke",
    "augment_low_resolution",
)


class DigitMLPClassifier(KerasClassifier):
    """Multilayer perceptron classifier trained with Keras.

    A scikeras ``KerasClassifier`` that builds its own network from flat,
    grid-searchable parameters: ``Dense`` hidden layers with an activation
    (and optional dropout and L2 penalty), a softmax output layer with one
    unit per class, the Adam optimizer and sparse categorical cross-entropy.
    The network is sized from the data given to :meth:`fit`, so it works for
    any number of features and classes. Inputs are converted to float32 once.

    Unlike scikeras's own ``KerasClassifier`` on scikit-learn >= 1.6, it is
    recognised as a classifier (stratified cross-validation, confusion-matrix
    displays), passes scikit-learn's estimator checks, and seeding it with
    ``random_state`` leaves TensorFlow's global random state untouched.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(256, 128)
        Number of units in each hidden layer; ``()`` gives a softmax
        regression with no hidden layer.

    activation : {"relu", "elu", "gelu", "selu", "swish", "tanh", "sigmoid", \
"linear"}, default="relu"
        Activation function of the hidden layers.

    dropout : float in [0, 1), default=0.3
        Fraction of each hidden layer's outputs dropped during training.

    alpha : float >= 0, default=0.0
        L2 penalty factor on the hidden and output kernels (Keras's
        ``L2(alpha)``: ``alpha * sum(w ** 2)`` is added to the loss).

    augment_rotation : float in [0, 180], default=0.0
        Largest random rotation of the training images, in degrees. This and
        the other ``augment_*`` parameters distort the training images anew
        in every batch of every epoch, in the input pipeline (see
        :mod:`digit_classifier.model._augmentation`), never at prediction; pixels
        moved in from outside the image are 0, MNIST's background. They need
        square images: ``n_features_in_`` a perfect square.

    augment_zoom : float in [0, 1), default=0.0
        Largest random zoom of the training images, in or out, as a fraction
        of their size.

    augment_shift : float in [0, 1), default=0.0
        Largest random shift of the training images, along each axis, as a
        fraction of their side (0.1 is 2.8 pixels on MNIST's 28).

    augment_shear : float in [0, 1), default=0.0
        Largest random slant of the training images: each row moves sideways
        by up to this fraction of its distance from the centre.

    augment_elastic : float in [0, 1), default=0.0
        Elastic distortion (Simard et al., 2003): smooth random displacements
        of the pixels, of this root mean square as a fraction of the side
        (0.03 is about a pixel on MNIST's 28).

    augment_stroke : float in [0, 1], default=0.0
        Fraction of the training images whose strokes are thickened or
        thinned (half each) by a pixel: markers and fine pens.

    augment_low_resolution : float in [0, 1], default=0.0
        Fraction of the training images shrunk to 7 to 14 pixels a side (a
        quarter to a half of MNIST's 28; smaller images are left alone) and
        enlarged back, their strokes brought back to full intensity: coarse
        scans and small photos.

    outlier_exposure : float in [0, 1], default=0.0
        Synthesised non-digits added to the training data, as a fraction of
        its samples, drawn anew by each :meth:`fit` (see
        :func:`~digit_classifier.datasets.make_non_digits`: scribbles,
        shapes, letters, noise, pairs of the training digits), which the
        network learns to give equal probabilities (outlier exposure,
        Hendrycks et al. 2019), so that :meth:`score_samples` tells digits
        from what is not one. Needs 28x28 or other square images with pixels
        in [0, 1], and the default loss; ``history_``'s accuracy counts the
        digits only (with the default ``metrics``).

    learning_rate : float > 0, default=2e-3
        Learning rate of the optimizer (its starting value with the cosine
        schedule). Ignored when ``optimizer`` is an optimizer instance or
        ``optimizer__learning_rate`` is given.

    learning_rate_schedule : {"cosine", "constant"}, default="cosine"
        "cosine" lowers the learning rate after each epoch of :meth:`fit`
        along half a cosine, from ``learning_rate`` to 0 after ``epochs``
        epochs; "constant" keeps it (use it to keep an optimizer instance's
        own). :meth:`partial_fit` keeps the optimizer's current rate.

    batch_size : int or "auto", default="auto"
        Number of samples per gradient update. "auto" takes
        ``min(256, n_samples // 32)``: 256 on MNIST, smaller batches (so
        enough updates per epoch) on small data sets.

    epochs : int, default=15
        Maximum number of passes over the training data.

    early_stopping : bool, default=False
        Whether to hold out a stratified ``validation_fraction`` of the
        training data, stop when its loss has not improved for
        ``n_iter_no_change`` epochs, and restore the best weights.

    validation_fraction : float in (0, 1), default=0.1
        Fraction of the training data held out when ``early_stopping`` is
        True.

    n_iter_no_change : int, default=5
        Number of epochs without improvement of the validation loss after
        which training stops, when ``early_stopping`` is True.

    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation, dropout, shuffling and validation
        split. Pass an int for reproducible results across calls; no global
        Python, NumPy or TensorFlow random state is changed.

    verbose : {0, 1, 2}, default=0
        Keras's training output: 0 is silent, 1 a progress bar, 2 one line
        per epoch.

    optimizer : str, keras.optimizers.Optimizer or type, default="adam"
        Optimizer, as accepted by scikeras (``optimizer__beta_1=...`` routes
        parameters to it).

    loss : str or keras.losses.Loss, default="sparse_categorical_crossentropy"
        Loss function, as accepted by scikeras.

    metrics : list of str or keras.metrics.Metric, default=None
        Metrics recorded in ``history_``; None records ``accuracy``.

    callbacks : list of keras.callbacks.Callback, default=None
        Keras callbacks run during training.

    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, folded into the sample weights.

    warm_start : bool, default=False
        Whether :meth:`fit` continues training the existing network.

    shuffle : bool, default=True
        Whether to reshuffle the training data before each epoch.

    validation_split : float in [0, 1), default=0.0
        Fraction of the training data held out (stratified) to report
        ``val_loss`` and ``val_accuracy`` without early stopping. With
        ``early_stopping=True`` it must stay 0: ``validation_fraction`` sets
        the one held-out part then, as in scikit-learn's ``MLPClassifier``.

    validation_batch_size : int, default=None
        Batch size of the validation pass; None uses 2048.

    run_eagerly : bool, default=False
        Whether Keras runs the training step eagerly (for debugging).

    model, build_fn : None
        scikeras's hooks for a user-built network; they must stay None, as
        this class builds its own.

    **kwargs
        Parameters routed by scikeras: ``fit__*``, ``compile__*``,
        ``optimizer__*`` (e.g. ``optimizer__beta_1=0.8``), ``callbacks__*``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels seen during :meth:`fit`.

    n_classes_ : int
        Number of classes.

    n_features_in_ : int
        Number of features seen during :meth:`fit`.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during :meth:`fit`, defined only when `X` has
        string feature names.

    model_ : keras.Model
        The fitted Keras network.

    coefs_ : list of ndarray
        The kernel of each Dense layer of ``model_``, from the first hidden
        layer to the output layer, as float64 (the network's float32 values,
        exactly). Copied from ``model_`` at the end of :meth:`fit`,
        :meth:`partial_fit` and :meth:`initialize`; prediction computes the
        network from them with NumPy, as scikit-learn's ``MLPClassifier``
        does, in a fraction of the time of ``model_.predict``.

    intercepts_ : list of ndarray
        The bias of each Dense layer, likewise.

    history_ : dict of str to list of float
        Per-epoch ``loss``, ``accuracy`` and ``learning_rate``, and
        ``val_loss`` and ``val_accuracy`` when a validation split is used.

    n_iter_ : int
        Number of epochs run.

    See Also
    --------
    make_digit_pipeline : This classifier after a :class:`PixelNormalizer`.
    sklearn.neural_network.MLPClassifier : scikit-learn's own perceptron.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from digit_classifier import DigitMLPClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = DigitMLPClassifier(hidden_layer_sizes=(64,), random_state=0)
    >>> clf = clf.fit(X / 16, y)
    >>> clf.predict(X[:3] / 16)
    array([0, 1, 2])
    >>> clf.score(X / 16, y) > 0.95
    True
    """

    _parameter_constraints: dict = {
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": [
            StrOptions(
                {"relu", "elu", "gelu", "selu", "swish", "tanh", "sigmoid", "linear"}
            )
        ],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "augment_rotation": [Interval(Real, 0, 180, closed="both")],
        "augment_zoom": [Interval(Real, 0, 1, closed="left")],
        "augment_shift": [Interval(Real, 0, 1, closed="left")],
        "augment_shear": [Interval(Real, 0, 1, closed="left")],
        "augment_elastic": [Interval(Real, 0, 1, closed="left")],
        "augment_stroke": [Interval(Real, 0, 1, closed="both")],
        "augment_low_resolution": [Interval(Real, 0, 1, closed="both")],
        "outlier_exposure": [Interval(Real, 0, 1, closed="both")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "learning_rate_schedule": [StrOptions({"cosine", "constant"})],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": [Interval(Integral, 0, 2, closed="both"), "boolean"],
        "warm_start": ["boolean"],
        "shuffle": ["boolean"],
        "validation_split": [Interval(Real, 0, 1, closed="left")],
        # Set by scikeras for user-built networks; this class builds its own.
        "model": [None],
        "build_fn": [None],
    }

    def __init__(
        self,
        hidden_layer_sizes=(256, 128),
        *,
        activation="relu",
        dropout=0.3,
        alpha=0.0,
        augment_rotation=0.0,
        augment_zoom=0.0,
        augment_shift=0.0,
        augment_shear=0.0,
        augment_elastic=0.0,
        augment_stroke=0.0,
        augment_low_resolution=0.0,
        outlier_exposure=0.0,
        learning_rate=2e-3,
        learning_rate_schedule="cosine",
        batch_size="auto",
        epochs=15,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=5,
        random_state=None,
        verbose=0,
        optimizer="adam",
        loss="sparse_categorical_crossentropy",
        metrics=None,
        callbacks=None,
        class_weight=None,
        warm_start=False,
        shuffle=True,
        validation_split=0.0,
        validation_batch_size=None,
        run_eagerly=False,
        model=None,
        build_fn=None,
        **kwargs,
    ):
        super().__init__(
            model=model,
            build_fn=build_fn,
            warm_start=warm_start,
            random_state=random_state,
            optimizer=optimizer,
            loss=loss,
            metrics=metrics,
            batch_size=batch_size,
            validation_batch_size=validation_batch_size,
            verbose=verbose,
            callbacks=callbacks,
            validation_split=validation_split,
            shuffle=shuffle,
            run_eagerly=run_eagerly,
            epochs=epochs,
            class_weight=class_weight,
            **kwargs,
        )
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.alpha = alpha
        self.augment_rotation = augment_rotation
        self.augment_zoom = augment_zoom
        self.augment_shift = augment_shift
        self.augment_shear = augment_shear
        self.augment_elastic = augment_elastic
        self.augment_stroke = augment_stroke
        self.augment_low_resolution = augment_low_resolution
        self.outlier_exposure = outlier_exposure
        self.learning_rate = learning_rate
        self.learning_rate_schedule = learning_rate_schedule
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change

    # scikit-learn's repr (changed parameters only) instead of scikeras's
    # one-line-per-parameter listing.
    __repr__ = BaseEstimator.__repr__

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # scikeras lists ClassifierMixin after BaseEstimator, so the mixin's
        # tags never apply; without them scikit-learn does not see a classifier.
        tags.estimator_type = "classifier"
        tags.classifier_tags = ClassifierTags(multi_label=False)
        tags.target_tags.required = True
        return tags

    def fit(self, X, y, sample_weight=None, **kwargs):
        """Fit the network to `X` and `y`: anew, or on from its weights with
        ``warm_start=True``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training samples.

        y : array-like of shape (n_samples,)
            Their labels; with ``warm_start=True`` and a fitted network,
            among its ``classes_``.

        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples.

        **kwargs
            Passed to scikeras's ``fit`` (arguments of ``keras.Model.fit``).

        Returns
        -------
        self : DigitMLPClassifier
            This classifier, fitted.
        """
        # scikeras's fit forgets classes_ before a warm start, which keeps
        # the label encoder and so never sets them again.
        classes = getattr(self, "classes_", None)
        super().fit(X, y, sample_weight=sample_weight, **kwargs)
        if self.classes_ is None:
            self.classes_ = classes
        return self

    def _fit(self, X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs):
        # Shared by fit and partial_fit: validate once, then let scikeras run.
        self._check_params_and_seed()
        super()._fit(X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs)
        self._copy_weights()

    def initialize(self, X, y):
        """Build the network for `X` and `y` without training it.

        As scikeras's ``initialize``, with the parameters checked as
        :meth:`fit` checks them and ``coefs_`` and ``intercepts_`` set.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples, which size the input layer.

        y : array-like of shape (n_samples,)
            Labels, which give ``classes_`` and size the output layer.

        Returns
        -------
        self : DigitMLPClassifier
            This classifier, with an untrained network.
        """
        self._check_params_and_seed()
        super().initialize(X, y)
        self._copy_weights()
        return self

    def _check_params_and_seed(self):
        self._validate_params()
        if self.outlier_exposure and self.loss != "sparse_categorical_crossentropy":
            raise ValueError(
                "outlier_exposure trains with its own loss, the sparse categorical "
                f"cross-entropy and equal probabilities for non-digits; got "
                f"loss={self.loss!r}. Leave the default loss, or set "
                "outlier_exposure=0."
            )
        check_hidden_layer_sizes(self.hidden_layer_sizes)
        self._check_extra_params()
        if self.early_stopping and self.validation_split:
            raise ValueError(
                "validation_split and early_stopping=True would both hold out "
                "training data; with early stopping, set the held-out fraction "
                f"with validation_fraction (now {self.validation_fraction}) and "
                "leave validation_split at 0."
            )
        # The seeds of the layers and of the shuffling are drawn from this.
        self._rng = check_random_state(self.random_state)

    def _copy_weights(self):
        """Copy the Dense layers' weights from model_ into coefs_/intercepts_."""
        layers = [self.model_.get_layer(name) for name in self._layer_names()]
        self.coefs_ = [layer.kernel.numpy().astype(np.float64) for layer in layers]
        self.intercepts_ = [layer.bias.numpy().astype(np.float64) for layer in layers]

    def _layer_names(self):
        return layer_names(np.size(self.hidden_layer_sizes))

    def _saved_state(self):
        """What a model file keeps of this fitted classifier.

        :func:`~digit_classifier.save_model` writes it as plain data and
        :meth:`_from_saved_state` takes it back, so that nothing outside this
        class reaches into scikeras's or Keras's members.

        Returns
        -------
        state : dict
            ``params``: ``get_params(deep=False)``; ``fitted``:
            ``n_features_in_``, ``classes_``, ``n_iter_`` and ``history_``;
            ``weights``: each Dense layer's float32 kernel and bias by name
            (``hidden_1/kernel``, ..., ``output/bias``); ``optimizer``: the
            optimizer's variables by name, in its order ({} before training).
        """
        check_is_fitted(self, "coefs_")
        weights = {}
        for name in self._layer_names():
            layer = self.model_.get_layer(name)
            weights[f"{name}/kernel"] = layer.kernel.numpy()
            weights[f"{name}/bias"] = layer.bias.numpy()
        optimizer = self.model_.optimizer
        variables = {v.name: np.asarray(v.numpy()) for v in optimizer.variables}
        if len(variables) != len(optimizer.variables):
            raise ValueError(
                f"The {type(optimizer).__name__} optimizer has variables of the "
                "same name, which cannot be saved apart; save the model with "
                "include_optimizer=False."
            )
        return {
            "params": self.get_params(deep=False),
            "fitted": {
                "n_features_in_": self.n_features_in_,
                "classes_": self.classes_,
                "n_iter_": self.n_iter_,
                "history_": self.history_,
            },
            "weights": weights,
            "optimizer": variables,
        }

    @classmethod
    def _from_saved_state(cls, params, fitted, weights, optimizer=None):
        """A fitted classifier rebuilt from what :meth:`_saved_state` gave.

        The network is built by this class's own builder from the checked
        parameters, then given the arrays; nothing is deserialized.

        Parameters
        ----------
        params : dict
            Constructor parameters.

        fitted : dict
            ``n_features_in_``, ``classes_`` (an array), ``n_iter_`` and
            ``history_``.

        weights : dict of str to ndarray
            The Dense layers' kernels and biases by name, of the shapes the
            parameters imply.

        optimizer : dict of str to ndarray, default=None
            The optimizer's variables, in its order; None for a new one.

        Returns
        -------
        classifier : DigitMLPClassifier

        Raises
        ------
        ValueError
            For unknown or invalid parameters, or arrays that do not fit.
        """
        known = cls().get_params(deep=False)
        unknown = [name for name in params if name not in known and "__" not in name]
        if unknown:
            raise ValueError(f"unknown {cls.__name__} parameters {unknown}.")
        classifier = cls(**params)
        try:
            classifier._validate_params()
            classifier._check_extra_params()
        except ValueError as exc:
            raise ValueError(f"invalid parameters: {exc}") from exc
        # The state fit() leaves behind, as scikeras and scikit-learn expect it.
        classes = fitted["classes_"]
        classifier.classes_ = classes
        classifier.n_classes_ = len(classes)
        classifier.n_features_in_ = fitted["n_features_in_"]
        classifier.n_iter_ = fitted["n_iter_"]
        classifier.history_ = fitted["history_"]
        classifier.target_encoder_ = classifier.target_encoder.fit(classes)
        classifier.feature_encoder_ = classifier.feature_encoder.fit(
            np.zeros((1, classifier.n_features_in_), dtype=np.float32)
        )
        classifier._rng = check_random_state(classifier.random_state)
        try:
            classifier.model_ = classifier._build_keras_model()
        except ValueError as exc:  # e.g. a loss or optimizer Keras does not know
            raise ValueError(f"the network cannot be built ({exc}).") from exc
        for name in classifier._layer_names():
            classifier.model_.get_layer(name).set_weights(
                [weights[f"{name}/kernel"], weights[f"{name}/bias"]]
            )
        if optimizer is not None:
            classifier._restore_optimizer(optimizer)
        classifier._initialize_callbacks()
        classifier._copy_weights()
        return classifier

    def _restore_optimizer(self, variables):
        """Give the compiled network's optimizer its saved variables."""
        optimizer = self.model_.optimizer
        optimizer.build(self.model_.trainable_variables)
        saved = list(variables.values())
        # Matched by position, as Keras itself restores optimizers.
        if [(tuple(v.shape), v.dtype) for v in optimizer.variables] != [
            (a.shape, a.dtype.name) for a in saved
        ]:
            raise ValueError(
                f"the saved optimizer arrays do not fit the variables of the "
                f"{type(optimizer).__name__} optimizer that the parameters build; "
                "the file was altered, or saved with a Keras whose optimizer differs."
            )
        for variable, value in zip(optimizer.variables, saved, strict=True):
            variable.assign(value)

    def _check_extra_params(self):
        # **kwargs would otherwise swallow a misspelt parameter silently.
        known = (
            set(inspect.signature(type(self)).parameters)
            | set(inspect.signature(KerasClassifier).parameters)
            | self._fit_kwargs
            | self._predict_kwargs
            | self._compile_kwargs
        )
        for name in getattr(self, "_user_params", ()):
            if "__" not in name and name not in known:  # "__" marks routed names
                guess = difflib.get_close_matches(name, sorted(known), n=1)
                hint = f" Did you mean {guess[0]!r}?" if guess else ""
                raise ValueError(
                    f"{type(self).__name__} got an unexpected parameter {name!r}.{hint}"
                )

    def _validate_data(self, X=None, y=None, reset=False, y_numeric=False):
        # scikeras's checks predate scikit-learn's wording and feature names;
        # scikit-learn's own ones also convert X to float32 once, here.
        if y is None:
            if not reset:
                return validate_rows(self, X, (np.float32,)), None
            return validate_data(self, X, reset=True, dtype=np.float32), None
        X, y = validate_data(self, X, y, reset=reset, dtype=np.float32)
        check_classification_targets(y)
        if reset and np.unique(y).size < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes, "
                f"but the data contains only one class: {y[0]!r}."
            )
        return X, y

    def predict_proba(self, X):
        """Return class probability estimates for the samples in `X`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes), dtype float64
            The softmax output of the network, computed with NumPy from
            ``coefs_`` and ``intercepts_`` in float64 (to within 1e-5 of
            ``model_.predict``, which computes in float32); columns follow
            ``classes_``. A row's probabilities do not depend on the other
            rows of `X`.
        """
        check_is_fitted(self, "coefs_")
        X, _ = self._validate_data(X)
        return forward_pass(X, self.coefs_, self.intercepts_, self.activation)

    def predict(self, X):
        """Predict class labels for the samples in `X`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            The most probable class of each sample, as a label of ``classes_``.
        """
        proba = self.predict_proba(X)
        return self.classes_[proba.argmax(axis=1)]

    def score_samples(self, X):
        """How much each sample looks like the classes the network knows.

        The log of the sum of the exponentiated outputs before the softmax
        (minus their free energy, Liu et al. 2020): high where the network
        is sure of one class, low where it has seen nothing like the input;
        higher is more like the training data, as scikit-learn's outlier
        detectors' ``score_samples``. Trained with ``outlier_exposure``, the
        network gives low scores to non-digits on purpose. Compare with a
        threshold chosen on validation data, e.g. ``np.quantile(
        clf.score_samples(X_val), 0.01)`` to accept 99% of its digits.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        scores : ndarray of shape (n_samples,), dtype float64
            One score per sample, independent of the other rows.
        """
        check_is_fitted(self, "coefs_")
        X, _ = self._validate_data(X)
        return digit_likeness(
            output_logits(X, self.coefs_, self.intercepts_, self.activation)
        )

    def _new_seed(self):
        return int(self._rng.randint(_MAX_SEED))

    def _build_keras_model(self):
        # scikeras would wrap the build in its global-seed context manager,
        # which leaves TensorFlow's op determinism switched on; each layer
        # here carries its own seed instead.
        return self._keras_build_fn(compile_kwargs=self._get_compile_kwargs())

    def _keras_build_fn(self, compile_kwargs):
        regularizer = keras.regularizers.L2(self.alpha) if self.alpha > 0 else None
        inputs = keras.Input(shape=(self.n_features_in_,), dtype="float32")
        x = inputs
        *hidden_names, output_name = self._layer_names()
        for i, (name, units) in enumerate(
            zip(hidden_names, np.ravel(self.hidden_layer_sizes), strict=True), start=1
        ):
            x = keras.layers.Dense(
                int(units),
                activation=self.activation,
                kernel_initializer=keras.initializers.GlorotUniform(self._new_seed()),
                kernel_regularizer=regularizer,
                name=name,
            )(x)
            if self.dropout > 0:
                x = keras.layers.Dropout(
                    self.dropout, seed=self._new_seed(), name=f"dropout_{i}"
                )(x)
        outputs = keras.layers.Dense(
            self.n_classes_,
            activation="softmax",
            kernel_initializer=keras.initializers.GlorotUniform(self._new_seed()),
            kernel_regularizer=regularizer,
            name=output_name,
        )(x)
        model = keras.Model(inputs, outputs, name="digit_mlp")

        optimizer = compile_kwargs["optimizer"]
        # scikeras built a fresh optimizer from a name or class: ours to set.
        if not isinstance(self.optimizer, keras.optimizers.Optimizer):
            optimizer.learning_rate = self._initial_learning_rate()
        compile_kwargs = {
            **compile_kwargs,
            "metrics": compile_kwargs["metrics"] or ["accuracy"],
        }
        if self.outlier_exposure:
            compile_kwargs["loss"] = digits_or_uniform_crossentropy
            if self.metrics is None:
                compile_kwargs["metrics"] = [DigitAccuracy()]
        model.compile(**compile_kwargs)
        return model

    def _with_non_digits(self, X, y, sample_weight, train_rows):
        """The training data with synthesised non-digits added, and its rows."""
        side = math.isqrt(self.n_features_in_)
        if side * side != self.n_features_in_:
            raise ValueError(
                f"outlier_exposure needs square images, but X has "
                f"{self.n_features_in_} features, not a perfect square. Set "
                "outlier_exposure=0 for other data."
            )
        rng = np.random.default_rng(self._new_seed())
        n_non_digits = max(1, round(self.outlier_exposure * len(train_rows)))
        # Digits to draw pairs of: a sample, in MNIST's 28x28 uint8 form.
        sample = rng.choice(train_rows, size=min(len(train_rows), 2000), replace=False)
        digits = np.clip(X[sample] * 255, 0, 255).astype(np.uint8)
        if side != 28:
            digits = _resized(digits.reshape(-1, side, side), 28)
        images = make_non_digits(
            n_non_digits, digits=digits.reshape(-1, 28, 28), random_state=rng
        )
        if side != 28:
            images = _resized(images, side)
        non_digits = images.reshape(n_non_digits, -1).astype(np.float32) / 255
        X = StackedRows([X, non_digits])
        y = np.concatenate(
            [y, np.full((n_non_digits, *y.shape[1:]), NON_DIGIT, y.dtype)]
        )
        if sample_weight is not None:
            sample_weight = np.concatenate(
                [sample_weight, np.ones(n_non_digits, sample_weight.dtype)]
            )
        rows = np.concatenate([train_rows, np.arange(len(X) - n_non_digits, len(X))])
        return X, y, sample_weight, rows

    def _augmentation(self):
        """The input pipeline's distortion of training batches, or None."""
        amounts = {
            name.removeprefix("augment_"): getattr(self, name)
            for name in AUGMENT_PARAMETERS
            if getattr(self, name)
        }
        if not amounts:
            return None
        side = math.isqrt(self.n_features_in_)
        if side * side != self.n_features_in_:
            raise ValueError(
                f"The augment_* parameters need square images, but X has "
                f"{self.n_features_in_} features, not a perfect square. Set "
                f"{', '.join(f'augment_{name}' for name in amounts)} to 0 for "
                "other data."
            )
        return compiled_augmentation(side, **amounts)

    def _initial_learning_rate(self):
        # A routed optimizer__learning_rate wins over our flat parameter.
        return getattr(self, "optimizer__learning_rate", self.learning_rate)

    def _fit_keras_model(
        self, X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs
    ):
        fit_args = route_params(
            self.get_params(), destination="fit", pass_filter=self._fit_kwargs
        )
        fit_args.update(kwargs)
        # Consumed here rather than by Keras: we batch, shuffle and split.
        batch_size = fit_args.pop("batch_size")
        shuffle = fit_args.pop("shuffle", True)
        validation_split = fit_args.pop("validation_split", 0.0)
        for consumed in ("epochs", "initial_epoch", "sample_weight", "callbacks"):
            fit_args.pop(consumed, None)

        callbacks = list(self._fit_callbacks)
        validation_fraction = (
            self.validation_fraction if self.early_stopping else validation_split
        )
        # Rows, not copies: the training batches are gathered from X itself.
        train_rows = np.arange(len(X))
        validation_data = None
        if validation_fraction:
            train_rows, validation_rows = stratified_split(
                y, validation_fraction, self._new_seed()
            )
            validation_data = tuple(
                a[validation_rows] for a in (X, y, sample_weight) if a is not None
            )
        if batch_size == "auto":
            batch_size = min(MAX_AUTO_BATCH_SIZE, max(1, len(train_rows) // 32))
        if self.outlier_exposure:
            X, y, sample_weight, train_rows = self._with_non_digits(
                X, y, sample_weight, train_rows
            )
        if fit_args.get("validation_batch_size") is None:
            # Keras would validate in batches of 32: over a second an epoch on
            # MNIST, for a forward pass that large batches do in a tenth of it.
            fit_args["validation_batch_size"] = VALIDATION_BATCH_SIZE
        # The cosine runs over each call of fit; partial_fit (which continues
        # at a later epoch) keeps the current rate. Either way the scheduler
        # records the rate of every epoch in history_.
        if self.learning_rate_schedule == "cosine" and initial_epoch == 0:
            schedule = functools.partial(
                cosine_learning_rate,
                start=self._initial_learning_rate(),
                n_epochs=epochs,
            )
        else:
            schedule = current_learning_rate
        callbacks.append(keras.callbacks.LearningRateScheduler(schedule))
        if self.early_stopping:
            callbacks.append(
                keras.callbacks.EarlyStopping(
                    monitor="val_loss",
                    patience=self.n_iter_no_change,
                    restore_best_weights=True,
                )
            )

        augment = self._augmentation()
        # One iterator through all the epochs' batches (see batches).
        if fit_args.get("steps_per_epoch") is None:
            fit_args["steps_per_epoch"] = n_batches(len(train_rows), batch_size)
        with batches(
            X,
            y,
            sample_weight,
            train_rows,
            batch_size,
            shuffle,
            self._new_seed(),
            range(initial_epoch, initial_epoch + epochs),
            augment,
        ) as training_batches:
            history = self.model_.fit(
                training_batches,
                shuffle=False,  # the batches are already shuffled
                epochs=initial_epoch + epochs,
                initial_epoch=initial_epoch,
                validation_data=validation_data,
                callbacks=callbacks,
                **fit_args,
            )

        if not warm_start or not hasattr(self, "history_") or initial_epoch == 0:
            self.history_ = {}
        for key, values in history.history.items():
            self.history_.setdefault(key, []).extend(float(v) for v in values)
        self.n_iter_ = len(self.history_["loss"])

    # scikeras's BaseWrapper.score comes first in the bases and re-validates
    # y its own way; scikit-learn's is plain accuracy of predict.
    score = ClassifierMixin.score


def _resized(images, side):
    """Square uint8 images resized to `side` pixels a side, anti-aliased."""
    return np.stack(
        [
            np.asarray(
                Image.fromarray(image).resize((side, side), Image.Resampling.BOX)
            )
            for image in images
        ]
    )

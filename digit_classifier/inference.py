"""Prediction with NumPy: the fitted network's forward pass, without TensorFlow.

At prediction, the network of :class:`DigitMLPClassifier` is Dense layers and
a softmax: its augmentation and dropout layers pass their input through. So
this module computes it from the weights alone, as scikit-learn's
``MLPClassifier`` does, for the classifier itself and for
:class:`DigitPredictor`, which loads a model file without importing
TensorFlow, Keras, scikeras or scikit-learn.

The products are computed in float64 from the float32 weights and inputs, so a
row's probabilities do not depend on which other rows are in the call (float32
matrix kernels round differently with the number and position of the rows).
"""

import math

import numpy as np
from scipy.special import erf, expit

from ._checks import check_normalizer_params
from ._pixels import check_pixel_range, scale_pixels
from .images import normalize_digits

# Rows per matrix product: bounds the float64 copies of large inputs, and
# products of this size ran fastest here (2,048 rows: 27 ms for 10,000 MNIST
# images through 784-128-64-10, against 41 ms in one product).
CHUNK_ROWS = 2048
# The constants of SELU (Klambauer et al., 2017), as Keras uses them.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _relu(x):
    return np.maximum(x, 0, out=x)


def _elu(x):
    return np.where(x > 0, x, np.expm1(np.minimum(x, 0)))


def _selu(x):
    return SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(np.minimum(x, 0)))


def _gelu(x):
    # Keras's default, the exact form: x * P(N(0, 1) <= x).
    return 0.5 * x * (1 + erf(x / np.sqrt(2)))


def _swish(x):
    return x * expit(x)


def _tanh(x):
    return np.tanh(x, out=x)


def _linear(x):
    return x


# The hidden layers' activations, by the names DigitMLPClassifier accepts.
ACTIVATIONS = {
    "relu": _relu,
    "elu": _elu,
    "gelu": _gelu,
    "selu": _selu,
    "swish": _swish,
    "tanh": _tanh,
    "sigmoid": expit,
    "linear": _linear,
}


def layer_names(n_hidden):
    """The names of the network's Dense layers, from the first to the output.

    Parameters
    ----------
    n_hidden : int
        Number of hidden layers.

    Returns
    -------
    names : list of str
        ``hidden_1`` ... ``hidden_<n_hidden>``, then ``output``.

    Examples
    --------
    >>> layer_names(2)
    ['hidden_1', 'hidden_2', 'output']
    """
    return [f"hidden_{i}" for i in range(1, n_hidden + 1)] + ["output"]


def weight_shapes(n_features, hidden_layer_sizes, n_classes):
    """The shape of every kernel and bias of the network, by name.

    Parameters
    ----------
    n_features : int
        Inputs of the first layer.

    hidden_layer_sizes : sequence of int
        Units of each hidden layer.

    n_classes : int
        Units of the softmax output layer.

    Returns
    -------
    shapes : dict of str to tuple of int
        ``"<layer>/kernel"`` and ``"<layer>/bias"`` for each layer of
        :func:`layer_names`, in the order of the layers.

    Examples
    --------
    >>> weight_shapes(784, [16], 10)  # doctest: +NORMALIZE_WHITESPACE
    {'hidden_1/kernel': (784, 16), 'hidden_1/bias': (16,),
     'output/kernel': (16, 10), 'output/bias': (10,)}
    """
    units = [int(n) for n in hidden_layer_sizes] + [int(n_classes)]
    inputs = [int(n_features)] + units[:-1]
    shapes = {}
    for name, n_in, n_out in zip(
        layer_names(len(units) - 1), inputs, units, strict=True
    ):
        shapes[f"{name}/kernel"] = (n_in, n_out)
        shapes[f"{name}/bias"] = (n_out,)
    return shapes


def forward_pass(X, coefs, intercepts, activation):
    """Class probabilities of the network for the rows of `X`.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Validated, finite input rows (float32, as the network was trained on).

    coefs : list of ndarray
        The kernel of each Dense layer, ``(n_inputs, n_units)``, float64.

    intercepts : list of ndarray
        The bias of each Dense layer, ``(n_units,)``, float64.

    activation : str
        The hidden layers' activation, a key of :data:`ACTIVATIONS`.

    Returns
    -------
    proba : ndarray of shape (n_samples, n_classes), dtype float64
        The softmax of the output layer.

    Examples
    --------
    >>> import numpy as np
    >>> coefs = [np.eye(2), np.array([[1.0, -1.0], [0.0, 0.0]])]
    >>> intercepts = [np.zeros(2), np.zeros(2)]
    >>> forward_pass(np.array([[0.0, 1.0], [2.0, 0.0]]), coefs, intercepts, "relu")
    array([[0.5       , 0.5       ],
           [0.98201379, 0.01798621]])
    """
    return softmax(output_logits(X, coefs, intercepts, activation))


def output_logits(X, coefs, intercepts, activation):
    """The output layer's values before its softmax, for the rows of `X`.

    Parameters are those of :func:`forward_pass`.

    Returns
    -------
    logits : ndarray of shape (n_samples, n_classes), dtype float64
    """
    hidden_activation = ACTIVATIONS[activation]
    logits = np.empty((len(X), coefs[-1].shape[1]))
    for start in range(0, len(X), CHUNK_ROWS):
        values = X[start : start + CHUNK_ROWS].astype(np.float64)
        for coef, intercept in zip(coefs[:-1], intercepts[:-1], strict=True):
            values = values @ coef
            values += intercept
            values = hidden_activation(values)
        values = values @ coefs[-1]
        values += intercepts[-1]
        logits[start : start + CHUNK_ROWS] = values
    return logits


def softmax(logits, temperature=1.0):
    """The softmax of each row of `logits` divided by `temperature`, in place."""
    if temperature != 1.0:
        logits /= temperature
    logits -= logits.max(axis=1, keepdims=True)
    np.exp(logits, out=logits)
    logits /= logits.sum(axis=1, keepdims=True)
    return logits


def digit_likeness(logits):
    """How much each row's network output looks like a known digit's.

    The log of the sum of the exponentiated logits: minus the free energy of
    Liu et al. (2020). A network sure of one class has one large logit; one
    that has seen nothing like the input, all small ones (a network trained
    with outlier exposure learns to give non-digits equal ones).

    Parameters
    ----------
    logits : ndarray of shape (n_samples, n_classes)

    Returns
    -------
    scores : ndarray of shape (n_samples,)
        Higher for more digit-like inputs.

    Examples
    --------
    >>> import numpy as np
    >>> digit_likeness(np.array([[9.0, 0.0, 0.0], [1.0, 1.0, 1.0]])).round(2)
    array([9. , 2.1])
    """
    top = logits.max(axis=1)
    return top + np.log(np.exp(logits - top[:, np.newaxis]).sum(axis=1))


class _Answers:
    """What every predictor answers, from its ``predict_proba``,
    ``score_samples``, ``classes_`` and ``threshold``."""

    def _set_calibration(self, temperature, threshold):
        temperature = float(temperature)
        if not (math.isfinite(temperature) and temperature > 0):
            raise ValueError(
                f"temperature must be a positive number, got {temperature!r}."
            )
        if threshold is not None:
            threshold = float(threshold)
            if not math.isfinite(threshold):
                raise ValueError(f"threshold must be finite, got {threshold!r}.")
        self.temperature, self.threshold = temperature, threshold

    def is_digit(self, X):
        """Whether each image looks enough like a digit to be read as one.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or \
(n_samples, height, width)
            As for :meth:`predict_proba`.

        Returns
        -------
        is_digit : ndarray of shape (n_samples,), dtype bool
            ``score_samples(X) >= threshold``; all True without a threshold.
        """
        return self.accepted(self.score_samples(X))

    def accepted(self, scores):
        """Whether scores of :meth:`score_samples` reach ``threshold``.

        Parameters
        ----------
        scores : ndarray of shape (n_samples,)

        Returns
        -------
        is_digit : ndarray of shape (n_samples,), dtype bool
            All True without a threshold.
        """
        if self.threshold is None:
            return np.ones(len(scores), dtype=bool)
        return scores >= self.threshold

    def _classes_text(self):
        """The classes for a repr: all of them, or the first and last of many."""
        classes = self.classes_.tolist()
        if len(classes) > 6:
            return f"[{classes[0]!r}, ..., {classes[-1]!r}]"
        return str(classes)

    def predict(self, X):
        """Predict the class label of each image in `X`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or \
(n_samples, height, width)
            As for :meth:`predict_proba`.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            The most probable class of each image, a label of ``classes_``.
        """
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def predict_top_k(self, X, k=3):
        """The `k` most probable labels of each image, with their probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or \
(n_samples, height, width)
            As for :meth:`predict_proba`.

        k : int, default=3
            Labels per image; at most ``len(classes_)``.

        Returns
        -------
        top_k : list of list of dict
            For each image, ``{"label": ..., "probability": ...}`` for its
            `k` most probable labels, most probable first (ties in the order
            of ``classes_``); labels and probabilities are plain Python
            values, ready for JSON.

        Examples
        --------
        >>> import numpy as np
        >>> from digit_classifier import DigitPredictor
        >>> predictor = DigitPredictor([np.eye(3)], [np.zeros(3)], ["a", "b", "c"])
        >>> [top] = predictor.predict_top_k([[0, 255, 0]], k=2)
        >>> [(t["label"], round(t["probability"], 3)) for t in top]
        [('b', 0.576), ('a', 0.212)]
        """
        return self.top_k_of(self.predict_proba(X), k)

    def top_k_of(self, proba, k=3):
        """The `k` most probable labels of each row of `proba`, as
        :meth:`predict_top_k` gives them.

        Parameters
        ----------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities from :meth:`predict_proba` or
            :meth:`predict_proba_and_score`.

        k : int, default=3
            Labels per image.

        Returns
        -------
        top_k : list of list of dict
        """
        order = np.argsort(-proba, axis=1, kind="stable")[:, :k]
        return [
            [
                {"label": self.classes_[i].item(), "probability": float(row[i])}
                for i in best
            ]
            for row, best in zip(proba, order, strict=True)
        ]

    def predict_proba_and_score(self, X, *, return_images=False):
        """:meth:`predict_proba` and :meth:`score_samples` from one pass.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or \
(n_samples, height, width)
            As for :meth:`predict_proba`.

        return_images : bool, default=False
            Whether to return :meth:`network_images` too, from the same
            normalization (an input's digits are normalized once).

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)

        scores : ndarray of shape (n_samples,)

        images : ndarray of shape (n_samples, n_features), dtype float32
            Only with `return_images`.
        """
        raise NotImplementedError  # each predictor computes both its own way

    def score(self, X, y):
        """Return the accuracy on the images `X` with true labels `y`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or \
(n_samples, height, width)
            As for :meth:`predict_proba`.

        y : array-like of shape (n_samples,)
            True labels.

        Returns
        -------
        score : float
            The fraction of images predicted right.
        """
        y_pred = self.predict(X)
        y = np.asarray(y)
        if y.shape != y_pred.shape:
            raise ValueError(
                "Found input variables with inconsistent numbers of samples: "
                f"[{len(y_pred)}, {len(y)}]."
            )
        return float(np.mean(y_pred == y))


class DigitPredictor(_Answers):
    """A fitted digit classifier for prediction only, in NumPy.

    What :func:`~digit_classifier.load_predictor` returns: the network's
    weights, its classes and, for a saved pipeline, its
    :class:`~digit_classifier.DigitNormalizer` (if any) and the pixel scaling
    of its :class:`~digit_classifier.PixelNormalizer` step. It predicts what the
    saved estimator predicts, through the same NumPy code, and imports
    neither TensorFlow, Keras, scikeras nor scikit-learn, so it loads in a
    fraction of a second and stays small. It cannot be trained; load the
    full estimator with :func:`~digit_classifier.load_model` for that.

    Parameters
    ----------
    coefs : list of array-like
        The kernel of each Dense layer, from the first hidden layer to the
        output layer, of shapes ``(n_features, units_1)``, ...,
        ``(units_k, n_classes)``.

    intercepts : list of array-like
        The bias of each Dense layer, of shapes ``(units_1,)``, ...,
        ``(n_classes,)``.

    classes : array-like of shape (n_classes,)
        The class label of each output.

    activation : str, default="relu"
        The hidden layers' activation, as for ``DigitMLPClassifier``.

    scale_pixels : bool, default=True
        Whether inputs are raw pixels, scaled from [0, 255] to [0, 1] as
        ``PixelNormalizer`` does (a saved pipeline), rather than the rows the
        network takes (a saved bare classifier).

    normalizer : dict, default=None
        The ``deskew`` and ``aspect`` of the pipeline's ``DigitNormalizer``
        step: digits are normalized so before the network reads them. None
        for none (only with ``scale_pixels``).

    temperature : float > 0, default=1.0
        The network's outputs are divided by it before the softmax:
        temperature scaling (Guo et al., 2017), fitted on validation data so
        that the probabilities are as often right as they say.

    threshold : float, default=None
        The least :meth:`score_samples` of an image read as a digit (see
        :meth:`is_digit`); None reads every image as one.

    info : dict, default=None
        Facts about the model, as ``save_model(..., info=...)`` kept them
        (``digit-classifier train`` records its preset, data set and test
        accuracy).

    Attributes
    ----------
    coefs_ : list of ndarray
        The kernels, as float64.

    intercepts_ : list of ndarray
        The biases, as float64.

    classes_ : ndarray of shape (n_classes,)
        The class labels.

    n_features_in_ : int
        Number of pixels (or features) per input row.

    info : dict
        The facts given, or an empty dict.

    See Also
    --------
    digit_classifier.load_predictor : Load one from a model file.
    DigitMLPClassifier : The trainable estimator.

    Examples
    --------
    A softmax regression on two pixels, by hand; a saved model comes from
    ``load_predictor("model.zip")`` instead:

    >>> import numpy as np
    >>> from digit_classifier import DigitPredictor
    >>> predictor = DigitPredictor(
    ...     coefs=[np.array([[0.1, -0.1], [-0.1, 0.1]])],
    ...     intercepts=[np.zeros(2)],
    ...     classes=np.array(["dark", "light"]),
    ... )
    >>> predictor
    DigitPredictor(2 -> 2, activation='relu', classes=['dark', 'light'])
    >>> predictor.predict([[255, 0], [0, 255]])
    array(['dark', 'light'], dtype='<U5')
    >>> predictor.predict_proba([[255, 0]]).round(3)
    array([[0.55, 0.45]])
    """

    def __init__(
        self,
        coefs,
        intercepts,
        classes,
        *,
        activation="relu",
        scale_pixels=True,
        normalizer=None,
        temperature=1.0,
        threshold=None,
        info=None,
    ):
        self._set_calibration(temperature, threshold)
        if normalizer is not None:
            if not scale_pixels:
                raise ValueError("a normalizer needs raw pixels: scale_pixels=True.")
            normalizer = dict(normalizer)
            if set(normalizer) != {"deskew", "aspect"}:
                raise ValueError(
                    "normalizer must give deskew and aspect, as DigitNormalizer "
                    f"takes them; got {sorted(normalizer)}."
                )
            check_normalizer_params(**normalizer, owner=type(self).__name__)
        self.normalizer = normalizer
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}."
            )
        self.coefs_ = [np.asarray(coef, dtype=np.float64) for coef in coefs]
        self.intercepts_ = [np.asarray(bias, dtype=np.float64) for bias in intercepts]
        self.classes_ = np.asarray(classes)
        self.activation = activation
        self.scale_pixels = bool(scale_pixels)
        self.info = dict(info or {})
        if not self.coefs_ or self.coefs_[0].ndim != 2:
            raise ValueError("coefs must hold at least one 2D kernel.")
        self.n_features_in_ = self.coefs_[0].shape[0]
        hidden = [coef.shape[1] for coef in self.coefs_[:-1]]
        expected = weight_shapes(self.n_features_in_, hidden, len(self.classes_))
        given = [
            array.shape
            for pair in zip(self.coefs_, self.intercepts_, strict=False)
            for array in pair
        ]
        if len(self.coefs_) != len(self.intercepts_) or given != list(
            expected.values()
        ):
            raise ValueError(
                f"The kernels and biases, of shapes {given}, do not form a network "
                f"from {self.n_features_in_} inputs to {len(self.classes_)} classes; "
                f"expected shapes {list(expected.values())}."
            )

    def __repr__(self):
        units = [self.n_features_in_] + [coef.shape[1] for coef in self.coefs_]
        return (
            f"{type(self).__name__}({' -> '.join(map(str, units))}, "
            f"activation={self.activation!r}, classes={self._classes_text()})"
        )

    def predict_proba(self, X):
        """Return class probability estimates for the images in `X`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or \
(n_samples, height, width)
            Raw pixels in [0, 255] (images or flat rows) when
            ``scale_pixels`` is True, else the rows the network takes.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes), dtype float64
            Probabilities; columns follow ``classes_``.
        """
        return softmax(self._logits(X), self.temperature)

    def predict_proba_and_score(self, X, *, return_images=False):
        logits, images = self._logits_and_images(X)
        scores = digit_likeness(logits)  # before the softmax, which is in place
        proba = softmax(logits, self.temperature)
        return (proba, scores, images) if return_images else (proba, scores)

    def score_samples(self, X):
        """How much each image looks like the digits the network was trained on.

        As ``DigitMLPClassifier.score_samples``: the log of the sum of the
        exponentiated outputs before the softmax (see :func:`digit_likeness`);
        higher is more digit-like. Images scoring below ``threshold`` are not
        read as digits by the command line and the web app.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or \
(n_samples, height, width)
            As for :meth:`predict_proba`.

        Returns
        -------
        scores : ndarray of shape (n_samples,), dtype float64
        """
        return digit_likeness(self._logits(X))

    def _logits(self, X):
        return self._logits_and_images(X)[0]

    def _logits_and_images(self, X):
        """The network's outputs for `X`, and the images it read."""
        images = self._normalized(self._check_rows(X))
        rows = scale_pixels(images) if self.scale_pixels else images
        logits = output_logits(rows, self.coefs_, self.intercepts_, self.activation)
        return logits, images

    def network_images(self, X):
        """The images the network reads for `X`: its digits as normalized.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or \
(n_samples, height, width)
            Raw pixels in [0, 255].

        Returns
        -------
        images : ndarray of shape (n_samples, n_features), dtype float32
            The pixels before they are scaled to [0, 1]: the digits after
            the ``normalizer``, or as given without one.
        """
        return self._normalized(self._check_rows(X))

    def _normalized(self, rows):
        """Rows of raw pixels, their digits normalized as the pipeline does."""
        if self.normalizer is None:
            return rows
        side = math.isqrt(rows.shape[1])
        digits = normalize_digits(
            rows.reshape(len(rows), side, side), **self.normalizer
        )
        return digits.reshape(len(rows), -1).astype(np.float32)

    def _check_rows(self, X):
        """`X` as float32 rows, checked as scikit-learn's validate_data does.

        scikit-learn itself is not imported for this: importing it takes
        longer than everything else a prediction from a file needs.
        """
        name = type(self).__name__
        if hasattr(X, "toarray"):
            raise TypeError(
                "Sparse data was passed, but dense data is required. Use "
                "'.toarray()' to convert to a dense numpy array."
            )
        if np.iscomplexobj(X):
            raise ValueError("Complex data not supported.")
        try:
            X = np.asarray(X, dtype=np.float32)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name} takes arrays of numbers: {exc}") from exc
        if self.scale_pixels and X.ndim == 3:
            X = X.reshape(len(X), -1)
        if X.ndim != 2:
            hint = (
                " Reshape your data either using array.reshape(-1, 1) if your "
                "data has a single feature or array.reshape(1, -1) if it "
                "contains a single sample."
                if X.ndim < 2
                else ""
            )
            raise ValueError(
                f"Expected 2D array, got {X.ndim}D array of shape {X.shape} "
                f"instead.{hint}"
            )
        if len(X) == 0:
            raise ValueError(
                f"Found array with 0 sample(s) (shape={X.shape}) while a minimum "
                f"of 1 is required by {name}."
            )
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but {name} is expecting "
                f"{self.n_features_in_} features as input."
            )
        if not np.isfinite(X).all():
            problem = "NaN" if np.isnan(X).any() else "infinity"
            raise ValueError(f"Input X contains {problem}.")
        if self.scale_pixels:
            check_pixel_range(X, name)
        return X


class DigitCommittee(_Answers):
    """A committee of fitted digit classifiers for prediction only, in NumPy.

    What :func:`~digit_classifier.load_predictor` returns for a saved
    committee (a soft-voting :class:`~sklearn.ensemble.VotingClassifier` of
    digit pipelines): the weighted mean of its members' probabilities, as
    the committee computes it, with each member's own normalization of the
    digits. Like :class:`DigitPredictor`, it imports neither TensorFlow nor
    scikit-learn.

    Parameters
    ----------
    members : list of DigitPredictor
        The members, each predicting the classes by their index (0 to
        ``n_classes - 1``), as a VotingClassifier's members learn them.

    classes : array-like of shape (n_classes,)
        The class label of each index.

    weights : array-like of shape (n_members,), default=None
        The weight of each member's probabilities; None weighs them alike.

    temperature : float > 0, default=1.0
        The log of the committee's probabilities is divided by it before a
        softmax: temperature scaling of the committee, as a whole.

    threshold : float, default=None
        The least :meth:`score_samples` of an image read as a digit.

    info : dict, default=None
        Facts about the model, as for :class:`DigitPredictor`.

    Attributes
    ----------
    members_ : list of DigitPredictor
        The members.

    classes_ : ndarray of shape (n_classes,)
        The class labels.

    n_features_in_ : int
        Number of pixels per input row.

    scale_pixels : bool
        Whether the members take raw pixels, as they all do or all do not.

    info : dict
        The facts given, or an empty dict.

    Examples
    --------
    Two softmax regressions on two pixels, by hand; a saved committee comes
    from ``load_predictor("committee.zip")`` instead:

    >>> import numpy as np
    >>> from digit_classifier.inference import DigitCommittee, DigitPredictor
    >>> kernels = [[[0.1, -0.1], [0.0, 0.0]], [[0.0, 0.0], [-0.1, 0.1]]]
    >>> members = [DigitPredictor([k], [np.zeros(2)], [0, 1]) for k in kernels]
    >>> committee = DigitCommittee(members, ["dark", "light"])
    >>> committee
    DigitCommittee(2 members, 2 -> 2 classes=['dark', 'light'])
    >>> committee.predict([[255, 0], [0, 255]])
    array(['dark', 'light'], dtype='<U5')
    """

    def __init__(
        self,
        members,
        classes,
        *,
        weights=None,
        temperature=1.0,
        threshold=None,
        info=None,
    ):
        self._set_calibration(temperature, threshold)
        self.members_ = list(members)
        self.classes_ = np.asarray(classes)
        self.info = dict(info or {})
        if not self.members_:
            raise ValueError("a committee needs at least one member.")
        first = self.members_[0]
        self.n_features_in_, self.scale_pixels = (
            first.n_features_in_,
            first.scale_pixels,
        )
        for member in self.members_:
            if (
                member.n_features_in_ != self.n_features_in_
                or member.scale_pixels != self.scale_pixels
                or not np.array_equal(member.classes_, np.arange(len(self.classes_)))
            ):
                raise ValueError(
                    f"Each member must take {self.n_features_in_} inputs alike "
                    f"(raw pixels or not) and predict the classes by their index, "
                    f"0 to {len(self.classes_) - 1}."
                )
        self.weights = None if weights is None else np.asarray(weights, dtype=float)
        if self.weights is not None and self.weights.shape != (len(self.members_),):
            raise ValueError(
                f"weights must hold one weight per member ({len(self.members_)}), "
                f"got {self.weights.tolist()}."
            )

    def __repr__(self):
        return (
            f"{type(self).__name__}({len(self.members_)} members, "
            f"{self.n_features_in_} -> {len(self.classes_)} "
            f"classes={self._classes_text()})"
        )

    def predict_proba(self, X):
        """Return class probability estimates for the images in `X`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or \\
(n_samples, height, width)
            Raw pixels in [0, 255] (images or flat rows).

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes), dtype float64
            The weighted mean of the members' probabilities; columns follow
            ``classes_``.
        """
        return self.predict_proba_and_score(X)[0]

    def predict_proba_and_score(self, X, *, return_images=False):
        probas, scores, images = zip(
            *(
                member.predict_proba_and_score(X, return_images=True)
                for member in self.members_
            ),
            strict=True,
        )
        proba = np.average(probas, axis=0, weights=self.weights)
        scores = np.average(scores, axis=0, weights=self.weights)
        if self.temperature != 1.0:
            tiny = np.finfo(float).tiny
            proba = softmax(np.log(np.maximum(proba, tiny)), self.temperature)
        # The images of network_images: the first member's.
        return (proba, scores, images[0]) if return_images else (proba, scores)

    def score_samples(self, X):
        """How much each image looks like a digit: the members' weighted mean score.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or \
(n_samples, height, width)
            Raw pixels in [0, 255].

        Returns
        -------
        scores : ndarray of shape (n_samples,), dtype float64
            Higher is more digit-like; see ``DigitPredictor.score_samples``.
        """
        scores = [member.score_samples(X) for member in self.members_]
        return np.average(scores, axis=0, weights=self.weights)

    def network_images(self, X):
        """The images the first member's network reads for `X`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or \\
(n_samples, height, width)
            Raw pixels in [0, 255].

        Returns
        -------
        images : ndarray of shape (n_samples, n_features), dtype float32
        """
        return self.members_[0].network_images(X)

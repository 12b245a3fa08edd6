"""Searching hidden-layer sizes with scikit-learn's own search classes.

The search runs wherever joblib sends it: serially, in local worker
processes (``n_jobs``), or on a Dask cluster through
``joblib.parallel_config(backend="dask")``.
"""

import contextlib
import warnings

import joblib
import numpy as np
from sklearn.exceptions import FitFailedWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from .._checks import check_aspect, check_hidden_layer_sizes
from ._pipeline import make_digit_pipeline
from ._workers import tensorflow_threads

PARAM = "mlp__hidden_layer_sizes"
ASPECT = "digit__aspect"


def tune_hidden_sizes(
    X,
    y,
    hidden_layer_sizes,
    *,
    aspects=None,
    cv=3,
    scoring="accuracy",
    n_jobs=None,
    halving=False,
    random_state=None,
    verbose=0,
    **mlp_params,
):
    """Cross-validate digit pipelines over hidden-layer sizes, refit the best.

    Parameters
    ----------
    X : array-like of shape (n_samples, height, width) or (n_samples, n_pixels)
        Training images with pixels in [0, 255]. Keep the test set out.

    y : array-like of shape (n_samples,)
        Training labels.

    hidden_layer_sizes : list of tuple of int
        The candidates, e.g. ``[(64,), (128,), (128, 64)]``.

    aspects : list of {"keep", "sqrt", "fill"}, default=None
        Also search the :class:`~digit_classifier.DigitNormalizer` step's
        ``aspect`` over these, every one with every hidden size; None keeps
        the preset's.

    cv : int, default=3
        Number of stratified, shuffled folds.

    scoring : str or callable, default="accuracy"
        Score that ranks the candidates, as in
        :class:`~sklearn.model_selection.GridSearchCV`.

    n_jobs : int, default=None
        Fits run in parallel; None means 1 unless in a
        :func:`joblib.parallel_config` context. TensorFlow in each local
        worker gets its share of the cores, so that workers times threads
        does not exceed them.

    halving : bool, default=False
        Use :class:`~sklearn.model_selection.HalvingGridSearchCV` with the
        number of training samples as the resource: every candidate starts
        on a small subset, the best third go on with three times as much.

    random_state : int, RandomState instance or None, default=None
        Seeds the folds, the subsets of the halving search and the networks.

    verbose : int, default=0
        The search's progress messages, as in scikit-learn's search classes
        (3: one line per fit with its fold, parameters, score and time).

    **mlp_params
        Other :class:`DigitMLPClassifier` parameters, e.g. ``epochs=5``, or a
        ``preset`` of :func:`make_digit_pipeline` (default: ``"default"``)
        that they override.

    Returns
    -------
    search : GridSearchCV or HalvingGridSearchCV
        The fitted search: ``best_params_``, ``cv_results_``, and
        ``best_estimator_`` refitted on all of `X`.

    Raises
    ------
    ValueError
        If `hidden_layer_sizes` is empty or malformed, if `cv` is larger
        than the smallest class, or if the fits of some candidate failed
        (the message names them).

    See Also
    --------
    cv_results_table : One row per candidate, best first.
    digit_classifier.reporting.format_cv_results : Those rows as a text table.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from digit_classifier.tuning import tune_hidden_sizes
    >>> X, y = load_digits(return_X_y=True)
    >>> search = tune_hidden_sizes(X * 255 / 16, y, [(16,), (32,)], cv=2,
    ...                            preset="fast", epochs=1, random_state=0)
    >>> rows = cv_results_table(search)  # best first
    >>> rows[0]["hidden_layer_sizes"] == search.best_params_["mlp__hidden_layer_sizes"]
    True
    >>> search.best_estimator_.score(X * 255 / 16, y) > 0.5
    True
    """
    candidates = _check_candidates(hidden_layer_sizes)
    smallest = np.unique(y, return_counts=True)[1].min()
    if cv > smallest:
        raise ValueError(
            f"cv={cv} is larger than the smallest class of y ({smallest} "
            "samples): every fold needs one of each class. Use fewer folds."
        )
    pipe = make_digit_pipeline(random_state=random_state, **mlp_params)
    folds = StratifiedKFold(n_splits=cv, shuffle=True, random_state=random_state)
    grid = {PARAM: candidates}
    if aspects is not None:
        grid[ASPECT] = [check_aspect(aspect) for aspect in aspects]
    search_params = {
        "param_grid": grid,
        "cv": folds,
        "scoring": scoring,
        "n_jobs": n_jobs,
        "refit": True,
        "verbose": verbose,
        # Failures are collected and reported with their candidate below.
        "error_score": np.nan,
    }
    if halving:
        from sklearn.experimental import enable_halving_search_cv  # noqa: F401
        from sklearn.model_selection import HalvingGridSearchCV

        search = HalvingGridSearchCV(
            pipe, resource="n_samples", random_state=random_state, **search_params
        )
    else:
        search = GridSearchCV(pipe, **search_params)

    with warnings.catch_warnings(record=True) as caught, tensorflow_threads(n_jobs):
        warnings.simplefilter("always", FitFailedWarning)
        try:
            search.fit(X, y)
        except ValueError as exc:
            if "fits failed" not in str(exc):
                raise
            raise ValueError(
                f"Every candidate failed to fit: {_last_error_line(str(exc))}"
            ) from exc
    _raise_for_failed_candidates(search, caught)
    return search


def cv_results_table(search):
    """One row per candidate of a hidden-size search, best first.

    Parameters
    ----------
    search : GridSearchCV or HalvingGridSearchCV
        A search fitted by :func:`tune_hidden_sizes` (or any search over
        ``mlp__hidden_layer_sizes``).

    Returns
    -------
    rows : list of dict
        ``hidden_layer_sizes``, ``aspect`` (None unless searched),
        ``mean_score``, ``std_score``, ``mean_fit_time`` (seconds) and
        ``rank`` of each candidate, sorted by rank. For a halving search, the
        scores of the last round each candidate reached.

    Examples
    --------
    The ``cv_results_`` of a search as scikit-learn leaves them (those of
    :func:`tune_hidden_sizes`, whose own example makes a real one):

    >>> from types import SimpleNamespace
    >>> from digit_classifier.tuning import cv_results_table
    >>> search = SimpleNamespace(cv_results_={
    ...     "params": [{"mlp__hidden_layer_sizes": (16,)},
    ...                {"mlp__hidden_layer_sizes": (32,)}],
    ...     "mean_test_score": [0.91, 0.95], "std_test_score": [0.01, 0.02],
    ...     "mean_fit_time": [1.5, 2.5], "rank_test_score": [2, 1]})
    >>> [(row["hidden_layer_sizes"], row["rank"]) for row in cv_results_table(search)]
    [((32,), 1), ((16,), 2)]
    """
    results = search.cv_results_
    latest = _latest_round(results)
    rows = [
        {
            "hidden_layer_sizes": tuple(results["params"][i][PARAM]),
            "aspect": results["params"][i].get(ASPECT),
            "mean_score": float(results["mean_test_score"][i]),
            "std_score": float(results["std_test_score"][i]),
            "mean_fit_time": float(results["mean_fit_time"][i]),
            "rank": int(results["rank_test_score"][i]),
        }
        for i in latest
    ]
    return sorted(rows, key=lambda row: (row["rank"], -row["mean_score"]))


@contextlib.contextmanager
def dask_cluster(address=None, *, n_workers=2):
    """Send joblib's parallel work, and so a search's fits, to a Dask cluster.

    Parameters
    ----------
    address : str, default=None
        Address of a running scheduler, e.g. ``"tcp://10.0.0.5:8786"``. None
        starts a local cluster of `n_workers` processes on the loopback
        interface for the duration of the block, and stops it afterwards.

    n_workers : int, default=2
        Worker processes of the local cluster, one thread each; TensorFlow in
        each gets its share of the cores.

    Yields
    ------
    client : distributed.Client
        The client, connected; inside the block, ``n_jobs=-1`` uses every
        worker of the cluster.

    Raises
    ------
    OSError
        If the scheduler at `address` cannot be reached.

    Examples
    --------
    Inside the block, joblib's ``n_jobs=-1`` work runs on the cluster's
    workers; here a local cluster of one worker:

    >>> from joblib import Parallel, delayed
    >>> from digit_classifier.tuning import dask_cluster
    >>> with dask_cluster(n_workers=1) as client:
    ...     n_workers = len(client.scheduler_info()["workers"])
    ...     squares = Parallel(n_jobs=-1)(delayed(pow)(i, 2) for i in range(4))
    >>> n_workers, squares
    (1, [0, 1, 4, 9])

    A search's fits go the same way (``examples/distributed_search_dask.py``
    runs one)::

        with dask_cluster("tcp://10.0.0.5:8786"):
            search = tune_hidden_sizes(X, y, [(64,), (128,)], n_jobs=-1)
    """
    from distributed import Client, LocalCluster

    with contextlib.ExitStack() as stack:
        if address is None:
            threads = str(max(1, joblib.cpu_count() // n_workers))
            address = stack.enter_context(
                LocalCluster(
                    n_workers=n_workers,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,
                    env={
                        "TF_NUM_INTRAOP_THREADS": threads,
                        "TF_NUM_INTEROP_THREADS": "1",
                        "TF_CPP_MIN_LOG_LEVEL": "2",
                    },
                )
            )
        try:
            client = stack.enter_context(Client(address, timeout="5s"))
        except (OSError, TimeoutError) as exc:
            raise OSError(
                f"cannot reach the Dask scheduler at {address}: {exc}"
            ) from exc
        stack.enter_context(joblib.parallel_config(backend="dask"))
        yield client


def _check_candidates(hidden_layer_sizes):
    candidates = [check_hidden_layer_sizes(sizes) for sizes in hidden_layer_sizes]
    if not candidates:
        raise ValueError("hidden_layer_sizes is empty: give at least one candidate.")
    return candidates


def _latest_round(results):
    """Indices of each candidate's last entry (halving searches repeat them)."""
    if "iter" not in results:
        return range(len(results["params"]))
    latest = {}
    for i, params in enumerate(results["params"]):
        latest[tuple(params[PARAM]), params.get(ASPECT)] = i
    return sorted(latest.values())


def _last_error_line(text):
    lines = [line.strip() for line in text.splitlines() if "Error" in line]
    return lines[-1] if lines else text.splitlines()[0]


def _raise_for_failed_candidates(search, caught):
    scores = search.cv_results_["mean_test_score"]
    failed = [
        search.cv_results_["params"][i][PARAM] for i in np.flatnonzero(np.isnan(scores))
    ]
    if failed:
        details = [str(w.message) for w in caught if w.category is FitFailedWarning]
        reason = _last_error_line(details[-1]) if details else "see the warnings"
        raise ValueError(
            f"Fitting failed for hidden_layer_sizes {sorted(set(failed))}: {reason}"
        )

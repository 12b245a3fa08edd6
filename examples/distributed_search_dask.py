"""
The hidden-size search on a Dask cluster
========================================

Run the search of ``grid_search_hidden_sizes.py`` with its fits spread over
the workers of a Dask cluster: by default a local cluster of two worker
processes, started and stopped by the script; or a running cluster, given
its scheduler's address::

    python examples/distributed_search_dask.py tcp://10.0.0.5:8786

(or in ``DASK_SCHEDULER_ADDRESS``). The workers of a remote cluster need
``digit_classifier`` installed; the data are sent to them from here.

By default this runs in seconds and offline, on scikit-learn's built-in 8x8
digits; ``DIGIT_CLASSIFIER_FULL=1`` searches realistic networks on MNIST.
Needs the ``distributed`` extra: ``pip install "digit_classifier[distributed]"``.
The picture is written to the current folder as a PNG file.
"""

# %%
# Settings
# --------
import os
import sys

from digit_classifier import load_digits_split, load_mnist
from digit_classifier.reporting import format_cv_results, plot_cv_results
from digit_classifier.tuning import cv_results_table, dask_cluster, tune_hidden_sizes

FULL = os.environ.get("DIGIT_CLASSIFIER_FULL") == "1"
# None starts a local cluster.
ADDRESS = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("DASK_SCHEDULER_ADDRESS")
# By default, two small networks on two folds, as in grid_search_hidden_sizes.py.
if FULL:
    candidates, cv = [(128,), (256,), (256, 128), (512, 256)], 3
else:
    candidates, cv = [(16,), (64,)], 2

# %%
# The search
# ----------
# Inside ``dask_cluster``, joblib sends its work to the cluster, so the fits
# of the search (``n_jobs=-1``: as many at a time as there are workers) run
# there. Dask starts local workers by running this file again in new
# processes; the ``__main__`` guard keeps them from starting a search too.
if __name__ == "__main__":
    (X_train, y_train), (X_test, y_test) = load_mnist() if FULL else load_digits_split()
    with dask_cluster(ADDRESS, n_workers=2) as client:
        workers = client.scheduler_info()["workers"]
        print(f"Dask scheduler at {client.scheduler.address}, {len(workers)} workers")
        search = tune_hidden_sizes(
            X_train, y_train, candidates, cv=cv, n_jobs=-1, epochs=5, random_state=0
        )

    # The ranking, as in grid_search_hidden_sizes.py. The best candidate was
    # refitted on the whole training set in this process, after the search.
    rows = cv_results_table(search)
    print(format_cv_results(rows))
    print(f"best hidden_layer_sizes: {search.best_params_['mlp__hidden_layer_sizes']}")
    print(f"test accuracy: {search.score(X_test, y_test):.4f}")
    plot_cv_results(rows).savefig("dask_search_results.png")
    print("wrote dask_search_results.png")

"""What a worker process's app is built from, apart from the app itself: the
server runner reads these without importing the app (and FastAPI, the model's
libraries)."""

# app_from_environment reads the model and the upload limit from these.
MODEL_ENV_VAR = "DIGIT_CLASSIFIER_SERVE_MODEL"
MAX_UPLOAD_ENV_VAR = "DIGIT_CLASSIFIER_SERVE_MAX_UPLOAD_BYTES"
SAMPLES_ENV_VAR = "DIGIT_CLASSIFIER_SERVE_SAMPLES"
MAX_UPLOAD_BYTES = 10 * 2**20

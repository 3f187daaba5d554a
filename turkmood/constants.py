"""Every constant the project shares, defined once.

Analysis rate, frame sizes, the decision threshold, class order and colours live here and are
imported everywhere else; nothing in this module computes anything.
"""

from __future__ import annotations

from pathlib import Path

# --- classes ---------------------------------------------------------------------------------
#: Fixed class order used for probability columns, tables and plots.
CLASSES: tuple[str, ...] = ("happy", "sad", "angry", "relax")
#: One colour per emotion, used by every chart in the app.
CLASS_COLOURS: dict[str, str] = {
    "happy": "#F2B705",
    "sad": "#3A6EA5",
    "angry": "#D7263D",
    "relax": "#2A9D8F",
}
LABEL_COLUMN = "Class"

#: The package version (pyproject.toml's), shown by ``python -m turkmood --version``.
PACKAGE_VERSION = "0.1.0"

# --- decision rule -----------------------------------------------------------------------------
#: The canvas rule: accept the top class only if its probability reaches this value.
DECISION_THRESHOLD = 0.75
REVIEW_PREFIX = "review"

# --- audio ------------------------------------------------------------------------------------
#: MIRtoolbox analysed the training clips at their native 44.1 kHz.
ANALYSIS_SR = 44_100
MIN_DURATION_S = 1.0
#: Longest clip accepted (seconds). Longer files are refused before being decoded whole.
MAX_DURATION_S = 20 * 60
#: Window used for whole-song analysis: the training excerpts are 30 s long.
WINDOW_S = 30.0
#: Windows follow each other back to back (no overlap; see turkmood.analyze).
WINDOW_HOP_S = 30.0
#: Worker processes that extract the windows of a long song (capped by the CPUs available).
WINDOW_WORKERS = 2
#: Threads one feature extraction runs on (capped by the CPUs available); worker processes
#: that already run one extraction per core (window pool, batch --jobs) use 1.
EXTRACT_THREADS = 2
#: Fewest windows for which the work is sent to the pool (two already pay off; measured in bench).
MIN_POOL_WINDOWS = 2
#: Seconds of the synthetic signal the app analyses at start-up to compile the feature kernels.
WARM_UP_SIGNAL_S = 3.0
#: Seconds without any song analysed before the app's warm-up starts the window pool.
WARM_UP_QUIET_S = 10.0
#: Seconds the app's warm-up waits between looks for a running analysis before its later steps.
WARM_UP_YIELD_S = 0.25
#: How often a song's extraction checks its workers' window counters to report progress (s).
PROGRESS_POLL_S = 0.25
#: Audio analyses one server process runs at once (Analyze, Batch, Drift); later ones queue in
#: arrival order and see their place. Two keeps a 2-core machine responsive: the window pool
#: has two workers, and a third song would only slow the others down.
MAX_CONCURRENT_ANALYSES = 2
#: How often a queued analysis refreshes its place in the queue on screen (s).
QUEUE_POLL_S = 0.5

# --- paths ------------------------------------------------------------------------------------
PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
DATA_PATH = PACKAGE_DIR / "data" / "Acoustic_Features.csv"
MODELS_DIR = PROJECT_DIR / "models"
METRICS_PATH = MODELS_DIR / "metrics.json"
MANIFEST_PATH = MODELS_DIR / "manifest.json"
SAMPLES_DIR = PROJECT_DIR / "sample_audios"

# --- user state (turkmood.home) -----------------------------------------------------------------
#: Environment variable naming the folder of all user state (feedback, labels, prediction log,
#: MLflow store, trained models, audit log). Default: $XDG_DATA_HOME/turkmood.
HOME_ENV = "TURKMOOD_HOME"
#: Prediction log (SQLite, WAL) under TURKMOOD_HOME: one row per prediction of any face.
PREDICTION_LOG_NAME = "predictions.db"
#: Environment variable holding the password that unlocks admin actions in the app (exporting
#: every visitor's feedback and labels, retraining, promoting, rolling back). Unset: locked.
ADMIN_PASSWORD_ENV = "TURKMOOD_ADMIN_PASSWORD"
#: Where each face's predictions come from, as written into the prediction log.
PREDICTION_SOURCES: tuple[str, ...] = ("app", "batch", "cli", "api")

# --- learning loop (turkmood.learning: labels, retrain, compare) -------------------------------
#: The user's labels (SQLite, WAL) under TURKMOOD_HOME: one row per clip content hash.
LABELS_DB_NAME = "labels.db"
#: Where a label came from.
LABEL_SOURCES: tuple[str, ...] = ("feedback", "csv", "queue")
#: Weights tried for the user's rows (multiples of a UCI row's weight, applied by repetition).
USER_WEIGHT_GRID: tuple[int, ...] = (1, 2, 5, 10)
#: A user weight is acceptable only if the UCI macro-F1 drops by at most this (absolute).
MAX_UCI_MACRO_F1_DROP = 0.02
#: Grouped k-fold over the user's tracks (fewer when there are fewer groups per class).
USER_FOLDS = 5
#: Repeats (reshuffled group folds) of the user's grouped CV, and the UCI CV of ``retrain``
#: (folds x repeats), sized so that a retrain on a few dozen tracks takes about two minutes on
#: 2 cores; ``--quick`` uses the QUICK values, ``--thorough`` the THOROUGH ones.
USER_REPEATS = 2
#: Processes featurising the files of a label CSV at once.
LABEL_IMPORT_JOBS = 2
#: Processes fitting the retrain's CV folds at once (one BLAS thread each).
RETRAIN_JOBS = 2
RETRAIN_UCI_FOLDS = 5
RETRAIN_UCI_REPEATS = 1
THOROUGH_USER_REPEATS = 3
THOROUGH_UCI_REPEATS = 2
QUICK_USER_REPEATS = 1
QUICK_UCI_FOLDS = 3
QUICK_UCI_REPEATS = 1
#: Track names ending in a generation seed (``calm_acoustic_s411``) share a group with the
#: other tracks of that seed, so that they never straddle a user fold.
SEED_SUFFIX_PATTERN = r"_s(\d+)$"
#: The comparison report written by ``python -m turkmood retrain`` under TURKMOOD_HOME.
RETRAIN_REPORT_NAME = "retrain_report.json"

# --- training ---------------------------------------------------------------------------------
SEED = 20_240_862
CV_FOLDS = 10
CV_REPEATS = 5
ECE_BINS = 15
#: The two ECE figures of metrics.json, named the same on the Model card, in MODEL_CARD.md and
#: in the README. ``ece``: computed on each test fold (~39 songs) and averaged; small folds
#: inflate it. ``ece_pooled_oof``: computed once on all out-of-fold predictions of a CV repeat
#: (every song predicted once), averaged over repeats; the better estimate of the app's error.
ECE_PER_FOLD_LABEL = "ECE, mean over test folds"
ECE_POOLED_LABEL = "ECE, pooled out-of-fold"

# --- features ---------------------------------------------------------------------------------
#: The 50 MIRtoolbox feature columns, in the order of the UCI table.
FEATURE_NAMES: tuple[str, ...] = (
    "_RMSenergy_Mean",
    "_Lowenergy_Mean",
    "_Fluctuation_Mean",
    "_Tempo_Mean",
    "_MFCC_Mean_1",
    "_MFCC_Mean_2",
    "_MFCC_Mean_3",
    "_MFCC_Mean_4",
    "_MFCC_Mean_5",
    "_MFCC_Mean_6",
    "_MFCC_Mean_7",
    "_MFCC_Mean_8",
    "_MFCC_Mean_9",
    "_MFCC_Mean_10",
    "_MFCC_Mean_11",
    "_MFCC_Mean_12",
    "_MFCC_Mean_13",
    "_Roughness_Mean",
    "_Roughness_Slope",
    "_Zero-crossingrate_Mean",
    "_AttackTime_Mean",
    "_AttackTime_Slope",
    "_Rolloff_Mean",
    "_Eventdensity_Mean",
    "_Pulseclarity_Mean",
    "_Brightness_Mean",
    "_Spectralcentroid_Mean",
    "_Spectralspread_Mean",
    "_Spectralskewness_Mean",
    "_Spectralkurtosis_Mean",
    "_Spectralflatness_Mean",
    "_EntropyofSpectrum_Mean",
    "_Chromagram_Mean_1",
    "_Chromagram_Mean_2",
    "_Chromagram_Mean_3",
    "_Chromagram_Mean_4",
    "_Chromagram_Mean_5",
    "_Chromagram_Mean_6",
    "_Chromagram_Mean_7",
    "_Chromagram_Mean_8",
    "_Chromagram_Mean_9",
    "_Chromagram_Mean_10",
    "_Chromagram_Mean_11",
    "_Chromagram_Mean_12",
    "_HarmonicChangeDetectionFunction_Mean",
    "_HarmonicChangeDetectionFunction_Std",
    "_HarmonicChangeDetectionFunction_Slope",
    "_HarmonicChangeDetectionFunction_PeriodFreq",
    "_HarmonicChangeDetectionFunction_PeriodAmp",
    "_HarmonicChangeDetectionFunction_PeriodEntropy",
)

# --- deployment criteria (canvas) -------------------------------------------------------------
#: The shipped default must meet all three (mean over repeated CV) to be called deployable.
DEPLOY_MIN_MACRO_F1 = 0.78
DEPLOY_MIN_ACCURACY = 0.80
#: Largest allowed gap between the best and worst per-class F1 (0.10 = 10 points).
DEPLOY_MAX_F1_GAP = 0.10
#: Quality target of the training issue (accuracy and macro-F1, mean over repeated CV).
TARGET_SCORE = 0.82
#: Human names of the deployment criteria of metrics.json, in display order.
CRITERION_LABELS: dict[str, str] = {
    "accuracy": "Accuracy",
    "macro_f1": "Macro F1 (mean of the four emotions' F1)",
    "per_class_f1_gap": "F1 gap between the best and the worst emotion",
}

# --- audio loading (turkmood.audio) -------------------------------------------------------------
#: A file whose mono peak |sample| stays below this (-80 dBFS, ~3 LSB of 16-bit) is "silent".
SILENCE_PEAK = 1e-4
#: Float files may exceed full scale a little (clipped masters); a peak beyond this (+60 dB) means
#: corrupt or unnormalised data whose features would overflow, so the file is refused.
MAX_SAMPLE_PEAK = 1_000.0
#: Lowest native sample rate accepted; below it most of the spectral features have no content.
MIN_SAMPLE_RATE = 8_000
#: Highest sample rate and channel count accepted (libsndfile takes up to 1 MHz and 1024
#: channels in a header: a 689 KB FLAC could otherwise ask for 9 GiB).
MAX_SAMPLE_RATE = 192_000
MAX_CHANNELS = 8
#: Most samples (frames × channels) decoded from one file: 20 minutes of 96 kHz stereo. Decoding
#: costs CPU per sample (bench/bombs.py: 19 min × 8 channels × 96 kHz, 875 million samples, took
#: 10 s of CPU before its analysis began).
MAX_INPUT_SAMPLES = 20 * 60 * 96_000 * 2
#: Largest decoded mono signal (float64) one upload may need before resampling.
MAX_DECODED_BYTES = 1024**3
#: Bytes of interleaved samples decoded per block (whatever the channel count).
DECODE_BLOCK_BYTES = 16 * 1024**2
#: Native-rate samples gathered before each step of the streaming resampler (PyAV's frames
#: hold ~1 000 samples; a soxr call per frame would cost more than the resampling).
RESAMPLE_BLOCK_FRAMES = 1 << 18
#: soxr quality used to bring other rates to ANALYSIS_SR ("HQ": 20-bit, linear phase).
RESAMPLE_QUALITY = "HQ"
#: A decoder that yields fewer frames than its header announced, by more than this share or
#: this many seconds (whichever is larger), is reported as a truncated / corrupt file.
TRUNCATION_TOLERANCE = 0.01
TRUNCATION_TOLERANCE_S = 0.1

# --- out-of-distribution check (turkmood.ood) ---------------------------------------------------
#: Share of (held-out) training rows allowed to exceed the multivariate OOD threshold.
OOD_FALSE_ALARM_RATE = 0.01
#: Folds used to calibrate that threshold on out-of-fold distances.
OOD_CALIBRATION_FOLDS = 10
#: Clearly not music (turkmood.ood.non_music_reason): spectral flatness above this is noise (white
#: noise ~0.85, the flattest training song 0.21); spectral entropy below this is a steady tone (a
#: sine ~0.27, the most tonal training song 0.74).
NON_MUSIC_MIN_FLATNESS = 0.5
NON_MUSIC_MAX_ENTROPY = 0.45
#: Widening of each feature's training [min, max] (share of its width) before a value counts as
#: out of range.
OOD_RANGE_MARGIN = 0.10
#: A feature is "far off" when its robust z-score exceeds this.
OOD_FEATURE_Z = 4.0
#: How many of the most-off features are reported.
OOD_TOP_FEATURES = 5

# --- tonal, roughness and fluctuation features (MIRtoolbox 1.7.1 defaults) --------------------
#: mirchromagram: spectrum from 'Min' Hz up to 'Max' doubled to whole octaves (-> 6400 Hz).
CHROMA_FMIN_HZ = 100.0
CHROMA_FMAX_HZ = 5000.0
#: Dynamic range kept below each frame's maximum (mirchromagram 'Threshold', dB).
CHROMA_DB_RANGE = 20.0
#: mirspectrum 'OctaveRatio' tolerance used by mirchromagram.
CHROMA_OCTAVE_RATIO = 0.85
#: Frequency of chroma class C (mirchromagram 'Tuning').
CHROMA_TUNING_HZ = 261.6256
#: mirhcdf / mirtonalcentroid frames: length (s) and hop (fraction of the length).
HCDF_FRAME_S = 0.743
HCDF_HOP = 0.1
#: mirroughness frames (s, hop fraction) and mirpeaks contrast.
ROUGHNESS_FRAME_S = 0.05
ROUGHNESS_HOP = 0.5
ROUGHNESS_CONTRAST = 0.01
#: mirfluctuation: inner frames (s) at a frame rate (Hz), modulation range and resolution (Hz).
FLUCTUATION_FRAME_S = 0.023
FLUCTUATION_FRAME_RATE_HZ = 80.0
FLUCTUATION_MAX_HZ = 10.0
FLUCTUATION_MIN_RES_HZ = 0.01

# --- batch ---------------------------------------------------------------------------------------
#: Audio file endings, the same everywhere: uploaders, folders given to the batch scorer, zips.
#: libsndfile decodes most; M4A/AAC/ALAC go through PyAV (turkmood.audio_av).
AUDIO_EXTENSIONS: frozenset[str] = frozenset(
    {".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".aif", ".aiff", ".aifc", ".m4a", ".aac"}
)
#: The same list as people read it (messages, help texts, the API docs).
AUDIO_FORMATS_TEXT = "WAV, FLAC, OGG/Vorbis, Opus, MP3, AIFF, M4A/AAC (incl. ALAC)"
#: Significant digits of the audio features in a batch CSV (the UCI table has 3 decimals). Keeps the
#: file identical whichever process computed a row (BLAS threading moves the last bits).
BATCH_FEATURE_DIGITS = 6
#: Limits on an uploaded ZIP of audio files (zip-bomb guard): members, total and per-member
#: uncompressed bytes. A 20-minute 24-bit stereo WAV is about 320 MB.
ZIP_MAX_MEMBERS = 500
ZIP_MAX_TOTAL_BYTES = 2 * 1024**3
ZIP_MAX_MEMBER_BYTES = 400 * 1024**2
#: Entries of any kind (directories, non-audio files included) and central-directory bytes an
#: archive may list: checked from its end record before the directory is parsed.
ZIP_MAX_ENTRIES = 10 * ZIP_MAX_MEMBERS
ZIP_MAX_DIRECTORY_BYTES = 16 * 1024**2
#: Seconds ``predict --scheduler dask --address`` waits for the scheduler before giving up.
DASK_CONNECT_TIMEOUT_S = 30

# --- tags written into scored files (turkmood.tags, ``predict --write-tags``) -----------------
#: Tag names, the same in every format: ID3 ``TXXX`` descriptions (MP3, WAV, AIFF), Vorbis
#: comment fields (FLAC, Ogg Vorbis, Opus) and MP4 freeform names under ``TAG_MP4_MEAN``.
TAG_EMOTION = "TURKMOOD_EMOTION"
TAG_CONFIDENCE = "TURKMOOD_CONFIDENCE"
TAG_MODEL = "TURKMOOD_MODEL"
TAG_KEYS: tuple[str, ...] = (TAG_EMOTION, TAG_CONFIDENCE, TAG_MODEL)
#: Reverse-DNS "mean" of the MP4 freeform atoms: ``----:com.turkmood:TURKMOOD_EMOTION`` etc.
TAG_MP4_MEAN = "com.turkmood"
#: Decimals of the confidence written into a tag (the results CSV rounds to 4 as well).
TAG_CONFIDENCE_DIGITS = 4

# --- analyze page: explanations, pictures, feedback -------------------------------------------
#: Index of the bundled sample clips (file, emotion, duration_s, description per entry).
SAMPLES_INDEX = SAMPLES_DIR / "samples.json"
#: The other sample groups, relative to the samples folder: real music (with a person's label
#: and its provenance) and clips designed by a feature search (sample_audios/make_designed.py).
SAMPLES_MUSIC_INDEX = "music/music.json"
SAMPLES_DESIGNED_INDEX = "designed/designed.json"
#: The model's recorded answers on every sample (sample_audios/record_verdicts.py writes it).
SAMPLES_VERDICTS = "verdicts.json"
#: Model-agnostic SHAP: k-means background of the training table (k centres, fixed seed) and
#: the number of coalitions evaluated per explanation. Against a 2048-coalition reference on
#: five training rows, 128 kept 3-8 of the top-10 features and 256 kept 5-9
#: (`python bench/latency.py --shap-agreement`); 256 took 0.1-0.3 s per explanation.
SHAP_BACKGROUND_K = 20
SHAP_NSAMPLES = 256
#: Threads one Kernel SHAP explanation predicts its coalition rows on (capped by the CPUs):
#: the rows are independent, so the values are the same; one explanation of the default model
#: 0.20 s -> 0.14-0.17 s on 2 cores (bench/page.py, "SHAP explanation").
SHAP_THREADS = 2
#: Fewest rows per thread worth sending to another thread.
SHAP_MIN_ROWS_PER_THREAD = 256
#: Features shown in the "why" chart.
SHAP_TOP_FEATURES = 10
#: Russell circumplex: (valence, arousal) of each emotion, on the unit circle's diagonals.
CIRCUMPLEX_POSITIONS: dict[str, tuple[float, float]] = {
    "happy": (0.7071, 0.7071),
    "angry": (-0.7071, 0.7071),
    "sad": (-0.7071, -0.7071),
    "relax": (0.7071, -0.7071),
}
#: Waveform picture: number of (min, max) columns the signal is reduced to.
WAVEFORM_POINTS = 2_000
#: Mel spectrogram picture: computed at this rate, with this many bands, FFT size and at most
#: this many time frames (the hop grows for long songs), shown over this dB range.
SPECTROGRAM_SR = 16_000
SPECTROGRAM_MELS = 64
SPECTROGRAM_N_FFT = 1_024
SPECTROGRAM_MAX_FRAMES = 800
SPECTROGRAM_DB_RANGE = 80.0
#: Feedback store (SQLite, WAL) under TURKMOOD_HOME; the environment variable overrides its path.
FEEDBACK_DB_ENV = "TURKMOOD_FEEDBACK_DB"
FEEDBACK_DB_NAME = "feedback.db"
#: Seconds a writer waits for another writer's lock before giving up.
FEEDBACK_BUSY_TIMEOUT_S = 5.0

# --- drift dashboard (turkmood.drift) ------------------------------------------------------------
#: Share of the de-duplicated rows held out (stratified, seed SEED) to measure accuracy under drift.
DRIFT_HOLDOUT_SHARE = 0.25
#: Population Stability Index: quantile bins taken from the training reference.
PSI_BINS = 10
#: Floor for an empty bin's share (either side) so the log ratio stays finite.
PSI_EPSILON = 1e-4
#: PSI at or above these values is a moderate / a major shift.
PSI_MODERATE = 0.10
PSI_MAJOR = 0.25
#: False-discovery rate of the Benjamini-Hochberg step over the per-feature KS tests.
DRIFT_FDR = 0.05
#: Impact of a change in accuracy (percentage points, absolute): below 1 LOW, 1-3 MEDIUM,
#: 3-5 HIGH, above 5 CRITICAL.
IMPACT_LEVELS: tuple[tuple[float, str], ...] = ((1.0, "LOW"), (3.0, "MEDIUM"), (5.0, "HIGH"))
IMPACT_TOP = "CRITICAL"
#: A gain of at least the LOW bound (1 pp) is an improvement, never rated like a loss.
IMPACT_GAIN = "IMPROVED"
#: The baseline is what the others are compared with: it is not rated against itself.
IMPACT_REFERENCE = "reference"
#: Outlier rows of the combined scenario sit this many training SDs from the training mean.
DRIFT_OUTLIER_Z = 5.0
#: Audio-level drift works on excerpts of this length (s) to keep feature extraction affordable.
DRIFT_EXCERPT_S = 10.0
#: Telephone band (Hz) and the Butterworth order of the audio filters (applied forward-backward).
TELEPHONE_BAND_HZ: tuple[float, float] = (300.0, 3400.0)
DRIFT_FILTER_ORDER = 6
#: libsndfile MP3 "compression level" for the low-bit-rate scenario (0.99 gives ~36 kbit/s VBR).
DRIFT_MP3_COMPRESSION = 0.99
#: Colours of the training reference and of the drifted sample in drift charts.
DRIFT_REFERENCE_COLOUR = "#8C8C8C"
DRIFT_SAMPLE_COLOUR = "#7B2CBF"

# --- REST API (api/, ``python -m turkmood serve``) ------------------------------------------------
API_HOST = "127.0.0.1"
API_PORT = 8000
#: The web app (python -m turkmood app): address and port, Streamlit's usual 8501.
APP_HOST = "127.0.0.1"
APP_PORT = 8501
#: Worker processes doing the CPU-bound work of the API (analysis, SHAP), warmed at start.
API_WORKERS = 2
#: Requests that may wait for a worker beyond the ones running; past that: 503 + Retry-After.
API_QUEUE = 8
#: Largest upload per request (the app's ``server.maxUploadSize`` in .streamlit/config.toml).
API_MAX_UPLOAD_MB = 200
#: Upload bytes held in memory by all in-flight requests together; past that: 503.
API_MAX_INFLIGHT_BYTES = 1024**3
#: Seconds a request may wait for its result before it answers 504.
API_REQUEST_TIMEOUT_S = 120.0
#: Seconds a client is told to wait (Retry-After) when the service is at capacity.
API_RETRY_AFTER_S = 2
#: Admin key for train/promote/rollback (``Authorization: Bearer <key>``); unset: locked (403).
API_KEY_ENV = "TURKMOOD_API_KEY"
#: Folder under TURKMOOD_HOME holding the API's batch jobs (inputs, status, results CSV).
JOBS_DIR_NAME = "jobs"
#: Largest float the models take (scikit-learn casts to float32; 1e39 becomes inf there).
MODEL_MAX_ABS_VALUE = 3.4028234663852886e38  # numpy.finfo(numpy.float32).max

# --- monitoring (turkmood.telemetry.monitoring) --------------------------------------------------
#: Newest prediction-log rows the Monitoring page reads.
MONITOR_MAX_ROWS = 10_000
#: Log spans up to this many hours are counted per hour, longer ones per day.
MONITOR_HOURLY_MAX_SPAN_H = 48
#: Recent distinct clips (latest row per clip hash, with features) compared with the training
#: table for input drift, and the fewest needed before a drift verdict is given.
MONITOR_DRIFT_WINDOW = 200
MONITOR_MIN_DRIFT_ROWS = 20
#: Drifted features (the drift module's rule: BH-adjusted KS p < DRIFT_FDR and PSI >=
#: PSI_MODERATE) from which the drift alert fires.
MONITOR_DRIFT_ALERT_FEATURES = 1
#: Canvas alert: 95th-percentile prediction latency above this many seconds.
MONITOR_LATENCY_P95_S = 2.0
#: Canvas alert: macro-F1 on labelled feedback below the model's CV macro-F1 by more than this
#: (0.05 = 5 points), judged only with at least MONITOR_MIN_LABELS labels for that model.
MONITOR_F1_DROP = 0.05
MONITOR_MIN_LABELS = 20
#: Rows of the drift table shown on the page (largest PSI first).
MONITOR_TOP_DRIFT_FEATURES = 10

# --- label queue and kept clips (learning loop) ---------------------------------------------------
#: Folder under TURKMOOD_HOME keeping the audio of uncertain clips for the label queue's player.
CLIPS_DIR_NAME = "clips"
#: Total bytes of kept clips; the oldest are removed past it.
CLIP_STORE_MAX_BYTES = 1024**3
#: Set to 0 to keep no audio at all (the queue then lists clips without a player).
KEEP_AUDIO_ENV = "TURKMOOD_KEEP_AUDIO"
#: A retrain is worth it once new labels reach this share of the training rows (the ML canvas:
#: 10–15 % new labelled data), or when input drift is significant.
RETRAIN_NEW_LABEL_SHARE = 0.10
#: Rows the label queue shows at once.
QUEUE_PAGE_ROWS = 20

# --- model registry (turkmood.learning.registry) ------------------------------------------------
#: Folder under TURKMOOD_HOME of the embedded MLflow store: ``mlflow.db`` (SQLite tracking and
#: registry) and ``artifacts/``. ``MLFLOW_TRACKING_URI`` (a team server) replaces it.
MLFLOW_DIR_NAME = "mlflow"
MLFLOW_DB_NAME = "mlflow.db"
MLFLOW_ARTIFACTS_NAME = "artifacts"
MLFLOW_TRACKING_URI_ENV = "MLFLOW_TRACKING_URI"
#: MLflow experiment of the retrain runs and of the bundled ``train`` runs.
MLFLOW_EXPERIMENT = "turkmood"
MLFLOW_TRAIN_EXPERIMENT = "turkmood-bundled-train"
#: Set to 0/false/no/off to keep ``python -m turkmood train`` from logging an MLflow run.
TRAIN_TRACKING_ENV = "TURKMOOD_TRAIN_MLFLOW"
#: The one registered model; its versions are the retrained pipelines.
REGISTERED_MODEL_NAME = "turkmood-emotion"
#: Aliases: the model every face uses, the candidate waiting for the gate, the one before.
ALIAS_CHAMPION = "champion"
ALIAS_CHALLENGER = "challenger"
ALIAS_PREVIOUS = "previous"
#: Run metrics read by the promotion gate (logged on the challenger's run by the learning loop):
#: macro-F1 of the challenger on the user's folds, of the champion on the SAME folds, and both
#: models' macro-F1 on the UCI table.
METRIC_USER_MACRO_F1 = "user_macro_f1"
METRIC_CHAMPION_USER_MACRO_F1 = "champion_user_macro_f1"
METRIC_UCI_MACRO_F1 = "uci_macro_f1"
METRIC_CHAMPION_UCI_MACRO_F1 = "champion_uci_macro_f1"
#: Run tag naming the champion the challenger was compared with (see registry.champion_ref()).
TAG_COMPARED_WITH = "compared_with"
#: The gate refuses a challenger whose UCI macro-F1 is lower than the champion's by more.
PROMOTION_MAX_UCI_DROP = 0.02
#: Every promotion and rollback, one JSON line each, under TURKMOOD_HOME.
AUDIT_LOG_NAME = "audit.log"
#: Name prefix of registry models wherever a model name is taken (``registry-v3``).
REGISTRY_MODEL_PREFIX = "registry-v"
#: The champion this home serves (version + sha256), written by promote/rollback; read without
#: importing MLflow, so start-up and every prediction stay cheap.
CHAMPION_POINTER_NAME = "champion.json"
#: The registered challenger this home scores in shadow mode, written at registration.
CHALLENGER_POINTER_NAME = "challenger.json"

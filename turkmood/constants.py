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

# --- decision rule -----------------------------------------------------------------------------
#: The canvas rule: accept the top class only if its probability reaches this value.
DECISION_THRESHOLD = 0.75
REVIEW_PREFIX = "Review"

# --- audio ------------------------------------------------------------------------------------
#: MIRtoolbox analysed the training clips at their native 44.1 kHz.
ANALYSIS_SR = 44_100
MIN_DURATION_S = 1.0
#: Longest clip accepted (seconds). Longer files are refused before being decoded whole.
MAX_DURATION_S = 20 * 60
#: Window used for whole-song analysis: the training excerpts are 30 s long.
WINDOW_S = 30.0
WINDOW_HOP_S = 15.0

# --- paths ------------------------------------------------------------------------------------
PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
DATA_PATH = PACKAGE_DIR / "data" / "Acoustic_Features.csv"
MODELS_DIR = PROJECT_DIR / "models"
METRICS_PATH = MODELS_DIR / "metrics.json"
MANIFEST_PATH = MODELS_DIR / "manifest.json"
SAMPLES_DIR = PROJECT_DIR / "sample_audios"

# --- training ---------------------------------------------------------------------------------
SEED = 20_240_862
CV_FOLDS = 10
CV_REPEATS = 5
ECE_BINS = 15

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

# --- audio loading (turkmood.audio) -------------------------------------------------------------
#: A file whose mono peak |sample| stays below this (-80 dBFS, ~3 LSB of 16-bit) is "silent".
SILENCE_PEAK = 1e-4
#: Lowest native sample rate accepted; below it most of the spectral features have no content.
MIN_SAMPLE_RATE = 8_000
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
#: File endings picked up when a folder is given to the batch scorer.
AUDIO_EXTENSIONS: frozenset[str] = frozenset({".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3"})

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

# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Measurements for the `interpret-ddsp evaluate` report.

Every function takes NumPy-like input and returns plain Python floats, lists
and dicts (JSON-ready; `snr_db` is capped so it stays finite). Units are
given in each docstring.

Reconstruction (one reference/estimate pair; `reconstruction_row` runs them
all on one pair, `reconstruction_metrics` over a batch, `mean_of_rows`
averages). Every one takes the sounds' sample rate; all but SNR measure the
sounds resampled to 16 kHz (0-8 kHz, the DDSP paper's setting and that of
this package's features), so a number means the same at any model rate:
  `multiscale_spectral_distance`  ddsp's SpectralLoss (L1 of magnitudes +
                                  L1 of log magnitudes, summed over FFT sizes).
  `snr_db`                        signal-to-noise ratio of the waveforms, dB.
  `mel_cepstral_distortion`       MCD over mel-cepstral frames (c1..c12), dB.
  `f0_error_cents`                pitch error of two f0 tracks, cents.
  `f0_l1_of_audio`                the same after CREPE tiny on both sounds.
  `loudness_l1_db`                mean |difference| of ddsp loudness, dB.

Disentanglement of a code z [n, z_dims] against attributes [n, k]
(attribute j is meant to live in dim j):
  `interpretability_score`  Adel et al. 2018 as in AR-VAE (Pati & Lerch 2021).
  `mig`                     mutual information gap (Chen et al. 2018).
  `sap`                     separated attribute predictability (Kumar et al.
                            2018).
  `spearman_per_dim`        rank correlation of every (attribute, dim) pair.
  `cross_talk`              how much turning knob A moves descriptor B.

Generation: `sound_features` (per-sound vector), `standardize`,
`frechet_distance`, `mean_pairwise_distance` (diversity), `novelty`.

Sweeps and paths: `monotonicity`, `path_metrics`.
The sweeps themselves come from `knob_metrics.knob_sweep`.
"""

# First: sets TF_USE_LEGACY_KERAS before TensorFlow loads.
import interpret_ddsp  # pylint: disable=unused-import
import ddsp
import numpy as np
import scipy.fft
import scipy.linalg
import scipy.spatial.distance
import scipy.stats

from interpret_ddsp.analysis import descriptors
from interpret_ddsp.analysis import features as features_lib
from interpret_ddsp.analysis import knobs
from interpret_ddsp.support import audio_io


FFT_SIZES = (2048, 1024, 512, 256, 128, 64)  # ddsp's SpectralLoss default.
# snr_db is clipped to +-this (identical signals would give +inf).
MAX_SNR_DB = 100.0
# 10 * sqrt(2) / ln(10): natural-log cepstral distance -> dB (Kubichek 1993).
MCD_CONSTANT = 10.0 * np.sqrt(2.0) / np.log(10.0)
N_MFCC = 13  # MFCCs c0..c12; MCD and sound_features use c1..c12.
# Mel spectrum of `mfcc` and MCD (ddsp.spectral_ops.compute_mfcc's defaults):
# N_MELS bands from MEL_LO_HZ to 8 kHz of a MEL_FFT_SIZE-sample STFT.
N_MELS = 128
MEL_LO_HZ = 20.0
MEL_FFT_SIZE = 1024
# A frame's pitch error above this many cents (a quarter tone) makes it an
# outlier; octave errors (1200 cents) are outliers too.
OUTLIER_CENTS = 50.0
# Reference frames with CREPE confidence below this are left out of the f0
# error: CREPE full, ddsp.training.metrics.MIN_F0_CONFIDENCE (the DDSP
# paper's); smaller models, whose confidences run lower (a clean soundfont
# trumpet note: median 0.70 with tiny, 0.97 with full), 0.5.
F0_CONFIDENCE_THRESHOLD = {'full': 0.85}
F0_CONFIDENCE_THRESHOLD_SMALL = 0.5
FRAME_RATE = 250  # Feature frames per second (hop 64 samples at 16 kHz).
SOUND_FEATURE_NAMES = tuple(
    [f'mfcc{i}_mean' for i in range(1, N_MFCC)] +
    [f'mfcc{i}_std' for i in range(1, N_MFCC)] +
    list(descriptors.DESCRIPTOR_NAMES))


def _mono(audio):
  """float64 [n_samples] from [n_samples], [1, n_samples] or [n, 1]."""
  audio = np.asarray(audio, np.float64)
  if audio.ndim != 1:
    audio = np.squeeze(audio)
  if audio.ndim != 1:
    raise ValueError(f'Expected one mono sound, got shape {audio.shape}.')
  return audio


def _pair(a, b):
  """Both sounds as float64 [n], trimmed to the shorter one."""
  a, b = _mono(a), _mono(b)
  n = min(len(a), len(b))
  return a[:n], b[:n]


def _resampled_16k(audio, sample_rate):
  """float32 [n_samples * 16000 / sample_rate]: audio at 16 kHz (soxr HQ)."""
  return audio_io.resample(np.asarray(audio, np.float32), sample_rate,
                           features_lib.CREPE_SAMPLE_RATE)


def _to_16k(audio, sample_rate):
  """float32 audio at 16 kHz, trimmed to whole 250 Hz frames (64 samples)."""
  audio = _resampled_16k(audio, sample_rate)
  hop = features_lib.CREPE_SAMPLE_RATE // FRAME_RATE
  return audio[:len(audio) // hop * hop]


# ------------------------------------------------------------ reconstruction.


def multiscale_spectral_distance(a, b, sample_rate=16000, fft_sizes=FFT_SIZES,
                                 mag_weight=1.0, logmag_weight=1.0):
  """Multi-scale spectral distance of the DDSP paper (Engel et al. 2020).

  sum over FFT sizes of mean |S_a - S_b| + mean |log S_a - log S_b|, S the
  magnitude STFT (Hann window, 75% overlap) and log(S + 1e-5) of both sounds
  at 16 kHz: exactly `ddsp.losses.SpectralLoss(loss_type='L1')` (whose
  defaults `knob_metrics.spectral_loss` uses) on 16 kHz audio, so the FFT
  sizes span the same milliseconds and the number means the same whatever
  the sounds' rate (content above 8 kHz does not count).

  Args:
    a, b: float audio [n_samples] at sample_rate (the longer is trimmed).
    sample_rate: Samples per second of a and b (resampled to 16 kHz unless
      16000).
    fft_sizes: FFT sizes in samples at 16 kHz.
    mag_weight, logmag_weight: Weights of the two terms.

  Returns:
    float >= 0, linear-magnitude units plus natural-log units: 0 for equal
    magnitude spectrograms (phase is ignored).
  """
  a, b = _pair(a, b)
  a, b = _resampled_16k(a, sample_rate), _resampled_16k(b, sample_rate)
  loss = ddsp.losses.SpectralLoss(fft_sizes=tuple(fft_sizes), loss_type='L1',
                                  mag_weight=mag_weight,
                                  logmag_weight=logmag_weight)
  return float(loss(a[None], b[None]))


def snr_db(reference, estimate, max_db=MAX_SNR_DB):
  """Signal-to-noise ratio 10 log10(sum r^2 / sum (r - e)^2), in dB.

  Args:
    reference: float [n_samples], the clean signal.
    estimate: float [n_samples] (the longer is trimmed).
    max_db: Result clipped to [-max_db, max_db]: identical signals give
      max_db instead of +inf.

  Returns:
    float dB. For estimate = g * reference: -20 log10 |1 - g|.
  """
  reference, estimate = _pair(reference, estimate)
  signal = np.sum(reference ** 2)
  noise = np.sum((reference - estimate) ** 2)
  if noise == 0.0:
    return float(max_db)
  if signal == 0.0:
    return float(-max_db)
  return float(np.clip(10.0 * np.log10(signal / noise), -max_db, max_db))


def mfcc(audio, sample_rate=16000, n_mfcc=N_MFCC):
  """ddsp's MFCCs (`ddsp.spectral_ops.compute_mfcc`), [n_frames, n_mfcc].

  1024-sample FFT, 75% overlap, 128 mel bands from 20 Hz to
  min(8 kHz, Nyquist), natural log of mel magnitudes, orthonormal DCT-II.
  """
  audio = _mono(audio).astype(np.float32)
  coefficients = ddsp.spectral_ops.compute_mfcc(
      audio[None], hi_hz=min(8000.0, sample_rate / 2.0), mfcc_bins=n_mfcc,
      sample_rate=sample_rate)
  return np.asarray(coefficients, np.float64)[0]


def mel_cepstra(logmel, n_mfcc=N_MFCC):
  """Cosine-series coefficients of log-mel spectra, independent of n_mels.

  c_d = (2 / M) sum_{m=0}^{M-1} L[m] cos(pi d (m + 1/2) / M), d = 0 ..
  n_mfcc - 1, so that L[m] = c_0 / 2 + sum_{d>=1} c_d cos(pi d (m + 1/2) / M)
  for a spectrum made of those cosines: a ripple A cos(pi d (m + 1/2) / M)
  in L gives c_d = A whatever M is (the orthonormal DCT-II, which ddsp's and
  TensorFlow's MFCCs use for d >= 1, gives A sqrt(M / 2)). These are the
  one-sided cepstra of the (mel-warped) log spectrum, as SPTK's mel-cepstra
  are, which the MCD formula assumes.

  Args:
    logmel: float [..., M] natural log of mel-band magnitudes.
    n_mfcc: Coefficients kept (c_0 .. c_{n_mfcc-1}).

  Returns:
    float64 [..., n_mfcc], nepers.
  """
  logmel = np.asarray(logmel, np.float64)
  # scipy's unnormalized DCT-II: 2 sum_m L[m] cos(pi d (2m + 1) / (2M)).
  dct = scipy.fft.dct(logmel, type=2, norm=None, axis=-1)[..., :n_mfcc]
  return dct / logmel.shape[-1]


def mcd_of_logmel(logmel_a, logmel_b, n_mfcc=N_MFCC):
  """Mel cepstral distortion of two log-mel spectrograms, in dB.

  MCD = 10 sqrt(2) / ln(10) * mean over frames t of
  sqrt(sum_{d=1}^{n_mfcc-1} (c_a[t, d] - c_b[t, d])^2), c = `mel_cepstra`
  (c0, the level, excluded; Kubichek 1993). It is the RMS over mel bands of
  the difference of the two spectra in dB (20 log10 of magnitudes), once
  the difference is smoothed to its cosines 1..n_mfcc-1: two spectra
  differing by a ripple of +-R dB in one of those cosines give MCD =
  R / sqrt(2); a constant offset (a gain) gives 0.

  Args:
    logmel_a, logmel_b: float [n_frames, n_mels], natural log of mel-band
      magnitudes, frames paired by index (the longer is trimmed).
    n_mfcc: Cepstra computed (c0..c_{n_mfcc-1}).

  Returns:
    float dB >= 0.
  """
  logmel_a = np.asarray(logmel_a, np.float64)
  logmel_b = np.asarray(logmel_b, np.float64)
  n = min(len(logmel_a), len(logmel_b))
  diff = mel_cepstra(logmel_a[:n] - logmel_b[:n], n_mfcc)[..., 1:]
  return float(MCD_CONSTANT * np.mean(np.sqrt(np.sum(diff ** 2, axis=-1))))


def log_mel(audio, sample_rate=16000):
  """ddsp's log-mel spectrogram of audio at 16 kHz, [n_frames, N_MELS].

  The sound resampled to 16 kHz, MEL_FFT_SIZE-sample STFT with 75% overlap
  (end padded), N_MELS bands from MEL_LO_HZ to 8 kHz,
  log(max(mel magnitude, 1e-5)): `ddsp.spectral_ops.compute_logmel` with
  `compute_mfcc`'s settings. float64, nepers.
  """
  audio = _resampled_16k(_mono(audio), sample_rate)
  logmel = ddsp.spectral_ops.compute_logmel(
      audio[None], lo_hz=MEL_LO_HZ, hi_hz=8000.0, bins=N_MELS,
      fft_size=MEL_FFT_SIZE, overlap=0.75, pad_end=True,
      sample_rate=features_lib.CREPE_SAMPLE_RATE)
  return np.asarray(logmel, np.float64)[0]


def mel_cepstral_distortion(a, b, sample_rate=16000, n_mfcc=N_MFCC):
  """Mel cepstral distortion of two sounds, in dB (`mcd_of_logmel`).

  On both sounds' `log_mel` (at 16 kHz, 128 bands from 20 Hz to 8 kHz);
  frames are paired by time (no DTW): the two sounds must be aligned, as a
  reconstruction is. Typical values are a few dB (the RMS dB difference of
  the two spectral envelopes).

  Args:
    a, b: float audio [n_samples] at sample_rate (the longer is trimmed).
    sample_rate: Samples per second (resampled to 16 kHz unless 16000).
    n_mfcc: Cepstra computed (c0..c_{n_mfcc-1}; c0 is left out).

  Returns:
    float dB >= 0; 0 for identical sounds, and unchanged by a gain.
  """
  a, b = _pair(a, b)
  return mcd_of_logmel(log_mel(a, sample_rate), log_mel(b, sample_rate),
                       n_mfcc)


def f0_track(audio, sample_rate=16000, crepe_model='tiny'):
  """CREPE's f0 of a sound at any sample rate, one value per 4 ms frame.

  CREPE hears 16 kHz, so other rates are resampled first (a 48 kHz model's
  output fed as if it were 16 kHz reads 3x too low: 1902 cents).

  Args:
    audio: float [n_samples] at sample_rate.
    sample_rate: Samples per second of audio.
    crepe_model: CREPE capacity.

  Returns:
    f0_hz: float32 [n_samples * FRAME_RATE // sample_rate], Hz.
  """
  f0, _ = features_lib.compute_f0(_to_16k(_mono(audio), sample_rate),
                                  FRAME_RATE, crepe_model=crepe_model)
  return f0


def f0_error_cents(f0_ref, f0_est, voiced_mask=None,
                   outlier_cents=OUTLIER_CENTS):
  """Pitch error of an f0 track against a reference track.

  Args:
    f0_ref, f0_est: f0 in Hz [n_frames] (the longer is trimmed).
    voiced_mask: bool [n_frames], frames to score (e.g. reference CREPE
      confidence >= 0.85); None: all. Frames where either f0 <= 0 Hz are
      always left out.
    outlier_cents: A frame with |error| above this is an outlier.

  Returns:
    dict: 'l1_cents' mean |1200 log2(f0_est / f0_ref)| over the scored
    frames; 'outlier_rate' share of them with |error| > outlier_cents (50:
    more than a quarter tone off, which counts every octave error);
    'octave_error_rate' share within outlier_cents of a non-zero whole
    number of octaves; 'n_frames' frames scored. With none: NaN rates.
  """
  f0_ref, f0_est = _pair(f0_ref, f0_est)
  keep = (f0_ref > 0) & (f0_est > 0)
  if voiced_mask is not None:
    keep &= np.asarray(voiced_mask, bool)[:len(keep)]
  if not keep.any():
    nan = float('nan')
    return {'l1_cents': nan, 'outlier_rate': nan, 'octave_error_rate': nan,
            'n_frames': 0}
  error = np.abs(1200.0 * np.log2(f0_est[keep] / f0_ref[keep]))
  octaves = np.round(error / 1200.0)
  octave = (octaves >= 1) & (np.abs(error - 1200.0 * octaves) <=
                             outlier_cents)
  return {'l1_cents': float(np.mean(error)),
          'outlier_rate': float(np.mean(error > outlier_cents)),
          'octave_error_rate': float(np.mean(octave)),
          'n_frames': int(keep.sum())}


def f0_l1_of_audio(ref_audio, est_audio, sample_rate=16000,
                   crepe_model='tiny', confidence_threshold=None):
  """f0 error after pitch tracking both sounds, as in the DDSP paper.

  Both sounds go through `features.compute_f0` (CREPE, Viterbi, 250 Hz
  frames, after resampling to 16 kHz); frames where the reference's
  confidence is below `confidence_threshold` are left out (ddsp's
  F0CrepeMetrics; the paper reports the same L1 in MIDI semitones, with
  CREPE full).

  Args:
    ref_audio, est_audio: float audio [n_samples] at sample_rate.
    sample_rate: Samples per second.
    crepe_model: CREPE capacity ('tiny', ..., 'full').
    confidence_threshold: Reference confidence a frame needs, in [0, 1];
      None: 0.85 for CREPE full, 0.5 for the smaller models (see
      F0_CONFIDENCE_THRESHOLD).

  Returns:
    `f0_error_cents`'s dict ('l1_cents', 'outlier_rate', ...).
  """
  if confidence_threshold is None:
    confidence_threshold = F0_CONFIDENCE_THRESHOLD.get(
        crepe_model, F0_CONFIDENCE_THRESHOLD_SMALL)
  ref, est = _pair(ref_audio, est_audio)
  f0_ref, confidence = features_lib.compute_f0(
      _to_16k(ref, sample_rate), FRAME_RATE, crepe_model=crepe_model)
  f0_est, _ = features_lib.compute_f0(
      _to_16k(est, sample_rate), FRAME_RATE, crepe_model=crepe_model)
  return f0_error_cents(f0_ref, f0_est, confidence >= confidence_threshold)


def loudness_l1_db(a, b, sample_rate=16000):
  """Mean over frames of |loudness_a - loudness_b|, in dB.

  Loudness is `features.compute_loudness` (ddsp's A-weighted loudness, 250
  Hz frames, after resampling to 16 kHz), as in the datasets; every frame
  counts (ddsp's LoudnessMetrics). A gain g on a loud, broadband sound
  gives 20 log10 g.
  """
  a, b = _pair(a, b)
  la = features_lib.compute_loudness(_to_16k(a, sample_rate), FRAME_RATE)
  lb = features_lib.compute_loudness(_to_16k(b, sample_rate), FRAME_RATE)
  return float(np.mean(np.abs(la.astype(np.float64) - lb)))


RECONSTRUCTION_KEYS = ('spectral_distance', 'snr_db', 'mcd_db',
                       'loudness_l1_db', 'f0_l1_cents', 'f0_outlier_rate')


VISQOL_SAMPLE_RATE = 48000  # ViSQOL's audio mode scores 48 kHz audio.
_visqol_api = None


def visqol(reference, estimate, sample_rate=16000):
  """ViSQOL's MOS-LQO (audio mode, `visqol-python`, a pure-Python port of
  Google's ViSQOL v3) of estimate against reference, both resampled to 48
  kHz as its audio mode requires.

  From 1 (bad) to about 4.73 (identical signals, the mode's maximum). A
  model at 16 kHz has nothing above 8 kHz, and neither has its 16 kHz
  reference, so the score compares the band both have.

  Args:
    reference, estimate: float audio [n_samples] at sample_rate (the longer
      is trimmed).
    sample_rate: Their rate, Hz.

  Returns:
    float MOS-LQO.

  Example:
    >>> t = np.arange(16000) / 16000.0
    >>> tone = 0.3 * np.sin(2 * np.pi * 440.0 * t)
    >>> round(visqol(tone, tone), 2)
    4.73
  """
  global _visqol_api
  if _visqol_api is None:
    import visqol as visqol_lib  # pylint: disable=g-import-not-at-top
    _visqol_api = visqol_lib.VisqolApi()
    _visqol_api.create(mode='audio')
  reference, estimate = _pair(reference, estimate)
  up = lambda x: audio_io.resample(x, sample_rate, VISQOL_SAMPLE_RATE).astype(
      np.float64)
  result = _visqol_api.measure_from_arrays(up(reference), up(estimate),
                                           sample_rate=VISQOL_SAMPLE_RATE)
  return float(result.moslqo)


def reconstruction_row(reference, estimate, sample_rate=16000, with_f0=True,
                       crepe_model='tiny', with_visqol=False):
  """Every reconstruction metric of one pair, all at the sounds' rate.

  Args:
    reference, estimate: float audio [n_samples] at sample_rate (the longer
      is trimmed).
    sample_rate: Samples per second of both.
    with_f0: Also run CREPE on both sounds (`f0_l1_of_audio`; ~0.5 s each).
    crepe_model: CREPE capacity.
    with_visqol: Also score `visqol`.

  Returns:
    {'spectral_distance' (`multiscale_spectral_distance`), 'snr_db',
    'mcd_db' (dB), 'loudness_l1_db' (dB), with_f0: 'f0_l1_cents'
    (cents; NaN without a confidently voiced reference frame),
    'f0_outlier_rate' (in [0, 1]), with_visqol: 'visqol' (MOS-LQO)}:
    floats.
  """
  row = {'spectral_distance': multiscale_spectral_distance(
             reference, estimate, sample_rate),
         'snr_db': snr_db(reference, estimate),
         'mcd_db': mel_cepstral_distortion(reference, estimate, sample_rate),
         'loudness_l1_db': loudness_l1_db(reference, estimate, sample_rate)}
  if with_f0:
    f0 = f0_l1_of_audio(reference, estimate, sample_rate, crepe_model)
    row['f0_l1_cents'] = f0['l1_cents']
    row['f0_outlier_rate'] = f0['outlier_rate']
  if with_visqol:
    row['visqol'] = visqol(reference, estimate, sample_rate)
  return row


def mean_of_rows(rows):
  """{key: mean over rows of row[key]} for the first row's keys, NaNs (from
  examples without a confidently voiced frame) left out; NaN where no row
  has a finite value. Plain floats."""
  mean = {}
  for key in (rows[0] if rows else ()):
    values = np.array([r[key] for r in rows], np.float64)
    values = values[np.isfinite(values)]
    mean[key] = float(values.mean()) if len(values) else float('nan')
  return mean


def reconstruction_metrics(references, estimates, sample_rate=16000,
                           with_f0=True, crepe_model='tiny',
                           with_visqol=False):
  """All reconstruction metrics per example (`reconstruction_row`) and their
  means (`mean_of_rows`).

  Args:
    references, estimates: float audio [n_examples, n_samples] at
      sample_rate.
    sample_rate: Samples per second.
    with_f0: Also run CREPE on both sounds (`f0_l1_of_audio`; ~0.5 s each).
    crepe_model: CREPE capacity.

  Returns:
    {'per_example': [{'spectral_distance', 'snr_db', 'mcd_db',
    'loudness_l1_db', ('f0_l1_cents', 'f0_outlier_rate')}, ...], 'mean':
    the same keys averaged over examples (NaNs, from examples without a
    confidently voiced frame, left out)}.
  """
  rows = [reconstruction_row(ref, est, sample_rate, with_f0, crepe_model,
                            with_visqol)
          for ref, est in zip(references, estimates)]
  return {'per_example': rows, 'mean': mean_of_rows(rows)}


# ----------------------------------------------------------- disentanglement.


def _as_2d(x, name):
  x = np.asarray(x, np.float64)
  if x.ndim == 1:
    x = x[:, None]
  if x.ndim != 2:
    raise ValueError(f'{name} must be [n_examples, dims], got {x.shape}.')
  return x


def _code_and_attributes(z, attributes):
  z, attributes = _as_2d(z, 'z'), _as_2d(attributes, 'attributes')
  if len(z) != len(attributes):
    raise ValueError(f'z has {len(z)} examples, attributes {len(attributes)}.')
  if len(z) < 3:
    raise ValueError('Need at least 3 examples.')
  return z, attributes


def discretize(x, n_bins=20, strategy='uniform'):
  """Bin each column of x [n, d] into int labels [n, d] in [0, n_bins).

  strategy: 'uniform', n_bins equal-width bins between the column's min and
  max (disentanglement_lib's histogram discretizer, used for MIG); or
  'quantile', equal-count bins (unchanged by any increasing map of a column).
  """
  x = _as_2d(x, 'x')
  out = np.zeros(x.shape, np.int64)
  for j in range(x.shape[1]):
    if strategy == 'uniform':
      edges = np.histogram_bin_edges(x[:, j], n_bins)
    elif strategy == 'quantile':
      edges = np.quantile(x[:, j], np.linspace(0, 1, n_bins + 1))
    else:
      raise ValueError(f'strategy is uniform or quantile, not {strategy!r}.')
    out[:, j] = np.clip(np.searchsorted(edges, x[:, j], side='right') - 1,
                        0, n_bins - 1)
  return out


def _mutual_information(labels_a, labels_b):
  """Plug-in mutual information [d_a, d_b] of int label columns, in nats."""
  from sklearn import metrics as sk_metrics  # pylint: disable=g-import-not-at-top
  return np.array([[sk_metrics.mutual_info_score(a, b) for b in labels_b.T]
                   for a in labels_a.T])


def _entropy(labels):
  """Plug-in entropy [d] of int label columns, in nats."""
  return np.array([scipy.stats.entropy(np.bincount(c)) for c in labels.T])


def mig(z, attributes, n_bins=20, strategy='uniform'):
  """Mutual information gap (Chen et al. 2018, "Isolating sources of
  disentanglement in VAEs"), both z and attributes discretized.

  For each attribute k: (I(z_best; a_k) - I(z_second; a_k)) / H(a_k), the
  gap between the two latent dims most informative about it, normalized by
  its entropy (plug-in estimates on n_bins bins; see `discretize`).

  Args:
    z: float [n_examples, z_dims].
    attributes: float [n_examples, n_attributes].
    n_bins: Bins per dim and per attribute.
    strategy: 'uniform' (equal width, as disentanglement_lib) or 'quantile'.

  Returns:
    {'mig': mean over attributes, in [0, 1] (1: each attribute in one dim
    only); 'per_attribute': [gap / entropy]; 'best_dim': [argmax dim]}.
  """
  z, attributes = _code_and_attributes(z, attributes)
  if z.shape[1] < 2:
    raise ValueError('MIG needs at least 2 latent dims.')
  zd = discretize(z, n_bins, strategy)
  ad = discretize(attributes, n_bins, strategy)
  info = _mutual_information(ad, zd)  # [n_attributes, z_dims]
  top = np.sort(info, axis=1)[:, ::-1]
  entropy = _entropy(ad)
  gaps = (top[:, 0] - top[:, 1]) / np.maximum(entropy, 1e-12)
  return {'mig': float(np.mean(gaps)), 'per_attribute': gaps.tolist(),
          'best_dim': np.argmax(info, axis=1).tolist()}


def _r2_matrix(z, attributes):
  """R^2 [n_attributes, z_dims] of a 1-D linear fit of attribute k on dim j
  (= squared Pearson correlation; 0 for a constant column)."""
  zc = z - z.mean(0)
  ac = attributes - attributes.mean(0)
  cov = ac.T @ zc
  norms = np.outer(np.sqrt(np.sum(ac ** 2, 0)), np.sqrt(np.sum(zc ** 2, 0)))
  r = np.divide(cov, norms, out=np.zeros_like(cov), where=norms > 0)
  return r ** 2


def sap(z, attributes):
  """Separated attribute predictability (Kumar et al. 2018, "Variational
  inference of disentangled latent concepts from unlabeled observations").

  For each attribute: R^2 of a linear regression of it on each latent dim
  alone (the paper's score for continuous attributes), and the gap between
  the best and second-best dims.

  Args:
    z: float [n_examples, z_dims].
    attributes: float [n_examples, n_attributes].

  Returns:
    {'sap': mean gap over attributes, in [0, 1]; 'per_attribute': [gap];
    'best_dim': [dim with the highest R^2]}.
  """
  z, attributes = _code_and_attributes(z, attributes)
  if z.shape[1] < 2:
    raise ValueError('SAP needs at least 2 latent dims.')
  r2 = _r2_matrix(z, attributes)
  top = np.sort(r2, axis=1)[:, ::-1]
  gaps = top[:, 0] - top[:, 1]
  return {'sap': float(np.mean(gaps)), 'per_attribute': gaps.tolist(),
          'best_dim': np.argmax(r2, axis=1).tolist()}


def interpretability_score(z, attributes, seed=0):
  """Interpretability (Adel et al. 2018), as computed in AR-VAE (Pati &
  Lerch 2021, "Attribute-based regularization of latent spaces for
  variational auto-encoders").

  For each attribute: the latent dim with the highest mutual information
  with it (sklearn's k-NN estimator, `mutual_info_regression`), and the R^2
  of a linear regression of the attribute on that dim alone.

  Args:
    z: float [n_examples, z_dims].
    attributes: float [n_examples, n_attributes].
    seed: Seed of the estimator's jitter.

  Returns:
    {'score': mean R^2 over attributes, in [0, 1]; 'per_attribute': [R^2];
    'dim': [chosen dim]}.
  """
  from sklearn import feature_selection  # pylint: disable=g-import-not-at-top
  z, attributes = _code_and_attributes(z, attributes)
  r2 = _r2_matrix(z, attributes)
  dims, scores = [], []
  for k in range(attributes.shape[1]):
    info = feature_selection.mutual_info_regression(
        z, attributes[:, k], random_state=seed)
    dim = int(np.argmax(info))
    dims.append(dim)
    scores.append(float(r2[k, dim]))
  return {'score': float(np.mean(scores)), 'per_attribute': scores,
          'dim': dims}


def _spearman(x, y):
  """Spearman rho of two 1-D arrays; 0 where either is constant."""
  x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
  if np.ptp(x) == 0 or np.ptp(y) == 0:
    return 0.0
  return float(scipy.stats.spearmanr(x, y)[0])


def spearman_per_dim(z, attributes):
  """Spearman rank correlation of every attribute with every latent dim.

  Args:
    z: float [n_examples, z_dims].
    attributes: float [n_examples, n_attributes] (attribute k meant for dim
      k, as the named knobs are the first dims of z).

  Returns:
    {'matrix': [n_attributes][z_dims] rho in [-1, 1] (0 for a constant
    column); 'diagonal': [rho(a_k, z_k)] for k < min(n_attributes,
    z_dims)}.
  """
  z, attributes = _code_and_attributes(z, attributes)
  matrix = [[_spearman(a, d) for d in z.T] for a in attributes.T]
  n = min(z.shape[1], attributes.shape[1])
  return {'matrix': matrix, 'diagonal': [matrix[k][k] for k in range(n)]}


def cross_talk(sweep_measured):
  """How much each knob moves every knob's descriptor: a K x K matrix.

  Args:
    sweep_measured: {knob A: {'values': [n_values] settings of A,
      'measured': {knob B: [n_values] or [n_examples, n_values], B's
      standardized descriptor on the output while A is swept}}}, the same
      K knobs in the same order as the outer keys (e.g. from
      `knob_metrics.knob_sweep` plus `knob_metrics.measure_knob` of every
      knob on its audio).

  Returns:
    {'knobs': [K names]; 'abs_spearman': [A][B] |Spearman(values, measured
    B)|, averaged over examples (0 where B does not move); 'slope_ratio':
    [A][B] |least-squares slope of B| / |slope of A| under A's sweep (1 on
    the diagonal; standardized units, so comparable across descriptors);
    'off_diagonal_abs_spearman', 'off_diagonal_slope_ratio': their means
    over the K (K - 1) pairs A != B (0 is ideal; NaN for one knob)}.
  """
  knobs = list(sweep_measured)
  k = len(knobs)
  rho = np.zeros((k, k))
  slope = np.zeros((k, k))
  for i, a in enumerate(knobs):
    values = np.asarray(sweep_measured[a]['values'], np.float64)
    for j, b in enumerate(knobs):
      measured = np.atleast_2d(np.asarray(sweep_measured[a]['measured'][b],
                                          np.float64))
      rho[i, j] = np.mean([abs(_spearman(values, m)) for m in measured])
      slope[i, j] = abs(np.mean([np.polyfit(values, m, 1)[0]
                                 for m in measured]))
  ratio = slope / np.maximum(np.diag(slope)[:, None], 1e-12)
  off = ~np.eye(k, dtype=bool)

  def off_mean(x):
    return float(x[off].mean()) if k > 1 else float('nan')

  return {'knobs': knobs, 'abs_spearman': rho.tolist(),
          'slope_ratio': ratio.tolist(),
          'off_diagonal_abs_spearman': off_mean(rho),
          'off_diagonal_slope_ratio': off_mean(ratio)}


# ---------------------------------------------------------------- generation.


def sound_features(audio, sample_rate=16000, f0_hz=None, f0_confidence=None,
                   crepe_model='tiny'):
  """A per-sound feature vector for Fréchet distance, diversity, novelty.

  Mean and standard deviation over frames of MFCCs c1..c12 (`mfcc`; c0, the
  level, left out), then the eight timbre descriptors
  (`descriptors.DESCRIPTOR_NAMES`, on `knobs.TRANSFORMS`'s even
  scales: octaves, dB, acum) averaged over frames weighted by
  `knobs.frame_weights` (loud frames; for the f0 descriptors,
  CREPE-confident ones). Order: SOUND_FEATURE_NAMES.

  Args:
    audio: float [n_samples] at sample_rate (at least 0.1 s).
    sample_rate: Samples per second.
    f0_hz: f0 in Hz per frame (any frame count: resampled in cents onto 250
      Hz frames); None runs CREPE (`features.compute_f0`).
    f0_confidence: CREPE confidence per frame, or None (all frames voiced).
    crepe_model: CREPE capacity when f0_hz is None.

  Returns:
    list of 2 * (N_MFCC - 1) + 8 = 32 floats.
  """
  audio = _mono(audio)
  coefficients = mfcc(audio, sample_rate)[:, 1:]
  audio_16k = _to_16k(audio, sample_rate)
  n = len(audio_16k) // (features_lib.CREPE_SAMPLE_RATE // FRAME_RATE)
  if n < 25:
    raise ValueError('sound_features needs at least 0.1 s of audio.')
  if f0_hz is None:
    f0_hz, f0_confidence = features_lib.compute_f0(
        audio_16k, FRAME_RATE, crepe_model=crepe_model)
  f0_hz = features_lib.resample_frames(f0_hz, n, log=True)
  if f0_confidence is not None:
    f0_confidence = features_lib.resample_frames(f0_confidence, n)
  loudness = features_lib.compute_loudness(audio_16k, FRAME_RATE)[:n]
  k = len(descriptors.DESCRIPTOR_NAMES)
  # The knob chain's measurement, unstandardized (mean 0, std 1).
  pooled, _ = knobs.measure(
      audio_16k[None, :n * (features_lib.CREPE_SAMPLE_RATE // FRAME_RATE)],
      f0_hz[None], loudness[None], descriptors.DESCRIPTOR_NAMES,
      np.zeros(k, np.float32), np.ones(k, np.float32),
      sample_rate=features_lib.CREPE_SAMPLE_RATE, frame_rate=FRAME_RATE,
      f0_confidence=None if f0_confidence is None else f0_confidence[None])
  return (coefficients.mean(0).tolist() + coefficients.std(0).tolist() +
          pooled.numpy()[0, 0].astype(float).tolist())


def standardize(x, reference):
  """x [n, d] in z-scores of reference [m, d]'s columns (std floor 1e-8),
  so that every feature weighs alike in distances. float64 np.ndarray."""
  x, reference = _as_2d(x, 'x'), _as_2d(reference, 'reference')
  return (x - reference.mean(0)) / np.maximum(reference.std(0), 1e-8)


def frechet_distance(features_a, features_b, eps=1e-6):
  """Fréchet distance between Gaussians fitted to two feature sets.

  |mu_a - mu_b|^2 + tr(S_a + S_b - 2 (S_a S_b)^(1/2)) (Heusel et al. 2017;
  FAD, Kilgour et al. 2019, on audio embeddings), with eps added to both
  covariances' diagonals so the product is never singular (a constant
  feature, fewer sounds than features), and scipy.linalg.sqrtm's real
  part.

  Args:
    features_a, features_b: float [n_a, d], [n_b, d], n >= 2 (e.g.
      `sound_features` rows, `standardize`d by the training set's).

  Returns:
    float >= 0 (rounding below 0 is clipped), squared feature units.
  """
  a, b = _as_2d(features_a, 'features_a'), _as_2d(features_b, 'features_b')
  if a.shape[1] != b.shape[1] or len(a) < 2 or len(b) < 2:
    raise ValueError(f'Need [n >= 2, d] sets of equal d, got {a.shape}, '
                     f'{b.shape}.')
  mu = a.mean(0) - b.mean(0)
  offset = eps * np.eye(a.shape[1])
  cov_a = np.atleast_2d(np.cov(a, rowvar=False)) + offset
  cov_b = np.atleast_2d(np.cov(b, rowvar=False)) + offset
  root = scipy.linalg.sqrtm(cov_a @ cov_b)
  if not np.all(np.isfinite(root)):
    raise ValueError('Covariance square root is not finite; raise eps.')
  distance = (mu @ mu + np.trace(cov_a) + np.trace(cov_b) -
              2.0 * np.trace(np.real(root)))
  return float(max(distance, 0.0))


def mean_pairwise_distance(x):
  """Diversity: mean Euclidean distance over all pairs of rows of x [n, d]
  (n >= 2), in feature units; 0 when all rows are equal."""
  x = _as_2d(x, 'x')
  if len(x) < 2:
    raise ValueError('Need at least 2 rows.')
  return float(np.mean(scipy.spatial.distance.pdist(x)))


def novelty(generated, training):
  """Mean Euclidean distance from each generated row [n, d] to its nearest
  training row [m, d], in feature units; 0 when every generated row is a
  training row (a model that only copies)."""
  from sklearn import neighbors  # pylint: disable=g-import-not-at-top
  generated = _as_2d(generated, 'generated')
  training = _as_2d(training, 'training')
  distances, _ = neighbors.NearestNeighbors(n_neighbors=1).fit(
      training).kneighbors(generated)
  return float(np.mean(distances))


# -------------------------------------------------------------------- sweeps.


def monotonicity(values, measured, tolerance=1e-6):
  """Does a descriptor follow its knob? Sweep steps ordered by knob value.

  Args:
    values: Knob settings [n_values].
    measured: Descriptor on the output [n_values] or [n_examples, n_values].
    tolerance: A step falling by at most this much still counts as
      non-decreasing (as knob_metrics.knob_sweep).

  Returns:
    {'nondecreasing_share': share of consecutive steps, over examples, that
    do not decrease, in [0, 1]; 'monotonic_share': share of examples whose
    every step does; 'spearman': mean over examples of Spearman rho (0 for a
    constant output)}.
  """
  values = np.asarray(values, np.float64)
  measured = np.atleast_2d(np.asarray(measured, np.float64))
  order = np.argsort(values, kind='stable')
  steps = np.diff(measured[:, order], axis=1) >= -tolerance
  return {'nondecreasing_share': float(steps.mean()),
          'monotonic_share': float(steps.all(axis=1).mean()),
          'spearman': float(np.mean([_spearman(values, m)
                                     for m in measured]))}


def path_metrics(path):
  """Smoothness and non-linearity of a descriptor path [steps, k].

  smoothness: RMS of the second difference along the path (0 for any
    evenly paced straight path; lower is smoother).
  nonlinearity: RMS distance from the straight line between the endpoints,
    evenly paced (0 when the path is exactly linear).
  Both in the descriptors' standardized units.
  """
  path = np.asarray(path, np.float64)
  t = np.linspace(0, 1, len(path))[:, None]
  line = (1 - t) * path[0] + t * path[-1]
  second = np.diff(path, n=2, axis=0)
  return {'smoothness': float(np.sqrt(np.mean(second ** 2))),
          'nonlinearity': float(np.sqrt(np.mean((path - line) ** 2)))}

# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Per-frame timbre descriptors in TensorFlow: differentiable and batched.

Every descriptor is computed from a magnitude STFT framed like ddsp's
features (`ddsp.spectral_ops.compute_loudness(..., padding='center')`):
hop = sample_rate // frame_rate samples, a window of n_fft samples, and
n_fft // 2 zeros padded on each side (`spectral_ops.pad`, padding='center'),
so frame i is centred on sample i * hop and n_frames = n_samples // hop + 1,
as with `librosa.stft(center=True)` and its default pad_mode='constant'
(librosa 0.11). The window is a periodic Hann window, as librosa's, except
for the descriptors read from the partials (`PARTIAL_DESCRIPTORS`:
odd_even_ratio, harmonic_spectral_centroid, noise_ratio), which read
`partial_spectrogram`: each frame first resampled in time so that f0 holds
still across it (a vibrato or a glide would spread the partials over the
bins between them, where the noise is read), then a periodic 4-term
Blackman-Harris window (`PARTIAL_WINDOW`): a steady partial leaks -46 dB of
its energy past +-4 bins through a Hann window, which read as noise and
set noise_ratio's floor, and -86 dB through Blackman-Harris.

Magnitudes are tf.abs(X), exact, whose gradient X / |X| TensorFlow defines
as 0 at X = 0 (ComplexAbs's gradient uses div_no_nan; sqrt(Re^2 + Im^2) would
give NaN there). Ratios carry a small epsilon, so silent frames give finite
values and finite gradients. What a silent frame (every bin |X| = 0) returns:

  spectral_centroid   0 Hz      (as librosa)
  harmonic_centroid   0
  spectral_flatness   1         (to float32 rounding; as librosa: the amin
                                 floor is flat)
  spectral_rolloff    0 Hz      (as librosa)
  odd_even_ratio      0 dB
  sharpness           0 acum
  harmonic_spectral_centroid  0
  noise_ratio         0 dB

Silent frames pass zero gradient. The descriptors are ratios, unchanged by
gain, so near silence their gradients grow like 1 / level (finite, but large
at -150 dB): weight descriptor losses by loudness, or mask quiet frames.

Functions that take `audio` accept float [batch, n_samples] or [n_samples] and
return [batch, n_frames] or [n_frames]. The `*_from_mag` functions take a
magnitude spectrogram [batch, n_frames, n_fft // 2 + 1] from
`magnitude_spectrogram` and return [batch, n_frames]; `compute_descriptors`
computes the STFT once and calls them.
"""

# First: sets TF_USE_LEGACY_KERAS before TensorFlow loads.
import interpret_ddsp  # pylint: disable=unused-import
from ddsp import core
from ddsp import spectral_ops
import numpy as np
import tensorflow as tf

DESCRIPTOR_NAMES = ('spectral_centroid', 'harmonic_centroid',
                    'spectral_flatness', 'spectral_rolloff', 'odd_even_ratio',
                    'sharpness', 'harmonic_spectral_centroid', 'noise_ratio')
# Descriptors that need f0.
F0_DESCRIPTORS = ('harmonic_centroid', 'odd_even_ratio',
                  'harmonic_spectral_centroid', 'noise_ratio')
# Descriptors read from the partials' bands (`harmonic_powers`), from a
# spectrum of PARTIAL_WINDOW.
PARTIAL_DESCRIPTORS = ('odd_even_ratio', 'harmonic_spectral_centroid',
                       'noise_ratio')
# STFT windows by name: periodic Hann (librosa's default), and the periodic
# 4-term Blackman-Harris window (Harris 1978, -92 dB side lobes; its main
# lobe is +-4 bins wide).
HANN = 'hann'
BLACKMAN_HARRIS = 'blackman_harris'
_BLACKMAN_HARRIS_COEFFICIENTS = (0.35875, 0.48829, 0.14128, 0.01168)
PARTIAL_WINDOW = BLACKMAN_HARRIS

# f0 below this (Hz) marks a frame unvoiced: 0 Hz, the usual unvoiced marker,
# and anything below 20 Hz, the bottom of human hearing.
MIN_F0_HZ = 20.0
# Harmonics considered by the f0-based descriptors (ddsp's models use 60-100).
N_HARMONICS = 64
# Number of Zwicker critical bands (0-24 Bark, up to about 15.5 kHz).
N_BARK_BANDS = 24
# Floor on the power spectrum (librosa's spectral_flatness amin).
AMIN = 1e-10

_SHARPNESS_FLOOR = 1e-16  # Band power floor, relative to the frame's power.
_EPS = 1e-8  # Added to denominators that are 0 on silent frames.
_OER_FLOOR = 1e-6  # Relative energy floor of odd_even_ratio: +-60 dB at most.
# Relative energy floor of noise_ratio: -90 dB at least (below the
# Blackman-Harris window's leakage, -86 dB); its top stays +60 dB.
_NHR_FLOOR = 1e-9
_NHR_MAX_DB = 60.0
# Half-width of a partial's share of the spectrum in bins (the
# Blackman-Harris window's main lobe: +-4 bins hold all but -86 dB of a
# steady partial's energy wherever it falls between bins).
MAIN_LOBE_BINS = 4
# ... and at least this fraction of the partials' spacing (vibrato spreads a
# partial over more bins the higher it is).
LOBE_FRACTION = 0.3


# -------------------------------------------------------------- framing, STFT.


def hop_size(sample_rate=16000, frame_rate=250):
  """STFT hop in samples, as ddsp: sample_rate // frame_rate."""
  return int(sample_rate) // int(frame_rate)


def n_frames(n_samples, sample_rate=16000, frame_rate=250):
  """Frames of a centred STFT of n_samples: n_samples // hop + 1."""
  return int(n_samples) // hop_size(sample_rate, frame_rate) + 1


def fft_frequencies(sample_rate=16000, n_fft=2048):
  """Centre frequencies of the rfft bins, float32 [n_fft // 2 + 1], in Hz."""
  return (np.arange(n_fft // 2 + 1) * (sample_rate / n_fft)).astype(np.float32)


def _batched(audio):
  """Returns (float32 audio [batch, n_samples], whether the input was 1-D)."""
  audio = core.tf_float32(audio)
  if len(audio.shape) == 1:
    return audio[tf.newaxis, :], True
  if len(audio.shape) == 3:  # ddsp's [batch, n_samples, 1].
    audio = tf.squeeze(audio, axis=-1)
  if len(audio.shape) != 2:
    raise ValueError(f'audio must be [batch, n_samples] or [n_samples], got '
                     f'shape {audio.shape}.')
  return audio, False


def _unbatched(x, is_1d):
  return x[0] if is_1d else x


def blackman_harris_window(window_length, dtype=tf.float32):
  """Periodic 4-term Blackman-Harris window (a `tf.signal` window_fn).

  w[n] = 0.35875 - 0.48829 cos(2 pi n / N) + 0.14128 cos(4 pi n / N)
         - 0.01168 cos(6 pi n / N), n = 0..N-1, as
  `scipy.signal.get_window(('general_cosine', [0.35875, 0.48829, 0.14128,
  0.01168]), N)`.

  Example:
    >>> w = blackman_harris_window(8).numpy()
    >>> round(float(w[0]), 5), round(float(w[4]), 5)
    (6e-05, 1.0)
  """
  # TF ops: inside a tf.function, tf.signal.stft passes a tensor length.
  length = tf.cast(window_length, tf.float64)
  x = 2.0 * np.pi * tf.range(length) / length
  a0, a1, a2, a3 = _BLACKMAN_HARRIS_COEFFICIENTS
  w = a0 - a1 * tf.cos(x) + a2 * tf.cos(2 * x) - a3 * tf.cos(3 * x)
  return tf.cast(w, dtype)


_WINDOWS = {HANN: tf.signal.hann_window,
            BLACKMAN_HARRIS: blackman_harris_window}


def _magnitude_spectrogram(audio, sample_rate, frame_rate, n_fft,
                           window=HANN):
  """Batched body of `magnitude_spectrogram`: [batch, n_frames, n_bins]."""
  if window not in _WINDOWS:
    raise ValueError(f'Unknown window {window!r}; one of '
                     f'{", ".join(_WINDOWS)}.')
  hop = hop_size(sample_rate, frame_rate)
  if n_fft % 2 or hop < 1 or hop > n_fft:
    raise ValueError(f'Need an even n_fft >= hop >= 1; got n_fft={n_fft}, '
                     f'hop={hop} (sample_rate={sample_rate}, '
                     f'frame_rate={frame_rate}).')
  audio = spectral_ops.pad(audio, n_fft, hop, padding='center', axis=1)
  # As ddsp.spectral_ops.stft (which compute_loudness uses) with
  # overlap = 1 - hop / n_fft, but with the hop and the FFT length exact
  # (ddsp rounds the FFT up to a power of 2 and the hop through a float).
  stft = tf.signal.stft(audio, frame_length=n_fft, frame_step=hop,
                        fft_length=n_fft, window_fn=_WINDOWS[window],
                        pad_end=False)
  # tf.abs: gradient X / |X|, and 0 (not NaN) at X = 0.
  return tf.abs(stft)


def magnitude_spectrogram(audio, sample_rate=16000, frame_rate=250,
                          n_fft=2048, window=HANN):
  """Differentiable centred magnitude STFT with ddsp's hop.

  A periodic window of n_fft samples (Hann by default, as librosa's;
  PARTIAL_WINDOW for the `PARTIAL_DESCRIPTORS`), hop = sample_rate // frame_rate,
  n_fft // 2 zeros padded on each side: frame i is centred on sample i * hop,
  as `librosa.stft(center=True, pad_mode='constant')`, and lines up with
  `ddsp.spectral_ops.compute_loudness(..., padding='center')`.

  Args:
    audio: float [batch, n_samples] or [n_samples], at sample_rate Hz.
    sample_rate: Samples per second.
    frame_rate: Frames per second.
    n_fft: Window and FFT length in samples (even).
    window: HANN or BLACKMAN_HARRIS.

  Returns:
    float32 |X| (linear amplitude, unnormalized: a sine of amplitude a on a
    bin centre peaks at a * n_fft / 4 with the Hann window, a * 0.35875 *
    n_fft / 2 with Blackman-Harris), shape [batch, n_frames, n_fft//2 + 1]
    or [n_frames, n_fft // 2 + 1], n_frames = n_samples // hop + 1.
  """
  audio, is_1d = _batched(audio)
  return _unbatched(
      _magnitude_spectrogram(audio, sample_rate, frame_rate, n_fft, window),
      is_1d)


# Each frame of `partial_spectrogram` reads up to this share of n_fft past
# its window's edges on either side (a window whose f0 averages 20% below
# the frame's own spans 20% more time); beyond, it is clipped.
WARP_MARGIN = 0.25


# The audio is upsampled this many times (band-limited, by FFT) before the
# frames are read off it at their warped times with cubic interpolation:
# measured on a 200 Hz sawtooth under a 30-cent vibrato, what the reading
# spreads outside the partials' +-4 bins is -38 dB of the sound read at
# the original rate (linear or cubic), -73 dB at 4x and -88 dB at 8x.
WARP_UPSAMPLING = 8
# The warp's times are solved every this many samples and interpolated.
WARP_STEP = 8


def _upsampled(audio, factor):
  """audio [batch, n] -> [batch, n * factor], band-limited (zero-padded
  spectrum); the audio is taken as periodic, so its ends should be 0."""
  n = int(audio.shape[-1])
  spectrum = tf.signal.rfft(audio, [n])
  if n % 2 == 0:  # The Nyquist bin stands for both its halves: split it.
    spectrum = tf.concat([spectrum[:, :-1], 0.5 * spectrum[:, -1:]], axis=1)
  bins = n * factor // 2 + 1
  spectrum = tf.pad(spectrum, [[0, 0], [0, bins - int(spectrum.shape[-1])]])
  return tf.signal.irfft(spectrum, [n * factor]) * float(factor)


def _pitch_synchronous_frames(audio, f0_hz, sample_rate, frame_rate, n_fft):
  """Frames [batch, n_frames, n_fft] of the centred framing, each resampled
  in time so that f0 holds the frame's own value across its window.

  f0 runs linearly between frame centres (and holds past the ends, floored
  at MIN_F0_HZ), so the phase Phi(t) = integral of f0 / sample_rate is
  quadratic within each hop. Frame i, centred on sample c, takes its
  sample j = 0..n_fft-1 at the time t where Phi(t) = Phi(c) + f0_i
  (j - n_fft/2) / sample_rate (two Newton steps from t = c + j - n_fft/2,
  every WARP_STEP-th sample, linear between), read off the audio
  upsampled WARP_UPSAMPLING times with cubic interpolation: at a constant
  f0 that is sample c + j - n_fft/2, the plain frame.
  """
  hop = hop_size(sample_rate, frame_rate)
  batch, n_samples = int(audio.shape[0]), int(audio.shape[1])
  frames = n_samples // hop + 1
  half = n_fft // 2
  # Frame-rate f0, held for the frames a window reaches past either end;
  # its phase at each frame centre (cycles, float64: it reaches thousands).
  edge = half // hop + 2
  f0 = tf.stop_gradient(tf.maximum(f0_hz, MIN_F0_HZ))
  f0 = tf.cast(tf.concat([tf.repeat(f0[:, :1], edge, axis=1), f0,
                          tf.repeat(f0[:, -1:], edge, axis=1)], axis=1),
               tf.float64)
  f0_next = tf.concat([f0[:, 1:], f0[:, -1:]], axis=1)
  phase = tf.cumsum(hop * (f0 + f0_next) / (2.0 * sample_rate), axis=1,
                    exclusive=True)
  n_rows = int(f0.shape[1])
  flat_f0, flat_next, flat_phase = (tf.reshape(x, [-1])
                                    for x in (f0, f0_next, phase))
  row = (np.arange(batch) * n_rows)[:, None, None]

  def at(u):
    """Phi and f0 at frame-time u [batch, frames, m] (padded frames)."""
    k = tf.clip_by_value(tf.floor(u), 0.0, n_rows - 1.0)
    tau = (u - k) * hop  # Samples past frame k's centre.
    k = tf.cast(k, tf.int32) + row
    f_k, f_n = tf.gather(flat_f0, k), tf.gather(flat_next, k)
    slope = (f_n - f_k) / hop
    return (tf.gather(flat_phase, k) +
            (f_k * tau + 0.5 * slope * tau * tau) / sample_rate,
            f_k + slope * tau)

  step = WARP_STEP if n_fft % WARP_STEP == 0 else 1
  offsets = np.arange(0, n_fft + 1, step, dtype=np.float64) - half
  centre = (np.arange(frames, dtype=np.float64) + edge)[None, :, None]
  f0_i = f0[:, edge:edge + frames, None]
  target = tf.gather(phase, np.arange(frames) + edge, axis=1)[..., None] + (
      f0_i / sample_rate * offsets)
  t = tf.broadcast_to(offsets, tf.shape(target))  # Samples from the centre.
  for _ in range(2):  # Newton: dPhi/dt = f0(t) / sample_rate.
    phi, f = at(centre + t / hop)
    t += (target - phi) * sample_rate / f
  # Every sample of the frame, linearly between the solved ones.
  t = tf.cast(t, tf.float32)
  between = np.arange(step, dtype=np.float32) / step
  t = tf.reshape(t[..., :-1, None] + (t[..., 1:, None] - t[..., :-1, None])
                 * between, [batch, frames, n_fft])
  # Read at centre + t off the padded audio, upsampled.
  pad = half + int(round(WARP_MARGIN * n_fft))
  t = tf.clip_by_value(t, -float(pad), float(pad)) * WARP_UPSAMPLING
  whole = tf.floor(t)
  f = t - whole
  padded = tf.pad(audio, [[0, 0], [pad + 2, pad + hop + 2]])
  up = _upsampled(padded, WARP_UPSAMPLING)
  n_up = int(up.shape[-1])
  start = ((np.arange(frames) * hop + pad + 2) * WARP_UPSAMPLING +
           np.arange(batch)[:, None] * n_up)[..., None].astype(np.int32)
  base = tf.cast(whole, tf.int32) + start
  up = tf.reshape(up, [-1])
  read = lambda offset: tf.gather(up, base + offset)
  p0, p1, p2, p3 = read(-1), read(0), read(1), read(2)
  # Catmull-Rom cubic between p1 and p2.
  return p1 + 0.5 * f * (p2 - p0 + f * (2.0 * p0 - 5.0 * p1 + 4.0 * p2 - p3
                                        + f * (3.0 * (p1 - p2) + p3 - p0)))


def _partial_spectrogram(audio, f0_hz, sample_rate, frame_rate, n_fft):
  """Batched body of `partial_spectrogram` (f0_hz [batch, n_frames])."""
  frames = _pitch_synchronous_frames(audio, f0_hz, sample_rate, frame_rate,
                                     n_fft)
  window = _WINDOWS[PARTIAL_WINDOW](n_fft)
  return tf.abs(tf.signal.rfft(frames * window, [n_fft]))


def partial_spectrogram(audio, f0_hz, sample_rate=16000, frame_rate=250,
                        n_fft=2048):
  """The spectrum the partial descriptors read: pitch-synchronous frames
  through the Blackman-Harris window (PARTIAL_WINDOW).

  The frames are `magnitude_spectrogram`'s (centred, hop = sample_rate //
  frame_rate), but each is first resampled in time so that f0 holds the
  frame's own value across its window, so a vibrato or a glide does not
  spread the partials: each stays within the main lobe around k f0 (+-4
  bins), and the bins between the partials hold only the noise. At a
  steady f0 it is `magnitude_spectrogram(..., window=BLACKMAN_HARRIS)`.
  Measured on sawtooths at 110, 200 and 440 Hz with a 30-cent, 5.5 Hz
  vibrato (tests/descriptors_test.py): without noise a noise ratio below
  -80 dB, where a plain spectrum with bands widened by the swing read
  -48.6 dB at 110 Hz (fixed bands: -20 dB); with noise 40 dB down that
  falls off above 2 kHz, -40 dB within 0.3 dB, where the widened bands,
  which leave no gap between the high partials to read the noise in,
  read -34.8 dB. It costs: 0.22 s for 8 one-second examples on 2 cores,
  against 0.02 s for the plain spectrum (one timing, with a training run
  sharing the cores); `prepare`'s throughput is in benchmarks/README.md.

  Args:
    audio: float [batch, n_samples] or [n_samples], at sample_rate Hz.
    f0_hz: f0 in Hz, [batch, n_frames] or [n_frames] (another frame count
      is resampled linearly).
    sample_rate: Samples per second.
    frame_rate: Frames per second.
    n_fft: Window and FFT length in samples (even).

  Returns:
    float32 |X| [batch, n_frames, n_fft // 2 + 1] or [n_frames, ...].
  """
  audio, is_1d = _batched(audio)
  f0_hz = _frame_f0(f0_hz, n_frames(int(audio.shape[1]), sample_rate,
                                    frame_rate), int(audio.shape[0]))
  return _unbatched(_partial_spectrogram(audio, f0_hz, sample_rate,
                                         frame_rate, n_fft), is_1d)


def window_frames(sample_rate=16000, frame_rate=250, n_fft=2048):
  """Frames one analysis window spans: n_fft / hop."""
  return n_fft / hop_size(sample_rate, frame_rate)


def _n_fft_of(mag):
  return 2 * (int(mag.shape[-1]) - 1)


def align_frames(values, n_frames_):
  """A per-frame track [batch, n] on the centred framing's n_frames_ frames.

  ddsp's tracks (CREPE f0, loudness, the decoder's controls) have n =
  n_samples / hop frames, frame i on sample i * hop, and the last is held
  past it (as ddsp's synthesizers hold it); the centred framing here has
  frame j on sample j * hop_out and one more frame, on the last sample. So
  frame j reads track position j * n / (n_frames_ - 1), linearly between
  frames and holding the last: an n one short of n_frames_ is the track
  with its last frame repeated; another frame rate is resampled in time.
  A track already of n_frames_ frames is returned as is.

  Stretching the track over the frames instead (the first and last
  aligned, as `ddsp.core.resample` does) put frame i half a hop late
  mid-clip and a whole hop late at the end: the pitch-synchronous frames
  followed that f0, and a clean tone under CREPE's frame-to-frame jitter
  (0.1 Hz rms at 139 Hz) read a noise ratio of -51 dB where the aligned
  frames read below -80 (tests/descriptors_test.py).

  Args:
    values: float [batch, n].
    n_frames_: Frames of the centred framing (`n_frames`).

  Returns:
    float32 [batch, n_frames_].

  Example:
    >>> align_frames([[100.0, 110.0]], 3).numpy().tolist()
    [[100.0, 110.0, 110.0]]
  """
  values = core.tf_float32(values)
  n = int(values.shape[1])
  if n == n_frames_:
    return values
  position = np.minimum(np.arange(n_frames_) * n / max(n_frames_ - 1, 1),
                        n - 1.0)
  low = np.floor(position).astype(np.int32)
  high = np.minimum(low + 1, n - 1)
  share = tf.constant(position - low, tf.float32)
  return (tf.gather(values, low, axis=1) * (1.0 - share) +
          tf.gather(values, high, axis=1) * share)


def _frame_f0(f0_hz, n_frames_, batch_size=None):
  """f0 as float32 [batch, n_frames], on the centred framing (`align_frames`).

  Accepts [n_frames], [batch, n_frames] or ddsp's [batch, n_frames, 1].
  """
  f0_hz = core.tf_float32(f0_hz)
  if len(f0_hz.shape) == 3:
    f0_hz = tf.squeeze(f0_hz, axis=-1)
  if len(f0_hz.shape) == 1:
    f0_hz = f0_hz[tf.newaxis, :]
  if len(f0_hz.shape) != 2:
    raise ValueError(f'f0_hz must be [batch, n_frames], got {f0_hz.shape}.')
  if batch_size is not None and f0_hz.shape[0] not in (None, batch_size):
    raise ValueError(f'f0_hz has batch size {f0_hz.shape[0]}, audio has '
                     f'{batch_size}.')
  return align_frames(f0_hz, n_frames_)


# -------------------------------------------- descriptors of a spectrogram.


def spectral_centroid_from_mag(mag, sample_rate=16000):
  """Spectral centroid in Hz of a magnitude spectrogram.

  C = sum_k f_k |X_k| / (sum_k |X_k| + 1e-8), f_k = k * sample_rate / n_fft:
  the magnitude-weighted mean frequency of `librosa.feature.spectral_centroid`
  (Peeters 2004, "A large set of audio features for sound description",
  CUIDADO project report, IRCAM; amplitude weighting). Silent frame: 0 Hz.

  Args:
    mag: float32 |X| [batch, n_frames, n_bins].
    sample_rate: Samples per second.

  Returns:
    float32 [batch, n_frames], Hz in [0, sample_rate / 2].
  """
  freqs = fft_frequencies(sample_rate, _n_fft_of(mag))
  return (tf.reduce_sum(mag * freqs, axis=-1) /
          (tf.reduce_sum(mag, axis=-1) + _EPS))


def harmonic_centroid_from_mag(mag, f0_hz, sample_rate=16000,
                               n_harmonics=N_HARMONICS):
  """f0-normalized spectral centroid, in harmonic numbers (dimensionless).

  H = C_band / f0, where C_band is the spectral centroid (see
  `spectral_centroid_from_mag`) over the bins with
  f_k <= (n_harmonics + 1/2) * f0, i.e. the band of the first n_harmonics
  partials, cut half-way between two harmonics. For a harmonic tone with
  partial amplitudes a_k, H = sum_k k a_k / sum_k a_k: Peeters' (2004)
  harmonic spectral centroid over f0, which does not change when the
  tone is transposed (as long as its partials stay below Nyquist).

  Unvoiced frames (f0 < MIN_F0_HZ = 20 Hz, including ddsp's f0 = 0) return 0;
  silent frames return 0. Gradients flow to `mag` (and to f0 through 1 / f0).

  Args:
    mag: float32 |X| [batch, n_frames, n_bins].
    f0_hz: f0 in Hz, [batch, n_frames] (or [batch, n_frames, 1]; another
      frame count is resampled linearly, see `_frame_f0`).
    sample_rate: Samples per second.
    n_harmonics: Partials in the band; None for the whole spectrum.

  Returns:
    float32 [batch, n_frames], >= 0.
  """
  f0_hz = _frame_f0(f0_hz, mag.shape[1], mag.shape[0])
  voiced = f0_hz >= MIN_F0_HZ
  safe_f0 = tf.where(voiced, f0_hz, tf.ones_like(f0_hz))
  freqs = fft_frequencies(sample_rate, _n_fft_of(mag))
  if n_harmonics is None:
    band_mag = mag
  else:
    f_max = (n_harmonics + 0.5) * safe_f0[..., tf.newaxis]
    band_mag = mag * tf.cast(freqs <= f_max, mag.dtype)
  centroid = (tf.reduce_sum(band_mag * freqs, axis=-1) /
              (tf.reduce_sum(band_mag, axis=-1) + _EPS))
  return tf.where(voiced, centroid / safe_f0, tf.zeros_like(centroid))


def spectral_flatness_from_mag(mag, amin=AMIN):
  """Spectral flatness (Wiener entropy) of the power spectrum, in [0, 1].

  F = exp(mean_k log P_k) / mean_k P_k with P_k = max(|X_k|^2, amin): the
  geometric over the arithmetic mean, as `librosa.feature.spectral_flatness`
  with power=2.0, amin=1e-10 (Johnston 1988, "Transform coding of audio
  signals using perceptual noise criteria", IEEE JSAC 6(2); Peeters 2004).
  A sine gives ~0, white noise ~0.56 (the mean for exponentially distributed
  power is exp(-Euler gamma)). Silent frame: 1 (every bin at the flat amin
  floor), as librosa.

  Args:
    mag: float32 |X| [batch, n_frames, n_bins].
    amin: Power floor (absolute, |X|^2 units).

  Returns:
    float32 [batch, n_frames], in [0, 1].
  """
  power = tf.maximum(tf.square(mag), amin)
  log_gmean = tf.reduce_mean(tf.math.log(power), axis=-1)
  log_amean = tf.math.log(tf.reduce_mean(power, axis=-1))
  return tf.exp(log_gmean - log_amean)


def spectral_rolloff_from_mag(mag, sample_rate=16000, roll_percent=0.85):
  """Differentiable spectral roll-off frequency in Hz.

  librosa's `spectral_rolloff` returns f_{k*}, the first bin k* whose
  cumulative magnitude S_k = sum_{j<=k} |X_j| reaches r * S_total (r =
  roll_percent; Peeters 2004 uses r = 0.95), a step function of the audio.
  Here the cumulative curve is linearly interpolated between bins and the
  crossing is returned:

    x = sum_{k>=1} clip((r * S_total - S_{k-1}) / (|X_k| + 1e-8), 0, 1)

  (each bin wholly below the threshold counts 1, the crossing bin counts the
  fraction of it needed), and R = x * sample_rate / n_fft. Then x lies in
  (k* - 1, k*]: R is at most one bin width (sample_rate / n_fft) below
  librosa's value and never above it (up to float32 rounding at the
  threshold), and has a gradient through the crossing bin. Silent frame:
  0 Hz, as librosa.

  Args:
    mag: float32 |X| [batch, n_frames, n_bins].
    sample_rate: Samples per second.
    roll_percent: Fraction r of the total magnitude, in (0, 1).

  Returns:
    float32 [batch, n_frames], Hz in [0, sample_rate / 2].
  """
  cumulative = tf.cumsum(mag, axis=-1)
  threshold = roll_percent * cumulative[..., -1:]
  fraction = (threshold - cumulative[..., :-1]) / (mag[..., 1:] + _EPS)
  bins = tf.reduce_sum(tf.clip_by_value(fraction, 0.0, 1.0), axis=-1)
  return bins * (sample_rate / _n_fft_of(mag))


def _read_bins(values, positions):
  """values [batch, n_frames, n_bins] read at fractional bin positions
  [batch, n_frames, m] (linear interpolation; positions clipped to the
  spectrum)."""
  n_bins = int(values.shape[-1])
  positions = tf.clip_by_value(positions, 0.0, n_bins - 1.0)
  lower = tf.minimum(tf.floor(positions), n_bins - 2.0)
  frac = positions - lower
  lower = tf.cast(lower, tf.int32)
  return ((1.0 - frac) * tf.gather(values, lower, batch_dims=2) +
          frac * tf.gather(values, lower + 1, batch_dims=2))


def harmonic_magnitudes(mag, f0_hz, sample_rate=16000, harmonics=None):
  """|X| at the harmonic frequencies k * f0, linearly interpolated.

  Position p = k * f0 * n_fft / sample_rate (bins); the value is
  (1 - frac(p)) |X_floor(p)| + frac(p) |X_floor(p)+1|, differentiable in the
  audio and in f0. With a Hann window this reads a partial's peak low by up
  to 1.42 dB (scalloping) when k * f0 falls half-way between bins, and
  exactly when it falls on a bin centre.

  Args:
    mag: float32 |X| [batch, n_frames, n_bins].
    f0_hz: f0 in Hz, [batch, n_frames] (see `_frame_f0`).
    sample_rate: Samples per second.
    harmonics: Harmonic numbers k (ints); default 1..N_HARMONICS.

  Returns:
    amplitudes: float32 [batch, n_frames, n_harmonics], 0 where k * f0 is
      above Nyquist or the frame is unvoiced (f0 < MIN_F0_HZ).
    valid: bool [batch, n_frames, n_harmonics], where amplitudes were read.
  """
  if harmonics is None:
    harmonics = np.arange(1, N_HARMONICS + 1)
  harmonics = np.asarray(harmonics, np.float32)
  f0_hz = _frame_f0(f0_hz, mag.shape[1], mag.shape[0])
  n_bins = int(mag.shape[-1])
  position = (f0_hz[..., tf.newaxis] * harmonics *
              (_n_fft_of(mag) / sample_rate))
  valid = ((position <= n_bins - 1) &
           (f0_hz[..., tf.newaxis] >= MIN_F0_HZ))
  amplitudes = _read_bins(mag, position)
  return tf.where(valid, amplitudes, tf.zeros_like(amplitudes)), valid


def _band_energy(cumulative, low, high):
  """Sum of P over [low, high] (fractional bins; bin i spans i +- 1/2),
  from cumulative [batch, n_frames, n_bins + 1] (0, P_0, P_0 + P_1, ...,
  float64: the differences of large running sums keep their precision)
  read at positions [batch, n_frames, m]; clipped to the spectrum.
  Returns (energy, width in bins), float32."""
  n_bins = int(cumulative.shape[-1]) - 1
  low = tf.clip_by_value(low + 0.5, 0.0, float(n_bins))
  high = tf.clip_by_value(high + 0.5, 0.0, float(n_bins))
  at = lambda x: _read_bins(cumulative, tf.cast(x, cumulative.dtype))
  return tf.cast(at(high) - at(low), tf.float32), high - low


def partial_bands(spacing, lobe_bins=MAIN_LOBE_BINS,
                  lobe_fraction=LOBE_FRACTION):
  """Half-width in bins of each partial's band: the larger of lobe_bins and
  lobe_fraction of the spacing, at most half the spacing. spacing: bins
  between partials [..., 1]."""
  half = tf.maximum(float(lobe_bins), lobe_fraction * spacing)
  return tf.clip_by_value(half, 0.5, tf.maximum(spacing / 2.0, 0.5))


def harmonic_powers(mag, f0_hz, sample_rate=16000, harmonics=None):
  """Noise-corrected energy of each partial, in |X|^2 units.

  With P = |X|^2, s = f0 n_fft / sample_rate the spacing of the partials in
  bins and p = k s partial k's position, partial k owns the band within
  L bins of p (`partial_bands`: at least MAIN_LOBE_BINS and LOBE_FRACTION
  of the spacing, at most s/2). What lies between the bands gives the
  noise's power density d of the frame, and

    e_k = (sum of P over [p - L, p + L]) - 2 L d.

  Band sums come from the cumulative spectrum, read at fractional bins, so
  a band holds a steady partial's whole main lobe wherever it falls between
  bins (no scalloping: the Blackman-Harris window of PARTIAL_WINDOW leaves
  -86 dB of its energy outside +-4 bins, a Hann window -46 dB). A partial
  stays in its band only if f0 holds still within the window: give `mag`
  from `partial_spectrogram`, whose frames are resampled to the frame's
  own f0, so a vibrato or a glide does not spread the partials.
  The subtraction removes the stationary noise under the band in
  expectation, so e_k does not grow with the noise around the partial; e_k
  may come out below 0 for a partial buried in noise (an unbiased
  estimate); sums over partials and frames are what the descriptors use.
  d is read in the gaps on both sides of the partial (noise may be
  coloured); partials whose bands fill the whole spacing (f0 below
  2 * MAIN_LOBE_BINS bins, 63 Hz at n_fft 2048) leave no gap: there d is
  the frame's mean over all gaps.

  Args:
    mag: float32 |X| [batch, n_frames, n_bins] (`partial_spectrogram`).
    f0_hz: f0 in Hz, [batch, n_frames] (see `_frame_f0`).
    sample_rate: Samples per second.
    harmonics: Harmonic numbers k (ints); default 1..N_HARMONICS.

  Returns:
    energies: float32 [batch, n_frames, n_harmonics]; 0 where partial k's
      band (p + s/2) reaches past Nyquist or the frame is unvoiced
      (f0 < MIN_F0_HZ).
    valid: bool [same], where energies were read.
  """
  if harmonics is None:
    harmonics = np.arange(1, N_HARMONICS + 1)
  harmonics = np.asarray(harmonics, np.float32)
  f0_hz = _frame_f0(f0_hz, mag.shape[1], mag.shape[0])
  n_bins = int(mag.shape[-1])
  bins_per_hz = _n_fft_of(mag) / sample_rate
  spacing = f0_hz[..., tf.newaxis] * bins_per_hz
  position = spacing * harmonics
  half = tf.broadcast_to(partial_bands(spacing), tf.shape(position))
  valid = ((position + spacing / 2 <= n_bins - 1) &
           (f0_hz[..., tf.newaxis] >= MIN_F0_HZ))
  power = tf.cast(tf.square(mag), tf.float64)
  cumulative = tf.concat([tf.zeros_like(power[..., :1]),
                          tf.cumsum(power, axis=-1)], axis=-1)
  lobe, _ = _band_energy(cumulative, position - half, position + half)
  # The gap above each partial, up to the next one's band.
  next_half = tf.concat([half[..., 1:], half[..., -1:]], axis=-1)
  gap, width = _band_energy(cumulative, position + half,
                            position + spacing - next_half)
  use = tf.cast(valid, gap.dtype) * tf.cast(width > 0.0, gap.dtype)
  frame_density = (
      tf.reduce_sum(gap * use, -1, keepdims=True) /
      tf.maximum(tf.reduce_sum(width * use, -1, keepdims=True), 1e-3))
  # Locally, the gaps on both sides (noise may be coloured); where they
  # are narrower than a bin, the frame's.
  prev_half = tf.concat([half[..., :1], half[..., :-1]], axis=-1)
  below, w_below = _band_energy(cumulative, position - spacing + prev_half,
                                position - half)
  local_width = width + w_below
  density = tf.where(local_width >= 1.0,
                     (gap + below) / tf.maximum(local_width, 1e-3),
                     tf.broadcast_to(frame_density, tf.shape(gap)))
  energy = lobe - 2.0 * half * density
  return tf.where(valid, energy, tf.zeros_like(energy)), valid


def _ratio_db(a, b, relative_floor=_OER_FLOOR):
  """10 log10((a + d) / (b + d)) of energies >= 0, d = relative_floor
  (a + b) + 1e-10: about +-60 dB at most with the default 1e-6, 0 dB when
  both are 0."""
  floor = relative_floor * (a + b) + AMIN
  return 10.0 * (tf.math.log(a + floor) - tf.math.log(b + floor)) / np.log(
      10.0)


def odd_even_ratio_from_mag(mag, f0_hz, sample_rate=16000,
                            n_harmonics=N_HARMONICS):
  """Odd-to-even harmonic energy ratio in dB.

  OER = 10 log10((E_odd + d) / (E_even + d)), E_odd = sum e_k over
  k = 3, 5, 7, ..., E_even = sum e_k over k = 2, 4, 6, ..., k <= n_harmonics
  and below Nyquist, e_k the noise-corrected partial energies of
  `harmonic_powers` (each sum floored at 0), and
  d = 1e-6 (E_odd + E_even) + 1e-10, which bounds OER to about +-60 dB.
  Peeters (2004) includes the fundamental among the odd
  harmonics; here it is left out (harmonics 2..n_harmonics only), so the
  fundamental, the strongest partial of most instruments, does not swamp
  the odd/even balance of the overtones (a sawtooth, a_k = 1/k, gives
  10 log10((pi^2/8 - 1) / (pi^2/24)) = -2.45 dB in the limit of many
  harmonics; a square wave, odd harmonics only, the +60 dB cap). Noise adds
  to neither sum, so it does not pull OER towards 0 dB.

  Unvoiced frames (f0 < MIN_F0_HZ) and silent frames return 0 dB.

  Args:
    mag: float32 |X| [batch, n_frames, n_bins] (`partial_spectrogram`).
    f0_hz: f0 in Hz, [batch, n_frames] (see `_frame_f0`).
    sample_rate: Samples per second.
    n_harmonics: Highest harmonic number considered.

  Returns:
    float32 [batch, n_frames], dB (0 dB: equal energy; +6.02 dB: 4x more
    odd-harmonic energy).
  """
  harmonics = np.arange(2, n_harmonics + 1)
  energy, _ = harmonic_powers(mag, f0_hz, sample_rate, harmonics)
  is_odd = (harmonics % 2 == 1).astype(np.float32)
  e_odd = tf.nn.relu(tf.reduce_sum(energy * is_odd, axis=-1))
  e_even = tf.nn.relu(tf.reduce_sum(energy * (1.0 - is_odd), axis=-1))
  return _ratio_db(e_odd, e_even)


def harmonic_spectral_centroid_from_mag(mag, f0_hz, sample_rate=16000,
                                        n_harmonics=N_HARMONICS):
  """Energy-weighted harmonic spectral centroid over f0 (brightness).

  HSC = sum_k k e_k / sum_k e_k over the partials k = 1..n_harmonics below
  Nyquist, e_k the noise-corrected partial energies of `harmonic_powers`:
  Peeters' (2004) harmonic spectral centroid, divided by f0 and weighted by
  energy rather than amplitude. Unlike `harmonic_centroid` (the centroid of
  every bin of the band), the noise between and under the partials does not
  count, so adding noise to a tone leaves its brightness where it was; it
  does not change when the tone is transposed. A tone with partial
  amplitudes a_k gives sum k a_k^2 / sum a_k^2; a pure sine gives 1. Values
  are clipped to [1, n_harmonics].

  Unvoiced (f0 < MIN_F0_HZ) and silent frames return 0.

  Args:
    mag: float32 |X| [batch, n_frames, n_bins] (`partial_spectrogram`).
    f0_hz: f0 in Hz, [batch, n_frames] (see `_frame_f0`).
    sample_rate: Samples per second.
    n_harmonics: Highest harmonic number considered.

  Returns:
    float32 [batch, n_frames], harmonic numbers (0 if unvoiced/silent).

  Example:
    >>> t = np.arange(16000) / 16000.0
    >>> tone = sum(a * np.sin(2 * np.pi * 250.0 * k * t)
    ...            for k, a in ((1, 1.0), (2, 0.5), (3, 0.25)))
    >>> hsc = harmonic_spectral_centroid(tone, np.full(251, 250.0))
    >>> round(float(np.median(hsc)), 2)  # (1 + 0.5 + 0.1875) / 1.3125
    1.29
  """
  harmonics = np.arange(1, n_harmonics + 1, dtype=np.float32)
  energy, _ = harmonic_powers(mag, f0_hz, sample_rate, harmonics)
  total = tf.reduce_sum(energy, axis=-1)
  centroid = tf.reduce_sum(energy * harmonics, axis=-1) / tf.maximum(
      total, AMIN)
  has_energy = total > AMIN
  return tf.where(has_energy, tf.clip_by_value(centroid, 1.0, n_harmonics),
                  tf.zeros_like(centroid))


def noise_ratio_from_mag(mag, f0_hz, sample_rate=16000,
                         n_harmonics=N_HARMONICS):
  """Noise-to-harmonic energy ratio in dB (noisiness).

  NHR = min(10 log10((E_noise + d) / (E_harm + d)), 60 dB) with
  E_harm = sum_k e_k (the noise-corrected partial energies of
  `harmonic_powers`, floored at 0), E_noise = max(sum of |X|^2 over every
  bin - E_harm, 0) and d = 1e-9 (E_noise + E_harm) + 1e-10 (about -90 dB
  at least). By Parseval both energies carry the window's same factor, so
  a harmonic tone of partial amplitudes A_k plus stationary noise of
  variance s^2 gives 10 log10(s^2 / (sum_k A_k^2 / 2)), the ratio of their
  powers, whatever the pitch, down to the main lobes' leakage: read from a
  Blackman-Harris spectrum (`PARTIAL_WINDOW`), a steady tone alone
  measures below -80 dB (through a Hann window, -46 dB). In a plain
  spectrum a vibrato spreads the high partials of a low note over their
  whole spacing, which raises the floor (a 30-cent vibrato: about -54 dB at
  110 Hz); `partial_spectrogram`'s pitch-synchronous frames hold them
  still, so a tone under a vibrato or CREPE's frame-to-frame f0 jitter
  reads below -80 dB there, given f0 on ddsp's frames (`align_frames`).
  Unvoiced frames count as all noise (+60 dB); silent frames
  give 0 dB.

  Args:
    mag: float32 |X| [batch, n_frames, n_bins] (`partial_spectrogram`).
    f0_hz: f0 in Hz, [batch, n_frames] (see `_frame_f0`).
    sample_rate: Samples per second.
    n_harmonics: Highest harmonic number considered.

  Returns:
    float32 [batch, n_frames], dB.
  """
  energy, _ = harmonic_powers(mag, f0_hz, sample_rate,
                              np.arange(1, n_harmonics + 1))
  e_harm = tf.nn.relu(tf.reduce_sum(energy, axis=-1))
  e_noise = tf.nn.relu(tf.reduce_sum(tf.square(mag), axis=-1) - e_harm)
  return tf.minimum(_ratio_db(e_noise, e_harm, _NHR_FLOOR), _NHR_MAX_DB)


def hz_to_bark(freq_hz):
  """Critical-band rate in Bark (Zwicker & Terhardt 1980, JASA 68(5)).

  z = 13 arctan(0.00076 f) + 3.5 arctan((f / 7500)^2), f in Hz.
  """
  freq_hz = np.asarray(freq_hz, np.float64)
  return 13.0 * np.arctan(0.00076 * freq_hz) + 3.5 * np.arctan(
      (freq_hz / 7500.0)**2)


def sharpness_weighting(bark):
  """Zwicker/Fastl sharpness weighting g(z), dimensionless.

  g(z) = 1 for z <= 15.8 Bark, 0.066 exp(0.171 z) above (Fastl & Zwicker,
  Psychoacoustics, 3rd ed., 2007, eq. 9.1).
  """
  bark = np.asarray(bark, np.float64)
  return np.where(bark <= 15.8, 1.0, 0.066 * np.exp(0.171 * bark))


def bark_band_matrix(sample_rate=16000, n_fft=2048, n_bands=N_BARK_BANDS):
  """One-hot map of rfft bins to 1-Bark critical bands, float32 [n_bins, n].

  Bin k goes to band floor(z(f_k)) (`hz_to_bark`); bins at z >= n_bands
  (above about 15.5 kHz for 24 bands) belong to no band.
  """
  band = np.floor(hz_to_bark(fft_frequencies(sample_rate, n_fft)))
  return (band[:, np.newaxis] == np.arange(n_bands)).astype(np.float32)


def sharpness_from_mag(mag, sample_rate=16000):
  """Zwicker/Fastl sharpness in acum, with a simplified loudness model.

  Band powers E_b = sum of |X_k|^2 over the bins of critical band b
  (1 Bark wide, b = 0..23, centre z_b = b + 0.5 Bark, `bark_band_matrix`),
  as shares of the frame's power e_b = E_b / (sum_b E_b + 1e-10); specific
  loudness N'_b = (e_b + a)^0.23 - a^0.23, a = 1e-16: Zwicker's power law
  well above threshold (no threshold in quiet, no masking or outer-ear
  filter, so N'_b is in arbitrary units), with a floor 160 dB below the
  frame's power (below float32 STFT round-off) that keeps the gradient
  finite at e_b = 0 and, being relative, keeps S independent of gain; then

    S = 0.11 * sum_b N'_b g(z_b) z_b dz / (sum_b N'_b dz + 1e-8), dz = 1 Bark

  with g from `sharpness_weighting` (Fastl & Zwicker, Psychoacoustics,
  3rd ed., eq. 9.1; DIN 45692 uses the same form). The audio is not
  calibrated in dB SPL, so absolute acum values are approximate, but the
  weighting and the ordering are right: narrowband noise is sharper the
  higher its centre, and above ~3 kHz (15.8 Bark) g(z) > 1 lifts S beyond
  0.11 z_b. Silent frame: 0 acum.

  Args:
    mag: float32 |X| [batch, n_frames, n_bins].
    sample_rate: Samples per second.

  Returns:
    float32 [batch, n_frames], acum, >= 0.
  """
  bands = bark_band_matrix(sample_rate, _n_fft_of(mag))
  band_power = tf.tensordot(tf.square(mag), bands, axes=1)
  share = band_power / (tf.reduce_sum(band_power, -1, keepdims=True) + AMIN)
  # (e + a)^0.23 - a^0.23 = a^0.23 expm1(0.23 log1p(e / a)): exact for small
  # e (no float32 cancellation), 0 at e = 0, gradient finite at 0.
  floor = _SHARPNESS_FLOOR
  loudness = floor**0.23 * tf.math.expm1(0.23 * tf.math.log1p(share / floor))
  bark = np.arange(N_BARK_BANDS) + 0.5
  weight = (0.11 * sharpness_weighting(bark) * bark).astype(np.float32)
  return (tf.reduce_sum(loudness * weight, axis=-1) /
          (tf.reduce_sum(loudness, axis=-1) + _EPS))


# --------------------------------------------------- descriptors of audio.


def spectral_centroid(audio, sample_rate=16000, frame_rate=250, n_fft=2048):
  """Spectral centroid (brightness) in Hz; see `spectral_centroid_from_mag`.

  Args:
    audio: float [batch, n_samples] or [n_samples], at sample_rate Hz.
    sample_rate: Samples per second.
    frame_rate: Frames per second (hop = sample_rate // frame_rate).
    n_fft: Window and FFT length in samples.

  Returns:
    float32 [batch, n_frames] or [n_frames], Hz.
  """
  audio, is_1d = _batched(audio)
  mag = _magnitude_spectrogram(audio, sample_rate, frame_rate, n_fft)
  return _unbatched(spectral_centroid_from_mag(mag, sample_rate), is_1d)


def harmonic_centroid(audio, f0_hz, sample_rate=16000, frame_rate=250,
                      n_fft=2048, n_harmonics=N_HARMONICS):
  """Centroid in harmonic numbers; see `harmonic_centroid_from_mag`.

  Args:
    audio: float [batch, n_samples] or [n_samples], at sample_rate Hz.
    f0_hz: f0 in Hz, [batch, n_frames] ([n_frames] for 1-D audio); another
      frame count is resampled linearly (first and last frames aligned).
    sample_rate: Samples per second.
    frame_rate: Frames per second (hop = sample_rate // frame_rate).
    n_fft: Window and FFT length in samples.
    n_harmonics: Partials in the band; None for the whole spectrum.

  Returns:
    float32 [batch, n_frames] or [n_frames], dimensionless; 0 if unvoiced.
  """
  audio, is_1d = _batched(audio)
  mag = _magnitude_spectrogram(audio, sample_rate, frame_rate, n_fft)
  return _unbatched(harmonic_centroid_from_mag(
      mag, f0_hz, sample_rate, n_harmonics), is_1d)


def spectral_flatness(audio, sample_rate=16000, frame_rate=250, n_fft=2048):
  """Spectral flatness (noisiness) in [0, 1]; see the `_from_mag` version.

  Args:
    audio: float [batch, n_samples] or [n_samples], at sample_rate Hz.
    sample_rate: Samples per second.
    frame_rate: Frames per second (hop = sample_rate // frame_rate).
    n_fft: Window and FFT length in samples.

  Returns:
    float32 [batch, n_frames] or [n_frames], in [0, 1].
  """
  audio, is_1d = _batched(audio)
  mag = _magnitude_spectrogram(audio, sample_rate, frame_rate, n_fft)
  return _unbatched(spectral_flatness_from_mag(mag), is_1d)


def spectral_rolloff(audio, sample_rate=16000, frame_rate=250, n_fft=2048,
                     roll_percent=0.85):
  """Differentiable roll-off in Hz; see `spectral_rolloff_from_mag`.

  Args:
    audio: float [batch, n_samples] or [n_samples], at sample_rate Hz.
    sample_rate: Samples per second.
    frame_rate: Frames per second (hop = sample_rate // frame_rate).
    n_fft: Window and FFT length in samples.
    roll_percent: Fraction of the total magnitude below the roll-off.

  Returns:
    float32 [batch, n_frames] or [n_frames], Hz.
  """
  audio, is_1d = _batched(audio)
  mag = _magnitude_spectrogram(audio, sample_rate, frame_rate, n_fft)
  return _unbatched(
      spectral_rolloff_from_mag(mag, sample_rate, roll_percent), is_1d)


def odd_even_ratio(audio, f0_hz, sample_rate=16000, frame_rate=250,
                   n_fft=2048, n_harmonics=N_HARMONICS):
  """Odd/even harmonic energy ratio in dB; see `odd_even_ratio_from_mag`.

  Args:
    audio: float [batch, n_samples] or [n_samples], at sample_rate Hz.
    f0_hz: f0 in Hz, [batch, n_frames] ([n_frames] for 1-D audio); another
      frame count is resampled linearly (first and last frames aligned).
    sample_rate: Samples per second.
    frame_rate: Frames per second (hop = sample_rate // frame_rate).
    n_fft: Window and FFT length in samples.
    n_harmonics: Highest harmonic number considered.

  Returns:
    float32 [batch, n_frames] or [n_frames], dB; 0 if unvoiced or silent.
  """
  audio, is_1d = _batched(audio)
  f0_hz = _frame_f0(f0_hz, n_frames(int(audio.shape[1]), sample_rate,
                                      frame_rate), int(audio.shape[0]))
  mag = _partial_spectrogram(audio, f0_hz, sample_rate, frame_rate, n_fft)
  return _unbatched(odd_even_ratio_from_mag(mag, f0_hz, sample_rate, n_harmonics),
                    is_1d)


def sharpness(audio, sample_rate=16000, frame_rate=250, n_fft=2048):
  """Zwicker/Fastl sharpness in acum; see `sharpness_from_mag`.

  Args:
    audio: float [batch, n_samples] or [n_samples], at sample_rate Hz.
    sample_rate: Samples per second.
    frame_rate: Frames per second (hop = sample_rate // frame_rate).
    n_fft: Window and FFT length in samples.

  Returns:
    float32 [batch, n_frames] or [n_frames], acum (approximate).
  """
  audio, is_1d = _batched(audio)
  mag = _magnitude_spectrogram(audio, sample_rate, frame_rate, n_fft)
  return _unbatched(sharpness_from_mag(mag, sample_rate), is_1d)


def harmonic_spectral_centroid(audio, f0_hz, sample_rate=16000,
                               frame_rate=250, n_fft=2048,
                               n_harmonics=N_HARMONICS):
  """Harmonic spectral centroid over f0 (brightness); see the `_from_mag`
  version. Args as `odd_even_ratio`. Returns [batch, n_frames] or
  [n_frames], harmonic numbers; 0 if unvoiced or silent."""
  audio, is_1d = _batched(audio)
  f0_hz = _frame_f0(f0_hz, n_frames(int(audio.shape[1]), sample_rate,
                                      frame_rate), int(audio.shape[0]))
  mag = _partial_spectrogram(audio, f0_hz, sample_rate, frame_rate, n_fft)
  return _unbatched(harmonic_spectral_centroid_from_mag(mag, f0_hz, sample_rate, n_harmonics),
                    is_1d)


def noise_ratio(audio, f0_hz, sample_rate=16000, frame_rate=250, n_fft=2048,
                n_harmonics=N_HARMONICS):
  """Noise-to-harmonic energy ratio in dB (noisiness); see
  `noise_ratio_from_mag`. Args as `odd_even_ratio`. Returns
  [batch, n_frames] or [n_frames], dB.

  A limit, not mended: a partial whose band reaches past Nyquist (k f0 +
  f0 / 2 > sample_rate / 2, `harmonic_powers`) is not read as a partial, so
  its energy counts as noise, though a harmonic synth still plays it. A
  554 Hz tone of partials 1/k reads its 14th partial's share (at 7756 Hz)
  with 14 of them, and the floor without it:

  >>> t = np.arange(16000) / 16000
  >>> tone = lambda n: 0.2 * sum(np.sin(2 * np.pi * k * 554 * t) / k
  ...                            for k in range(1, n + 1))
  >>> [round(float(np.median(noise_ratio(tone(n).astype(np.float32),
  ...     np.full(251, 554.0, np.float32))[20:-20])), 1) for n in (13, 14)]
  [-90.0, -24.9]
  """
  audio, is_1d = _batched(audio)
  f0_hz = _frame_f0(f0_hz, n_frames(int(audio.shape[1]), sample_rate,
                                      frame_rate), int(audio.shape[0]))
  mag = _partial_spectrogram(audio, f0_hz, sample_rate, frame_rate, n_fft)
  return _unbatched(noise_ratio_from_mag(mag, f0_hz, sample_rate, n_harmonics),
                    is_1d)


def compute_descriptors(audio, f0_hz, sample_rate=16000, frame_rate=250,
                        n_fft=2048, names=None):
  """Several descriptors from one STFT per kind, with the functions'
  defaults (a Hann STFT, and `partial_spectrogram` for the
  PARTIAL_DESCRIPTORS; only those the names need).

  Args:
    audio: float [batch, n_samples] or [n_samples], at sample_rate Hz.
    f0_hz: f0 in Hz, [batch, n_frames] or [n_frames] (another frame count is
      resampled linearly); may be None if no name in F0_DESCRIPTORS is asked.
    sample_rate: Samples per second.
    frame_rate: Frames per second (hop = sample_rate // frame_rate).
    n_fft: Window and FFT length in samples.
    names: Descriptor names, a subset of DESCRIPTOR_NAMES; default all.

  Returns:
    Dict name -> float32 tensor [batch, n_frames] ([n_frames] for 1-D
    audio), in the units of the function of that name.

  Raises:
    ValueError: For an unknown name, or f0_hz None when a name needs it.
  """
  names = DESCRIPTOR_NAMES if names is None else tuple(names)
  unknown = sorted(set(names) - set(DESCRIPTOR_NAMES))
  if unknown:
    raise ValueError(f'Unknown descriptors {unknown}; known: '
                     f'{", ".join(DESCRIPTOR_NAMES)}.')
  if f0_hz is None and set(names) & set(F0_DESCRIPTORS):
    raise ValueError(f'f0_hz is needed for {", ".join(F0_DESCRIPTORS)}.')
  audio, is_1d = _batched(audio)
  if f0_hz is not None and set(names) & set(F0_DESCRIPTORS):
    f0_hz = _frame_f0(f0_hz, n_frames(int(audio.shape[1]), sample_rate,
                                      frame_rate), int(audio.shape[0]))
  # The spectra the names need: a Hann STFT, and the PARTIAL_DESCRIPTORS'
  # pitch-synchronous Blackman-Harris one.
  mag = partial_mag = None
  if set(names) - set(PARTIAL_DESCRIPTORS):
    mag = _magnitude_spectrogram(audio, sample_rate, frame_rate, n_fft)
  if set(names) & set(PARTIAL_DESCRIPTORS):
    partial_mag = _partial_spectrogram(audio, f0_hz, sample_rate,
                                       frame_rate, n_fft)
  functions = {
      'spectral_centroid': lambda: spectral_centroid_from_mag(
          mag, sample_rate),
      'harmonic_centroid': lambda: harmonic_centroid_from_mag(
          mag, f0_hz, sample_rate),
      'spectral_flatness': lambda: spectral_flatness_from_mag(mag),
      'spectral_rolloff': lambda: spectral_rolloff_from_mag(mag, sample_rate),
      'odd_even_ratio': lambda: odd_even_ratio_from_mag(
          partial_mag, f0_hz, sample_rate),
      'sharpness': lambda: sharpness_from_mag(mag, sample_rate),
      'harmonic_spectral_centroid': lambda: (
          harmonic_spectral_centroid_from_mag(partial_mag, f0_hz,
                                              sample_rate)),
      'noise_ratio': lambda: noise_ratio_from_mag(partial_mag, f0_hz,
                                                  sample_rate),
  }
  return {name: _unbatched(functions[name](), is_1d) for name in names}


def compute_descriptors_np(audio, f0_hz, sample_rate=16000, frame_rate=250,
                           n_fft=2048, names=None):
  """`compute_descriptors` on NumPy input, returning NumPy (e.g. for Beam).

  Args and shapes as `compute_descriptors`.

  Returns:
    Dict name -> float32 np.ndarray [batch, n_frames] or [n_frames].
  """
  audio = np.asarray(audio, np.float32)
  if f0_hz is not None:
    f0_hz = np.asarray(f0_hz, np.float32)
  descriptors = compute_descriptors(audio, f0_hz, sample_rate, frame_rate,
                                    n_fft, names)
  return {name: value.numpy() for name, value in descriptors.items()}

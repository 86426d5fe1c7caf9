# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""The knob chain, in one place: knob -> descriptor -> transform -> unit ->
standardization -> loudness-weighted pooled measurement.

A knob (a named dimension of z, e.g. 'brightness') stands for one descriptor
(`KNOB_DESCRIPTORS`, computed by `interpret_ddsp.analysis.descriptors`). Its value is
that descriptor first mapped to a perceptually even scale (`TRANSFORMS`:
log2 of a harmonic number or frequency, dB of a ratio) and then standardized
with the training set's mean and standard deviation of the scaled value: a
knob at 0 is the training set's average, +1 one standard deviation above.

Frames do not count equally: a frame's weight (`frame_weights`) is its
loudness gate (quiet frames carry no timbre), times, for descriptors
defined by f0, the f0 confidence and the f0's steadiness over the analysis
window (`f0_steadiness`: a window that holds two notes has no one f0). `measure` is the one measurement of knob values
on audio (training losses, evaluation, sweeps); `knob_statistics` measures
the units on a dataset; `resolve_settings` turns moods and `--set` pairs
into knob values.

Example:
  >>> knob_descriptor('brightness')
  'harmonic_spectral_centroid'
  >>> round(float(scale_descriptor('harmonic_spectral_centroid', 4.0)), 3)
  2.0
"""

import json

import ddsp
import numpy as np
import tensorflow as tf

from interpret_ddsp.analysis import descriptors

# Named timbre knobs -> the descriptor each one controls.
KNOB_DESCRIPTORS = {
    # Harmonic spectral centroid over f0: where the partials' energy sits.
    'brightness': 'harmonic_spectral_centroid',
    # Odd/even harmonic energy ratio: high for hollow, clarinet-like tones.
    'hollowness': 'odd_even_ratio',
    # Noise-to-harmonic energy ratio: breath, bow and reed noise.
    'noisiness': 'noise_ratio',
    # Zwicker/Fastl sharpness. Selectable, not a default: in instrument
    # audio it is nearly fixed by brightness and pitch (README).
    'sharpness': 'sharpness',
}
DEFAULT_KNOBS = ('brightness', 'hollowness', 'noisiness')

# Scaled value of each descriptor: (function, unit after scaling).
TRANSFORMS = {
    'spectral_centroid': (lambda x: _log2(x, 20.0), 'octaves re 1 Hz'),
    'harmonic_centroid': (lambda x: _log2(x, 0.5), 'octaves re f0'),
    'spectral_flatness': (lambda x: 10.0 * _log10(x, 1e-6), 'dB'),
    'spectral_rolloff': (lambda x: _log2(x, 20.0), 'octaves re 1 Hz'),
    'odd_even_ratio': (lambda x: x, 'dB'),
    'sharpness': (lambda x: x, 'acum'),
    'harmonic_spectral_centroid': (lambda x: _log2(x, 0.5), 'octaves re f0'),
    'noise_ratio': (lambda x: x, 'dB'),
}
# The inverse of each transform (scaled value -> descriptor), where a knob
# processor sets the descriptor itself (interpret_ddsp.training.knob_processors).
INVERSE_TRANSFORMS = {
    'harmonic_spectral_centroid': lambda s: tf.pow(2.0, s),
    'odd_even_ratio': lambda s: s,
    'noise_ratio': lambda s: s,
}
# Rough typical (mean, std) of each scaled descriptor on instrument audio,
# used until statistics of the training set are given.
DEFAULT_STATISTICS = {
    'spectral_centroid': (10.5, 1.0),
    'harmonic_centroid': (1.5, 1.0),
    'spectral_flatness': (-35.0, 10.0),
    'spectral_rolloff': (11.0, 1.0),
    'odd_even_ratio': (0.0, 6.0),
    'sharpness': (1.2, 0.5),
    'harmonic_spectral_centroid': (1.3, 0.7),
    'noise_ratio': (-25.0, 10.0),
}
# Where a descriptor's scaled value cannot go, whatever the synthesis does:
# (lowest, highest or None, why). A knob set past one is played as far as
# the sound goes, with a note (`reach_notes`), not clipped silently.
SCALED_BOUNDS = {
    # The energy centroid of a harmonic sound is at least harmonic 1.
    'harmonic_spectral_centroid': (
        0.0, None, 'a sound cannot be darker than its fundamental alone'),
}
LOUDNESS_GATE_DB = -60.0  # Frames this quiet (ddsp loudness) weigh 1/2.
LOUDNESS_GATE_WIDTH_DB = 3.0
# f0 steadiness (`f0_steadiness`): a frame of the analysis window counts as
# on the frame's pitch within this many cents (a 30-cent vibrato stays on
# it, a semitone step does not).
STEADY_CENTS = 75.0
# Frame rate and FFT of `measure` when evaluating (the data's framing).
FRAME_RATE = 250
N_FFT = 2048


def _log2(x, floor):
  return tf.math.log(tf.maximum(tf.cast(x, tf.float32), floor)) / np.log(2.0)


def _log10(x, floor):
  return tf.math.log(tf.maximum(tf.cast(x, tf.float32), floor)) / np.log(10.0)


def knob_descriptor(knob):
  """Descriptor name a knob stands for ('brightness' ->
  'harmonic_spectral_centroid'). A descriptor name is also accepted as a
  knob name (itself).

  Raises:
    ValueError: Neither a knob nor a descriptor name.
  """
  if knob in KNOB_DESCRIPTORS:
    return KNOB_DESCRIPTORS[knob]
  if knob in descriptors.DESCRIPTOR_NAMES:
    return knob
  raise ValueError(
      f'Unknown knob {knob!r}: use one of {", ".join(KNOB_DESCRIPTORS)} or a '
      f'descriptor name ({", ".join(descriptors.DESCRIPTOR_NAMES)}).')


def unit(descriptor):
  """Unit of a descriptor's scaled value ('octaves re f0', 'dB', ...)."""
  return TRANSFORMS[descriptor][1]


def scale_descriptor(name, values):
  """Descriptor values (its own units) -> its even scale (TRANSFORMS)."""
  return TRANSFORMS[name][0](tf.convert_to_tensor(values, tf.float32))


def standardize(scaled, mean, std):
  """Scaled descriptors [..., k] -> knob values (std units)."""
  return (scaled - mean) / std


def unstandardize(knob_values, mean, std):
  """Knob values [..., k] (std units) -> scaled descriptors."""
  return knob_values * std + mean


def window_frames(sample_rate=16000, frame_rate=FRAME_RATE, n_fft=N_FFT):
  """Frames one analysis window of the chain spans (an int >= 1)."""
  return max(1, int(round(descriptors.window_frames(sample_rate, frame_rate,
                                                    n_fft))))


def f0_steadiness(f0_hz, n_window=None):
  """1 where a frame's whole analysis window is on the frame's pitch, else 0.

  Frame t weighs 1 when f0 over the n_window frames centred on t stays
  within STEADY_CENTS of f0[t], else 0. The harmonic descriptors read
  every partial at the frame's f0, so a window that reaches into another
  note counts that note's partials as noise: measured on a legato E4 -> A4
  with partials 1/k, frames with as little as 0.6% of the window's energy
  (Hann^2) on the other note read its brightness 0.8 octaves low, and the
  pooled value of the two notes came out 0.10 octaves low where it is now
  within 0.02. A steady or vibrato note weighs 1; each legato step of more
  than STEADY_CENTS drops one window's worth of frames (32 at 16 kHz, 128
  ms). The ends are padded with the edge frames' f0.

  Args:
    f0_hz: [batch, n_frames] or [n_frames] Hz (values below 1 Hz are
      floored at 1 Hz).
    n_window: Frames per analysis window (`window_frames`); default the
      chain's 16 kHz framing, 32.

  Returns:
    float32 weights, 0 or 1, f0_hz's shape.

  Example:
    >>> f0 = np.r_[np.full(100, 330.0), np.full(100, 392.0)]  # E4 -> G4
    >>> w = f0_steadiness(f0).numpy()
    >>> float(w[50]), float(w[90]), float(w[110]), float(w[150])
    (1.0, 0.0, 0.0, 1.0)
  """
  f0 = tf.convert_to_tensor(f0_hz, tf.float32)
  is_1d = f0.shape.rank == 1
  if is_1d:
    f0 = f0[tf.newaxis]
  n_window = int(n_window or window_frames())
  cents = 1200.0 * tf.math.log(tf.maximum(f0, 1.0)) / np.log(2.0)
  before, after = n_window // 2, n_window - 1 - n_window // 2
  padded = tf.concat([tf.repeat(cents[:, :1], before, axis=1), cents,
                      tf.repeat(cents[:, -1:], after, axis=1)], axis=1)
  windows = tf.signal.frame(padded, n_window, 1, axis=1)  # [b, n, w]
  apart = tf.reduce_max(tf.abs(windows - cents[..., tf.newaxis]), axis=-1)
  w = tf.cast(apart <= STEADY_CENTS, tf.float32)
  return w[0] if is_1d else w


def frame_weights(loudness_db, f0_confidence=None, needs_f0=False,
                  f0_hz=None, n_window=None):
  """How much each frame counts for a descriptor, in [0, 1].

  Args:
    loudness_db: ddsp loudness, [..., n_frames], dB.
    f0_confidence: CREPE confidence [..., n_frames] or None.
    needs_f0: The descriptor is defined by f0 (unvoiced frames weigh 0,
      and frames whose window spans two notes less: `f0_steadiness`).
    f0_hz: [..., n_frames] Hz or None (steadiness not weighed).
    n_window: Frames per analysis window (`window_frames`).
  """
  loudness_db = tf.convert_to_tensor(loudness_db, tf.float32)
  w = tf.sigmoid((loudness_db - LOUDNESS_GATE_DB) / LOUDNESS_GATE_WIDTH_DB)
  if needs_f0 and f0_confidence is not None:
    w *= tf.clip_by_value(tf.convert_to_tensor(f0_confidence, tf.float32),
                          0.0, 1.0)
  if needs_f0 and f0_hz is not None:
    w *= f0_steadiness(f0_hz, n_window)
  return w


def descriptor_weights(descriptor_names, loudness_db, f0_confidence=None,
                       f0_hz=None, n_window=None):
  """Frame weights [..., n_frames, k] for several descriptors."""
  steady = None
  if f0_hz is not None and any(d in descriptors.F0_DESCRIPTORS
                               for d in descriptor_names):
    steady = f0_steadiness(f0_hz, n_window)  # Once for all of them.
  columns = []
  for d in descriptor_names:
    w = frame_weights(loudness_db, f0_confidence,
                      d in descriptors.F0_DESCRIPTORS)
    if steady is not None and d in descriptors.F0_DESCRIPTORS:
      w *= steady
    columns.append(w)
  return tf.stack(columns, axis=-1)


def inside_clip(n_frames, n_window=None):
  """1 where a frame's analysis window lies inside the clip, else 0.

  A centred frame within half a window of either end of a clip reads the
  zeros padded past it: the sound seems to start or stop abruptly there,
  which spreads every partial over the spectrum. On a 1 s clip of the
  model's output (a steady 220 Hz tone, noisiness asked at -1.2 std) the
  first frames read +2.3 std of noisiness, and the pooled value came out
  -0.93 std where the frames inside the clip read -1.17. The first and
  last n_window // 2 frames weigh 0; a clip of at most one window's frames
  keeps them all (none would be left).

  Args:
    n_frames: Frames of the clip's centred STFT.
    n_window: Frames one analysis window spans (`window_frames`); default
      the chain's 16 kHz framing, 32.

  Returns:
    float32 np [n_frames], 0 or 1.

  Example:
    >>> w = inside_clip(251)
    >>> int(w.sum()), float(w[15]), float(w[16]), float(w[234])
    (219, 0.0, 1.0, 1.0)
  """
  half = (n_window or window_frames()) // 2
  w = np.ones(int(n_frames), np.float32)
  if n_frames > 2 * half:
    w[:half] = 0.0
    w[n_frames - half:] = 0.0
  return w


def pool_frames(values, weights, n_out):
  """Weighted means of frames over n_out equal segments.

  Args:
    values: float [batch, n_frames, k].
    weights: float [batch, n_frames, k], >= 0.
    n_out: Segments (1: one value per example). Frames are first resampled
      to a multiple of n_out if they do not divide.

  Returns:
    (means [batch, n_out, k], total weight per segment [batch, n_out, k]).
  """
  n = int(values.shape[1])
  if n % n_out:
    m = n_out * max(1, n // n_out)
    values = ddsp.core.resample(values, m)
    weights = ddsp.core.resample(weights, m)
    n = m
  shape = [-1, n_out, n // n_out, int(values.shape[-1])]
  v = tf.reshape(values, shape)
  w = tf.reshape(weights, shape)
  total = tf.reduce_sum(w, axis=2)
  mean = tf.reduce_sum(v * w, axis=2) / (total + 1e-6)
  return mean, total


def measure(audio, f0_hz, loudness_db, descriptor_names, mean, std,
            sample_rate=16000, frame_rate=FRAME_RATE, n_fft=N_FFT,
            f0_confidence=None, n_segments=1):
  """Knob values measured on audio: the one measurement of the chain.

  Computes the descriptors (differentiably), scales and standardizes them,
  and pools them over `n_segments` equal segments with `frame_weights`,
  leaving out the frames whose analysis window reaches past the clip's
  ends (`inside_clip`).

  Args:
    audio: float [batch, n_samples] at sample_rate.
    f0_hz: [batch, n] f0 in Hz, ddsp's n_samples / hop frames or any
      count (`descriptors.align_frames`).
    loudness_db: [batch, n] ddsp loudness of the frames (aligned as f0), dB.
    descriptor_names: The knobs' descriptors, k of them.
    mean, std: [k] statistics of the scaled descriptors (the knob units).
    sample_rate: Audio rate, Hz.
    frame_rate: Analysis frames per second.
    n_fft: Analysis FFT size.
    f0_confidence: [batch, n] or None (all frames voiced).
    n_segments: Pooled values per example (1: one per example).

  Returns:
    (values [batch, n_segments, k] in std units, total frame weight
    [batch, n_segments, k]).
  """
  audio = tf.convert_to_tensor(audio, tf.float32)
  n_frames = descriptors.n_frames(int(audio.shape[-1]), sample_rate,
                                  frame_rate)
  resample = lambda x: descriptors.align_frames(x, n_frames)
  f0 = resample(f0_hz)
  values = descriptors.compute_descriptors(
      audio, f0, sample_rate=sample_rate, frame_rate=frame_rate, n_fft=n_fft,
      names=descriptor_names)
  scaled = tf.stack([scale_descriptor(d, values[d])
                     for d in descriptor_names], axis=-1)
  conf = None if f0_confidence is None else resample(f0_confidence)
  n_window = window_frames(sample_rate, frame_rate, n_fft)
  weights = descriptor_weights(
      descriptor_names, resample(loudness_db), conf, f0_hz=f0,
      n_window=n_window)
  weights *= inside_clip(n_frames, n_window)[:, np.newaxis]
  return pool_frames(standardize(scaled, mean, std), weights, n_segments)


def load_statistics(path):
  """{descriptor: (mean, std)} of scaled descriptors from a JSON file."""
  with tf.io.gfile.GFile(path) as f:
    stats = json.load(f)
  return {k: (float(v['mean']), float(v['std'])) for k, v in stats.items()}


def knob_statistics(data_provider, descriptor_names, max_batches=200,
                    batch_size=16):
  """Mean and std of scaled descriptors over a dataset's weighted frames.

  Args:
    data_provider: A ddsp DataProvider whose examples hold the descriptors,
      loudness_db and f0_confidence.
    descriptor_names: Descriptors to measure.
    max_batches: Read at most this many batches.
    batch_size: Examples per batch.

  Returns:
    {descriptor: {'mean': float, 'std': float, 'unit': str, 'frames': float}}
    (frames: total frame weight used).

  Raises:
    ValueError: No loud frames for a descriptor.
  """
  sums = {d: np.zeros(3) for d in descriptor_names}
  # The datasets' descriptors are measured on their 16 kHz audio
  # (interpret_ddsp.analysis.features), with the chain's framing.
  n_window = window_frames()
  dataset = data_provider.get_batch(batch_size, shuffle=False, repeats=1,
                                    drop_remainder=False)
  for batch in dataset.take(max_batches):
    weights = descriptor_weights(descriptor_names, batch['loudness_db'],
                                 batch.get('f0_confidence'),
                                 f0_hz=batch['f0_hz'],
                                 n_window=n_window).numpy()
    for i, d in enumerate(descriptor_names):
      w = weights[..., i]
      v = scale_descriptor(d, batch[d]).numpy()
      sums[d] += [w.sum(), (w * v).sum(), (w * v * v).sum()]
  stats = {}
  for d, (n, s, ss) in sums.items():
    if n <= 0:
      raise ValueError(f'No loud frames to measure {d} on.')
    mean = s / n
    stats[d] = {'mean': float(mean),
                'std': float(np.sqrt(max(ss / n - mean ** 2, 1e-12))),
                'unit': unit(d), 'frames': float(n)}
  return stats


def reach(descriptor, mean, std):
  """(lowest, highest) knob value (std units) any sound can reach, None
  where unbounded: SCALED_BOUNDS in the knob's units.

  >>> reach('harmonic_spectral_centroid', 1.2, 0.75)  # Harmonic 1 alone.
  (-1.6, None)
  >>> reach('odd_even_ratio', -3.0, 12.0)
  (None, None)
  """
  low, high, _ = SCALED_BOUNDS.get(descriptor, (None, None, ''))
  to_std = lambda b: None if b is None else round((b - mean) / std, 6)
  return to_std(low), to_std(high)


def sounding_partials(f0_hz, n_harmonics, sample_rate):
  """Which partials the synthesis plays: bool [..., n_harmonics].

  A partial sounds if the next one would still be below Nyquist: the
  measurement (descriptors.harmonic_powers) reads a partial's band up to
  half a spacing above it, so one closer to Nyquist would count as noise,
  and a vibrato would move it in and out of sight. The knob processors
  (training.knob_processors.TimbreKnobs) shape only these.

  Args:
    f0_hz: [..., 1] Hz (a tensor or an array).
    n_harmonics: Partials of the synth.
    sample_rate: Hz.

  Example:
    >>> int(np.sum(sounding_partials(np.array([1396.9]), 60, 16000)))  # F6
    4
  """
  return f0_hz * np.arange(2, n_harmonics + 2, dtype=np.float32) <= (
      sample_rate / 2.0)


def partials_below_nyquist(f0_hz, sample_rate):
  """How many partials sound at f0_hz (`sounding_partials`, uncapped; at
  least the fundamental)."""
  enough = int(sample_rate / (2.0 * f0_hz)) + 1  # More than can sound.
  count = int(np.sum(sounding_partials(np.array([f0_hz], np.float32),
                                       enough, sample_rate)))
  return max(count, 1)


# Descriptors bounded above by the partials a note has: the scaled bound
# from that count (the energy centroid cannot pass the highest partial).
PARTIAL_BOUNDS = {'harmonic_spectral_centroid': np.log2}


def reach_notes(fixed, knob_units, highest_f0_hz=None, sample_rate=None):
  """One sentence per fixed knob value past what the sound can reach.

  Args:
    fixed: {knob: value in std units}.
    knob_units: {knob: (descriptor, unit, mean, std)} (a model's
      knob_units()).
    highest_f0_hz: The highest pitch played, Hz, or None. With
      sample_rate, a knob bounded by the partials a note has (brightness)
      gets a note when the value lies above what that pitch can reach:
      at 16 kHz an F6 (1397 Hz) has 4 partials below Nyquist.
    sample_rate: The model's, Hz.

  Returns:
    [str]: e.g. 'brightness=-3 lies below what any sound reaches (-1.62
    std: a sound cannot be darker than its fundamental alone); it is
    played as far as it goes.'
  """
  notes = []
  for knob, value in fixed.items():
    if knob not in knob_units:
      continue
    descriptor, _, mean, std = knob_units[knob]
    low, high = reach(descriptor, mean, std)
    why = SCALED_BOUNDS.get(descriptor, (None, None, ''))[2]
    if low is not None and value < low:
      notes.append(f'{knob}={value:g} lies below what any sound reaches '
                   f'({low:.2f} std: {why}); it is played as far as it '
                   'goes.')
    elif high is not None and value > high:
      notes.append(f'{knob}={value:g} lies above what any sound reaches '
                   f'({high:.2f} std: {why}); it is played as far as it '
                   'goes.')
    elif (descriptor in PARTIAL_BOUNDS and highest_f0_hz and sample_rate):
      k = partials_below_nyquist(highest_f0_hz, sample_rate)
      top = (PARTIAL_BOUNDS[descriptor](k) - mean) / std
      if value > top:
        notes.append(
            f'{knob}={value:g} lies above what the highest note '
            f'({highest_f0_hz:.0f} Hz) can reach at {sample_rate / 1000:g} '
            f'kHz ({top:.2f} std: {k} partial{"s" * (k > 1)} below '
            'Nyquist); that note is played as far as it goes.')
  return notes


def resolve_settings(model_knobs, mood_knobs=None, settings=None):
  """Fixed knob values from a mood's knobs and explicit overrides.

  A mood names knobs a model may lack (they are dropped); an explicit
  setting must name one of the model's knobs.

  Args:
    model_knobs: The model's knob names.
    mood_knobs: {knob: value} of a mood, or None.
    settings: {knob: value} given explicitly (e.g. --set), or None.

  Returns:
    {knob: float}.

  Raises:
    KeyError: An explicit setting names a knob the model lacks.
  """
  fixed = {k: float(v) for k, v in (mood_knobs or {}).items()
           if k in model_knobs}
  for name, value in (settings or {}).items():
    if name not in model_knobs:
      raise KeyError(f'Unknown knob {name!r}; this model has '
                     f'{", ".join(model_knobs)}.')
    fixed[name] = float(value)
  return fixed

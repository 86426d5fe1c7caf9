# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Knob processors: set a knob's descriptor on the synthesis parameters.

`TimbreKnobs` is a ddsp `Processor` that sits in the processor group between
the decoder and the synthesizers. It takes the decoder's raw harmonic
amplitude, harmonic distribution and noise magnitudes and the knobs' target
descriptors per frame, and returns synthesizer controls whose output has
those descriptors, exactly and differentiably:

- brightness (`harmonic_spectral_centroid`, energy-weighted, in harmonic
  numbers): a spectral tilt c_k -> c_k k^(a/2), with a solved (bisection,
  then one differentiable Newton step) so that
  sum_k k c_k^2 / sum_k c_k^2 equals the target;
- hollowness (`odd_even_ratio`, dB over harmonics 2..K): a gain g on the odd
  harmonics 3, 5, ..., closed form g^2 = 10^(r / 10) E_even / E_odd for
  each tilt tried, so that both targets hold together (`shape_harmonics`);
- noisiness (`noise_ratio`, dB): the noise magnitudes scaled so that the
  filtered noise's power over the harmonic power A^2 sum_k c_k^2 / 2 equals
  10^(r / 10), with the noise filter's power gain computed from the same
  impulse response ddsp's FilteredNoise builds.

Every rule is frame by frame (no lookahead), so StreamingSynth runs the
processor block by block exactly as offline synthesis does. The one piece
of state: the measured-noise share (`noise_as_measured`) is read on every
`noise_share_hop`-th frame of a stream and held until the next read, so a
stream carries where it is on that grid and the share it holds
(`stream_controls`); blocks of any length then match offline. What
the rules leave to the measurement: a level that moves within the 128 ms
analysis window spreads each partial's energy a few bins from it, which
reads as noise, as it does on the data (a vibrato does not: the partial
descriptors read pitch-synchronous frames).

The level: given the frames' loudness (the model's `loudness_db` input,
ddsp's A-weighted loudness in dB), the harmonic amplitude is solved so that
the output's ddsp loudness equals it (`loudness_amplitude`; closed form from
each partial's A-weighting and the noise filter's A-weighted gain), and the
decoder's amplitude goes unused: a spectral loss on linear magnitudes can
favour a too-quiet output while the shape is not yet right (L1 shrinks
towards 0), and the model of 32774f8 came out 4-10 dB quieter than its input
(16 eval examples). Without the loudness input, the decoder's amplitude A
sets the harmonic power, A^2 / 2, whatever the shape (it is divided by
sqrt(sum_k c_k^2)), so turning brightness or hollowness does not change the
level. Knobs it has no rule for (e.g. sharpness) pass through: the decoder
alone decides them. The decoder still learns what the knobs leave free (the
rest of the spectrum's shape, the noise's colour); training reconstructs
because the targets come from the input's descriptors (the encoder's knob
dims).

Example gin (gin/models/timbre_ae.gin):

  ProcessorGroup.dag = [
    (@TimbreKnobs(), ['amps', 'harmonic_distribution', 'noise_magnitudes',
                      'f0_hz', 'knob_descriptors', 'loudness_db']),
    (@synths.Harmonic(), ['timbre_knobs/controls/amplitudes',
                          'timbre_knobs/controls/harmonic_distribution',
                          'f0_hz']),
    (@synths.FilteredNoise(), ['timbre_knobs/controls/noise_magnitudes']),
    (@processors.Add(), ['filtered_noise/signal', 'harmonic/signal']),
  ]
  Harmonic.scale_fn = None
  FilteredNoise.scale_fn = None
"""

import ddsp
from ddsp import processors
import gin
import numpy as np
import tensorflow as tf

from interpret_ddsp.analysis import descriptors
from interpret_ddsp.analysis import knobs

NOISE_VARIANCE = 1.0 / 3.0  # ddsp's FilteredNoise excitation: U(-1, 1).
# ddsp's loudness (features.compute_loudness): A-weighted power, averaged
# over the bins of a 512-point periodic-Hann STFT of the 16 kHz audio, in
# dB. A component of power P at frequency f reads P * A(f) * sum(w^2), and
# sum(w^2) = 3 N / 8 for the periodic Hann window.
LOUDNESS_SAMPLE_RATE = 16000
LOUDNESS_N_FFT = 512
LOUDNESS_WINDOW_POWER = 3.0 * LOUDNESS_N_FFT / 8.0
_TINY = 1e-12


def _masked_log(x, mask):
  return tf.where(mask, tf.math.log(tf.maximum(x, _TINY)),
                  tf.fill(tf.shape(x), -1e9))


def _harmonic_groups(n):
  """k = 1..n (float64), and which are odd (3, 5, ...) and even: the
  groups the odd gain splits (harmonic 1 is in neither)."""
  k = np.arange(1, n + 1, dtype=np.float64)
  return k, (k % 2 == 1) & (k >= 3), k % 2 == 0


def _harmonic_masks(n):
  """log k, and the odd (3, 5, ...) and even harmonics of k = 1..n."""
  k, odd, even = _harmonic_groups(n)
  return (tf.constant(np.log(k), tf.float32), tf.constant(odd),
          tf.constant(even))


def _shaped_weights(log_power, alpha, log_ratio, max_log_gain):
  """Energy shares softmax(log_power + alpha log k + odd * log G), with the
  odd gain G solved in closed form for an odd/even energy ratio (none when
  log_ratio is None); returns (shares [..., n], centroid [...])."""
  n = int(log_power.shape[-1])
  log_k, odd, even = _harmonic_masks(n)
  tilted = log_power + alpha[..., tf.newaxis] * log_k
  if log_ratio is not None:
    def logsum(mask):
      return tf.reduce_logsumexp(
          tf.where(mask, tilted, tf.fill(tf.shape(tilted), -1e9)), -1)
    log_gain = tf.clip_by_value(log_ratio + logsum(even) - logsum(odd),
                                -max_log_gain, max_log_gain)
    tilted += log_gain[..., tf.newaxis] * tf.cast(odd, tilted.dtype)
  w = tf.nn.softmax(tilted, axis=-1)
  return w, tf.reduce_sum(w * tf.exp(log_k), axis=-1)


def _tilt_centroid(parts, alpha, ratio, max_gain):
  """The centroid `_shaped_weights` gives, for the bisection's inner loop.

  The same energy shares in linear float64 terms: powers c_k^2 k^alpha,
  summed per group (harmonic 1, odd k >= 3, even k; plain and weighted by
  k) in one matrix product. Float64 holds 40^30 and 40^-30 times the 80 dB
  floor, so no log-sum-exp (with its max and masks) is needed. On a
  training batch (8 x 250 frames x 40 harmonics; 2-core Xeon, ad hoc) an
  iteration takes 0.4 ms against 0.9 ms through `_shaped_weights`.

  Args:
    parts: `_split_harmonics` of the log power.
    alpha: [...] tilt, float32.
    ratio: [...] odd/even energy ratio (linear, float64), or None.
    max_gain: Bound on the odd energy gain (linear).

  Returns:
    [...] centroid, harmonic numbers, float64.
  """
  power, log_k, sums = parts
  tilted = power * tf.exp(tf.cast(alpha, tf.float64)[..., tf.newaxis] * log_k)
  s1, so, se, mo, me = tf.unstack(tf.matmul(tilted, sums), axis=-1)
  if ratio is not None:
    gain = tf.clip_by_value(ratio * se / tf.maximum(so, 1e-300),
                            1.0 / max_gain, max_gain)
    so, mo = so * gain, mo * gain
  return (s1 + mo + me) / tf.maximum(s1 + so + se, 1e-300)


def _split_harmonics(log_power):
  """(power relative to the row's strongest, log k, [n, 5] group sums) for
  `_tilt_centroid`; log_power [..., n_harmonics], -1e9 where not valid."""
  k, odd, even = _harmonic_groups(int(log_power.shape[-1]))
  sums = np.stack([k == 1, odd, even, odd * k, even * k], -1)
  log_power = tf.cast(log_power, tf.float64)
  power = tf.exp(log_power - tf.reduce_max(log_power, -1, keepdims=True))
  return power, tf.constant(np.log(k)), tf.constant(sums.astype(np.float64))


def shape_harmonics(distribution, valid, centroid=None, ratio_db=None,
                    n_bisect=20, alpha_max=30.0, max_gain_db=60.0):
  """A harmonic distribution with a given energy centroid and odd/even ratio.

  c_k -> c_k k^(alpha / 2) G^(1/2 [k odd, k >= 3]), renormalized: the tilt
  alpha found by bisection, the odd energy gain G in closed form for each
  alpha (G = 10^(ratio / 10) E_even(alpha) / E_odd(alpha)), so both targets
  are met together; then one Newton step on alpha, which makes the result
  differentiable in the distribution and the targets (implicit function).

  Args:
    distribution: [..., n_harmonics] amplitudes c_k >= 0 (k = 1..n).
    valid: bool [..., n_harmonics], the harmonics that sound (below Nyquist).
    centroid: [...] target sum_k k c_k^2 / sum_k c_k^2, harmonic numbers,
      or None to keep the tilt at 0. Reached inside (1, highest valid
      harmonic) as far as the tilt's bound allows; beyond, the nearest
      end (within half a percent for 10 flat harmonics).
    ratio_db: [...] target 10 log10(sum_odd c_k^2 / sum_even c_k^2) over
      k >= 2, or None to leave the odd harmonics as they are.
    n_bisect: Bisection steps on alpha: 20 leave it within 60 / 2^20 =
      6e-5 of the solution, and the Newton step below takes the centroid to
      float32 rounding (2e-5 relative, tests/knob_processors_test.py).
      Under 16 the bracket's end stays further than the Newton step's 1e-3
      guard from the bound of an unreachable target, and the step
      overshoots it.
    alpha_max: Bound of alpha's search.
    max_gain_db: Bound on the odd gain.

  Returns:
    [..., n_harmonics] amplitudes, summing to 1 over the valid harmonics.

  Example:
    >>> c = tf.ones([1, 10]) / 10.0
    >>> out = shape_harmonics(c, tf.ones([1, 10], bool),
    ...                       centroid=tf.constant([3.0]))
    >>> k = np.arange(1, 11)
    >>> e = out.numpy()[0] ** 2
    >>> round(float((k * e).sum() / e.sum()), 4)
    3.0
  """
  # Floored 80 dB below the strongest partial: d log(c^2) / dc = 2 / c
  # would reach 1e7 at ddsp's exp_sigmoid floor (1e-7).
  power = tf.square(distribution)
  power = tf.maximum(power, 1e-8 * tf.reduce_max(power, -1, keepdims=True))
  log_power = _masked_log(power, valid)
  log_ratio = (None if ratio_db is None else
               tf.convert_to_tensor(ratio_db, tf.float32) * (np.log(10.0) / 10))
  max_log_gain = max_gain_db * np.log(10.0) / 10.0
  shape = tf.shape(log_power)[:-1]
  alpha = tf.zeros(shape)
  if centroid is not None:
    lp = tf.stop_gradient(log_power)
    lr = None if log_ratio is None else tf.stop_gradient(log_ratio)
    target = tf.stop_gradient(centroid)
    parts = _split_harmonics(lp)
    ratio = None if lr is None else tf.exp(tf.cast(lr, tf.float64))
    max_gain = np.exp(max_log_gain)
    target64 = tf.cast(target, tf.float64)
    def bisect(i, lo, hi):
      mid = 0.5 * (lo + hi)
      above = _tilt_centroid(parts, mid, ratio, max_gain) > target64
      return i + 1, tf.where(above, lo, mid), tf.where(above, mid, hi)
    # A loop in the graph, not n_bisect copies of its body: tracing the
    # unrolled loop was two thirds of tracing the whole timbre model.
    _, lo, hi = tf.while_loop(
        lambda i, lo, hi: i < n_bisect, bisect,
        (tf.constant(0), tf.fill(shape, -alpha_max), tf.fill(shape, alpha_max)),
        maximum_iterations=n_bisect)
    # No gradient goes back into the loop (its inputs are constants to the
    # tape already); saying so keeps the loop out of the backward pass, so
    # the processors also compile under XLA (a loop in a differentiated
    # graph carries TensorList accumulators XLA cannot pass out).
    alpha = tf.stop_gradient(0.5 * (lo + hi))
    # Slope d centroid / d alpha by a central difference (a constant here).
    h = 1e-2
    slope = tf.cast(
        (_tilt_centroid(parts, alpha + h, ratio, max_gain) -
         _tilt_centroid(parts, alpha - h, ratio, max_gain)) /
        (2 * h), tf.float32)
    _, now = _shaped_weights(log_power, alpha, log_ratio, max_log_gain)
    reachable = (tf.abs(alpha) < alpha_max - 1e-3) & (slope > 1e-6)
    alpha += tf.where(reachable, (centroid - now) / tf.maximum(slope, 1e-6),
                      tf.zeros_like(now))
  w, _ = _shaped_weights(log_power, alpha, log_ratio, max_log_gain)
  amplitude = (tf.sqrt(w + _TINY) - np.sqrt(_TINY)) * tf.cast(valid, w.dtype)
  return amplitude / (tf.reduce_sum(amplitude, -1, keepdims=True) + _TINY)


def a_weighting_power(f_hz, min_db=-80.0):
  """The A-weighting curve (IEC 61672) as a power gain, floored at min_db.

  10^(A(f) / 10) with A(f) in dB as `librosa.A_weighting` gives it (0 dB
  at 1 kHz). Works on numpy arrays and tensors.

  Example:
    >>> round(float(a_weighting_power(np.array(1000.0))), 3)
    1.0
  """
  f2 = f_hz * f_hz
  c0, c1, c2, c3 = (12194.217 ** 2, 20.598997 ** 2, 107.65265 ** 2,
                    737.86223 ** 2)
  # R_A(f)^2 = c0^2 f^8 / ((f^2 + c1)^2 (f^2 + c2) (f^2 + c3) (f^2 + c0)^2).
  r = c0 * f2 * f2 / ((f2 + c1) * (f2 + c0))
  gain = r * r / ((f2 + c2) * (f2 + c3)) * 10.0 ** 0.2
  return tf.maximum(gain, 10.0 ** (min_db / 10.0)) if tf.is_tensor(gain) \
      else np.maximum(gain, 10.0 ** (min_db / 10.0))


def loudness_weights(f_hz):
  """What a component at f_hz adds to ddsp's loudness per unit power: its
  A-weighting, and nothing above 8 kHz (loudness is measured on 16 kHz
  audio). Same shape as f_hz."""
  f_hz = tf.convert_to_tensor(f_hz, tf.float32)
  audible = tf.cast(f_hz < LOUDNESS_SAMPLE_RATE / 2.0, tf.float32)
  return a_weighting_power(tf.maximum(f_hz, 1.0)) * audible


def noise_power_gain(magnitudes, window_size=0):
  """Power gain of ddsp's FilteredNoise filter per frame: sum of the squared
  taps of `ddsp.core.frequency_impulse_response(magnitudes, window_size)`
  (white input of variance v comes out with variance v * gain).

  Args:
    magnitudes: [batch, n_frames, n_bands] linear magnitudes.
    window_size: As FilteredNoise's.

  Returns:
    [batch, n_frames].
  """
  return _power_gain(ddsp.core.frequency_impulse_response(magnitudes,
                                                         window_size))


def _power_gain(ir):
  return tf.reduce_sum(tf.square(ir), axis=-1)


def noise_loudness_gain(magnitudes, sample_rate, window_size=0):
  """As `noise_power_gain`, A-weighted the way ddsp's loudness weighs it:
  (1 / L) sum_j |H_j|^2 loudness_weights(f_j) over the L-point DFT of the
  filter's impulse response (Parseval: without the weights, the power
  gain).

  Args:
    magnitudes: [batch, n_frames, n_bands] linear magnitudes.
    sample_rate: The noise's sample rate, Hz.
    window_size: As FilteredNoise's.

  Returns:
    [batch, n_frames].
  """
  return _loudness_gain(ddsp.core.frequency_impulse_response(magnitudes,
                                                            window_size),
                        sample_rate)


def _loudness_gain(ir, sample_rate):
  size = int(ir.shape[-1])
  spectrum = tf.square(tf.abs(tf.signal.rfft(ir, [size])))
  bins = np.arange(size // 2 + 1)
  # One-sided: every bin but DC (and Nyquist, for even sizes) stands for two.
  twice = np.where((bins == 0) | (2 * bins == size), 1.0, 2.0)
  weights = loudness_weights(bins * sample_rate / size) * twice
  return tf.reduce_sum(spectrum * weights, axis=-1) / size


def noise_share_as_measured(ir, f0_hz, sample_rate,
                             n_harmonics=descriptors.N_HARMONICS):
  """The share of a noise filter's power that the noisiness measurement
  counts as noise, per frame.

  `descriptors.harmonic_powers` gives each partial it reads a band about
  it and counts the power in the band, beyond the noise density read in
  the gaps on both sides, as the partial's own. So noise that a filter
  puts under the partials is not measured as noise. This runs that same
  measurement on the filter's power response |H(f)|^2 (read on the
  measurement's own grid, knobs.N_FFT points): what it would count as
  partials of the noise alone is taken off, and the share is what is left
  over |H|^2's whole sum. 1 for a flat filter, whatever f0; below 1 for one
  peaked at the partials (at f0 1243 Hz a partial spacing spans five of
  ddsp's 33 noise bands, and a decoder can put its noise there); 1 in
  unvoiced frames.

  Args:
    ir: [batch, n_frames, size] the noise filter's impulse response
      (`ddsp.core.frequency_impulse_response`).
    f0_hz: [batch, n_frames, 1] Hz.
    sample_rate: Hz.
    n_harmonics: Partials whose bands are read: 1..n_harmonics, as the
      measurement's (descriptors.N_HARMONICS, 64, whatever partials the
      model synthesizes: noise under partial 41's band is counted as
      harmonic too, and that band lies below Nyquist at 16 kHz for f0
      under 8000 / 41.5 = 193 Hz).

  Returns:
    [batch, n_frames] in (0, 1].

  Example:
    >>> flat = ddsp.core.frequency_impulse_response(tf.ones([1, 1, 33]), 0)
    >>> share = noise_share_as_measured(flat, tf.fill([1, 1, 1], 1243.0),
    ...                                 16000)
    >>> round(float(share[0, 0]), 2)
    1.0
  """
  response = tf.abs(tf.signal.rfft(ir, [knobs.N_FFT]))
  f0 = tf.convert_to_tensor(f0_hz, tf.float32)[..., 0]
  energies, _ = descriptors.harmonic_powers(
      response, f0, sample_rate, np.arange(1, n_harmonics + 1))
  total = tf.reduce_sum(tf.square(tf.cast(response, tf.float64)), -1)
  counted = tf.nn.relu(tf.reduce_sum(tf.cast(energies, tf.float64), -1))
  share = tf.cast(tf.nn.relu(total - counted) / (total + _TINY), tf.float32)
  return tf.clip_by_value(share, 1e-6, 1.0)


@gin.register
class TimbreKnobs(processors.Processor):
  """Sets the knobs' descriptors on the synthesizer controls (module doc)."""

  def __init__(self, knob_names=knobs.DEFAULT_KNOBS, sample_rate=16000,
               frame_rate=250, scale_fn=ddsp.core.exp_sigmoid,
               noise_window_size=0,
               noise_initial_bias=-5.0, noise_as_measured=False,
               noise_share_hop=4, name='timbre_knobs'):
    """Constructor.

    Args:
      knob_names: The model's knobs in z order (as its encoder's).
      sample_rate: Audio rate, Hz (harmonics above Nyquist are silent).
      frame_rate: Frames per second of the controls (every rule is frame
        by frame, so none reads it; saved configs bind it).
      scale_fn: Applied to the raw decoder outputs first (ddsp's synths'
        default); the synthesizers then run with scale_fn=None.
      noise_window_size: The FilteredNoise's window_size.
      noise_initial_bias: Added to the raw noise magnitudes before
        scale_fn, as FilteredNoise's initial_bias.
      noise_as_measured: Set the noise so that the power the measurement
        counts as noise (`noise_share_as_measured`: not what lies under
        the partials) has the requested ratio to the harmonics; False sets
        the noise's whole power (the shipped model's rule). On a clarinet
        D#6 the shipped model puts 88% of its noise under the partials, so
        a request of 0 std measures -1.6 (benchmarks/README.md, "Denser
        notes"). A model trained with one rule plays differently with the
        other.
      noise_share_hop: With noise_as_measured, the share is read on every
        noise_share_hop-th frame (16 ms at 250 Hz and 4) and held until
        the next, and no gradient flows through it: the requested ratio
        is still set in the forward pass, where the knob's promise is
        measured. Reading every frame with the gradient costs 117 ms per
        step of batch 8 x 250 frames on a 2-core Xeon, about as much as
        the rest of the step (benchmarks/README.md, "The noise rule").
      name: Name of the processor (prefix of its outputs in the group).
    """
    super().__init__(name=name)
    self.knob_names = tuple(knob_names)
    self.descriptor_names = tuple(knobs.knob_descriptor(k)
                                  for k in self.knob_names)
    self.sample_rate = sample_rate
    self.frame_rate = frame_rate
    self.scale_fn = scale_fn
    self.noise_window_size = noise_window_size
    self.noise_initial_bias = noise_initial_bias
    self.noise_as_measured = noise_as_measured
    self.noise_share_hop = int(noise_share_hop)
    if self.noise_share_hop < 1:
      raise ValueError(f'noise_share_hop must be at least 1, not '
                       f'{noise_share_hop}.')

  def _target(self, knob_descriptors, name):
    """The descriptor's own units [batch, n_frames] from scaled values, or
    None when this model has no such knob."""
    if name not in self.descriptor_names:
      return None
    i = self.descriptor_names.index(name)
    return knobs.INVERSE_TRANSFORMS[name](knob_descriptors[..., i])

  def get_controls(self, amplitudes, harmonic_distribution, noise_magnitudes,
                   f0_hz, knob_descriptors, loudness_db=None):
    """Synthesizer controls with the knobs' descriptors set.

    The frames given are a whole stream (the held noise share's grid starts
    at the first); `stream_controls` continues a stream block by block.

    Args:
      amplitudes: [batch, n_frames, 1] raw decoder output (unused when
        loudness_db is given).
      harmonic_distribution: [batch, n_frames, n_harmonics] raw.
      noise_magnitudes: [batch, n_frames, n_bands] raw.
      f0_hz: [batch, n_frames, 1] Hz.
      knob_descriptors: [batch, n_frames, n_knobs] the knobs' targets as
        scaled descriptors (knobs.unstandardize of the knob values).
      loudness_db: [batch, n_frames(, 1)] ddsp loudness, dB, or None. When
        given, it sets the level (`loudness_amplitude`): the output's
        loudness is the input's, and the decoder's amplitude goes unused.

    Returns:
      {'amplitudes' [batch, n_frames, 1], 'harmonic_distribution' (sums to
      1 below Nyquist), 'noise_magnitudes'}: for Harmonic and FilteredNoise
      with scale_fn=None.
    """
    return self._controls(amplitudes, harmonic_distribution,
                          noise_magnitudes, f0_hz, knob_descriptors,
                          loudness_db)[0]

  def stream_controls(self, amplitudes, harmonic_distribution,
                      noise_magnitudes, f0_hz, knob_descriptors,
                      loudness_db=None, *, share_offset, share_previous):
    """get_controls for one block of a stream, carrying the held noise
    share's grid across blocks.

    Args:
      amplitudes ... loudness_db: As get_controls, for this block's frames.
      share_offset: [batch] int32, each voice's frames since its stream
        began, modulo noise_share_hop (0 at a stream's start).
      share_previous: [batch] the share held at each voice's last frame
        (read only when the block starts between two reads).

    Returns:
      (controls, share_offset, share_previous): get_controls' dict and the
      state for the next block.
    """
    n_frames = tf.shape(f0_hz)[1]
    controls, held = self._controls(
        amplitudes, harmonic_distribution, noise_magnitudes, f0_hz,
        knob_descriptors, loudness_db, (share_offset, share_previous))
    last = share_previous if held is None else held[:, -1]
    offset = (share_offset + n_frames) % self.noise_share_hop
    return controls, offset, last

  def _controls(self, amplitudes, harmonic_distribution, noise_magnitudes,
                f0_hz, knob_descriptors, loudness_db=None, hold=None):
    """(get_controls' dict, the held share [batch, n_frames] or None);
    hold: None (a whole stream) or (share_offset, share_previous) as
    stream_controls'."""
    held = None
    if self.scale_fn is not None:
      amplitudes = self.scale_fn(amplitudes)
      harmonic_distribution = self.scale_fn(harmonic_distribution)
      noise_magnitudes = self.scale_fn(noise_magnitudes +
                                       self.noise_initial_bias)
    n = int(harmonic_distribution.shape[-1])
    valid = knobs.sounding_partials(f0_hz, n, self.sample_rate)
    c = harmonic_distribution * tf.cast(valid, harmonic_distribution.dtype)
    c /= tf.reduce_sum(c, -1, keepdims=True) + _TINY
    centroid = self._target(knob_descriptors, 'harmonic_spectral_centroid')
    ratio = self._target(knob_descriptors, 'odd_even_ratio')
    if centroid is not None or ratio is not None:
      c = shape_harmonics(c, valid, centroid, ratio)
    noise_db = self._target(knob_descriptors, 'noise_ratio')
    if noise_db is not None or loudness_db is not None:
      # The noise filter's impulse response, once for both rules.
      ir = ddsp.core.frequency_impulse_response(noise_magnitudes,
                                                self.noise_window_size)
      noise_power = NOISE_VARIANCE * _power_gain(ir)
      if noise_db is not None and self.noise_as_measured:
        # The whole power that makes the measured part the requested one.
        held = self._held_share(ir, f0_hz, *(hold or ()))
        noise_db = noise_db - 10.0 * tf.math.log(held) / np.log(10.0)
    if loudness_db is not None:
      amplitudes = self.loudness_amplitude(
          c, f0_hz, noise_power,
          NOISE_VARIANCE * _loudness_gain(ir, self.sample_rate), loudness_db,
          noise_db)
    elif centroid is not None or ratio is not None:
      # The amplitude sets the harmonic power, A^2 / 2, whatever the shape:
      # a distribution summing to 1 carries sum c_k^2 of it, so reshaping
      # alone would change the level (and a spread one would need more than
      # exp_sigmoid's largest amplitude, 2).
      amplitudes = amplitudes / tf.sqrt(
          tf.reduce_sum(tf.square(c), -1, keepdims=True) + _TINY)
    if noise_db is not None:
      harmonic_power = 0.5 * tf.reduce_sum(
          tf.square(amplitudes) * tf.square(c), -1)
      wanted = tf.pow(10.0, noise_db / 10.0) * harmonic_power
      # Floored: at wanted = 0 (a silent frame) the square root's gradient
      # would be infinite.
      scale = tf.sqrt(tf.maximum(wanted, _TINY * harmonic_power + _TINY) /
                      (noise_power + _TINY))
      noise_magnitudes = noise_magnitudes * scale[..., tf.newaxis]
    return {'amplitudes': amplitudes, 'harmonic_distribution': c,
            'noise_magnitudes': noise_magnitudes}, held

  def _held_share(self, ir, f0_hz, offset=None, previous=None):
    """noise_share_as_measured on every noise_share_hop-th frame, held
    until the next, without gradient. [batch, n_frames].

    The frames given start `offset` [batch] frames after a read on each
    voice's grid (None: they start a stream, with a read on their first
    frame); frames before the first read here hold `previous` [batch].
    """
    hop = self.noise_share_hop
    n_frames = tf.shape(ir)[1]
    if offset is None:
      offset = tf.zeros([tf.shape(ir)[0]], tf.int32)
      previous = tf.ones([tf.shape(ir)[0]])  # Never read at offset 0.
    offset = tf.cast(offset, tf.int32)
    first = (hop - offset % hop) % hop  # [batch] first frame read.
    n_reads = (n_frames + hop - 1) // hop
    reads = tf.minimum(first[:, tf.newaxis] + hop * tf.range(n_reads),
                       n_frames - 1)  # [batch, n_reads], clipped unused.
    share = tf.stop_gradient(noise_share_as_measured(
        tf.gather(ir, reads, batch_dims=1),
        tf.gather(f0_hz, reads, batch_dims=1), self.sample_rate))
    since = tf.range(n_frames)[tf.newaxis] - first[:, tf.newaxis]
    index = tf.maximum(since, 0) // hop
    return tf.where(since >= 0, tf.gather(share, index, batch_dims=1),
                    tf.cast(previous, share.dtype)[:, tf.newaxis])

  def loudness_amplitude(self, distribution, f0_hz, noise_power,
                         noise_loudness, loudness_db, noise_db=None):
    """The harmonic amplitude A that gives the requested ddsp loudness.

    The output's A-weighted power is A^2 (h_w + rho h nu) with the
    noisiness rule (noise power rho = 10^(NHR / 10) times the harmonic
    power A^2 h), or A^2 h_w + n_w without it, where h = sum_k c_k^2 / 2,
    h_w the same with each partial's loudness weight, nu the noise
    filter's A-weighted over plain power gain and n_w the decoder's noise
    A-weighted power; the requested power is
    10^(loudness_db / 10) / LOUDNESS_WINDOW_POWER.

    Args:
      distribution: [batch, n_frames, n_harmonics] summing to 1.
      f0_hz: [batch, n_frames, 1] Hz.
      noise_power: [batch, n_frames] the decoder's noise power (the
        filter's power gain times the excitation's variance).
      noise_loudness: [batch, n_frames] the same, A-weighted as ddsp's
        loudness weighs it (`noise_loudness_gain`).
      loudness_db: [batch, n_frames(, 1)] dB.
      noise_db: [batch, n_frames] noise-to-harmonic ratio in dB, or None.

    Returns:
      [batch, n_frames, 1] amplitudes for Harmonic (scale_fn=None).
    """
    loudness_db = tf.convert_to_tensor(loudness_db, tf.float32)
    if loudness_db.shape.rank == 3:
      loudness_db = loudness_db[..., 0]
    n = int(distribution.shape[-1])
    weights = loudness_weights(f0_hz * np.arange(1, n + 1, dtype=np.float32))
    power = 0.5 * tf.square(distribution)
    h, h_w = tf.reduce_sum(power, -1), tf.reduce_sum(power * weights, -1)
    target = tf.pow(10.0, loudness_db / 10.0) / LOUDNESS_WINDOW_POWER
    if noise_db is None:
      a2 = tf.maximum(target - noise_loudness, 0.0) / (h_w + _TINY)
    else:
      nu = noise_loudness / (noise_power + _TINY)
      a2 = target / (h_w + tf.pow(10.0, noise_db / 10.0) * h * nu + _TINY)
    # Floored: sqrt's gradient at 0 is infinite.
    return tf.sqrt(tf.maximum(a2, _TINY))[..., tf.newaxis]

  def get_signal(self, amplitudes, harmonic_distribution, noise_magnitudes):
    """A processor's signal: here the controls themselves (the synths that
    follow in the group read them by name)."""
    return harmonic_distribution

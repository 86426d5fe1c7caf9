# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""TimbreAutoencoder: ddsp's Autoencoder with named knobs and timbre losses.

It is a `ddsp.training.models.Autoencoder`, so ddsp's `trainers.Trainer`,
`train_util.train` and gin files drive it unchanged. On top it adds
`timbre_losses` (interpret_ddsp.training.losses), the knob names of its encoder, and
the two halves later stages use:

  encode(features) -> features + {'z', 'z_latent', ...}
  synthesize(f0_hz, loudness_db, z) -> audio [batch, n_samples]

Before the processor group runs, the model adds 'knob_descriptors' to the
features: the knob dims of z as scaled descriptors (knob units undone), at
the decoder's frame rate, which knob processors
(interpret_ddsp.training.knob_processors) read to set each knob's descriptor.
"""

import contextlib
import threading

import ddsp
from ddsp.training import models as ddsp_models
import gin
import numpy as np
import tensorflow as tf

from interpret_ddsp.analysis import knobs
from interpret_ddsp.training import encoders  # pylint: disable=unused-import  # Registers.
from interpret_ddsp.training import knob_processors
from interpret_ddsp.training import knob_targets
from interpret_ddsp.training import losses  # pylint: disable=unused-import  # Registers.
from interpret_ddsp.training import schedules  # pylint: disable=unused-import  # Registers HeldDecayTrainer.
from interpret_ddsp.training import synths  # pylint: disable=unused-import  # Registers FastHarmonic.


def window_starts(n, win):
  """Starts of windows of `win` frames covering `n` (> win) frames with at
  least a quarter window of overlap; the last ends at n.

  >>> window_starts(1000, 250)
  [0, 188, 376, 564, 750]
  """
  hop = win - max(1, win // 4)
  starts = list(range(0, n - win, hop))
  return starts + [n - win]


def window_weights(win, starts):
  """Cross-fade weights [len(starts), win] for windows at `starts`: each
  window ramps linearly over the frames it shares with its neighbour.
  Where only two windows overlap the weights sum to 1; where the last
  window (which ends at the sequence's end) also reaches into the one
  before its neighbour they do not, so `merge_windows` divides by their
  sum.

  >>> print(window_weights(4, [0, 2]).round(3))
  [[1.    1.    0.667 0.333]
   [0.333 0.667 1.    1.   ]]
  """
  weights = np.ones((len(starts), win), np.float32)
  for i in range(len(starts) - 1):
    overlap = starts[i] + win - starts[i + 1]
    ramp = (np.arange(overlap, dtype=np.float32) + 1) / (overlap + 1)
    weights[i, win - overlap:] *= ramp[::-1]
    weights[i + 1, :overlap] *= ramp
  return weights


def stack_windows(features, keys, starts, win):
  """{key: [batch, n, ...]} -> {key: [n_windows * batch, win, ...]}: the
  frames of each window at `starts`, window-major as one batch (what
  `merge_windows` takes back)."""
  return {k: tf.concat([features[k][:, s:s + win] for s in starts], 0)
          for k in keys}


def merge_windows(outputs, starts, win, n):
  """Windows' outputs {key: [n_windows * batch, win, ...]} (window-major,
  as one batch) -> {key: [batch, n, ...]}: each frame the weighted mean of
  the windows over it (`window_weights`, divided by their sum, which is
  not 1 where three windows meet)."""
  weights = window_weights(win, starts)  # [n_windows, win]
  total = np.zeros(n, np.float32)  # The weights' sum on each frame.
  for w, s in zip(weights, starts):
    total[s:s + win] += w
  merged = {}
  for key, value in outputs.items():
    parts = tf.split(value, len(starts), axis=0)
    acc = 0.0
    for part, w, s in zip(parts, weights, starts):
      shape = [1, win] + [1] * (len(part.shape) - 2)
      weighted = part * tf.reshape(tf.constant(w / total[s:s + win]), shape)
      pad = [[0, 0], [s, n - s - win]] + [[0, 0]] * (len(part.shape) - 2)
      acc += tf.pad(weighted, pad)
    merged[key] = tf.ensure_shape(acc, [None, n] + part.shape[2:])
  return merged


def _check_knob_processors(processor_group, knob_names):
  """A TimbreKnobs in the group must know the encoder's knobs; it takes the
  noise synth's filter window and initial bias (it computes the filter's
  power gain, and scales the raw magnitudes in the synth's place)."""
  modules = list(processor_group.modules)
  noise = [m for m in modules if isinstance(m, ddsp.synths.FilteredNoise)]
  for m in modules:
    if not isinstance(m, knob_processors.TimbreKnobs):
      continue
    if tuple(m.knob_names) != knob_names:
      raise ValueError(f'TimbreKnobs has knobs {m.knob_names}, the encoder '
                       f'{knob_names}; set both from one gin macro (KNOBS).')
    if noise:
      if noise[0].scale_fn is not None:
        raise ValueError('With TimbreKnobs in the group, FilteredNoise and '
                         'Harmonic take scale_fn = None (TimbreKnobs '
                         'scales).')
      m.noise_window_size = noise[0].window_size
      m.noise_initial_bias = noise[0].initial_bias


@gin.register
class TimbreAutoencoder(ddsp_models.Autoencoder):
  """Autoencoder whose z starts with named timbre knobs.

  Needs a `TimbrePreprocessor` and a `TimbreEncoder` with the same knob
  names; any ddsp decoder and processor group.
  """

  def __init__(self, preprocessor=None, encoder=None, decoder=None,
               processor_group=None, losses=None, timbre_losses=None,
               window_decoder=True, window_encoder=True, **kwargs):
    """See the class docstring; `window_decoder` / `window_encoder`:
    decode / encode examples longer than the trained length in overlapping
    windows of it (`_decode`, `_encode`)."""
    super().__init__(preprocessor=preprocessor, encoder=encoder,
                     decoder=decoder, processor_group=processor_group,
                     losses=losses, **kwargs)
    self.timbre_losses = list(ddsp.core.make_iterable(timbre_losses or []))
    self.window_decoder = bool(window_decoder)
    self.window_encoder = bool(window_encoder)
    self._window_frames = None  # Set by `length` to the trained frames.
    if encoder is not None and preprocessor is not None:
      enc = tuple(encoder.knob_names)
      pre = tuple(getattr(preprocessor, 'knob_names', ()))
      if enc != pre:
        raise ValueError(f'Encoder knobs {enc} differ from the '
                         f'preprocessor\'s {pre}; set both from one gin '
                         'macro (KNOBS).')
    if processor_group is not None and encoder is not None:
      _check_knob_processors(processor_group, tuple(encoder.knob_names))

  # ddsp's Model collects each call's losses in self._losses_dict. Under a
  # MirroredStrategy every replica runs call() in its own thread, and the
  # threads take turns at each cross-replica op; the AR loss's all-gather is
  # one, in mid-call, so one shared dict would mix (or lose) the replicas'
  # losses and leave a replica with no gradients. One dict per thread.
  @property
  def _losses_dict(self):
    local = self._losses_local()
    if not hasattr(local, 'value'):
      local.value = {}
    return local.value

  @_losses_dict.setter
  def _losses_dict(self, value):
    self._losses_local().value = value

  def _losses_local(self):
    local = self.__dict__.get('_losses_thread_local')
    if local is None:  # Set before our __init__ runs (by ddsp's Model).
      local = threading.local()
      object.__setattr__(self, '_losses_thread_local', local)  # Untracked.
    return local

  # --- Names -------------------------------------------------------------
  @property
  def knob_names(self):
    """Named dims of z, in order."""
    return tuple(self.encoder.knob_names)

  @property
  def z_dims(self):
    return self.encoder.z_dims

  def knob_index(self, name):
    return self.encoder.knob_index(name)

  def knob_units(self):
    """{knob: (descriptor, unit, mean, std)}: a knob value v is the scaled
    descriptor mean + v * std in `unit`."""
    pre = self.preprocessor
    mean, std = pre.knob_mean.numpy(), pre.knob_std.numpy()
    return {k: (d, knobs.TRANSFORMS[d][1], float(m), float(s))
            for k, d, m, s in zip(self.knob_names, pre.descriptor_names,
                                  mean, std)}

  def knob_descriptors(self, z):
    """z [..., z_dims] -> its knob dims as scaled descriptors [..., k]."""
    k = len(self.knob_names)
    return self.preprocessor.unstandardize(
        tf.convert_to_tensor(z, tf.float32)[..., :k])

  def _synthesize_features(self, features, return_outputs_dict=False):
    """Processor group on decoder features (with 'z' at the decoder's
    rate), after adding 'knob_descriptors'."""
    features = dict(features)
    features['knob_descriptors'] = self.knob_descriptors(features['z'])
    return self.processor_group(features,
                                return_outputs_dict=return_outputs_dict)

  # --- Halves --------------------------------------------------------------
  def encode(self, features, training=False):
    """Preprocess then encode; adds z (decoder rate) and z_latent. Any
    example length: features of another length than the trained one are
    encoded at that length (`at_length`)."""
    with self.at_length(features):
      if self.preprocessor is not None:
        features.update(self.preprocessor(features, training=training))
      if self.encoder is not None:
        features.update(self._encode(features, training))
    return features

  def _encode(self, features, training):
    """The encoder's outputs for `features` at any length.

    At the trained length (or with window_encoder False, or a pooled
    encoder, whose one z per example is the point) it is the encoder
    itself. Longer examples go through it in the decoder's windows
    (`window_starts`: the trained length, a quarter overlap), as one
    batch: the MFCCs' instance normalization and the recurrent state then
    see the stretch they saw in training. 'z' (decoder frames) is
    cross-faded as the decoder's outputs are; 'z_latent' (and z_mean,
    z_logvar) too, at decoder frames, then resampled to the example's z
    frames.
    """
    enc = self.encoder
    win = self._window_frames
    n = (int(features['f0_scaled'].shape[1]) if 'f0_scaled' in features
         else None)
    if (not self.window_encoder or win is None or n is None or n <= win or
        getattr(enc, 'pooled', True) or 'audio' not in features):
      return enc(features, training=training)
    starts = window_starts(n, win)
    audio = features['audio']
    n_audio = int(audio.shape[-1])
    n_z = enc.z_time_steps  # The example's z frames (set by `length`).
    keys = [k for k in list(enc.input_keys) + list(enc.default_input_keys)
            if k in features and k != 'audio']
    with self.length(win):
      n_win = self._n_samples()
      offsets = [min(int(round(s * self.hop_size)), n_audio - n_win)
                 for s in starts]
      windows = stack_windows(features, keys, starts, win)
      windows['audio'] = tf.concat([audio[:, a:a + n_win] for a in offsets],
                                   0)
      outputs = enc(windows, training=training)
    at_z_rate = [k for k in outputs if k != 'z']
    framed = {k: enc.expand_z(outputs[k], win) for k in at_z_rate}
    framed['z'] = outputs['z']
    merged = merge_windows(framed, starts, win, n)
    for k in at_z_rate:
      merged[k] = ddsp.core.resample(merged[k], n_z)
    return merged

  def at_length(self, features):
    """`length(n)` for features whose audio ('audio' [batch, n_samples]) is
    not the trained length (n = n_samples / hop_size decoder frames); else
    a no-op context. The audio decides, not f0's frames: at 44.1 kHz the
    decoder runs at 252 frames/s on the data's 250.

    ddsp fixes the length in the preprocessor's time_steps, the encoder's z
    frames and the synths' n_samples. Without this, a 4 s example through
    a model trained on 1 s was resampled into 250 frames and synthesized
    as 1 s (f0 L1 162 cents, loudness L1 13.7 dB on a user's recordings).
    """
    audio = features.get('audio') if hasattr(features, 'get') else None
    shape = tf.TensorShape(getattr(audio, 'shape', None))
    if (audio is None or self.preprocessor is None or shape.rank is None or
        shape[-1] is None):
      return contextlib.nullcontext()
    n_samples = int(shape[-1])
    if n_samples == self._n_samples():
      return contextlib.nullcontext()
    return self.length(max(1, int(round(n_samples / self.hop_size))))

  @property
  def hop_size(self):
    """Audio samples per feature frame (not whole at e.g. 44.1 kHz)."""
    return self._n_samples() / self.preprocessor.time_steps

  def n_samples_for(self, n_frames):
    """Audio samples synthesized for n_frames feature frames."""
    return int(round(n_frames * self.hop_size))

  def _n_samples(self):
    for module in self.processor_group.modules:
      if hasattr(module, 'n_samples'):
        return int(module.n_samples)
    raise ValueError('No synthesizer with n_samples in the processor group.')

  @contextlib.contextmanager
  def length(self, n_frames):
    """Temporarily runs at n_frames frames (n_frames * hop samples) instead
    of the trained example length: the preprocessor's time_steps, the
    synths' n_samples and the encoder's z frames (scaled, so z keeps its
    trained rate and the MFCC hop its trained size). The decoder and synths
    are length-agnostic; ddsp fixes the length in their constructors."""
    n_samples = self.n_samples_for(n_frames)
    saved_steps = self.preprocessor.time_steps
    synths = [m for m in self.processor_group.modules
              if hasattr(m, 'n_samples')]
    saved = [m.n_samples for m in synths]
    enc = self.encoder if hasattr(self.encoder, 'z_time_steps') else None
    saved_z = enc.z_time_steps if enc is not None else None
    self.preprocessor.time_steps = int(n_frames)
    for m in synths:
      m.n_samples = n_samples
    if enc is not None:
      enc.z_time_steps = max(1, int(round(saved_z * n_frames / saved_steps)))
    saved_window = self._window_frames
    if saved_window is None:  # Not nested: the trained length.
      self._window_frames = int(saved_steps)
    try:
      yield
    finally:
      self._window_frames = saved_window
      self.preprocessor.time_steps = saved_steps
      for m, n in zip(synths, saved):
        m.n_samples = n
      if enc is not None:
        enc.z_time_steps = saved_z

  def synthesize(self, f0_hz, loudness_db, z):
    """Audio from pitch, loudness and z, without input audio; any length.

    Args:
      f0_hz: [batch, n_frames] Hz at the model's frame rate (250 Hz).
      loudness_db: [batch, n_frames] dB (ddsp loudness).
      z: [batch, z_dims] (one per example) or [batch, n_z_frames, z_dims]
        (resampled to n_frames).

    Returns:
      audio [batch, n_samples_for(n_frames)] float32.
    """
    f0_hz = tf.convert_to_tensor(f0_hz, tf.float32)
    loudness_db = tf.convert_to_tensor(loudness_db, tf.float32)
    n_frames = int(f0_hz.shape[-1])
    with self.length(n_frames):
      features = dict(self.preprocessor(
          {'f0_hz': f0_hz, 'loudness_db': loudness_db}, training=False))
      z = tf.convert_to_tensor(z, tf.float32)
      features['z'] = self.encoder.expand_z(z, n_frames)
      features.update(self._decode(features, training=False))
      return self._synthesize_features(features)

  def _decode(self, features, training):
    """The decoder's outputs for `features` at any length.

    At the trained length (or with window_decoder False) it is the decoder
    itself. Longer sequences go through it in windows of the trained
    length (decoder frames) that overlap by a quarter, as one batch, and
    the outputs (the synths' controls, before their activations) are
    cross-faded linearly over each overlap: the recurrent state never runs
    longer than in training (through a 1 s-trained model, 4 s examples
    read a few percent worse than the same audio as 1 s examples,
    benchmarks/example_length.py).
    """
    n = int(features['f0_scaled'].shape[1])
    win = self._window_frames
    if not self.window_decoder or win is None or n <= win:
      return self.decoder(features, training=training)
    starts = window_starts(n, win)
    keys = [k for k in self.decoder.input_keys if k in features]
    outputs = self.decoder(stack_windows(features, keys, starts, win),
                           training=training)
    return merge_windows(outputs, starts, win, n)

  def z_from_knobs(self, knobs, free=None, batch_size=1):
    """z [batch, z_dims] from {knob: value} (missing knobs 0) and free dims.

    Args:
      knobs: {name: float or [batch]}, in standardized units.
      free: [batch, free_dims] or None (zeros).
      batch_size: Used when neither a value nor `free` has a batch dimension.
    """
    unknown = sorted(set(knobs) - set(self.knob_names))
    if unknown:
      raise KeyError(f'Unknown knobs {unknown}; this model has '
                     f'{", ".join(self.knob_names)}.')
    if free is not None:  # Its rows set the batch when the knobs are scalars.
      batch_size = max(batch_size, len(free))
    cols = [np.broadcast_to(np.asarray(knobs.get(k, 0.0), np.float32),
                            (batch_size,)) if np.ndim(knobs.get(k, 0.0)) == 0
            else np.asarray(knobs[k], np.float32) for k in self.knob_names]
    batch = max(len(c) for c in cols)
    named = np.stack([np.broadcast_to(c, (batch,)) for c in cols], -1)
    if free is None:
      free = np.zeros((batch, self.encoder.free_dims), np.float32)
    return np.concatenate([named, np.asarray(free, np.float32)], -1)

  # --- Training --------------------------------------------------------------
  def timbre_batch(self, features, outputs):
    """The dict the timbre losses read (see interpret_ddsp.training.losses)."""
    z_latent = features['z_latent']
    n_seg = int(z_latent.shape[1])
    batch = {'knobs': self.encoder.knobs(z_latent),
             'audio_synth': outputs['audio_synth'],
             'f0_hz': features['f0_hz'],
             'loudness_db': features['loudness_db']}
    if 'knob_targets' in features:
      targets, total = knobs.pool_frames(
          features['knob_targets'], features['knob_weights'], n_seg)
      batch.update(knob_targets=targets, target_weights=total)
    if 'f0_confidence' in features:
      batch['f0_confidence'] = self.preprocessor.resample(
          features['f0_confidence'])
    for key in ('z_mean', 'z_logvar'):
      if key in features:
        batch[key] = features[key]
    batch['z_latent'] = z_latent
    batch['decoder_features'] = {
        k: features[k] for k in ('f0_hz', 'loudness_db', 'f0_scaled',
                                 'ld_scaled') if k in features}
    return batch

  def decode_z(self, features, z, training=True):
    """Audio from preprocessed features (f0_scaled, ld_scaled, f0_hz, ...)
    of the training length and z [batch, n_z, z_dims]."""
    features = dict(features)
    features['z'] = self.encoder.expand_z(
        z, int(features['f0_scaled'].shape[1]))
    features.update(self.decoder(features, training=training))
    return self._synthesize_features(features)

  # Plain graph code throughout (no Python control flow on tensors), so
  # autograph need not rewrite it: converting it took 15 of the 24 s that
  # tracing the tiny model's forward pass took on a 2-core CPU.
  @tf.autograph.experimental.do_not_convert
  def call(self, features, training=True):
    """Forward pass; in training also the spectral and timbre losses. Any
    example length (`at_length`)."""
    with self.at_length(features):
      return self._call(features, training)

  def _call(self, features, training):
    features = self.encode(features, training=training)
    features.update(self._decode(features, training=training))
    pg_out = self._synthesize_features(features, return_outputs_dict=True)
    outputs = pg_out['controls']
    outputs['audio_synth'] = pg_out['signal']
    if training:
      self._update_losses_dict(self.loss_objs, features['audio'],
                               outputs['audio_synth'])
      if self.timbre_losses:
        if 'knob_targets' not in features:
          raise ValueError(
              'Timbre losses need the knobs\' descriptors in the batch: '
              'read data with TimbreTFRecordProvider (prepare output).')
        batch = self.timbre_batch(features, outputs)
        for loss in self.timbre_losses:
          self._losses_dict.update(loss.losses_from(batch, self))
    return outputs

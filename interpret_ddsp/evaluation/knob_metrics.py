# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Do the knobs mean something? Measurements on a trained model.

- `encode_dataset`: per-example pooled z, knob targets (the standardized
  input descriptors) and reconstruction spectral loss over a dataset.
- `knob_target_spearman`: rank correlation of each named dim with its
  descriptor across examples (control accuracy of the encoder).
- `knob_sweep`: turn one knob over a range with everything else fixed,
  synthesize, and measure that knob's descriptor on the output audio
  (control accuracy of the decoder: what a user hears when turning it).
- `measure_knob_frames`, `note_timbre`: the knobs' descriptors frame by
  frame and per note (a note's brightness and attack noise).
- `synthesize_and_measure`: synthesis and `measure_knobs` in one compiled
  function, for the many calls of one shape a sweep makes.
"""

import weakref

import ddsp
import numpy as np
import scipy.stats
import tensorflow as tf

from interpret_ddsp.analysis import knobs
from interpret_ddsp.training import model_io


def spectral_loss(audio, audio_synth):
  """ddsp's default SpectralLoss (L1 mag + log-mag), per example [batch]."""
  loss = ddsp.losses.SpectralLoss(loss_type='L1', mag_weight=1.0,
                                  logmag_weight=1.0)
  return np.array([float(loss(audio[i:i + 1], audio_synth[i:i + 1]))
                   for i in range(int(audio.shape[0]))])


def encode_dataset(model, provider, batch_size=16, max_batches=None,
                   with_reconstruction=True, progress=False):
  """Runs a model over a dataset (no shuffling).

  Returns:
    dict of np arrays: 'z' [n, z_dims] (timbre models), 'knob_targets'
    [n, n_knobs], 'target_weights' [n, n_knobs], 'spectral_loss' [n]
    (if with_reconstruction), plus 'f0_hz', 'loudness_db' [n, frames].
  """
  out = {}
  dataset = provider.get_batch(batch_size, shuffle=False, repeats=1,
                               drop_remainder=False)  # Every example.
  if max_batches:
    dataset = dataset.take(max_batches)
  if progress:
    from tqdm import auto as tqdm  # pylint: disable=g-import-not-at-top
    dataset = tqdm.tqdm(dataset, desc='encode', unit='batch')
  timbre = hasattr(model, 'knob_names')
  for batch in dataset:
    batch = {k: v for k, v in batch.items() if v.dtype != tf.string}
    rows = {'f0_hz': batch['f0_hz'].numpy(),
            'loudness_db': batch['loudness_db'].numpy()}
    if with_reconstruction:
      outputs = model(dict(batch), training=False)
      rows['spectral_loss'] = spectral_loss(batch['audio'],
                                            outputs['audio_synth'])
    if timbre:
      feats = model.encode(dict(batch), training=False)
      rows['z'] = model_io.pooled_z(feats).numpy()
      if 'knob_targets' in feats:
        t, w = knobs.pool_frames(feats['knob_targets'],
                                         feats['knob_weights'], 1)
        rows['knob_targets'] = t[:, 0].numpy()
        rows['target_weights'] = w[:, 0].numpy()
    for k, v in rows.items():
      out.setdefault(k, []).append(v)
  return {k: np.concatenate(v) for k, v in out.items()}


def knob_target_spearman(encoded, knob_names, min_weight=1.0):
  """{knob: Spearman rho of the named dim vs its descriptor} over examples
  with enough loud frames."""
  rhos = {}
  for i, knob in enumerate(knob_names):
    ok = encoded['target_weights'][:, i] >= min_weight
    rhos[knob] = float(scipy.stats.spearmanr(
        encoded['z'][ok, i], encoded['knob_targets'][ok, i])[0])
  return rhos


def measure_knobs(model, audio, f0_hz, loudness_db):
  """Every knob's standardized descriptor measured on audio, per example.

  Args:
    model: TimbreAutoencoder (its knob units).
    audio: [batch, n_samples] at the model's rate.
    f0_hz, loudness_db: [batch, n_frames] (f0 and frame weights).

  Returns:
    np [batch, n_knobs]: loudness/voicing-weighted means over frames
    (`knobs.measure`).
  """
  return _knob_values(model, audio, f0_hz, loudness_db).numpy()


def _knob_values(model, audio, f0_hz, loudness_db):
  """`measure_knobs` as a tensor [batch, n_knobs] (traceable)."""
  pre = model.preprocessor
  values, _ = knobs.measure(audio, f0_hz, loudness_db, pre.descriptor_names,
                            pre.knob_mean, pre.knob_std,
                            sample_rate=pre.sample_rate)
  return values[:, 0]


_COMPILED = weakref.WeakKeyDictionary()  # model -> its tf.function.


def synthesize_and_measure(model, f0_hz, loudness_db, z, compiled=True):
  """model.synthesize then `measure_knobs` on its output, as one
  tf.function traced once per input shape.

  A sweep calls this many times at one shape (9 knob values x 3 knobs x
  2 prior modes in `evaluate`), where the eager decoder's GRU steps frame
  by frame in Python: compiled, knob sweeps of 24 calls took 0.61x
  (0.60-0.64) of the eager time, the trace included
  (benchmarks/evaluate_time.py). The first call of a shape pays for the
  trace, so a single call is faster eagerly (compiled=False).

  Args:
    model: TimbreAutoencoder.
    f0_hz, loudness_db: [batch, n_frames] controls (Hz, dB).
    z: [batch, z_dims].
    compiled: False runs eagerly. A model that is not a tf.Module (e.g.
      one written in NumPy) always does.

  Returns:
    (audio np [batch, n_samples], measured np [batch, n_knobs]) as
    model.synthesize and `measure_knobs` give them (a compiled call's
    noise synth draws differ from an eager call's).
  """
  if not compiled or not isinstance(model, tf.Module):
    audio = np.asarray(model.synthesize(f0_hz, loudness_db, z))
    return audio, measure_knobs(model, audio, f0_hz, loudness_db)
  fn = _COMPILED.get(model)
  if fn is None:

    def synth_measure(f0, ld, zz):
      audio = model.synthesize(f0, ld, zz)
      return audio, _knob_values(model, audio, f0, ld)

    fn = _COMPILED[model] = tf.function(synth_measure)
  audio, measured = fn(tf.convert_to_tensor(f0_hz, tf.float32),
                       tf.convert_to_tensor(loudness_db, tf.float32),
                       tf.convert_to_tensor(z, tf.float32))
  return audio.numpy(), measured.numpy()


def measure_knob(model, audio, f0_hz, loudness_db, knob):
  """One knob's standardized descriptor on audio: np [batch] (see
  `measure_knobs`)."""
  pre = model.preprocessor
  i = model.knob_index(knob)
  values, _ = knobs.measure(audio, f0_hz, loudness_db,
                            [pre.descriptor_names[i]], pre.knob_mean[i:i + 1],
                            pre.knob_std[i:i + 1],
                            sample_rate=pre.sample_rate)
  return values[:, 0, 0].numpy()


def measure_knob_frames(model, audio, f0_hz, loudness_db):
  """Every knob's standardized descriptor on audio, frame by frame.

  Args:
    model: TimbreAutoencoder (its knob units).
    audio: [batch, n_samples] at the model's rate.
    f0_hz, loudness_db: [batch, n_frames] at the model's frame rate.

  Returns:
    (values, weights): np [batch, n_frames, n_knobs] each, the knobs'
    values (std units) and their frame weights (`knobs.frame_weights`:
    quiet, unvoiced and note-change frames weigh 0).
  """
  pre = model.preprocessor
  n = int(np.shape(f0_hz)[-1])
  values, weights = knobs.measure(audio, f0_hz, loudness_db,
                                  pre.descriptor_names, pre.knob_mean,
                                  pre.knob_std, sample_rate=pre.sample_rate,
                                  n_segments=n)
  return values.numpy(), weights.numpy()


def note_timbre(model, audio, controls):
  """Per-note brightness and attack noise measured on a voice's output,
  as offsets from the sound's own knob values (what
  `performance.render`'s brightness and attack_noise ask for).

  Args:
    model: TimbreAutoencoder with brightness and noisiness knobs.
    audio: [n_samples] one voice's output at the model's rate.
    controls: The voice's `controls.Controls` (notes, f0, loudness).

  Returns:
    One `expression.note_expression` dict per note; its 'brightness' and
    'attack_noise' in std units of the training set (absolute: subtract
    the sound's knob values for offsets).
  """
  from interpret_ddsp.score import expression  # pylint: disable=g-import-not-at-top
  values, weights = measure_knob_frames(
      model, np.asarray(audio)[np.newaxis], controls.f0_hz[np.newaxis],
      controls.loudness_db[np.newaxis])
  b, nz = model.knob_index('brightness'), model.knob_index('noisiness')
  return expression.note_expression(
      controls.f0_hz, controls.loudness_db, controls.notes,
      controls.frame_rate, brightness=values[0, :, b],
      noisiness=values[0, :, nz], weights=weights[0, :, b])


def knob_sweep(model, knob, values, f0_hz, loudness_db, base_z):
  """Synthesizes with one knob swept, everything else fixed.

  Args:
    model: TimbreAutoencoder.
    knob: Knob name.
    values: Knob settings [n_values] (standardized units).
    f0_hz, loudness_db: [n_examples, n_frames] controls.
    base_z: [n_examples, z_dims] z of each example (other dims kept).

  Returns:
    dict: 'values' [n_values], 'measured' [n_examples, n_values] (the
    knob's standardized descriptor on the output), 'measured_all' {knob:
    [n_examples, n_values]} (every knob's descriptor: cross-talk),
    'spearman' [n_examples], 'monotonic' [n_examples] bool (non-decreasing
    with the knob), 'audio' [n_examples, n_values, n_samples].
  """
  values = np.asarray(values, np.float32)
  i = model.knob_index(knob)
  n_ex = len(base_z)
  measured = np.zeros((n_ex, len(values), len(model.knob_names)), np.float32)
  audio_all = []
  for e in range(n_ex):
    z = np.repeat(np.asarray(base_z[e:e + 1], np.float32), len(values), 0)
    z[:, i] = values
    f0 = np.repeat(np.asarray(f0_hz[e:e + 1], np.float32), len(values), 0)
    ld = np.repeat(np.asarray(loudness_db[e:e + 1], np.float32), len(values),
                   0)
    # The examples' calls share one shape: compiled once for several.
    audio, measured[e] = synthesize_and_measure(model, f0, ld, z,
                                                compiled=n_ex > 1)
    audio_all.append(audio)
  own = measured[..., i]
  rho = np.array([scipy.stats.spearmanr(values, m)[0] for m in own])
  monotonic = np.all(np.diff(own, axis=1) >= -1e-6, axis=1)
  return {'values': values, 'measured': own,
          'measured_all': {k: measured[..., j]
                           for j, k in enumerate(model.knob_names)},
          'spearman': rho, 'monotonic': monotonic,
          'audio': np.stack(audio_all)}

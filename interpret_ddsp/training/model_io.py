# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Loading a trained model from its training folder (for every later stage).

A training folder (`interpret-ddsp train --save_dir`) holds ddsp's operative
gin config and TF checkpoints; `load_model` rebuilds the model from the
config, restores the newest (or a given) checkpoint, and reports its audio
shape. Knob units come back with the checkpoint (TimbrePreprocessor
variables).
"""

import dataclasses
import os
import shutil

import numpy as np

from interpret_ddsp import contracts
from interpret_ddsp import errors
from interpret_ddsp.support import files
from interpret_ddsp.training import shipped


@dataclasses.dataclass
class LoadedModel:
  model: object  # A ddsp Autoencoder (TimbreAutoencoder for timbre models).
  n_samples: int  # Audio samples per example.
  time_steps: int  # Feature frames per example.
  sample_rate: int
  checkpoint: str
  step: int

  @property
  def example_secs(self):
    return self.n_samples / self.sample_rate

  @property
  def frame_rate(self):
    return self.time_steps / self.example_secs


def _query(name, default=None):
  import gin  # pylint: disable=g-import-not-at-top
  try:
    value = gin.query_parameter(name)
  except (ValueError, KeyError):
    return default
  while isinstance(value, gin.config.ConfigurableReference):  # A %MACRO.
    value = value.scoped_configurable_fn()
  return value


def dummy_features(n_samples, time_steps, batch_size=1, f0_hz=220.0,
                   loudness_db=-30.0):
  """A batch of the keys the models read, with plausible constant values."""
  from interpret_ddsp.analysis import descriptors  # pylint: disable=g-import-not-at-top
  t = np.arange(n_samples) / 16000.0
  audio = 0.1 * np.sin(2 * np.pi * f0_hz * t)
  feats = {'audio': np.tile(audio, (batch_size, 1)).astype(np.float32),
           'f0_hz': np.full((batch_size, time_steps), f0_hz, np.float32),
           'f0_confidence': np.ones((batch_size, time_steps), np.float32),
           'loudness_db': np.full((batch_size, time_steps), loudness_db,
                                  np.float32)}
  for name in descriptors.DESCRIPTOR_NAMES:
    feats[name] = np.ones((batch_size, time_steps), np.float32)
  return feats


def load_model(save_dir, checkpoint=None, gin_params=()):
  """Rebuilds and restores a trained model.

  Args:
    save_dir: Training folder (operative_config-*.gin + checkpoints).
    checkpoint: A checkpoint path prefix (default: newest in save_dir).
    gin_params: Extra bindings applied after the operative config.

  Returns:
    LoadedModel.

  Raises:
    UserError: No config or checkpoint in save_dir.
  """
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.training import train  # pylint: disable=g-import-not-at-top
  checkpoint = checkpoint or tf.train.latest_checkpoint(save_dir)
  if not checkpoint:
    raise errors.UserError(f'No checkpoint in {save_dir}: train a model '
                           'there first (interpret-ddsp train).')
  if not any(f.startswith(contracts.OPERATIVE_CONFIG_PREFIX)
             for f in tf.io.gfile.listdir(save_dir)):
    raise errors.UserError(f'No operative_config-*.gin in {save_dir}.')
  train.parse_gin([], gin_params, save_dir=save_dir)
  model = train.build_model()
  import ddsp  # pylint: disable=g-import-not-at-top
  harmonic = [m for m in model.processor_group.modules
              if isinstance(m, ddsp.synths.Harmonic)]
  if harmonic:  # ddsp's Harmonic or a subclass (synths.FastHarmonic).
    n_samples, sample_rate = (int(harmonic[0].n_samples),
                              int(harmonic[0].sample_rate))
  else:
    n_samples = int(_query('Harmonic.n_samples'))
    sample_rate = int(_query('Harmonic.sample_rate', 16000))
  time_steps = int(_query('TimbrePreprocessor.time_steps') or
                   _query('F0LoudnessPreprocessor.time_steps'))
  model(dummy_features(n_samples, time_steps), training=False)
  status = tf.train.Checkpoint(model=model).restore(checkpoint)
  status.expect_partial().assert_existing_objects_matched()
  step = int(checkpoint.rsplit('-', 1)[1]) if '-' in checkpoint else 0
  return LoadedModel(model, n_samples, time_steps, sample_rate, checkpoint,
                     step)


def place_checkpoint(src, step, dest, link=False):
  """Makes `dest` a model folder of src's checkpoint at `step` alone: its
  ckpt-<step> files and the model files (contracts.MODEL_FILES) that src
  has, copied (symlinked with link=True; an existing name is kept), and a
  checkpoint index naming only that checkpoint (written atomically).

  Returns:
    The names placed, or None when src has no checkpoint at `step`.
  """
  prefix = f'{contracts.CHECKPOINT_PREFIX}{int(step)}'
  names = [n for n in os.listdir(src) if n.startswith(prefix + '.')]
  if not names:
    return None
  names += [n for n in contracts.MODEL_FILES
            if os.path.exists(os.path.join(src, n))]
  os.makedirs(dest, exist_ok=True)
  for name in names:
    source, target = os.path.join(src, name), os.path.join(dest, name)
    if not link:
      shutil.copy(source, target)
    elif not os.path.exists(target):
      os.symlink(os.path.abspath(source), target)
  files.write_text(os.path.join(dest, contracts.CHECKPOINT_INDEX),
                   f'model_checkpoint_path: "{prefix}"\n'
                   f'all_model_checkpoint_paths: "{prefix}"\n')
  return names


def as_loaded(model_or_dir):
  """A LoadedModel as is, or `load_model` of a folder (None: the shipped
  pretrained model), so callers can load once and pass the result on."""
  if isinstance(model_or_dir, LoadedModel):
    return model_or_dir
  return load_model(shipped.resolve(model_or_dir)[0])


def pooled_z(features):
  """Per-example z [batch, z_dims]: z_latent averaged over its frames with
  the frames' mean knob weight (loud frames count)."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.analysis import knobs  # pylint: disable=g-import-not-at-top
  z = features['z_latent']
  if 'knob_weights' in features:
    w, _ = knobs.pool_frames(
        tf.reduce_mean(features['knob_weights'], -1, keepdims=True),
        tf.ones_like(features['knob_weights'][..., :1]), int(z.shape[1]))
  else:
    w = tf.ones_like(z[..., :1])
  mean, _ = knobs.pool_frames(z, tf.broadcast_to(w, tf.shape(z)), 1)
  return mean[:, 0]

# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""A model trained on 1 s examples runs on examples of any length."""

import interpret_ddsp  # pylint: disable=unused-import  # Shims first.
from ddsp import spectral_ops
import numpy as np
import pytest

from interpret_ddsp.training import model_io
from interpret_ddsp.training import train

SR = 16000


@pytest.fixture(scope='module')
def model():
  """timbre_ae_tiny (1 s examples, 250 frames, 50 z frames), untrained."""
  train.parse_gin(['models/timbre_ae_tiny.gin', 'datasets/tfrecord.gin',
                   'optimization/cpu.gin'])
  m = train.build_model()
  m(model_io.dummy_features(16000, 250), training=False)
  return m


def _three_seconds():
  """A 220 Hz tone whose level steps -40, -15, -25 dB (a second each), and
  its ddsp loudness."""
  n_frames = 750
  feats = model_io.dummy_features(3 * SR, n_frames)
  t = np.arange(3 * SR) / SR
  gain = np.repeat(10 ** (np.array([-40.0, -15.0, -25.0]) / 20), SR)
  audio = (gain * np.sin(2 * np.pi * 220 * t)).astype(np.float32)[None]
  feats['audio'] = audio
  feats['loudness_db'] = spectral_ops.compute_loudness(
      audio, SR, 250).numpy()[:, :n_frames].astype(np.float32)
  return feats


def test_a_longer_example_is_synthesized_at_its_own_length(model):
  """3 s in, 3 s out, and the output's loudness follows the input's over
  the whole 3 s (the knob processor sets the level from the loudness
  input). Before `at_length`, the 750 frames were squeezed into 250 and
  synthesized as 1 s."""
  feats = _three_seconds()
  out = model(dict(feats), training=False)['audio_synth'].numpy()
  assert out.shape == (1, 3 * SR)
  measured = spectral_ops.compute_loudness(out, SR, 250).numpy()[0, :750]
  want = feats['loudness_db'][0]
  inner = np.r_[10:240, 260:490, 510:740]  # Away from the level steps.
  assert np.abs(measured[inner] - want[inner]).mean() < 1.0
  # The trained length is restored afterwards.
  assert model.preprocessor.time_steps == 250
  assert model.encoder.z_time_steps == 50


def test_encoding_keeps_the_z_rate(model):
  """z comes at the trained rate (50 frames per second here), not 50 frames
  per example."""
  out = model.encode(dict(_three_seconds()), training=False)
  assert out['z_latent'].shape[1] == 150
  assert out['f0_hz'].shape[1] == 750

# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""`evaluate` end to end on the tiny model (the metrics themselves have
known-answer tests in metrics_test.py)."""

import json
import os

import numpy as np
import pytest

from interpret_ddsp import cli
from interpret_ddsp import evaluate
from interpret_ddsp import knob_metrics
from interpret_ddsp import model_io


@pytest.mark.slow
def test_evaluate_writes_the_full_report(tiny_model, tiny_dataset, tmp_path):
  z_path = str(tmp_path / 'z.npz')
  prior_path = str(tmp_path / 'prior.npz')
  pattern = os.path.join(tiny_dataset, 'eval.tfrecord*')
  assert cli.main(['extract-z', '--save_dir', tiny_model, '--tfrecords',
                   os.path.join(tiny_dataset, 'train.tfrecord*'), '--output',
                   z_path, '--no_progress']) == 0
  assert cli.main(['fit-prior', '--z', z_path, '--output', prior_path,
                   '--max_components', '2', '--no_progress']) == 0
  out = str(tmp_path / 'report')
  assert cli.main(['evaluate', '--save_dir', tiny_model, '--tfrecords',
                   pattern, '--prior', prior_path, '--z', z_path,
                   '--output_dir', out,
                   '--max_examples', '8', '--no_progress']) == 0
  m = json.load(open(os.path.join(out, 'metrics.json')))
  assert set(m) >= {'reconstruction', 'knob_control', 'disentanglement',
                    'generation'}
  for name in ('report.md', 'knob_sweeps.png', 'generated_0.wav',
               'reconstruction_0_output.wav'):
    assert os.path.exists(os.path.join(out, name))
  report = open(os.path.join(out, 'report.md')).read()
  assert 'ViSQOL: absent' in report and '## Knob control' in report

  # The reconstruction distance is ddsp's SpectralLoss on the same examples
  # (to 2%: the filtered-noise synth draws fresh noise on every pass).
  loaded = model_io.load_model(tiny_model)
  provider = evaluate._provider(pattern, loaded)  # pylint: disable=protected-access
  enc = knob_metrics.encode_dataset(loaded.model, provider, batch_size=8,
                                    max_batches=1)
  assert m['reconstruction']['spectral_distance'] == pytest.approx(
      enc['spectral_loss'].mean(), rel=0.02)
  assert m['reconstruction']['n_examples'] == 8
  # Sounds from the prior play the requested pitch.
  assert m['generation']['pitch_l1_cents'] < 50
  assert m['generation']['novelty_z'] > 0
  # Each knob's cross-talk diagonal is its own sweep's |Spearman|.
  kc = m['knob_control']
  for i, knob in enumerate(kc['cross_talk']['knobs']):
    assert -1 <= kc[knob]['spearman_mean'] <= 1
    assert kc['cross_talk']['abs_spearman'][i][i] >= abs(
        kc[knob]['spearman_mean']) - 1e-6
  assert 0 <= m['disentanglement']['mig'] <= 1


def test_report_markdown_lists_every_number():
  m = {'model': 'm', 'step': 3, 'eval': 'e',
       'reconstruction': {'spectral_distance': 1.5, 'snr_db': 2.0,
                          'mcd_db': 3.0, 'f0_l1_cents': 4.0,
                          'f0_outlier_rate': 0.5, 'loudness_l1_db': 6.0,
                          'visqol': evaluate.VISQOL_NOTE}}
  text = evaluate.report_markdown(m)
  for value in ('1.500', '2.000', '3.000', '4.000', '0.500', '6.000'):
    assert value in text
  assert np.isfinite(len(text))


def test_encode_dataset_keeps_the_last_partial_batch(tiny_model, tiny_dataset):
  """Every eval example counts, also when there are fewer than a batch."""
  from interpret_ddsp import data  # pylint: disable=g-import-not-at-top
  with open(os.path.join(tiny_dataset, 'manifest.json')) as f:
    n_eval = json.load(f)['counts']['examples_eval']
  assert n_eval > 0
  provider = data.TimbreTFRecordProvider(
      os.path.join(tiny_dataset, 'eval.tfrecord*'), example_secs=1.0,
      include_metadata=False)
  loaded = model_io.load_model(tiny_model)
  encoded = knob_metrics.encode_dataset(loaded.model, provider,
                                        batch_size=n_eval + 5,
                                        with_reconstruction=False)
  assert len(encoded['z']) == n_eval

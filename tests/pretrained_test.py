# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""interpret_ddsp.apps.pretrained: the card says how the run read its data,
from the run's newest operative config."""

import interpret_ddsp  # pylint: disable=unused-import  # Shims before ddsp.

from interpret_ddsp.apps import pretrained


def _config(folder, step, megabytes):
  (folder / f'operative_config-{step}.gin').write_text(
      'train/TimbreTFRecordProvider.include_metadata = False\n'
      f'train/TimbreTFRecordProvider.shuffle_megabytes = {megabytes}\n')


def test_the_card_reads_the_newest_operative_config(tmp_path):
  # Step 0 read in file order; the resumed run (step 6000) shuffled.
  _config(tmp_path, 0, 0)
  _config(tmp_path, 6000, 128)
  assert pretrained._data_order(str(tmp_path)).startswith(
      'examples shuffled in a 128 MB buffer')


def test_a_run_in_file_order_says_so(tmp_path):
  _config(tmp_path, 0, 0)
  assert pretrained._data_order(str(tmp_path)).startswith(
      'each shard read in its written order')


def test_the_card_names_the_noise_rule_the_run_trained_with(tmp_path):
  (tmp_path / 'operative_config-0.gin').write_text(
      'TimbreKnobs.noise_as_measured = True\n')
  assert '`noise_as_measured`' in pretrained._noise_rule(str(tmp_path))
  # A config without the binding (models saved before it existed) used the
  # whole-power rule, the class default.
  (tmp_path / 'operative_config-6000.gin').write_text(
      'TimbreKnobs.noise_initial_bias = -5.0\n')
  assert 'whole power' in pretrained._noise_rule(str(tmp_path))


def test_the_card_names_the_shared_band_loss_when_the_run_had_it(tmp_path):
  (tmp_path / 'operative_config-0.gin').write_text(
      'SharedBandSpectralLoss.band_rate = 16000\n')
  text = pretrained._loss_text(str(tmp_path))
  assert 'below 8 kHz' in text and 'a 16 kHz model' in text
  (tmp_path / 'operative_config-6000.gin').write_text(
      'SpectralLoss.logmag_weight = 1.0\n')
  assert pretrained._loss_text(str(tmp_path)) == (
      "ddsp's multi-scale spectral loss")

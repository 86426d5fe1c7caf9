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


def _read(folder, text, read, step=0):
  """Writes operative_config-<step>.gin with `text` into folder; returns
  what the card's `read` (e.g. pretrained._noise_rule) says of it."""
  (folder / f'operative_config-{step}.gin').write_text(text)
  return read(str(folder))


def test_the_card_names_the_noise_rule_the_run_trained_with(tmp_path):
  assert '`noise_as_measured`' in _read(
      tmp_path, 'TimbreKnobs.noise_as_measured = True\n',
      pretrained._noise_rule)
  # A config without the binding (models saved before it existed) used the
  # whole-power rule, the class default.
  assert 'whole power' in _read(
      tmp_path, 'TimbreKnobs.noise_initial_bias = -5.0\n',
      pretrained._noise_rule, step=6000)


def test_the_card_names_the_shared_band_loss_when_the_run_had_it(tmp_path):
  text = _read(tmp_path, 'SharedBandSpectralLoss.band_rate = 16000\n',
               pretrained._loss_text)
  assert 'below 8 kHz' in text and 'a 16 kHz model' in text
  assert _read(tmp_path, 'SpectralLoss.logmag_weight = 1.0\n',
               pretrained._loss_text, step=6000) == (
                   "ddsp's multi-scale spectral loss")


def test_the_card_says_how_the_synth_upsamples_amplitudes(tmp_path):
  # Scoped as the shipped configs bind it, or not; ddsp's own Harmonic
  # (no FastHarmonic binding): the card says nothing.
  for binding, says in (
      ("HARMONIC/FastHarmonic.amp_resample_method = 'linear'", 'linearly'),
      ("FastHarmonic.amp_resample_method = 'window'", '(`window`)'),
      ('Harmonic.n_samples = 64', None)):
    text = _read(tmp_path, binding + '\n', pretrained._upsampling_text)
    assert (says in text) if says else text == '', binding


def _rates(folder, step, rate, decay_steps, decay_rate, hold=None):
  text = (f'Trainer.learning_rate = {rate}\n'
          f'Trainer.lr_decay_rate = {decay_rate}\n'
          f'Trainer.lr_decay_steps = {decay_steps}\n')
  if hold is not None:
    text += ('get_trainer_class.trainer_class = @HeldDecayTrainer\n'
             f'HeldDecayTrainer.lr_hold_steps = {hold}\n')
  (folder / f'operative_config-{step}.gin').write_text(text)


def test_the_card_gives_the_rate_each_sitting_trained_with(tmp_path):
  # The shipped run's three sittings: ddsp's slow decay from step 0, then
  # a tenfold decay over 4000 steps written as ddsp's ExponentialDecay
  # from step 0 (1000 x 0.1^(24000/4000) = 1e-3 at 24000).
  _rates(tmp_path, 0, 0.001, 10000, 0.98)
  _rates(tmp_path, 16000, 0.001, 10000, 0.98)
  _rates(tmp_path, 24000, 1000.0, 4000, 0.1)
  text = pretrained._schedule_text(str(tmp_path), 28000)
  # The first two sittings share one schedule: one stretch, 0.001 x
  # 0.98^2.4 = 0.000953 at 24000.
  assert ('learning rate 0.001 to 0.000953 over steps 0-24000, 0.001 to '
          '0.0001 over steps 24000-28000 (in 3 sittings') in text


def test_resumed_sittings_of_one_schedule_are_one_stretch(tmp_path):
  # The run shipped on 2026-12-07 (linear): resumed at 1900, 5500 and
  # 5700 with the same schedule; the card had a "0.001 to 0.001" part per
  # resume.
  for step in (0, 1900, 5500, 5700):
    _rates(tmp_path, step, 0.001, 4000, 0.1, hold=24000)
  assert pretrained._schedule_text(str(tmp_path), 28000) == (
      'learning rate 0.001 to 0.0001 over steps 0-28000, held to step '
      '24000 (in 4 sittings; a resumed run draws its data order and noise '
      'from the seed and the step)')


def test_the_card_gives_a_held_rate_in_one_sitting(tmp_path):
  _rates(tmp_path, 0, 0.001, 4000, 0.1, hold=24000)
  assert pretrained._schedule_text(str(tmp_path), 28000) == (
      'learning rate 0.001 to 0.0001 over steps 0-28000, held to step '
      '24000')
  # Half a decay period past the hold: 0.001 x 0.1^0.5.
  config = (tmp_path / 'operative_config-0.gin').read_text()
  assert abs(pretrained._rate_at(config, 26000) - 0.001 * 0.1 ** 0.5) < 1e-12

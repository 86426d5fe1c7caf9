"""expression_model: fitted on note tables whose expression depends on the
score in a known way, its samples follow that dependence; files round-trip;
bad input is one sentence."""

import numpy as np
import pytest

from interpret_ddsp import errors
from interpret_ddsp.generation import expression_model as em
from interpret_ddsp.score import controls
from interpret_ddsp.score import expression
from interpret_ddsp.support import files


def _table(n_sources=60, seed=0):
  """Notes of two instruments: volume = -40 + 0.25 velocity dB; vibrato
  extent 10 cents below MIDI 65 and 40 above, and volume fluctuation
  0.05 dB per cent of it; attack 0.01 s for 'pluck', 0.2 s for 'bow';
  brightness 0.05 octaves darker per semitone, attack noise 0.2 dB up per
  velocity step (each instrument about its own level); the other values
  fixed with a little spread."""
  rng = np.random.default_rng(seed)
  rows = []
  for s in range(n_sources):
    inst = 'pluck' if s % 2 else 'bow'
    t = 0.0
    for _ in range(4):
      pitch = float(rng.choice([55, 58, 72, 75]))
      vel = float(rng.integers(40, 120))
      dur = rng.uniform(0.6, 1.2)
      noise = lambda sd: rng.normal(0, sd)
      extent = (10.0 if pitch < 65 else 40.0) * np.exp(noise(0.05))
      rows.append({
          'volume_db': -40 + 0.25 * vel + noise(0.3),
          'volume_fluctuation_db': 0.05 * extent * np.exp(noise(0.05)),
          'volume_peak_position': 0.3 + noise(0.01),
          'vibrato_rate_hz': 5.0 + noise(0.1),
          'vibrato_extent_cents': extent,
          'attack_secs': (0.01 if inst == 'pluck' else 0.2)
                         * np.exp(noise(0.05)),
          'release_secs': np.nan if rng.random() < 0.3 else 0.1,
          'portamento_secs': 0.0, 'onset_secs': t, 'duration_secs': dur,
          'pitch': pitch, 'velocity': vel,
          # Octaves re f0: 0.05 darker per semitone up, 'pluck' brighter.
          'brightness': (1.5 + 0.5 * (inst == 'pluck') -
                         0.05 * (pitch - 65.0) + noise(0.02)),
          'attack_noise': (-20.0 - 10.0 * (inst == 'pluck') +
                           0.2 * (vel - 80.0) + noise(0.3)),
          'instrument': inst,
          'source_file': f'src{s:03d}.wav',
          'split': 'eval' if s % 10 == 9 else 'train'})
      t += dur + 0.3
  table = expression.as_arrays(rows)
  for label in ('instrument', 'source_file', 'split'):
    table[label] = np.array([r[label] for r in rows])
  return table


@pytest.fixture(scope='module')
def fitted():
  model, info = em.fit(_table())
  return model, info


def test_context_of_a_score():
  notes = [controls.Note(60, 0.0, 0.5), controls.Note(64, 0.5, 1.0),
           controls.Note(62, 1.5, 2.0)]
  ctx = em.note_table_from_notes(notes)
  np.testing.assert_allclose(ctx['interval_in'], [0, 4, -2])
  np.testing.assert_allclose(ctx['gap_in'], [em.GAP_CAP_SECS, 0.0, 0.5])
  np.testing.assert_allclose(ctx['interval_out'], [4, -2, 0])
  np.testing.assert_allclose(ctx['gap_out'], [0.0, 0.5, em.GAP_CAP_SECS])
  np.testing.assert_allclose(ctx['log_duration'], np.log(0.5))


def test_samples_follow_the_score_as_the_data_does(fitted):
  model, info = fitted
  assert model.instruments == ['bow', 'pluck']
  assert info['n_notes'] == 4 * 54  # The train split only.
  notes = [controls.Note(p, 2.0 * i, 2.0 * i + 0.9, v)
           for i, (p, v) in enumerate([(55, 50), (75, 110)] * 20)]
  for inst, attack in (('pluck', 0.01), ('bow', 0.2)):
    vals = model.sample(notes, inst, seed=1)
    low = [v for v, n in zip(vals, notes) if n.pitch < 65]
    high = [v for v, n in zip(vals, notes) if n.pitch > 65]
    vol_low = np.median([v['volume_db'] for v in low])
    vol_high = np.median([v['volume_db'] for v in high])
    assert abs(vol_low - (-40 + 0.25 * 50)) < 1.5, vol_low
    assert abs(vol_high - (-40 + 0.25 * 110)) < 1.5, vol_high
    ext_low = np.median([v['vibrato_extent_cents'] for v in low])
    ext_high = np.median([v['vibrato_extent_cents'] for v in high])
    assert 7 < ext_low < 14 and 30 < ext_high < 52, (ext_low, ext_high)
    med_attack = np.median([v['attack_secs'] for v in vals])
    assert attack / 1.5 < med_attack < attack * 1.5, (inst, med_attack)
    # A missing release (NaN in 30% of the notes) was filled, not sampled.
    assert all(np.isfinite(v['release_secs']) for v in vals)


def test_a_setting_holds_and_what_the_data_ties_to_it_follows(fitted):
  """Low notes play 10 cents of vibrato and 0.5 dB of fluctuation; set to
  40 cents, every note has exactly 40, and the fluctuation follows the
  data's tie (0.05 dB per cent: 2 dB), the rendered curves too."""
  model, _ = fitted
  notes = [controls.Note(55, 1.5 * i, 1.5 * i + 1.2, 80) for i in range(12)]
  free = model.sample(notes, 'bow', seed=2)
  held = model.sample(notes, 'bow', seed=2,
                      settings={'vibrato_extent_cents': 40.0})
  assert all(v['vibrato_extent_cents'] == 40.0 for v in held)
  fl_free = np.median([v['volume_fluctuation_db'] for v in free])
  fl_held = np.median([v['volume_fluctuation_db'] for v in held])
  assert 0.35 < fl_free < 0.7 and 1.4 < fl_held < 2.8, (fl_free, fl_held)
  c = model.render(notes, 'bow', seed=2,
                   settings={'vibrato_extent_cents': 40.0})
  rows = expression.note_expression(c.f0_hz, c.loudness_db, notes)
  np.testing.assert_allclose([r['vibrato_extent_cents'] for r in rows], 40.0,
                             atol=1.5)
  assert em.parse_settings('vibrato_extent_cents=40') == {
      'vibrato_extent_cents': 40.0}
  with pytest.raises(em.performance.PerformanceError, match='Unknown'):
    em.parse_settings('wobble=1')
  with pytest.raises(em.performance.PerformanceError, match='name=value'):
    em.parse_settings('vibrato')
  with pytest.raises(em.performance.PerformanceError, match='finite'):
    em.parse_settings('attack_secs=soon')


def test_rendered_performance_reads_back_the_sampled_values(fitted):
  model, _ = fitted
  notes = [controls.Note(72, 0.0, 1.0, 90), controls.Note(55, 1.5, 2.5, 60)]
  vals = model.sample(notes, 'bow', seed=3)
  c = model.render(notes, 'bow', seed=3)
  rows = expression.note_expression(c.f0_hz, c.loudness_db, notes)
  for asked, got in zip(vals, rows):
    assert abs(got['volume_db'] - asked['volume_db']) < 0.1
    assert abs(got['vibrato_extent_cents'] -
               asked['vibrato_extent_cents']) < 1.5


def test_file_round_trip_gives_the_same_draws(fitted, tmp_path):
  model, _ = fitted
  path = str(tmp_path / 'expression_model.npz')
  model.save(path)
  again = em.ExpressionModel.load(path)
  notes = [controls.Note(60, 0.0, 1.0)]
  assert again.sample(notes, 'pluck', seed=5) == model.sample(
      notes, 'pluck', seed=5)
  # An unknown instrument uses the all-instrument mixture.
  assert model.sample(notes, 'tuba', seed=5) == model.sample(
      notes, None, seed=5)


def test_bad_input_is_one_sentence(tmp_path):
  table = _table(n_sources=1)
  table['split'][:] = 'eval'
  with pytest.raises(errors.BadInput, match='0 notes'):
    em.fit(table)
  bad = tmp_path / 'x.npz'
  bad.write_text('not a zip')
  with pytest.raises(errors.BadInput):
    em.load_note_table(str(bad))
  files.save_npz(str(tmp_path / 'partial.npz'), pitch=np.zeros(3))
  with pytest.raises(errors.BadInput, match='volume_db'):
    em.load_note_table(str(tmp_path / 'partial.npz'))


def test_a_file_without_the_global_mixture_is_one_sentence(fitted, tmp_path):
  from interpret_ddsp.generation import prior as prior_lib  # pylint: disable=g-import-not-at-top
  model, _ = fitted
  path = str(tmp_path / 'partial.npz')
  prior_lib.save_priors(path, {'bow': model.mixtures['bow']})
  with pytest.raises(errors.BadInput, match="all-instrument mixture ''"):
    em.ExpressionModel.load(path)


def test_a_note_s_timbre_follows_the_score_in_the_playing_model_s_units(
    fitted):
  """Brightness falls 0.05 octaves per semitone about the instrument's
  mean (pitches average 65): at MIDI 55, +0.5 octaves, at 75, -0.5; with
  a knob std of 0.5 octaves that is +1 and -1 std. Attack noise: +0.2 dB
  per velocity step from about 80, 10 dB per std: velocity 120 -> +0.8.
  Without a scale no timbre is drawn; a brightness setting holds."""
  model, _ = fitted
  scale = {'brightness': 0.5, 'attack_noise': 10.0}
  low = [controls.Note(55, 1.5 * i, 1.5 * i + 1.0, 80) for i in range(16)]
  high = [controls.Note(75, 1.5 * i, 1.5 * i + 1.0, 120) for i in range(16)]
  for inst in ('pluck', 'bow'):
    lo = model.sample(low, inst, seed=0, scale=scale)
    hi = model.sample(high, inst, seed=0, scale=scale)
    b_lo = np.median([v['brightness'] for v in lo])
    b_hi = np.median([v['brightness'] for v in hi])
    assert abs(b_lo - 1.0) < 0.2 and abs(b_hi + 1.0) < 0.2, (inst, b_lo, b_hi)
    a_lo = np.median([v['attack_noise'] for v in lo])
    a_hi = np.median([v['attack_noise'] for v in hi])
    assert abs(a_lo - 0.0) < 0.2 and abs(a_hi - 0.8) < 0.2, (inst, a_lo, a_hi)
  plain = model.sample(low, 'bow', seed=0)
  assert not {'brightness', 'attack_noise'} & set(plain[0])
  held = model.sample(low, 'bow', seed=0, scale=scale,
                      settings={'brightness': -0.5})
  assert all(v['brightness'] == -0.5 for v in held)
  assert em.timbre_scale({'brightness': ('harmonic_spectral_centroid',
                                         'octaves re f0', 1.2, 0.74),
                          'noisiness': ('noise_ratio', 'dB', -34.0, 9.5),
                          'hollowness': ('odd_even_ratio', 'dB', 0, 12)}
                         ) == {'brightness': 0.74, 'attack_noise': 9.5}
  assert em.timbre_scale({'brightness': ('spectral_centroid', 'octaves',
                                         10, 1)}) == {}


def test_a_note_s_own_settings_hold_on_that_note_only(fitted):
  model, _ = fitted
  notes = [controls.Note(55, 1.5 * i, 1.5 * i + 1.2, 80) for i in range(4)]
  notes[2] = controls.Note(55, 3.0, 4.2, 80, {'vibrato_extent_cents': 40.0,
                                              'brightness': 0.7})
  rows = model.sample(list(reversed(notes)), 'bow', seed=1,
                      scale={'brightness': 0.5, 'attack_noise': 10.0},
                      settings={'vibrato_extent_cents': 20.0})
  assert [r['vibrato_extent_cents'] for r in rows] == [20.0, 20.0, 40.0, 20.0]
  assert rows[2]['brightness'] == 0.7
  assert all(r['brightness'] != 0.7 for i, r in enumerate(rows) if i != 2)
  bad = [controls.Note(55, 0.0, 1.0, 80, {'wobble': 1.0})]
  with pytest.raises(em.performance.PerformanceError, match='wobble'):
    model.sample(bad, 'bow')


def test_a_note_on_s_partial_context_gives_the_data_s_dependence(fitted):
  """A live note-on knows its pitch, velocity and the note before, not
  its duration or the next: drawn from that alone, volume follows velocity
  (-40 + 0.25 velocity dB), vibrato extent the pitch (10 / 40 cents), and
  attack the instrument, as the table was made."""
  model, _ = fitted
  for inst, attack in (('pluck', 0.01), ('bow', 0.2)):
    for pitch, vel, extent in ((55, 50, 10.0), (75, 110, 40.0)):
      vals = [model.sample_context({'pitch': pitch, 'velocity': vel,
                                    'interval_in': 3, 'gap_in': 0.3},
                                   inst, seed=s) for s in range(40)]
      vol = np.median([v['volume_db'] for v in vals])
      assert abs(vol - (-40 + 0.25 * vel)) < 1.5, (inst, pitch, vol)
      ext = np.median([v['vibrato_extent_cents'] for v in vals])
      assert extent / 1.4 < ext < extent * 1.3, (inst, pitch, ext)
      att = np.median([v['attack_secs'] for v in vals])
      assert attack / 1.5 < att < attack * 1.5, (inst, att)
  with pytest.raises(errors.BadInput, match='Unknown context'):
    model.sample_context({'pitch': 60, 'tempo': 120})

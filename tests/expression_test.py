# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Note expression features against notes rendered with known vibrato,
envelope, glide and velocity (closed forms from the profile's definition)."""

import math

import numpy as np
import pytest

from interpret_ddsp.score import controls
from interpret_ddsp.score import expression

FR = 250
N = controls.Note


def _render(notes, **profile):
  p = controls.get_profile('plain', **profile)
  c = controls.render_controls(notes, p, frame_rate=FR)
  return c, p


@pytest.mark.parametrize('rate,depth', [(4.5, 12.0), (5.5, 30.0),
                                        (7.0, 50.0)])
def test_vibrato_rate_and_extent(rate, depth):
  notes = [N(62, 0.0, 1.6, 90)]
  c, _ = _render(notes, vibrato_rate_hz=rate, vibrato_depth_cents=depth,
                 vibrato_delay_secs=0.0)
  (e,) = expression.note_expression(c.f0_hz, c.loudness_db, notes, FR)
  assert e['vibrato_rate_hz'] == pytest.approx(rate, abs=0.1)
  assert e['vibrato_extent_cents'] == pytest.approx(depth, rel=0.08)


def test_no_vibrato_reads_near_zero_and_short_notes_nan():
  notes = [N(60, 0.0, 1.0), N(64, 1.0, 1.2)]
  c, _ = _render(notes)
  long, short = expression.note_expression(c.f0_hz, c.loudness_db, notes, FR)
  assert long['vibrato_extent_cents'] < 0.5
  assert math.isnan(short['vibrato_rate_hz'])


@pytest.mark.parametrize('attack', [0.02, 0.1, 0.3])
def test_attack_time(attack):
  notes = [N(60, 0.0, 1.0, 100)]
  c, p = _render(notes, attack_secs=attack, decay_secs=0.1)
  (e,) = expression.note_expression(c.f0_hz, c.loudness_db, notes, FR)
  # Linear in dB from the floor to the peak over A: within ATTACK_DB of the
  # peak at A (1 - ATTACK_DB / (peak - floor)), to the frame.
  peak = float(controls.peak_db(100, p.peak_db_range))
  expected = attack * (1 - expression.ATTACK_DB / (peak - p.floor_db))
  assert e['attack_secs'] == pytest.approx(expected, abs=1.0 / FR + 1e-9)
  # The peak sits at the end of the attack: its position in the held part.
  assert e['volume_peak_position'] == pytest.approx(attack / 1.0, abs=0.01)


def test_release_time_and_legato_nan():
  notes = [N(60, 0.0, 1.0, 100), N(62, 2.0, 3.0, 100), N(64, 3.0, 3.5)]
  c, p = _render(notes, release_secs=0.4, sustain_db=-6.0)
  first, second, _ = expression.note_expression(c.f0_hz, c.loudness_db,
                                                notes, FR)
  # Linear in dB from the sustain level to the floor over R.
  sustain = float(controls.peak_db(100, p.peak_db_range)) + p.sustain_db
  expected = 0.4 * expression.RELEASE_DROP_DB / (sustain - p.floor_db)
  assert first['release_secs'] == pytest.approx(expected, abs=1.0 / FR)
  assert math.isnan(second['release_secs'])  # The next note starts first.


def test_volume_follows_velocity_by_the_peak_map():
  notes = [N(60, 0.0, 1.0, 40), N(60, 1.5, 2.5, 120)]
  c, p = _render(notes, attack_secs=0.05, decay_secs=0.2, sustain_db=-4.0)
  soft, loud = expression.note_expression(c.f0_hz, c.loudness_db, notes, FR)
  # Same envelope shape past the attack, so the means differ by the
  # peaks' difference (peak_db: linear in velocity); both attacks start
  # from the floor, so over the attack (A of the 1 s) only by half of it.
  delta = float(controls.peak_db(120, p.peak_db_range) -
                controls.peak_db(40, p.peak_db_range))
  expected = delta * (1 - 0.05 / 2)
  assert loud['volume_db'] - soft['volume_db'] == pytest.approx(expected,
                                                                abs=0.1)
  assert soft['velocity'] == 40 and loud['duration_secs'] == 1.0
  # Sustain after the decay is flat; the decay's 4 dB ramp is the spread.
  assert 0.3 < soft['volume_fluctuation_db'] < 2.0


def test_portamento_into_a_connected_note():
  notes = [N(60, 0.0, 1.0), N(67, 1.0, 2.0)]
  c, _ = _render(notes, glide_secs=0.2)
  _, e = expression.note_expression(c.f0_hz, c.loudness_db, notes, FR)
  # Linear in cents over G from 700 cents below: within PORTAMENTO_CENTS
  # at G (1 - PORTAMENTO_CENTS / 700).
  expected = 0.2 * (1 - expression.PORTAMENTO_CENTS / 700.0)
  assert e['portamento_secs'] == pytest.approx(expected, abs=1.0 / FR + 1e-9)


def test_knob_curves_pool_over_the_note():
  notes = [N(60, 0.0, 1.0), N(62, 1.0, 2.0)]
  c, _ = _render(notes)
  brightness = np.where(np.arange(c.n_frames) < FR, -1.0, 2.0)
  noisiness = np.zeros(c.n_frames)
  noisiness[FR:FR + 10] = 3.0  # The second note's first 40 ms.
  first, second = expression.note_expression(
      c.f0_hz, c.loudness_db, notes, FR, brightness=brightness,
      noisiness=noisiness)
  assert first['brightness'] == -1.0 and second['brightness'] == 2.0
  assert second['attack_noise'] == pytest.approx(3.0 * 10 / 25)
  arrays = expression.as_arrays([first, second])
  assert set(arrays) == set(expression.NAMES)
  assert arrays['pitch'].tolist() == [60.0, 62.0]

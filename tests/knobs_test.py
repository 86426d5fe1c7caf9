# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""knobs: f0_steadiness (frames whose analysis window holds two notes)
and the reach of a knob (SCALED_BOUNDS)."""

import numpy as np
import pytest

from interpret_ddsp.analysis import knobs

SR = 16000
FRAME_RATE = 250


def test_steady_and_vibrato_notes_weigh_one():
  t = np.arange(500) / FRAME_RATE
  steady = np.full(500, 220.0)
  vibrato = 220.0 * 2 ** (30.0 / 1200 * np.sin(2 * np.pi * 5.5 * t))
  np.testing.assert_array_equal(knobs.f0_steadiness(steady).numpy(), 1.0)
  np.testing.assert_array_equal(knobs.f0_steadiness(vibrato).numpy(), 1.0)


def test_a_step_drops_the_frames_whose_window_reaches_the_other_note():
  # E4 -> G4 (300 cents) at frame 100; the window of frame t covers frames
  # t-16..t+15, so frames 85..115 see both notes.
  f0 = np.r_[np.full(100, 329.63), np.full(100, 392.0)]
  w = knobs.f0_steadiness(f0, n_window=32).numpy()
  expected = np.ones(200)
  expected[85:116] = 0.0
  np.testing.assert_array_equal(w, expected)
  # A step within STEADY_CENTS counts as on pitch.
  small = np.r_[np.full(100, 440.0), np.full(100, 440.0 * 2 ** (60 / 1200))]
  np.testing.assert_array_equal(knobs.f0_steadiness(small).numpy(), 1.0)


def test_batched_and_framed_like_the_input():
  f0 = np.stack([np.full(80, 200.0), np.r_[np.full(40, 200.0),
                                           np.full(40, 300.0)]])
  w = knobs.f0_steadiness(f0).numpy()
  assert w.shape == (2, 80)
  np.testing.assert_array_equal(w[0], 1.0)
  np.testing.assert_allclose(w[1], knobs.f0_steadiness(f0[1]).numpy())


def _legato(f0_a, f0_b, amplitudes, secs=0.6):
  """Two notes back to back, phase-continuous, partials `amplitudes`."""
  n = int(secs * SR)
  f0 = np.r_[np.full(n, f0_a), np.full(n, f0_b)]
  phase = 2 * np.pi * np.cumsum(f0) / SR
  audio = sum(a * np.sin(k * phase) for k, a in enumerate(amplitudes, 1))
  frames = np.r_[np.full(n * FRAME_RATE // SR, f0_a),
                 np.full(n * FRAME_RATE // SR + 1, f0_b)]
  return (0.1 * audio).astype(np.float32), frames.astype(np.float32)


def test_legato_brightness_reads_the_notes_own_value():
  # Known signal: partials 1/k, k = 1..8, the same on both notes, so the
  # harmonic centroid is sum k a_k^2 / sum a_k^2 throughout. Without
  # the steadiness weight the note change's frames read the other note's
  # partials as noise (0.10 octaves low here).
  a = 1.0 / np.arange(1, 9)
  expected = np.log2(np.sum(np.arange(1, 9) * a ** 2) / np.sum(a ** 2))
  audio, f0 = _legato(329.63, 440.0, a)
  loudness = np.zeros_like(f0)  # All frames loud.
  measured, _ = knobs.measure(audio[None], f0[None], loudness[None],
                              ['harmonic_spectral_centroid'],
                              np.zeros(1, np.float32), np.ones(1, np.float32))
  assert float(measured[0, 0, 0]) == pytest.approx(expected, abs=0.02)


def test_statistics_weigh_steadiness_only_for_f0_descriptors():
  f0 = np.r_[np.full(50, 200.0), np.full(50, 400.0)][None]
  loud = np.zeros_like(f0)
  w = knobs.descriptor_weights(['harmonic_spectral_centroid',
                                'spectral_centroid'], loud, f0_hz=f0).numpy()
  np.testing.assert_allclose(w[0, :, 0],
                             knobs.f0_steadiness(f0[0]).numpy(), atol=1e-6)
  np.testing.assert_allclose(w[0, :, 1], 1.0, atol=1e-6)


def test_a_knob_asked_below_a_fundamental_alone_gets_a_note():
  units = {'brightness': ('harmonic_spectral_centroid', 'octaves re f0',
                          1.204, 0.744),
           'hollowness': ('odd_even_ratio', 'dB', -3.1, 12.4)}
  # Harmonic 1 alone is log2(1) = 0 octaves: (0 - 1.204) / 0.744 std.
  assert knobs.reach('harmonic_spectral_centroid', 1.204, 0.744)[0] == (
      pytest.approx(-1.204 / 0.744))
  notes = knobs.reach_notes({'brightness': -3.0, 'hollowness': -3.0}, units)
  assert len(notes) == 1 and notes[0].startswith('brightness=-3 lies below')
  assert '-1.62 std' in notes[0]
  assert knobs.reach_notes({'brightness': -1.5}, units) == []


def test_a_knob_asked_above_what_a_high_note_has_gets_a_note():
  """At 16 kHz an F6 (1396.9 Hz) sounds partials 1-4: the synth plays
  partial k while (k + 1) f0 <= 8 kHz (5 f0 = 6984 Hz, 6 f0 = 8381 Hz).
  Its energy centroid tops out at harmonic 4, log2(4) = 2 octaves:
  (2 - 1.204) / 0.744 = 1.07 std. At 48 kHz it has 16 partials."""
  units = {'brightness': ('harmonic_spectral_centroid', 'octaves re f0',
                          1.204, 0.744)}
  f6 = 440.0 * 2 ** (20 / 12)
  assert knobs.partials_below_nyquist(f6, 16000) == 4
  assert knobs.partials_below_nyquist(f6, 48000) == 16
  np.testing.assert_array_equal(
      knobs.sounding_partials(np.array([[f6]]), 6, 16000)[0],
      [True] * 4 + [False] * 2)
  notes = knobs.reach_notes({'brightness': 2.0}, units, highest_f0_hz=f6,
                            sample_rate=16000)
  assert len(notes) == 1 and '1.07 std: 4 partials below Nyquist' in notes[0]
  assert notes[0].startswith('brightness=2 lies above what the highest '
                             'note (1397 Hz) can reach at 16 kHz')
  assert knobs.reach_notes({'brightness': 1.0}, units, highest_f0_hz=f6,
                           sample_rate=16000) == []
  assert knobs.reach_notes({'brightness': 2.0}, units, highest_f0_hz=f6,
                           sample_rate=48000) == []
  # Without a pitch, no such note.
  assert knobs.reach_notes({'brightness': 2.0}, units) == []


def test_a_clip_that_starts_abruptly_reads_its_own_noise_ratio():
  """Known signal: a 220 Hz sawtooth (a_k = 1/k below 7.5 kHz) with white
  noise 40 dB below its power, cut to 1 s and starting at full level on
  sample 0. Frames whose window reaches past the clip read the cut (the
  zeros padded before it) as noise; `measure` leaves them out and reads
  the clip's -40 dB."""
  rng = np.random.default_rng(0)
  t = np.arange(SR) / SR
  k = np.arange(1, int(7500 / 220.0) + 1)
  tone = sum(np.sin(2 * np.pi * 220.0 * kk * t + rng.uniform(0, 6.3)) / kk
             for kk in k)
  power = np.sum((1.0 / k) ** 2) / 2
  audio = 0.05 * (tone + np.sqrt(power * 1e-4) * rng.standard_normal(SR))
  f0 = np.full(251, 220.0, np.float32)
  loudness = np.zeros(251, np.float32)  # All frames loud.
  measured, weight = knobs.measure(
      audio[None].astype(np.float32), f0[None], loudness[None],
      ['noise_ratio'], np.zeros(1, np.float32), np.ones(1, np.float32))
  assert float(measured[0, 0, 0]) == pytest.approx(-40.0, abs=0.5)
  assert float(weight[0, 0, 0]) == pytest.approx(251 - 32, abs=1e-3)
  # Its edge frames alone read far above it (what the rule leaves out).
  from interpret_ddsp.analysis import descriptors  # pylint: disable=g-import-not-at-top
  frames = descriptors.noise_ratio(audio.astype(np.float32), f0).numpy()
  assert frames[:4].min() > -20.0 and frames[-4:].min() > -20.0


def test_inside_clip_keeps_a_clip_shorter_than_two_windows():
  np.testing.assert_array_equal(knobs.inside_clip(20, 32), 1.0)
  w = knobs.inside_clip(100, 32)
  assert w[:16].sum() == 0 and w[-16:].sum() == 0 and w[16:84].min() == 1

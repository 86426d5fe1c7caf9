# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""interpret_ddsp.analysis.metrics on inputs whose answer is known in closed form."""

import json

import numpy as np
import pytest
import scipy.linalg
import scipy.stats

from interpret_ddsp.analysis import metrics
from interpret_ddsp.evaluation import knob_metrics
from interpret_ddsp.support import signals

SR = 16000


def _noise(seconds=1.0, amplitude=0.1, seed=0, sample_rate=SR):
  """White noise: broadband, so level changes show on every band."""
  rng = np.random.default_rng(seed)
  n = int(seconds * sample_rate)
  return (amplitude * rng.standard_normal(n)).astype(np.float32)


# ------------------------------------------------------------ reconstruction.


def test_identical_audio_scores_perfect():
  audio = _noise()
  assert metrics.multiscale_spectral_distance(audio, audio) == 0.0
  assert metrics.snr_db(audio, audio) == metrics.MAX_SNR_DB
  assert metrics.mel_cepstral_distortion(audio, audio, SR) == 0.0
  assert metrics.loudness_l1_db(audio, audio) == 0.0


def test_different_audio_scores_worse():
  a, b = _noise(seed=0), _noise(seed=1)
  assert metrics.multiscale_spectral_distance(a, b) > 0.5
  assert metrics.snr_db(a, b) < 0.0  # Noise power 2x the signal: -3 dB.
  assert metrics.snr_db(a, b) == pytest.approx(-3.0, abs=0.2)
  assert metrics.mel_cepstral_distortion(a, b, SR) > 1.0


@pytest.mark.parametrize('gain', [0.5, 0.9, 1.1, 3.0])
def test_snr_of_a_scaled_copy_is_closed_form(gain):
  audio = _noise()
  assert metrics.snr_db(audio, gain * audio) == pytest.approx(
      -20.0 * np.log10(abs(1.0 - gain)), abs=1e-3)


def test_snr_of_added_noise_at_a_set_level():
  t = np.arange(SR) / SR
  clean = 0.5 * np.sin(2 * np.pi * 440.0 * t)
  noise = _noise(seed=3).astype(np.float64)
  noise *= np.sqrt(np.sum(clean ** 2) / np.sum(noise ** 2) / 10.0)  # 10 dB.
  assert metrics.snr_db(clean, clean + noise) == pytest.approx(10.0, abs=1e-6)
  assert metrics.snr_db(np.zeros(100), np.ones(100)) == -metrics.MAX_SNR_DB


@pytest.mark.parametrize('gain,sample_rate', [(0.5, SR), (0.25, SR),
                                              (0.5, 44100)])
def test_loudness_l1_of_a_gain_change(gain, sample_rate):
  audio = _noise(sample_rate=sample_rate)
  assert metrics.loudness_l1_db(audio, gain * audio, sample_rate) == (
      pytest.approx(-20.0 * np.log10(gain), abs=0.5))


def test_spectral_distance_is_ddsps_and_its_log_term_is_the_gain():
  audio = _noise()
  # log(g S + 1e-5) - log(S + 1e-5) = log g on every bin of loud noise: each
  # of the 6 FFT sizes adds |ln g|.
  logmag = metrics.multiscale_spectral_distance(audio, 0.5 * audio,
                                                mag_weight=0.0)
  assert logmag == pytest.approx(6 * np.log(2.0), rel=0.01)
  # Defaults: the same number as knob_metrics.spectral_loss (ddsp's loss).
  other = _noise(seed=2)
  expected = knob_metrics.spectral_loss(audio[None], other[None])[0]
  assert metrics.multiscale_spectral_distance(audio, other) == (
      pytest.approx(expected, rel=1e-6))
  # Only the fft_sizes asked for: one scale of the log term.
  one = metrics.multiscale_spectral_distance(audio, 0.5 * audio,
                                             fft_sizes=(256,), mag_weight=0.0)
  assert one == pytest.approx(np.log(2.0), rel=0.01)


def test_mcd_ignores_level_and_is_symmetric():
  a, b = _noise(seed=0), _noise(seed=1)
  assert metrics.mel_cepstral_distortion(a, 0.3 * a, SR) < 0.01  # c0 only.
  assert metrics.mel_cepstral_distortion(a, b, SR) == pytest.approx(
      metrics.mel_cepstral_distortion(b, a, SR), rel=1e-9)
  assert metrics.MCD_CONSTANT == pytest.approx(6.1418, abs=1e-4)


def _ripple(amplitude, d, n_mels=128):
  """amplitude * cos(pi d (m + 1/2) / n_mels) over mel bands m: [n_mels]."""
  m = np.arange(n_mels)
  return amplitude * np.cos(np.pi * d * (m + 0.5) / n_mels)


@pytest.mark.parametrize('n_mels', [40, 128])
def test_mcd_of_a_cosine_ripple_is_its_rms_in_db(n_mels):
  # Closed form: two log-mel spectra (nepers) differing by A cos(pi d (m +
  # 1/2) / M), 1 <= d <= 12, differ by +-R = 20 A / ln 10 dB in magnitude;
  # MCD is that ripple's RMS, R / sqrt(2), whatever the number of bands M.
  rng = np.random.default_rng(0)
  base = rng.normal(-3.0, 2.0, (50, n_mels))  # Any spectra: only Δ counts.
  a_np = 0.5  # nepers: +-4.34 dB.
  r_db = 20 * a_np / np.log(10)
  for d in (1, 5, 12):
    other = base + _ripple(a_np, d, n_mels)
    assert metrics.mcd_of_logmel(base, other) == pytest.approx(
        r_db / np.sqrt(2), rel=1e-9)
  # Two cosines: their RMS add in quadrature. 3.071 dB for A = 0.5.
  assert metrics.mcd_of_logmel(
      base, base + _ripple(0.5, 2, n_mels) + _ripple(0.5, 7, n_mels)) == (
          pytest.approx(20 * 0.5 / np.log(10), rel=1e-9))
  # A gain (c0) and cosines above c12 do not count.
  assert metrics.mcd_of_logmel(base, base + 0.7) == pytest.approx(0, abs=1e-9)
  assert metrics.mcd_of_logmel(
      base, base + _ripple(1.0, 13, n_mels)) == pytest.approx(0, abs=1e-9)
  # The mean over frames: a ripple on half of them counts half.
  half = base.copy()
  half[:25] += _ripple(a_np, 3, n_mels)
  assert metrics.mcd_of_logmel(base, half) == pytest.approx(
      r_db / np.sqrt(2) / 2, rel=1e-9)
  # The cepstra: c_d = A for the ripple, as in L = c0/2 + sum c_d cos(.).
  c = metrics.mel_cepstra(_ripple(0.5, 4, n_mels) + 0.3)
  assert c[0] == pytest.approx(0.6) and c[4] == pytest.approx(0.5)
  assert np.delete(c, [0, 4]) == pytest.approx(np.zeros(11), abs=1e-12)


def test_mcd_of_audio_is_ddsps_mfcc_distance_rescaled():
  # ddsp's MFCCs are the orthonormal DCT-II of its 128-band log-mel (TF's
  # implementation): c_d sqrt(2 / 128) are the one-sided cepstra.
  import ddsp  # pylint: disable=g-import-not-at-top
  a, b = _noise(seed=0), _noise(seed=1)
  t = np.arange(SR) / SR
  c = (a + 0.2 * np.sin(2 * np.pi * 300 * t)).astype(np.float32)
  for x, y in ((a, b), (a, c)):
    cx, cy = (np.asarray(ddsp.spectral_ops.compute_mfcc(
        z[None], mfcc_bins=13, sample_rate=SR), np.float64)[0, :, 1:]
              for z in (x, y))
    expected = 10 * np.sqrt(2) / np.log(10) * np.sqrt(2 / 128) * np.mean(
        np.linalg.norm(cx - cy, axis=-1))
    assert metrics.mel_cepstral_distortion(x, y, SR) == pytest.approx(
        expected, rel=1e-4)
    assert 0.5 < expected < 20  # A few dB, not tens.


def test_spectral_metrics_at_44k_measure_the_16k_sounds():
  # Every spectral metric runs on the sounds resampled to 16 kHz (soxr), so
  # a 44.1 kHz pair scores as its 16 kHz versions do with ddsp's own loss.
  import soxr  # pylint: disable=g-import-not-at-top
  a = _noise(sample_rate=44100, seed=0)
  b = _noise(sample_rate=44100, seed=1) + 0.5 * a
  a16, b16 = (soxr.resample(x, 44100, 16000, quality='HQ') for x in (a, b))
  expected = knob_metrics.spectral_loss(a16[None], b16[None])[0]
  assert metrics.multiscale_spectral_distance(a, b, 44100) == (
      pytest.approx(expected, rel=1e-5))
  assert metrics.mel_cepstral_distortion(a, b, 44100) == pytest.approx(
      metrics.mel_cepstral_distortion(a16, b16, SR), rel=1e-6)


def test_f0_error_cents_on_known_tracks():
  ref = np.full(100, 220.0)
  est = ref * 2 ** (100 / 1200)
  out = metrics.f0_error_cents(ref, est)
  assert out['l1_cents'] == pytest.approx(100.0)
  assert out['outlier_rate'] == 1.0 and out['octave_error_rate'] == 0.0
  assert out['n_frames'] == 100
  # 10 cents everywhere, an octave up on 10 frames, 0 Hz on 5, 20 masked.
  est = ref * 2 ** (10 / 1200)
  est[:10] *= 2.0
  est[10:15] = 0.0
  mask = np.ones(100, bool)
  mask[80:] = False
  out = metrics.f0_error_cents(ref, est, mask)
  assert out['n_frames'] == 75
  assert out['outlier_rate'] == pytest.approx(10 / 75)
  assert out['octave_error_rate'] == pytest.approx(10 / 75)
  assert out['l1_cents'] == pytest.approx((65 * 10 + 10 * 1210) / 75)
  assert metrics.f0_error_cents(ref, est, np.zeros(100, bool))['n_frames'] == 0
  assert np.isnan(metrics.f0_error_cents(ref, est, np.zeros(100,
                                                            bool))['l1_cents'])


def test_f0_l1_of_audio_sees_a_100_cent_shift():
  # 300 Hz: CREPE tiny's own bias there is < 1 cent on both tones. It is
  # pitch dependent, up to ~3 cents (at 440 Hz this pair measures 95.0).
  ref, _ = signals.harmonic_tone(300.0, 1.0)
  est, _ = signals.harmonic_tone(300.0 * 2 ** (100 / 1200), 1.0)
  out = metrics.f0_l1_of_audio(ref, est)
  assert out['l1_cents'] == pytest.approx(100.0, abs=5.0)
  assert out['outlier_rate'] == 1.0  # Every frame > 50 cents off.
  assert out['n_frames'] > 200  # Of 250: the tone is confidently voiced.
  same = metrics.f0_l1_of_audio(ref, ref)
  assert same['l1_cents'] == 0.0 and same['outlier_rate'] == 0.0


def test_f0_track_hears_the_pitch_at_48_khz():
  """The same 300 Hz tone at 16 and 48 kHz tracks as 300 Hz both times
  (generation's pitch adherence read a 48 kHz model's output as if it were
  16 kHz: 3x too low)."""
  for sr in (16000, 48000):
    tone, _ = signals.harmonic_tone(300.0, 1.0, sample_rate=sr)
    f0 = metrics.f0_track(tone, sr)
    assert len(f0) == 250, (sr, len(f0))
    cents = 1200 * np.log2(np.median(f0[25:-25]) / 300.0)
    assert abs(cents) < 5, (sr, cents)


def test_reconstruction_metrics_per_example_and_mean():
  refs = np.stack([_noise(0.5, seed=0), _noise(0.5, seed=1)])
  ests = np.stack([refs[0], 0.5 * refs[1]])
  out = metrics.reconstruction_metrics(refs, ests, SR, with_f0=False)
  first, second = out['per_example']
  assert first['snr_db'] == metrics.MAX_SNR_DB
  assert second['snr_db'] == pytest.approx(20 * np.log10(2.0), abs=1e-3)
  assert second['loudness_l1_db'] == pytest.approx(6.02, abs=0.5)
  assert out['mean']['loudness_l1_db'] == pytest.approx(
      second['loudness_l1_db'] / 2)
  assert set(out['mean']) == {'spectral_distance', 'snr_db', 'mcd_db',
                              'loudness_l1_db'}
  json.dumps(out, allow_nan=False)  # Plain, finite Python numbers.


# ----------------------------------------------------------- disentanglement.

N, K = 1000, 8


@pytest.fixture(scope='module')
def codes():
  """Attributes a [N, K] ~ N(0, I) and codes of known structure."""
  rng = np.random.default_rng(0)
  a = rng.standard_normal((N, K))
  free = rng.standard_normal((N, 2))  # Two dims no attribute lives in.
  hadamard = scipy.linalg.hadamard(K) / np.sqrt(K)
  rotation = scipy.stats.special_ortho_group.rvs(K, random_state=0)
  return a, {
      # z_k = f(a_k) + tiny noise, f affine.
      'disentangled': np.concatenate(
          [2.0 * a - 1.0 + 1e-3 * rng.standard_normal((N, K)), free], 1),
      # f increasing but not affine.
      'nonlinear': np.concatenate(
          [np.tanh(a) + a ** 3 / 10 + 1e-3 * rng.standard_normal((N, K)),
           free], 1),
      # A rotation that spreads every attribute evenly over all dims.
      'hadamard': a @ hadamard.T,
      'rotation': a @ rotation.T,
      'independent': rng.standard_normal((N, K)),
  }


def test_disentangled_code_scores_high(codes):
  a, z = codes
  assert metrics.mig(z['disentangled'], a)['mig'] > 0.8
  assert metrics.sap(z['disentangled'], a)['sap'] > 0.95
  interp = metrics.interpretability_score(z['disentangled'], a)
  assert interp['score'] > 0.95
  assert interp['dim'] == list(range(K))
  assert metrics.mig(z['disentangled'], a)['best_dim'] == list(range(K))
  assert metrics.spearman_per_dim(z['disentangled'], a)['diagonal'] == (
      pytest.approx([1.0] * K, abs=1e-3))
  # A monotone non-affine f: equal-width bins of z no longer line up with a's
  # (MIG drops), equal-count bins do.
  assert metrics.mig(z['nonlinear'], a, strategy='quantile')['mig'] > 0.8
  assert metrics.sap(z['nonlinear'], a)['sap'] > 0.8
  assert metrics.interpretability_score(z['nonlinear'], a)['score'] > 0.8


@pytest.mark.parametrize('name', ['hadamard', 'independent'])
def test_entangled_code_scores_low(codes, name):
  a, z = codes
  assert metrics.mig(z[name], a)['mig'] < 0.2
  assert metrics.sap(z[name], a)['sap'] < 0.2
  # Hadamard: R^2 of any one dim is 1 / K = 0.125.
  assert metrics.interpretability_score(z[name], a)['score'] < 0.2
  assert max(abs(r) for r in metrics.spearman_per_dim(
      z[name], a)['diagonal']) < 0.5


def test_gap_metrics_penalize_an_attribute_held_by_two_dims(codes):
  # Each attribute copied into two dims: both are fully informative, so the
  # gap between the best two is ~0. Interpretability looks at one dim only.
  a, z = codes
  twice = np.concatenate([z['disentangled'][:, :K], z['disentangled'][:, :K]
                          + 1e-3 * np.random.default_rng(1).standard_normal(
                              (N, K))], 1)
  assert metrics.mig(twice, a)['mig'] < 0.2
  assert metrics.sap(twice, a)['sap'] < 0.2
  assert metrics.interpretability_score(twice, a)['score'] > 0.95


def test_random_rotation_scores_between(codes):
  # A random rotation of 8 dims leaves each attribute partly aligned with
  # some dim (mean best R^2 here 0.49): below a disentangled code, above 0.
  a, z = codes
  assert metrics.mig(z['rotation'], a)['mig'] < 0.2
  assert metrics.sap(z['rotation'], a)['sap'] < 0.5
  assert metrics.interpretability_score(z['rotation'], a)['score'] < 0.7


def test_spearman_per_dim_shape_and_values():
  a = np.arange(10.0)[:, None] * [1.0, -1.0]
  z = np.stack([a[:, 0] ** 3, np.zeros(10), -a[:, 1]], 1)
  out = metrics.spearman_per_dim(z, a)
  np.testing.assert_allclose(out['matrix'], [[1, 0, 1], [-1, 0, -1]])
  assert out['diagonal'] == pytest.approx([1.0, 0.0])


def _sweeps(mixing, noise, n_values=9, n_examples=3, seed=0):
  """Sweeps of K knobs whose descriptors are mixing @ knobs + noise."""
  rng = np.random.default_rng(seed)
  names = [f'k{i}' for i in range(len(mixing))]
  values = np.linspace(-2, 2, n_values)
  out = {}
  for i, a in enumerate(names):
    measured = {b: mixing[j, i] * values +
                   noise * rng.standard_normal((n_examples, n_values))
                for j, b in enumerate(names)}
    out[a] = {'values': values, 'measured': measured}
  return out


def test_cross_talk_of_separate_and_mixed_knobs():
  separate = metrics.cross_talk(_sweeps(np.eye(3), noise=0.05))
  assert separate['knobs'] == ['k0', 'k1', 'k2']
  np.testing.assert_allclose(np.diag(separate['abs_spearman']), 1.0)
  np.testing.assert_allclose(np.diag(separate['slope_ratio']), 1.0)
  assert separate['off_diagonal_abs_spearman'] < 0.5
  assert separate['off_diagonal_slope_ratio'] < 0.05
  # Knob 0 also moves descriptor 1 at half its own rate.
  mixing = np.eye(3)
  mixing[1, 0] = 0.5
  mixed = metrics.cross_talk(_sweeps(mixing, noise=0.0))
  assert mixed['abs_spearman'][0][1] == pytest.approx(1.0)
  assert mixed['slope_ratio'][0][1] == pytest.approx(0.5)
  assert mixed['slope_ratio'][1][0] == pytest.approx(0.0)
  assert mixed['abs_spearman'][0][2] == 0.0  # Does not move at all.
  json.dumps(mixed, allow_nan=False)


# ---------------------------------------------------------------- generation.


def test_frechet_distance_known_answers():
  rng = np.random.default_rng(0)
  x = rng.standard_normal((5000, 4))
  mu = np.array([1.0, -1.0, 0.5, 0.0])
  y = rng.standard_normal((5000, 4)) + mu
  assert metrics.frechet_distance(x, x) == pytest.approx(0.0, abs=1e-8)
  assert metrics.frechet_distance(x, y) == pytest.approx(mu @ mu, abs=0.15)
  # Covariances: N(0, I) vs N(0, 4 I) in d dims: d (1 - 2)^2 = 4.
  assert metrics.frechet_distance(x, 2 * rng.standard_normal(
      (5000, 4))) == pytest.approx(4.0, abs=0.3)
  # Singular covariances (a constant feature, fewer rows than dims) stay
  # finite.
  few = np.concatenate([rng.standard_normal((3, 5)), np.ones((3, 1))], 1)
  assert np.isfinite(metrics.frechet_distance(few, few + 1.0))


def test_diversity_and_novelty():
  rng = np.random.default_rng(0)
  training = rng.standard_normal((200, 5))
  assert metrics.novelty(training, training) == 0.0
  # Points 20 * sqrt(5) apart, each moved 5 away: its own is the nearest.
  grid = 20.0 * np.arange(10)[:, None] * np.ones(5)
  assert metrics.novelty(grid + [3.0, 4.0, 0, 0, 0], grid) == (
      pytest.approx(5.0))
  assert metrics.novelty(grid[:3], grid) == 0.0
  assert metrics.mean_pairwise_distance(np.ones((4, 3))) == 0.0
  assert metrics.mean_pairwise_distance([[0, 0], [3, 4]]) == 5.0
  z = metrics.standardize(10 * training + 3, 10 * training + 3)
  np.testing.assert_allclose(z.mean(0), 0, atol=1e-12)
  np.testing.assert_allclose(z.std(0), 1)


def test_sound_features():
  bright, _ = signals.harmonic_tone(220.0, 1.0, n_harmonics=30)
  dull, _ = signals.harmonic_tone(220.0, 1.0, n_harmonics=2)
  f0 = np.full(250, 220.0)
  names = metrics.SOUND_FEATURE_NAMES
  features = metrics.sound_features(bright, SR, f0_hz=f0)
  assert len(features) == len(names) == 2 * 12 + 8  # MFCC mean/std, 8 dsc.
  assert all(isinstance(v, float) and np.isfinite(v) for v in features)
  # Level: MFCCs c1.. and the (ratio) descriptors barely move.
  quiet = metrics.sound_features(0.3 * bright, SR, f0_hz=f0)
  nhr = names.index('noise_ratio')
  others = [i for i in range(len(names)) if i != nhr]
  np.testing.assert_allclose(np.array(quiet)[others],
                             np.array(features)[others], atol=0.1)
  # A clean tone's noise ratio sits at the Blackman-Harris window's leakage
  # floor (about -84 dB; through a Hann window it read about -50 dB), at
  # either level; there its few dB are rounding, not noise.
  assert max(quiet[nhr], features[nhr]) < -75.0
  centroid = names.index('spectral_centroid')
  assert features[centroid] > metrics.sound_features(
      dull, SR, f0_hz=f0)[centroid] + 1.0  # Octaves.
  # Without f0: CREPE tiny finds it; the same vector to rounding (the
  # noise ratio at its floor).
  crepe = np.array(metrics.sound_features(bright, SR))
  np.testing.assert_allclose(crepe[others], np.array(features)[others],
                             atol=0.05)
  assert crepe[nhr] < -75.0  # At the floor too (its few dB are rounding).


# -------------------------------------------------------------------- sweeps.


def test_monotonicity():
  values = np.linspace(-2, 2, 200)
  up = metrics.monotonicity(values, values ** 3)
  assert up == {'nondecreasing_share': 1.0, 'monotonic_share': 1.0,
                'spearman': pytest.approx(1.0)}
  rng = np.random.default_rng(0)
  shuffled = metrics.monotonicity(values, rng.permutation(values ** 3))
  assert abs(shuffled['spearman']) < 0.2
  assert shuffled['monotonic_share'] == 0.0
  assert 0.3 < shuffled['nondecreasing_share'] < 0.7
  # Steps are taken in order of knob value, whatever the sweep's order.
  down = metrics.monotonicity(values[::-1], values[::-1] ** 3)
  assert down['nondecreasing_share'] == 1.0
  assert down['spearman'] == pytest.approx(1.0)
  # Two examples, one flat one: spearman averages 1 and 0.
  both = metrics.monotonicity(values, np.stack([values, np.zeros(200)]))
  assert both['spearman'] == pytest.approx(0.5)
  assert both['monotonic_share'] == 1.0


def test_visqol_knows_identical_and_noisier_signals():
  """ViSQOL's audio mode on known answers: identical signals score its
  maximum (about 4.73); white noise at 40 dB SNR scores lower, at 20 dB
  lower still (a 1 s three-partial tone at 16 kHz, resampled to 48 kHz)."""
  t = np.arange(16000) / 16000.0
  tone = sum(a * np.sin(2 * np.pi * f * t)
             for a, f in ((0.3, 440.0), (0.1, 880.0), (0.05, 1320.0)))
  rng = np.random.default_rng(0)
  noisy = lambda snr: tone + rng.normal(0, tone.std() * 10 ** (-snr / 20),
                                        len(tone))
  same = metrics.visqol(tone, tone)
  at_40, at_20 = metrics.visqol(tone, noisy(40)), metrics.visqol(tone,
                                                                 noisy(20))
  assert same == pytest.approx(4.73, abs=0.01)
  assert at_40 < same - 0.5
  assert at_20 < at_40

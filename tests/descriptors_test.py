# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""interpret_ddsp.analysis.descriptors: values against librosa on real sampled notes
(TimGM6mb soundfont) and white noise, analytic values on synthetic tones and
noises, finite gradients (silent and unvoiced frames included), batching."""

import librosa
import numpy as np
import pytest
import tensorflow as tf

from interpret_ddsp.analysis import descriptors
from interpret_ddsp.analysis import knobs
from interpret_ddsp.score import soundfont

SR = 16000
FRAME_RATE = 250
HOP = SR // FRAME_RATE  # 64 samples.
N_FFT = 2048
BIN_HZ = SR / N_FFT  # 7.8125 Hz.
# Frames whose window lies wholly inside a signal of 1 s: skip the first and
# last n_fft / 2 / hop = 16 frames, whose windows reach into the zero padding.
INTERIOR = slice(N_FFT // 2 // HOP, -(N_FFT // 2 // HOP))
LEAD_IN = 4000  # Samples of silence before each real note.
SILENT_FRAMES = (LEAD_IN - N_FFT // 2) // HOP + 1  # Frames 0..46: all zeros.
# (GM program, MIDI key): violin A4, flute C5, trumpet D4.
NOTES = {'violin': (40, 69), 'flute': (73, 72), 'trumpet': (56, 62)}


def _seconds(secs=1.0):
  return np.arange(int(secs * SR)) / SR


def _harmonic_tone(f0_hz, amplitudes, secs=1.0):
  """sum_k a_k sin(2 pi k f0 t) * 0.2; amplitudes: {k: a_k}."""
  t = _seconds(secs)
  audio = sum(a * np.sin(2 * np.pi * k * f0_hz * t)
              for k, a in amplitudes.items())
  return (0.2 * audio).astype(np.float32)


def _narrowband_noise(centre_hz, seed, rel_width=0.15):
  """White noise band-limited to centre_hz * (1 +- rel_width), peak 0.3."""
  rng = np.random.default_rng(seed)
  spectrum = np.fft.rfft(rng.standard_normal(SR))
  spectrum[np.abs(np.fft.rfftfreq(SR, 1 / SR) - centre_hz) >
           rel_width * centre_hz] = 0
  audio = np.fft.irfft(spectrum, SR)
  return (0.3 * audio / np.abs(audio).max()).astype(np.float32)


def _white_noise(seed=0, secs=1.0):
  rng = np.random.default_rng(seed)
  return (0.1 * rng.standard_normal(int(secs * SR))).astype(np.float32)


@pytest.fixture(scope='module')
def real_audio():
  """Three soundfont notes after 0.25 s of silence, and white noise."""
  audio = {}
  for name, (program, key) in NOTES.items():
    note = soundfont.render_note(program, key, velocity=100, held_secs=1.0,
                                 release_secs=0.0, sample_rate=SR)
    audio[name] = np.concatenate([np.zeros(LEAD_IN, np.float32), note])
  audio['white_noise'] = _white_noise()
  return audio


def _librosa(feature, audio, **kwargs):
  return feature(y=audio, n_fft=N_FFT, hop_length=HOP, center=True,
                 **kwargs)[0]


def _loud_frames(audio):
  """Frames within 60 dB of the loudest (librosa RMS, same framing)."""
  rms = librosa.feature.rms(y=audio, frame_length=N_FFT, hop_length=HOP)[0]
  return rms > 1e-3 * rms.max()


# ---------------------------------------------------------- framing.


def test_frames_line_up_with_ddsp_loudness_and_librosa_stft():
  from ddsp import spectral_ops  # pylint: disable=g-import-not-at-top
  audio = _white_noise(secs=0.5)[:7999]  # Not a multiple of the hop.
  mag = descriptors.magnitude_spectrogram(audio, SR, FRAME_RATE, N_FFT)
  loudness = spectral_ops.compute_loudness(
      audio, SR, FRAME_RATE, N_FFT, use_tf=True, padding='center')
  assert mag.shape == (7999 // HOP + 1, N_FFT // 2 + 1)
  assert loudness.shape[0] == mag.shape[0]
  expected = np.abs(librosa.stft(audio, n_fft=N_FFT, hop_length=HOP,
                                 center=True, pad_mode='constant')).T
  np.testing.assert_allclose(mag, expected, rtol=0,
                             atol=1e-4 * expected.max())


# ------------------------------------------------------ against librosa.


@pytest.mark.parametrize('name', [*NOTES, 'white_noise'])
def test_matches_librosa_on_real_audio(real_audio, name):
  audio = real_audio[name]
  ours = descriptors.compute_descriptors_np(
      audio, None, SR, FRAME_RATE, N_FFT,
      names=('spectral_centroid', 'spectral_flatness', 'spectral_rolloff'))
  centroid = _librosa(librosa.feature.spectral_centroid, audio, sr=SR)
  flatness = _librosa(librosa.feature.spectral_flatness, audio, power=2.0,
                      amin=1e-10)
  rolloff = _librosa(librosa.feature.spectral_rolloff, audio, sr=SR,
                     roll_percent=0.85)
  assert ours['spectral_centroid'].shape == centroid.shape
  loud = _loud_frames(audio)
  assert loud.mean() > 0.7

  np.testing.assert_allclose(ours['spectral_centroid'][loud], centroid[loud],
                             rtol=1e-3)
  np.testing.assert_allclose(ours['spectral_flatness'][loud], flatness[loud],
                             rtol=1e-3, atol=1e-7)
  # Interpolated roll-off: within one bin width below librosa's step value.
  below_bins = (rolloff - ours['spectral_rolloff'])[loud] / BIN_HZ
  assert np.mean((below_bins > -0.01) & (below_bins < 1.01)) > 0.99
  assert np.all(np.abs(below_bins) < 2.0)
  # It interpolates: not stuck on librosa's bin centres.
  assert np.mean(np.abs(below_bins) > 0.05) > 0.5

  if name in NOTES:  # Silent lead-in: the same conventions as librosa.
    silent = slice(0, SILENT_FRAMES)
    np.testing.assert_array_equal(centroid[silent], 0)
    np.testing.assert_array_equal(ours['spectral_centroid'][silent], 0)
    np.testing.assert_array_equal(ours['spectral_rolloff'][silent], 0)
    np.testing.assert_allclose(flatness[silent], 1, atol=1e-5)
    np.testing.assert_allclose(ours['spectral_flatness'][silent], 1,
                               atol=1e-5)


# ------------------------------------------------------ analytic values.


@pytest.mark.parametrize('freq_hz', [440.0, 1003.0, 3001.7])
def test_sine_centroid_is_its_frequency_and_flatness_is_zero(freq_hz):
  sine = (0.5 * np.sin(2 * np.pi * freq_hz * _seconds())).astype(np.float32)
  centroid = descriptors.spectral_centroid(sine).numpy()[INTERIOR]
  np.testing.assert_allclose(centroid, freq_hz, atol=0.1 * BIN_HZ)
  assert descriptors.spectral_flatness(sine).numpy()[INTERIOR].max() < 1e-6
  rolloff = descriptors.spectral_rolloff(sine).numpy()[INTERIOR]
  np.testing.assert_allclose(rolloff, freq_hz, atol=2 * BIN_HZ)


def test_white_noise_is_flat():
  flatness = descriptors.spectral_flatness(_white_noise(seed=3)).numpy()
  # E[flatness] of exponential-distributed power is exp(-0.5772) = 0.561.
  assert 0.53 < np.median(flatness) < 0.60
  assert flatness.min() > 0.5


AMPLITUDES = {1: 1.0, 2: 0.6, 3: 0.4, 4: 0.3, 5: 0.2, 6: 0.1}
EXPECTED_HC = (sum(k * a for k, a in AMPLITUDES.items()) /
               sum(AMPLITUDES.values()))  # 2.3846 harmonic numbers.


def _harmonic_centroid(f0_hz, amplitudes=None):
  tone = _harmonic_tone(f0_hz, amplitudes or AMPLITUDES)
  f0 = np.full(descriptors.n_frames(len(tone)), f0_hz, np.float32)
  return descriptors.harmonic_centroid(tone, f0).numpy()[INTERIOR]


def test_harmonic_centroid_is_mean_harmonic_number_at_any_octave():
  # f0 on a bin centre (250 Hz = 32 bins): exact up to float32.
  for f0_hz in (125.0, 250.0, 500.0):
    np.testing.assert_allclose(_harmonic_centroid(f0_hz), EXPECTED_HC,
                               rtol=1e-4)
  # Off the bin grid (Hann leakage): within 1 %, and an octave apart agrees.
  low, high = _harmonic_centroid(220.0), _harmonic_centroid(440.0)
  np.testing.assert_allclose(low, EXPECTED_HC, rtol=0.01)
  np.testing.assert_allclose(high, EXPECTED_HC, rtol=0.01)
  np.testing.assert_allclose(np.median(low), np.median(high), rtol=0.01)
  # A brighter tone has a larger value.
  bright = _harmonic_centroid(220.0, {k: 1.0 for k in range(1, 11)})
  np.testing.assert_allclose(bright, 5.5, rtol=0.01)


def test_harmonic_centroid_ignores_partials_above_n_harmonics():
  tone = _harmonic_tone(250.0, {1: 1.0, 2: 1.0, 8: 1.0})
  f0 = np.full(descriptors.n_frames(len(tone)), 250.0, np.float32)
  band = descriptors.harmonic_centroid(tone, f0, n_harmonics=4).numpy()
  full = descriptors.harmonic_centroid(tone, f0, n_harmonics=None).numpy()
  np.testing.assert_allclose(band[INTERIOR], 1.5, rtol=1e-4)
  np.testing.assert_allclose(full[INTERIOR], 11 / 3, rtol=1e-4)


def test_unvoiced_frames_and_resampled_f0():
  tone = _harmonic_tone(250.0, AMPLITUDES)
  n = descriptors.n_frames(len(tone))
  f0 = np.full(n, 250.0, np.float32)
  f0[:n // 2] = 0.0
  values = descriptors.compute_descriptors_np(tone, f0)
  for name in ('harmonic_centroid', 'odd_even_ratio'):
    np.testing.assert_array_equal(values[name][:n // 2], 0.0)
    assert np.all(np.abs(values[name][n // 2 + 16:-16]) > 0.1)
  # f0 at 100 frames/s (101 frames) is resampled to the 251 frames.
  hc = descriptors.harmonic_centroid(tone, np.full(101, 250.0)).numpy()
  assert hc.shape == (n,)
  np.testing.assert_allclose(hc[INTERIOR], EXPECTED_HC, rtol=1e-4)


def _odd_even_ratio(f0_hz, amplitudes):
  tone = _harmonic_tone(f0_hz, amplitudes)
  f0 = np.full(descriptors.n_frames(len(tone)), f0_hz, np.float32)
  return descriptors.odd_even_ratio(tone, f0).numpy()[INTERIOR]


def test_odd_even_ratio_known_values():
  # Odd: a_3 = 1; even: a_2 = 0.5 (fundamental excluded) -> 4x, 6.02 dB.
  amplitudes = {1: 1.0, 2: 0.5, 3: 1.0}
  np.testing.assert_allclose(_odd_even_ratio(250.0, amplitudes),
                             10 * np.log10(4.0), atol=0.01)
  # Off the bin grid too: the partial's whole band counts (no scalloping).
  np.testing.assert_allclose(_odd_even_ratio(261.6, amplitudes),
                             10 * np.log10(4.0), atol=0.05)
  # The fundamental's level does not matter.
  np.testing.assert_allclose(
      _odd_even_ratio(250.0, {1: 3.0, 2: 0.5, 3: 1.0}),
      10 * np.log10(4.0), atol=0.01)
  # Sawtooth, a_k = 1/k up to k = 31 (7.75 kHz): harmonics 2..31 counted.
  harmonic = np.arange(2, 32)
  expected = 10 * np.log10(np.sum(harmonic[harmonic % 2 == 1]**-2.0) /
                           np.sum(harmonic[harmonic % 2 == 0]**-2.0))
  sawtooth = _odd_even_ratio(250.0, {k: 1 / k for k in range(1, 32)})
  np.testing.assert_allclose(sawtooth, expected, atol=0.01)
  odd_only = _odd_even_ratio(220.0, {1: 1.0, 3: 1 / 3, 5: 1 / 5, 7: 1 / 7})
  even_only = _odd_even_ratio(220.0, {1: 1.0, 2: 1 / 2, 4: 1 / 4, 6: 1 / 6})
  assert odd_only.min() > 40.0
  assert even_only.max() < -40.0
  # Bounded by the relative floor: about +-60 dB.
  assert max(odd_only.max(), -even_only.min()) < 60.1


def _vibrato_sawtooth(f0_hz, cents, noise_db=None, seed=0, secs=1.0,
                      noise_below_hz=None):
  """Sawtooth (a_k = 1/k, random phases, below 7.5 kHz and up to the 64th
  harmonic the descriptors read) whose f0 swings
  +-cents at 5.5 Hz, plus white noise noise_db below its power; returns
  (audio, f0 per frame, amplitudes)."""
  rng = np.random.default_rng(seed)
  t = _seconds(secs)
  f0 = f0_hz * 2.0 ** (cents / 1200 * np.sin(2 * np.pi * 5.5 * t))
  phase = 2 * np.pi * np.cumsum(f0) / SR
  k = np.arange(1, min(descriptors.N_HARMONICS,
                       int(7500 / (f0_hz * 1.04))) + 1)
  a = 1.0 / k
  audio = sum(ak * np.sin(kk * phase + rng.uniform(0, 2 * np.pi))
              for kk, ak in zip(k, a))
  if noise_db is not None:
    power = np.sum(a ** 2) / 2
    noise = rng.standard_normal(len(t))
    if noise_below_hz:  # Coloured: a 4th-order low-pass, then unit power.
      from scipy import signal  # pylint: disable=g-import-not-at-top
      noise = signal.sosfilt(signal.butter(4, noise_below_hz, fs=SR,
                                           output='sos'), noise)
      noise /= np.sqrt(np.mean(noise ** 2))
    audio = audio + np.sqrt(power * 10 ** (noise_db / 10)) * noise
  frames = descriptors.n_frames(len(t))
  f0_frames = np.interp(np.arange(frames) * HOP, np.arange(len(t)), f0)
  return audio.astype(np.float32), f0_frames.astype(np.float32), a


@pytest.mark.parametrize('f0_hz', [110.0, 261.6, 440.0])
def test_noise_ratio_is_the_noise_to_harmonic_power_ratio(f0_hz):
  for noise_db in (-60.0, -30.0, -20.0, -10.0, 0.0):
    audio, f0, _ = _vibrato_sawtooth(f0_hz, 0.0, noise_db)
    nhr = descriptors.noise_ratio(audio, f0).numpy()[INTERIOR]
    assert np.median(nhr) == pytest.approx(noise_db, abs=0.7)
  clean, f0, _ = _vibrato_sawtooth(f0_hz, 0.0)
  # The floor: what the Blackman-Harris window leaks past +-4 bins (-86 dB
  # of a partial's energy; a Hann window leaks -46 dB, which read about
  # -46 dB here before the partial descriptors left it).
  assert np.median(descriptors.noise_ratio(clean, f0).numpy()[INTERIOR]) < (
      -65.0)


def test_blackman_harris_window_is_scipys_and_leaks_below_80_db():
  from scipy import signal  # pylint: disable=g-import-not-at-top
  n = 2048
  window = descriptors.blackman_harris_window(n).numpy()
  expected = signal.get_window(
      ('general_cosine', [0.35875, 0.48829, 0.14128, 0.01168]), n,
      fftbins=True)
  np.testing.assert_allclose(window, expected, atol=1e-7)
  # A tone half-way between bins keeps all but -86 dB of its energy in the
  # +-4 bins around it (the main lobe); a Hann window, -46 dB.
  k = np.arange(n)
  for w, bound in ((window, -80.0), (np.hanning(n + 1)[:-1], -40.0)):
    power = np.abs(np.fft.fft(w * np.exp(2j * np.pi * 100.5 * k / n))) ** 2
    outside = np.abs(k - 100.5) > 4
    leak_db = 10 * np.log10(power[outside].sum() / power.sum())
    assert bound - 10 < leak_db < bound


def test_harmonic_spectral_centroid_ignores_noise_and_vibrato():
  for f0_hz in (110.0, 261.6, 440.0):
    _, _, a = _vibrato_sawtooth(f0_hz, 0.0)
    k = np.arange(1, len(a) + 1)
    expected = np.sum(k * a ** 2) / np.sum(a ** 2)  # Energy centroid.
    for cents, noise_db, rtol in ((0, None, 0.01), (0, -20.0, 0.03),
                                  (30, -40.0, 0.02)):
      audio, f0, _ = _vibrato_sawtooth(f0_hz, cents, noise_db)
      hsc = descriptors.harmonic_spectral_centroid(audio, f0).numpy()
      assert np.median(hsc[INTERIOR]) == pytest.approx(expected, rel=rtol)
  # A 30-cent vibrato's spread stays the partials' (fixed +-4-bin bands on
  # a plain spectrum read -20 dB here; bands widened by the swing, -39.3
  # to -40.1 dB, and -48 to -71 dB with no noise at all): on the
  # pitch-synchronous spectrum the noise ratio reads the truth within 0.3
  # dB, also for noise that falls off above 2 kHz (the widened bands left
  # no gap between the high partials and read it -34.8 dB at 110 and 200
  # Hz), and a clean vibrato tone stays below -80 dB (-48.6 at 110 Hz).
  for f0_hz in (110.0, 200.0, 440.0):
    for below in (None, 2000.0):
      audio, f0, _ = _vibrato_sawtooth(f0_hz, 30.0, -40.0,
                                       noise_below_hz=below)
      nhr = descriptors.noise_ratio(audio, f0).numpy()[INTERIOR]
      assert np.median(nhr) == pytest.approx(-40.0, abs=0.3), (f0_hz, below)
    audio, f0, _ = _vibrato_sawtooth(f0_hz, 30.0)
    assert np.median(descriptors.noise_ratio(audio, f0).numpy()[
        INTERIOR]) < -80.0


def test_partial_spectrogram_is_the_plain_one_at_a_steady_f0():
  audio, f0, _ = _vibrato_sawtooth(261.6, 0.0, -30.0)
  plain = descriptors.magnitude_spectrogram(
      audio, window=descriptors.BLACKMAN_HARRIS).numpy()
  warped = descriptors.partial_spectrogram(audio, f0).numpy()
  np.testing.assert_allclose(warped, plain, rtol=0,
                             atol=1e-4 * plain.max())


def test_partial_spectrogram_holds_a_vibrato_partial_in_its_main_lobe():
  """A sine at 1 kHz with a 30-cent vibrato: the pitch-synchronous frame
  keeps all but -70 dB of its energy within +-4 bins of the frame's f0
  (the plain frame spreads it: -31 dB outside, in the median frame)."""
  t = np.arange(SR) / SR
  f0_samples = 1000.0 * 2.0 ** (30.0 / 1200 * np.sin(2 * np.pi * 5.5 * t))
  audio = np.sin(2 * np.pi * np.cumsum(f0_samples) / SR).astype(np.float32)
  f0 = np.interp(np.arange(251) * HOP, np.arange(SR), f0_samples)
  for mag, bound in ((descriptors.partial_spectrogram(audio, f0), -70.0),
                     (descriptors.magnitude_spectrogram(
                         audio, window=descriptors.BLACKMAN_HARRIS), -10.0)):
    power = mag.numpy()[INTERIOR] ** 2
    position = f0[INTERIOR][:, None] * N_FFT / SR
    inside = np.abs(np.arange(power.shape[1])[None] - position) <= 4
    outside_db = 10 * np.log10(np.sum(power * ~inside, 1) / np.sum(power, 1))
    if bound < -20:
      assert np.max(outside_db) < bound
    else:
      assert np.median(outside_db) > -40.0  # The plain frame spreads it.


def _jittered_tone(f0_hz=139.0, jitter_hz=0.1, seed=0):
  """A clean sawtooth (30 partials, a_k = 1/k) whose f0 takes a new random
  value every ddsp frame (jitter_hz rms, as CREPE's on a held sax note),
  linear between frames, the last held: ddsp's convention, 250 frames for
  1 s, frame i on sample i * HOP. Returns (audio, f0 [250])."""
  rng = np.random.default_rng(seed)
  f0 = (f0_hz + jitter_hz * rng.standard_normal(SR // HOP)).astype(
      np.float32)
  f0_samples = np.interp(np.arange(SR), np.arange(len(f0)) * HOP, f0)
  phase = 2 * np.pi * np.cumsum(f0_samples) / SR
  audio = sum(np.sin(k * phase) / k for k in range(1, 31))
  return (0.2 * audio).astype(np.float32), f0


def test_align_frames_holds_ddsps_last_frame_and_resamples_other_rates():
  np.testing.assert_allclose(
      descriptors.align_frames([[1.0, 2.0, 4.0]], 4).numpy(),
      [[1.0, 2.0, 4.0, 4.0]])
  # 100 frames/s onto 250: frame j (at 4 j ms) reads frame 0.4 j (10 ms).
  track = np.arange(100, dtype=np.float32)[None]
  aligned = descriptors.align_frames(track, 251).numpy()[0]
  np.testing.assert_allclose(aligned[:248], 0.4 * np.arange(248), atol=1e-5)
  assert aligned[-1] == 99.0
  same = np.random.default_rng(0).standard_normal((2, 251)).astype(
      np.float32)
  np.testing.assert_array_equal(descriptors.align_frames(same, 251), same)


def test_a_clean_tone_under_frame_to_frame_f0_jitter_reads_no_noise():
  """ddsp's f0 has one frame fewer than the centred framing; stretching it
  over the frames (as before) read this clean tone at -51 dB of noise."""
  audio, f0 = _jittered_tone()
  nhr = descriptors.noise_ratio(audio, f0).numpy()[INTERIOR]
  assert np.median(nhr) < -80.0
  # The knob chain's measurement (what `evaluate` reads) aligns it too.
  values, _ = knobs.measure(audio[None], f0[None],
                            np.zeros((1, len(f0)), np.float32),
                            ('noise_ratio',), np.zeros(1), np.ones(1))
  assert float(values[0, 0, 0]) < -80.0
  # The same f0 stretched over the frames (the old alignment) reads noise.
  stretched = np.interp(np.linspace(0, len(f0) - 1, len(f0) + 1),
                        np.arange(len(f0)), f0)
  assert np.median(descriptors.noise_ratio(audio, stretched).numpy()[
      INTERIOR]) > -60.0


def test_sharpness_rises_with_frequency_and_is_weighted_above_16_bark():
  medians = {}
  for seed, centre_hz in enumerate((300.0, 1000.0, 4000.0, 6000.0)):
    values = descriptors.sharpness(_narrowband_noise(centre_hz, seed))
    medians[centre_hz] = np.median(values.numpy()[INTERIOR])
  assert medians[300.0] < medians[1000.0] < medians[4000.0] < medians[6000.0]
  # A narrow band at z Bark has S = 0.11 g(z) z, z its 1-Bark band centre.
  for centre_hz in (1000.0, 4000.0, 6000.0):
    z = np.floor(descriptors.hz_to_bark(centre_hz)) + 0.5
    expected = 0.11 * descriptors.sharpness_weighting(z) * z
    np.testing.assert_allclose(medians[centre_hz], expected, rtol=0.05)
  # Without g(z), no signal at 16 kHz could exceed 0.11 * 21.5 Bark.
  assert descriptors.hz_to_bark(SR / 2) < 21.5
  assert medians[6000.0] > 1.5 * 0.11 * 21.5
  np.testing.assert_allclose(descriptors.sharpness_weighting([10.0, 15.8]),
                             1.0)
  np.testing.assert_allclose(descriptors.sharpness_weighting(20.0),
                             0.066 * np.exp(0.171 * 20.0))


def test_sharpness_does_not_depend_on_gain():
  noise = _white_noise(seed=4)
  loud = descriptors.sharpness(noise * 10.0).numpy()
  quiet = descriptors.sharpness(noise * 1e-3).numpy()  # -80 dB.
  np.testing.assert_allclose(loud, quiet, rtol=1e-5)
  # White noise: E_b is proportional to the bins in band b (Zwicker &
  # Terhardt's Bark, written out here), so S = 0.11 sum_b W_b^0.23 g_b z_b /
  # sum_b W_b^0.23.
  freqs = np.arange(N_FFT // 2 + 1) * BIN_HZ
  bark = 13 * np.arctan(0.00076 * freqs) + 3.5 * np.arctan((freqs / 7500)**2)
  widths = np.bincount(np.floor(bark).astype(int))**0.23
  z = np.arange(len(widths)) + 0.5
  g = np.where(z <= 15.8, 1.0, 0.066 * np.exp(0.171 * z))
  expected = 0.11 * np.sum(widths * g * z) / np.sum(widths)
  np.testing.assert_allclose(np.median(loud), expected, rtol=0.02)


# --------------------------------------------------- gradients, batching.


@pytest.mark.parametrize('name', descriptors.DESCRIPTOR_NAMES)
def test_gradients_are_finite_with_silent_and_unvoiced_frames(name):
  tone = _harmonic_tone(440.0, AMPLITUDES, secs=0.5)
  noise = _white_noise(seed=5, secs=0.5)
  batch = np.stack([tone, np.zeros_like(tone), noise])
  n = descriptors.n_frames(batch.shape[1])
  f0 = np.full((3, n), 440.0, np.float32)
  f0[0, :n // 3] = 0.0  # Unvoiced frames in a sounding example.
  f0[2] = 0.0  # Noise: all unvoiced.
  audio = tf.Variable(batch)
  with tf.GradientTape() as tape:
    values = descriptors.compute_descriptors(audio, f0, names=[name])[name]
    loss = tf.reduce_sum(values)
  gradient = tape.gradient(loss, audio).numpy()
  assert np.all(np.isfinite(values.numpy()))
  assert np.all(np.isfinite(gradient))
  assert np.abs(gradient[0]).max() > 0  # Flows from the sounding tone.
  np.testing.assert_array_equal(gradient[1], 0)  # Silence: zero, not NaN.


def test_a_batch_equals_each_example_alone():
  tone = _harmonic_tone(220.0, AMPLITUDES)
  noise = _narrowband_noise(2000.0, seed=6)
  n = descriptors.n_frames(len(tone))
  f0 = np.stack([np.full(n, 220.0), np.full(n, 300.0)]).astype(np.float32)
  batched = descriptors.compute_descriptors_np(np.stack([tone, noise]), f0)
  for i, audio in enumerate((tone, noise)):
    alone = descriptors.compute_descriptors_np(audio, f0[i])
    assert set(alone) == set(descriptors.DESCRIPTOR_NAMES)
    for name, value in alone.items():
      assert value.shape == (n,)
      np.testing.assert_allclose(batched[name][i], value, rtol=1e-5,
                                 atol=1e-5, err_msg=name)


def test_compute_descriptors_equals_the_single_functions():
  tone = _harmonic_tone(330.0, AMPLITUDES, secs=0.5)
  f0 = np.full(descriptors.n_frames(len(tone)), 330.0, np.float32)
  values = descriptors.compute_descriptors(tone, f0)
  singles = {
      'spectral_centroid': descriptors.spectral_centroid(tone),
      'harmonic_centroid': descriptors.harmonic_centroid(tone, f0),
      'spectral_flatness': descriptors.spectral_flatness(tone),
      'spectral_rolloff': descriptors.spectral_rolloff(tone),
      'odd_even_ratio': descriptors.odd_even_ratio(tone, f0),
      'sharpness': descriptors.sharpness(tone),
  }
  assert tuple(values) == descriptors.DESCRIPTOR_NAMES
  for name, value in singles.items():
    np.testing.assert_allclose(values[name], value, rtol=1e-6, err_msg=name)
  assert set(knobs.KNOB_DESCRIPTORS.values()) <= set(values)
  with pytest.raises(ValueError, match='Unknown'):
    descriptors.compute_descriptors(tone, f0, names=['loudness'])
  with pytest.raises(ValueError, match='f0_hz'):
    descriptors.compute_descriptors(tone, None, names=['odd_even_ratio'])


def test_partial_descriptors_trace_inside_a_tf_function():
  """tf.signal.stft hands the window function a tensor length in a graph
  (as evaluate's compiled knob sweeps run it)."""
  audio, f0, _ = _vibrato_sawtooth(261.6, 0.0, -30.0)
  eager = descriptors.compute_descriptors(audio, f0)
  traced = tf.function(descriptors.compute_descriptors)(audio, f0)
  for name in descriptors.DESCRIPTOR_NAMES:
    np.testing.assert_allclose(traced[name].numpy()[INTERIOR],
                               eager[name].numpy()[INTERIOR], rtol=1e-4,
                               atol=1e-3)
  assert np.median(traced['noise_ratio'].numpy()[INTERIOR]) == (
      pytest.approx(-30.0, abs=0.5))

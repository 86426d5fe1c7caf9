# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Streaming synthesis equals offline synthesis, block by block.

What is compared (noise made deterministic):
- `model.synthesize` draws its filtered noise with `tf.random.uniform`;
  seeding TF's generator before it and again before drawing the same shape
  recovers that noise, which the stream is then given.
- An offline reference built from the model's own layers and ddsp.core
  (`_offline`) splits the rendering into its harmonic part and its
  filtered-noise part, with the harmonic phase accumulated either by ddsp's
  `oscillator_bank` (float32 `tf.cumsum`, as `synthesize`) or in float64.
  It is first checked to equal `model.synthesize`.
- The stream's parts: its output with zero noise is its harmonic part;
  the output with noise minus that is its noise part (filtering is linear).
"""

import ddsp
import numpy as np
import pytest
import tensorflow as tf

from interpret_ddsp.generation import streaming
from interpret_ddsp.training import knob_processors
from interpret_ddsp.training import model_io
from interpret_ddsp.training import train

SEED = 11


@pytest.fixture(scope='module')
def model(tiny_model):
  """timbre_ae_tiny trained a few steps (conftest's tiny_model)."""
  return model_io.load_model(tiny_model).model


@pytest.fixture(scope='module')
def untrained():
  """timbre_ae_tiny from gin, weights at their initialization."""
  return _build(['models/timbre_ae_tiny.gin'])


@pytest.fixture(scope='module')
def ddsp_harmonic():
  """timbre_ae_tiny with ddsp's own Harmonic (float32 cumsum phases), at
  its initialization."""
  return _build(['models/timbre_ae_tiny.gin'],
                ['HARMONIC = @synths.Harmonic()'])


def _build(gin_files, params=()):
  train.parse_gin(list(gin_files) + ['datasets/tfrecord.gin',
                                     'optimization/cpu.gin'], params)
  m = train.build_model()
  m(model_io.dummy_features(16000, 250, 1), training=False)
  return m


def _controls(n_frames, z_dims, seed=0):
  """A phrase: f0 glides with vibrato then jumps up a fifth, loudness swells
  and dips, the first knob (brightness) ramps from -2 to 2, free dims held.
  """
  rng = np.random.default_rng(seed)
  t = np.arange(n_frames) / 250.0
  f0 = 196.0 * 2 ** (t / 2 + 0.02 * np.sin(2 * np.pi * 5.5 * t))
  f0[n_frames // 2:] *= 1.5
  loudness = -35.0 + 15.0 * np.sin(2 * np.pi * 1.3 * t)
  loudness[n_frames // 3:n_frames // 3 + 10] = -90.0  # A gap.
  z = np.tile(rng.normal(size=z_dims) * 0.5, (n_frames, 1))
  z[:, 0] = np.linspace(-2.0, 2.0, n_frames)
  return (f0.astype(np.float32), loudness.astype(np.float32),
          z.astype(np.float32))


def _seeded_synthesize(model, f0, loudness, z):
  """model.synthesize and the uniform noise its FilteredNoise drew."""
  n_samples = len(f0) * int(model.hop_size)
  tf.random.set_seed(SEED)
  audio = model.synthesize(f0[np.newaxis], loudness[np.newaxis],
                           z[np.newaxis]).numpy()[0]
  tf.random.set_seed(SEED)
  noise = tf.random.uniform([1, n_samples], -1.0, 1.0).numpy()[0]
  return audio, noise


def _dag_keys(model, module):
  """The input keys of a module in the model's processor group, read off
  the gin-built DAG itself."""
  return next([str(k) for k in node[1]] for node in model.processor_group.dag
              if getattr(node[0], 'name', node[0]) == module.name)


def _offline(model, f0, loudness, z, noise, float64_phase=False):
  """(harmonic, filtered noise) of offline synthesis through the model's
  layers and ddsp.core, noise given; phases float32 as ddsp or float64."""
  n = len(f0)
  hop = int(model.hop_size)
  harmonic, filtered_noise = [
      next(m for m in model.processor_group.modules if isinstance(m, cls))
      for cls in (ddsp.synths.Harmonic, ddsp.synths.FilteredNoise)]
  with model.length(n):
    features = dict(model.preprocessor(
        {'f0_hz': f0[np.newaxis], 'loudness_db': loudness[np.newaxis]},
        training=False))
  features['z'] = model.encoder.expand_z(tf.constant(z[np.newaxis]), n)
  outputs = dict(model.decoder(features, training=False))
  knob_proc = next((m for m in model.processor_group.modules
                    if isinstance(m, knob_processors.TimbreKnobs)), None)
  if knob_proc is not None:  # Frame by frame, before the synths.
    known = dict(features, **outputs,
                 knob_descriptors=model.knob_descriptors(features['z']))
    c = knob_proc.get_controls(*[known[k] for k in _dag_keys(model,
                                                             knob_proc)])
    outputs.update(amps=c['amplitudes'],
                   harmonic_distribution=c['harmonic_distribution'],
                   noise_magnitudes=c['noise_magnitudes'])
  controls = harmonic.get_controls(outputs['amps'],
                                   outputs['harmonic_distribution'],
                                   features['f0_hz'])
  dist = controls['harmonic_distribution']
  freqs = ddsp.core.get_harmonic_frequencies(controls['f0_hz'],
                                             int(dist.shape[-1]))
  freq_env = ddsp.core.resample(freqs, n * hop)
  amp_env = ddsp.core.resample(controls['amplitudes'] * dist, n * hop,
                               method=harmonic.amp_resample_method)
  if float64_phase:
    amp_env = ddsp.core.remove_above_nyquist(freq_env, amp_env,
                                             harmonic.sample_rate)
    phases = np.cumsum(freq_env.numpy()[0].astype(np.float64) * 2 * np.pi /
                       harmonic.sample_rate, axis=0)
    harm = (amp_env.numpy()[0] * np.sin(phases)).sum(-1)
  else:  # The model's own synth: ddsp's Harmonic or synths.FastHarmonic.
    with model.length(n):
      harm = harmonic.get_signal(controls['amplitudes'], dist,
                                 controls['f0_hz']).numpy()[0]
  mags = filtered_noise.get_controls(outputs['noise_magnitudes'])
  filtered = ddsp.core.frequency_filter(
      noise[np.newaxis], mags['magnitudes'],
      window_size=filtered_noise.window_size).numpy()[0]
  return harm, filtered


def _stream(synth, f0, loudness, z, noise=None, flush=True):
  """Blocks through `synth`; the stream aligned to offline (latency cut,
  flush appended)."""
  synth.reset()
  b = synth.block_frames
  hop = synth.hop_size
  out = []
  for i in range(0, len(f0), b):
    block_noise = None if noise is None else noise[i * hop:(i + b) * hop]
    out.append(synth.process(f0[i:i + b], loudness[i:i + b], z[i:i + b],
                             noise=block_noise))
  if flush:
    out.append(synth.flush())
  return np.concatenate(out)[synth.latency_samples:]


def _rel_err(a, b):
  return float(np.abs(a - b).max() / np.abs(b).max())


def _noise_part_ok(stream, stream_harm, filtered, tol=1e-4):
  """The stream's noise part (with noise minus without) equals `filtered`
  to tol of its peak, plus the float32 rounding of the sum it came from."""
  err = np.abs(stream - stream_harm - filtered).max()
  return err < tol * np.abs(filtered).max() + 1e-6 * np.abs(stream).max()


def test_offline_reference_is_model_synthesize(model):
  """The reference and the recovered noise reproduce model.synthesize."""
  f0, loudness, z = _controls(192, model.z_dims)
  audio, noise = _seeded_synthesize(model, f0, loudness, z)
  harm, filtered = _offline(model, f0, loudness, z, noise)
  assert np.abs(filtered).max() > 1e-3 * np.abs(harm).max()  # Noise counts.
  assert _rel_err(harm + filtered, audio) < 1e-6


@pytest.mark.parametrize('block_frames', [16, 32, 64])
@pytest.mark.parametrize('which', ['model', 'ddsp_harmonic'])
def test_stream_equals_offline_synthesize(which, block_frames, request):
  """match_offline_phase: every part of the carried state reproduces
  model.synthesize of the whole phrase (192 frames, 3 to 12 blocks), with
  ddsp's Harmonic (its float32 phase sum continued) and with FastHarmonic
  (exact phases on both sides)."""
  model = request.getfixturevalue(which)
  if which == 'ddsp_harmonic':
    assert type(next(m for m in model.processor_group.modules if isinstance(
        m, ddsp.synths.Harmonic))) is ddsp.synths.Harmonic
  f0, loudness, z = _controls(192, model.z_dims)
  audio, noise = _seeded_synthesize(model, f0, loudness, z)
  harm, filtered = _offline(model, f0, loudness, z, noise)
  synth = streaming.StreamingSynth(model, block_frames,
                                   match_offline_phase=True)
  assert synth.latency_frames == 1
  stream = _stream(synth, f0, loudness, z, noise)
  stream_harm = _stream(synth, f0, loudness, z, np.zeros_like(noise))
  assert stream.shape == audio.shape
  # Measured 0.9e-6 of the peak (float32 rounding); README: "about 1e-6".
  assert _rel_err(stream, audio) < 5e-6
  assert _rel_err(stream_harm, harm) < 5e-6
  assert _noise_part_ok(stream, stream_harm, filtered)


@pytest.mark.parametrize('block_frames', [5, 6, 16, 32, 64])
def test_default_stream_equals_offline_with_exact_phase(model, block_frames):
  """Default (wrapped float64 phases): equals offline synthesis whose
  phases are accumulated in float64. Blocks of 5 and 6 frames end between
  two reads of the knob processor's held noise share (every 4th frame),
  which the stream carries; this model's share barely moves (its error
  with the grid restarted at every block is 1.6e-6, not 0.96e-6), so
  knob_processors_test checks the carry on a filter that does."""
  f0, loudness, z = _controls(192, model.z_dims)
  _, noise = _seeded_synthesize(model, f0, loudness, z)
  harm, filtered = _offline(model, f0, loudness, z, noise,
                            float64_phase=True)
  synth = streaming.StreamingSynth(model, block_frames)
  stream = _stream(synth, f0, loudness, z, noise)
  stream_harm = _stream(synth, f0, loudness, z, np.zeros_like(noise))
  assert _rel_err(stream, harm + filtered) < 5e-6  # Measured 1.2e-6.
  assert _rel_err(stream_harm, harm) < 5e-6
  assert _noise_part_ok(stream, stream_harm, filtered)


def test_long_stream_keeps_exact_phase(model):
  """Over 4 s the wrapped phases stay exact; offline's float32 phase sum
  drifts (module docstring: ~0.1-0.2 of the peak here). What remains is
  float32 frequency rounding, done differently on each side (the reference
  rounds k * f0 per frame, the stream f0): ~3e-5 of the peak at 4 s."""
  f0, loudness, z = _controls(1008, model.z_dims, seed=1)
  noise = np.zeros(1008 * 64, np.float32)
  harm, _ = _offline(model, f0, loudness, z, noise, float64_phase=True)
  stream = _stream(streaming.StreamingSynth(model, 16), f0, loudness, z,
                   noise)
  assert _rel_err(stream, harm) < 1e-3


def test_longer_noise_filters_add_lookahead():
  """ddsp's default FilteredNoise window (257) centres a 256-tap filter:
  its delay compensation reads two frames ahead, so the stream lags two."""
  long_ir = _build(['models/timbre_ae_tiny.gin'],
                   ['FilteredNoise.window_size = 257',
                    'N_NOISE_BANDS = 129'])
  f0, loudness, z = _controls(96, long_ir.z_dims)
  audio, noise = _seeded_synthesize(long_ir, f0, loudness, z)
  _, filtered = _offline(long_ir, f0, loudness, z, noise)
  synth = streaming.StreamingSynth(long_ir, 16, match_offline_phase=True)
  assert synth.latency_frames == 2 and synth.latency_samples == 128
  assert synth.algorithmic_latency_ms == pytest.approx(72.0)
  stream = _stream(synth, f0, loudness, z, noise)
  stream_harm = _stream(synth, f0, loudness, z, np.zeros_like(noise))
  assert _rel_err(stream, audio) < 1e-4
  assert _noise_part_ok(stream, stream_harm, filtered)
  synth.reset()
  first = synth.process(f0[:16], loudness[:16], z[:16])
  assert np.all(first[:128] == 0.0) and np.abs(first[128:]).max() > 0


def test_lstm_decoder_streams_like_offline():
  lstm = _build(['models/timbre_ae_tiny.gin'],
                ['RnnFcDecoder.rnn_type = "lstm"'])
  f0, loudness, z = _controls(96, lstm.z_dims)
  audio, noise = _seeded_synthesize(lstm, f0, loudness, z)
  synth = streaming.StreamingSynth(lstm, 32, match_offline_phase=True)
  assert _rel_err(_stream(synth, f0, loudness, z, noise), audio) < 1e-4


def _boundary_steps(audio, block_samples):
  """|x[t] - x[t-1]| at each block boundary t, divided by the largest such
  step within half a block around it (boundary excluded)."""
  steps = np.abs(np.diff(audio))
  ratios = []
  for t in range(block_samples, len(audio) - block_samples // 2,
                 block_samples):
    i = t - 1  # steps[i] = |audio[t] - audio[t - 1]|.
    near = np.r_[steps[i - block_samples // 2:i],
                 steps[i + 1:i + 1 + block_samples // 2]]
    ratios.append(steps[i] / near.max())
  return np.array(ratios)


def _prediction_errors(audio, block_samples, order=24, fit=384, look=128):
  """A click detector: a linear predictor (order 24) fitted on the audio
  before each boundary t predicts the `look` samples up to t; the error at
  t over the largest error before it. A discontinuity is unpredictable."""
  x = audio.astype(np.float64)
  scores = []
  for t in range(block_samples, len(x) - 1, block_samples):
    lo = t - look - fit
    history = np.stack([x[i - order:i] for i in range(lo, t - look)])
    coef = np.linalg.lstsq(history, x[lo:t - look], rcond=None)[0]
    err = np.abs([x[i] - x[i - order:i] @ coef
                  for i in range(t - look, t + 1)])
    scores.append(err[-1] / err[:-1].max())
  return np.array(scores)


def _stream_raw(synth, f0, loudness, z, forget_phases=False):
  """Concatenated blocks as they come out (latency not cut), noise off."""
  synth.reset()
  b = synth.block_frames
  out = []
  for i in range(0, len(f0), b):
    out.append(synth.process(f0[i:i + b], loudness[i:i + b], z[i:i + b],
                             noise=np.zeros(b * synth.hop_size)))
    if forget_phases:  # A broken synth, to show what a click measures.
      phase = synth._vars['phase']  # pylint: disable=protected-access
      phase.assign(tf.zeros_like(phase))
  return np.concatenate(out)


def test_no_clicks_at_block_boundaries(model):
  """At every block boundary the sample step is no larger than the steps
  around it (nor than the largest step away from boundaries), and a linear
  predictor of the tone is no more surprised there than just before. The
  predictor flags a synth that restarts its oscillator phases every block,
  and rendering each block on its own with model.synthesize."""
  n, block = 160, 16
  t = np.arange(n) / 250.0
  f0 = (110.0 * 2 ** (0.03 * np.sin(2 * np.pi * 5 * t))).astype(np.float32)
  loudness = np.linspace(-40.0, -20.0, n).astype(np.float32)
  z = np.zeros([n, model.z_dims], np.float32)
  z[:, 0] = np.linspace(-1.0, 1.0, n)
  synth = streaming.StreamingSynth(model, block)
  raw = _stream_raw(synth, f0, loudness, z)
  step_ratios = _boundary_steps(raw, block * 64)
  assert step_ratios.max() <= 1.0, step_ratios
  steps = np.abs(np.diff(raw))
  boundary = np.zeros_like(steps, bool)
  boundary[block * 64 - 1::block * 64] = True
  assert steps[boundary].max() <= steps[~boundary].max()
  surprise = _prediction_errors(raw, block * 64)
  forgetful = _prediction_errors(
      _stream_raw(synth, f0, loudness, z, forget_phases=True), block * 64)
  naive = _prediction_errors(np.concatenate([
      model.synthesize(f0[np.newaxis, i:i + block],
                       loudness[np.newaxis, i:i + block],
                       z[np.newaxis, i:i + block]).numpy()[0]
      for i in range(0, n, block)]), block * 64)
  print('boundary steps / largest nearby:', step_ratios.max(),
        'prediction error / largest before: streamed', surprise.max(),
        'phases restarted', forgetful.max(), 'blocks alone', naive.max())
  assert surprise.max() <= 3.0, surprise
  assert forgetful.max() > 10.0 and naive.max() > 5.0, (forgetful, naive)


def test_reset_restarts_identically(model):
  f0, loudness, z = _controls(64, model.z_dims)
  synth = streaming.StreamingSynth(model, 16, seed=3)
  first = _stream(synth, f0, loudness, z, flush=False)  # Drawn noise.
  # Without reset the state carries on: the same input sounds different.
  carried = np.concatenate([synth.process(f0[i:i + 16], loudness[i:i + 16],
                                          z[i:i + 16])
                            for i in range(0, 64, 16)])
  assert not np.allclose(carried[64:], first[:len(carried) - 64],
                         atol=1e-4)
  again = _stream(synth, f0, loudness, z, flush=False)  # Resets first.
  np.testing.assert_array_equal(first, again)
  same_seed = streaming.StreamingSynth(model, 16, seed=3)
  np.testing.assert_array_equal(
      _stream(same_seed, f0, loudness, z, flush=False), first)


def test_undo_renders_the_block_again_from_its_start(model):
  """undo() then process() with controls that change from frame 6 on:
  the first 6 frames come out as the first time (same state, same drawn
  noise); the block and the stream after it equal a stream that had the
  new controls from the start (another synth, same seed). The live
  engine's rewind rests on it."""
  f0, loudness, z = _controls(64, model.z_dims)
  new_f0 = f0.copy()
  new_f0[22:] *= 1.5  # Block 1 (frames 16-31) changes from its frame 6.
  synth = streaming.StreamingSynth(model, 16, seed=4)
  blocks = [synth.process(f0[i:i + 16], loudness[i:i + 16], z[i:i + 16])
            for i in (0, 16)]
  synth.undo()
  again = synth.process(new_f0[16:32], loudness[16:32], z[16:32])
  np.testing.assert_array_equal(again[:6 * 64], blocks[1][:6 * 64])
  assert not np.allclose(again[8 * 64:], blocks[1][8 * 64:], atol=1e-3)
  rest = [synth.process(new_f0[i:i + 16], loudness[i:i + 16], z[i:i + 16])
          for i in (32, 48)]
  reference = _stream(streaming.StreamingSynth(model, 16, seed=4), new_f0,
                      loudness, z, flush=False)
  streamed = np.concatenate([blocks[0], again] + rest)
  np.testing.assert_allclose(streamed[synth.latency_samples:], reference,
                             atol=1e-6)
  synth.undo()
  with pytest.raises(RuntimeError, match='Nothing to undo'):
    synth.undo()


def test_drawn_noise_is_fresh_every_block(model):
  """Without a given noise each block draws new noise (a repeated block of
  noise would buzz at the block rate): on a steady note the noise parts of
  consecutive blocks are uncorrelated."""
  n = 128
  f0 = np.full(n, 220.0, np.float32)
  loudness = np.full(n, -25.0, np.float32)
  z = np.zeros([n, model.z_dims], np.float32)
  synth = streaming.StreamingSynth(model, 16, seed=5)
  drawn = _stream(synth, f0, loudness, z, flush=False)
  silent = _stream(synth, f0, loudness, z, np.zeros(n * 64), flush=False)
  blocks = (drawn - silent)[-3 * 1024:].reshape(3, 1024)
  assert blocks.std() > 1e-3 * np.abs(silent).max()
  for a, b in ((0, 1), (1, 2)):
    assert abs(np.corrcoef(blocks[a], blocks[b])[0, 1]) < 0.3


def test_latency_shapes_and_errors(untrained):
  synth = streaming.StreamingSynth(untrained, 16)
  assert (synth.hop_size, synth.sample_rate, synth.frame_rate) == (
      64, 16000, 250.0)
  assert synth.latency_frames == 1 and synth.latency_samples == 64
  assert synth.algorithmic_latency_ms == pytest.approx(68.0)
  f0 = np.full(16, 330.0)
  loudness = np.full(16, -20.0)
  z = np.zeros(untrained.z_dims)
  synth.warm_up()
  assert synth.flush().shape == (0,)  # Nothing streamed yet.
  audio = synth.process(f0, loudness, z)
  assert audio.shape == (1024,) and audio.dtype == np.float32
  assert np.all(audio[:64] == 0.0) and np.abs(audio[64:]).max() > 1e-3
  assert synth.flush().shape == (64,)
  with pytest.raises(RuntimeError, match='reset'):
    synth.process(f0, loudness, z)
  synth.reset()
  with pytest.raises(ValueError, match='z must be'):
    synth.process(f0, loudness, np.zeros([8, untrained.z_dims]))
  with pytest.raises(ValueError, match='one length'):
    synth.process(f0, loudness[:8], z)
  with pytest.raises(ValueError, match='noise must have 1024'):
    synth.process(f0, loudness, z, noise=np.zeros(100))


def test_unsupported_processors_are_refused():
  train.parse_gin(['models/harmonic_noise_reverb_tiny.gin',
                   'datasets/tfrecord.gin', 'optimization/cpu.gin'])
  model = train.build_model()
  with pytest.raises(NotImplementedError, match='Reverb'):
    streaming.StreamingSynth(model)


@pytest.mark.parametrize('block', [16, 6])
def test_voices_in_one_batch_equal_single_streams(untrained, block):
  """batch_size=2 streams two phrases side by side exactly as two
  single-voice streams do; reset(voices=[1]) starts voice 1 anew (equal to
  a fresh stream) while voice 0 carries on. With 6-frame blocks the restart
  (frame 48 or 42) puts the voices on different phases of the held noise
  share's 4-frame grid."""
  n = 96
  z_dims = untrained.z_dims
  a = _controls(n, z_dims, seed=1)
  b = _controls(n, z_dims, seed=2)
  b = (b[0] * 0.75, b[1] - 6.0, b[2])
  rng = np.random.default_rng(3)
  noise = rng.uniform(-1, 1, size=(2, n * 64)).astype(np.float32)

  def single(controls, noise_1, start=0):
    synth = streaming.StreamingSynth(untrained, block, jit_compile=False)
    out = []
    for i in range(start, n, block):
      s = slice(i, i + block)
      out.append(synth.process(controls[0][s], controls[1][s],
                               controls[2][s],
                               noise=noise_1[i * 64:(i + block) * 64]))
    return np.concatenate(out)

  ref_a, ref_b = single(a, noise[0]), single(b, noise[1])
  restart = 48 if block == 16 else 42  # Voice 1 starts phrase b anew.
  ref_b_restarted = single(b, noise[1], start=restart)
  pair = streaming.StreamingSynth(untrained, block, jit_compile=False,
                                  batch_size=2)
  out_a, out_b = [], []
  for i in range(0, n, block):
    if i == restart:
      pair.reset(voices=[1])
    s, w = slice(i, i + block), slice(i * 64, (i + block) * 64)
    audio = pair.process(np.stack([a[0][s], b[0][s]]),
                         np.stack([a[1][s], b[1][s]]),
                         np.stack([a[2][s], b[2][s]]), noise=noise[:, w])
    assert audio.shape == (2, block * 64)
    out_a.append(audio[0])
    out_b.append(audio[1])
  out_a, out_b = np.concatenate(out_a), np.concatenate(out_b)
  cut = restart * 64
  assert np.abs(ref_a).max() > 1e-3
  np.testing.assert_allclose(out_a, ref_a, atol=1e-5 * np.abs(ref_a).max())
  np.testing.assert_allclose(out_b[:cut], ref_b[:cut],
                             atol=1e-5 * np.abs(ref_b).max())
  np.testing.assert_allclose(out_b[cut:], ref_b_restarted,
                             atol=1e-5 * np.abs(ref_b).max())
  # The restart is audible: the fresh stream differs from the carried one.
  assert np.abs(out_b[cut:] - ref_b[cut:]).max() > 1e-3 * np.abs(ref_b).max()

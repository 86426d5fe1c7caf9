# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Streaming synthesis: a trained model rendered block by block, live.

`StreamingSynth(model, block_frames=16)` turns per-frame controls (f0 in Hz,
loudness in dB, z) into audio one block of frames at a time, with the same
result as rendering the whole stream at once with the model's offline
`synthesize` (ddsp's decoder and synthesizers, on the model's own layers and
weights), only delayed by one frame:

  synth = StreamingSynth(model, block_frames=16)    # 16 frames = 64 ms
  synth.warm_up()                                   # Compiles the graph.
  for f0_hz, loudness_db, z in blocks:              # [16], [16], [z_dims]
    audio = synth.process(f0_hz, loudness_db, z)    # [16 * 64] samples
  tail = synth.flush()                              # last latency_samples

What is carried from one block to the next (nothing is approximated; the
names are keys of the state variables):
- rnn/*: the decoder's RNN state (its own trained RNN cell, run with an
  initial state through `tf.keras.layers.RNN(cell, return_state=True)`);
- freqs, amps: the last frame's harmonic frequencies and amplitudes: ddsp
  upsamples a frame's controls to audio by interpolating towards the *next*
  frame (frequencies linearly, amplitudes with overlapping Hann windows,
  `ddsp.core.resample`), so a frame's audio is known one frame later;
- phase: the oscillators' phases (see Phase below);
- ola: the filtered noise's overlap-add state: ddsp filters each frame of
  noise with that frame's FIR (`ddsp.core.frequency_impulse_response`,
  `ddsp.core.fft_convolve`); a frame's convolution rings into the next
  frame, and the filter's delay compensation reads ahead into it;
- last/*: the last frame's decoder outputs, for `flush()`;
- share_offset, share_held: where each voice is on the knob processor's
  grid of measured-noise share reads, and the share it holds
  (`TimbreKnobs.stream_controls`).

Latency: the output lags the offline rendering by `latency_frames` frames
(1 frame = 4 ms for ddsp's FilteredNoise with window_size 0 and <= 65
bands; more for longer impulse responses): the first `latency_samples` of
the stream are silence and `flush()` returns the last ones. Algorithmic
latency of a live input = block + lookahead = (block_frames +
latency_frames) frames.

Noise: ddsp's FilteredNoise draws `tf.random.uniform(-1, 1)` noise; so does
`process` (stateless, from (seed, block index): a reset stream repeats
itself), unless a `noise` block is given. Given the noise offline synthesis
drew, the stream gives the same audio (tests/streaming_test.py recovers
model.synthesize's noise by seeding TF's generator).

Phase: ddsp's offline oscillator (`ddsp.core.oscillator_bank`) sums phase
increments with a float32 `tf.cumsum` from the start of the signal, so each
increment is rounded to the float32 spacing of an ever larger phase (ddsp's
docstring: "phase errors audible for long segments"): a steady 2 kHz
harmonic comes out 8 cents sharp after 10 s and 59 cents after 60 s, and
offline audio departs from exact-phase synthesis of the same controls by
0.3% of its peak after 0.25 s and 14% after 4 s (tiny model). A live stream
has no end, so by default the phase is accumulated in float64 and wrapped
to [0, 2 pi) at every block. ddsp's harmonic frequency envelopes are k times
f0's (linear interpolation commutes with the scaling), so harmonic k's phase
is k times f0's and the carried f0 phase holds every harmonic's (as ddsp's
own `harmonic_oscillator_bank` for streaming); the harmonics are summed with
Clenshaw's recurrence (`_harmonic_sum`). This equals offline synthesis with
exact phases to ~1e-5 of the peak (3e-5 after 4 s: float32 frequency
rounding), and model.synthesize only as far as the latter's own rounding
allows. `match_offline_phase=True` instead carries the unwrapped float32
phase of every harmonic exactly as offline does (a `tf.cumsum` of the
previous block's last phase and this block's increments): the stream then
equals model.synthesize of the whole stream to ~1e-6 of its peak, drift
included; for checks and file renders. Models with `synths.FastHarmonic`
(the timbre configs' default) synthesize offline with exact phases too, so
there the default path is offline synthesis (to float32 rounding) and
match_offline_phase only turns XLA off by default.

Speed: the per-block graph is a tf.function, compiled with XLA by default
(not with match_offline_phase: XLA's cumulative sum adds in another order).
On one CPU core the tiny model streams at ~100x real time in 16-frame
blocks and ~220x in 64-frame blocks (40-60x without XLA; offline
model.synthesize ~7x; benchmarks/streaming.py). The first block traces
and compiles the graph (seconds): call `warm_up()` before going live.
One StreamingSynth streams `batch_size` independent voices in one graph
(default 1; the live instrument's polyphony: `reset(voices=[i])` starts
voice i's stream anew while the others play on); it shares the model's
layers (not thread-safe while tracing: it sets the preprocessor's
time_steps then).

Supports models whose processor group is a ddsp `Harmonic`, optionally plus
`FilteredNoise` and `Add` (all models in gin/models without reverb), with a
ddsp `RnnFcDecoder` (GRU or LSTM).
"""

import ddsp
from ddsp.training import decoders as ddsp_decoders
import numpy as np
import tensorflow as tf

from interpret_ddsp.training import knob_processors
from interpret_ddsp.training import synths


def _modules_by_type(processor_group):
  """{'harmonic': Harmonic, 'noise': FilteredNoise or None, ...}; raises
  NotImplementedError for processors streaming does not carry state for."""
  found = {'harmonic': None, 'noise': None, 'knobs': None}
  for module in processor_group.modules:
    if (isinstance(module, knob_processors.TimbreKnobs)
        and not found['knobs']):
      found['knobs'] = module  # Frame by frame: no state to carry.
    elif isinstance(module, ddsp.synths.Harmonic) and not found['harmonic']:
      found['harmonic'] = module
    elif (isinstance(module, ddsp.synths.FilteredNoise)
          and not found['noise']):
      found['noise'] = module
    elif isinstance(module, ddsp.processors.Add):
      pass
    else:
      raise NotImplementedError(
          f'Streaming supports Harmonic (+ FilteredNoise + Add + '
          f'TimbreKnobs), not '
          f'{type(module).__name__} ({module.name}).')
  if found['harmonic'] is None:
    raise NotImplementedError('Streaming needs a Harmonic synthesizer.')
  return found


def _dag_inputs(processor_group, module):
  """Input keys of a module in the processor group's DAG."""
  for node in processor_group.dag:
    name = node[0] if isinstance(node[0], str) else node[0].name
    if name == module.name:
      return [str(k) for k in node[1]]
  raise ValueError(f'{module.name} is not in the processor group DAG.')


_CONSTANTS = ('two_pi', 'sample_rate')
# State that is not per voice (reset(voices=...) leaves it).
_PER_VOICE_EXEMPT = _CONSTANTS + ('block',)


def _harmonic_sum(amplitudes, phase):
  """sum_k amplitudes[..., k - 1] * sin(k * phase), k = 1..n_harmonics.

  Clenshaw's recurrence on sin(k x) = U_{k-1}(cos x) sin(x) (Chebyshev
  polynomials of the second kind), in float64: one sin and one cos per
  sample instead of one sin per harmonic (XLA's sin is slow on CPU).

  Args:
    amplitudes: [batch, n_samples, n_harmonics] float32.
    phase: [batch, n_samples] float64 radians (of the first harmonic).

  Returns:
    [batch, n_samples] float32.
  """
  amplitudes = tf.cast(amplitudes, tf.float64)
  two_cos = 2.0 * tf.cos(phase)
  b1 = b2 = tf.zeros_like(phase)
  for k in range(int(amplitudes.shape[-1]) - 1, -1, -1):
    b1, b2 = amplitudes[..., k] + two_cos * b1 - b2, b1
  return tf.cast(b1 * tf.sin(phase), tf.float32)


class StreamingSynth:
  """Renders a model's audio block by block, carrying state between blocks.

  Attributes:
    block_frames: Frames per `process` call.
    hop_size: Audio samples per frame (64 at 250 frames/s, 16 kHz).
    sample_rate: Hz.
    frame_rate: Frames per second.
    latency_frames: Lookahead frames: output lags offline synthesis by
      latency_samples = latency_frames * hop_size.
    algorithmic_latency_ms: Block plus lookahead, in ms.
  """

  def __init__(self, model, block_frames=16, match_offline_phase=False,
               jit_compile=None, seed=None, batch_size=1):
    """Constructor.

    Args:
      model: A built ddsp Autoencoder (e.g. TimbreAutoencoder, trained or
        not) with an RnnFcDecoder and a Harmonic (+ FilteredNoise + Add)
        processor group. Its layers and weights are used, not copied.
      block_frames: Frames per block (16 to 64 at 250 frames/s: 64 to
        256 ms).
      match_offline_phase: Carry float32 unwrapped phases like ddsp's offline
        oscillator (bit-compatible with offline synthesis of the whole
        stream, with its precision loss on long streams); default float64
        phases wrapped every block (see the module docstring).
      jit_compile: Compile the per-block graph with XLA (fused ops: about
        twice as fast on CPU; results differ from TF's kernels by float
        rounding). Default: on, except with match_offline_phase (XLA's
        cumulative sum does not add in ddsp's order).
      seed: Seed of the noise drawn when `process` gets none (block i of a
        stream draws stateless uniform noise from (seed, i), so a reset
        stream repeats itself); default a random one.
      batch_size: Voices streamed side by side (each its own state). With
        1, `process` takes and returns 1-D arrays; otherwise [batch, ...].
    """
    if int(block_frames) < 1:
      raise ValueError(f'block_frames must be >= 1, got {block_frames}.')
    if int(batch_size) < 1:
      raise ValueError(f'batch_size must be >= 1, got {batch_size}.')
    self.batch_size = int(batch_size)
    self.model = model
    self.block_frames = int(block_frames)
    self.match_offline_phase = bool(match_offline_phase)
    if jit_compile is None:
      jit_compile = not self.match_offline_phase
    self.jit_compile = bool(jit_compile)
    self.seed = (int(np.random.default_rng().integers(2**31 - 1))
                 if seed is None else int(seed))
    self.decoder = model.decoder
    if not isinstance(self.decoder, ddsp_decoders.RnnFcDecoder):
      raise NotImplementedError(
          f'Streaming supports ddsp RnnFcDecoder, not '
          f'{type(self.decoder).__name__}.')
    if self.decoder.stateless:
      raise NotImplementedError('RnnFcDecoder(stateless=True) is not '
                                'supported; use the default.')
    group = model.processor_group
    modules = _modules_by_type(group)
    self.harmonic = modules['harmonic']
    if isinstance(self.harmonic, synths.FastHarmonic):
      # Offline synthesis has exact (float64, wrapped) phases already: the
      # default path is what it does.
      self.match_offline_phase = False
    self.noise = modules['noise']
    self.knob_processor = modules['knobs']
    self._knob_keys = (_dag_inputs(group, self.knob_processor)
                       if self.knob_processor else [])
    self._harmonic_keys = _dag_inputs(group, self.harmonic)
    self._noise_keys = (_dag_inputs(group, self.noise) if self.noise
                        else [])
    if self.match_offline_phase and self.harmonic.use_angular_cumsum:
      raise NotImplementedError(
          'match_offline_phase reproduces tf.cumsum; this Harmonic uses '
          'ddsp.core.angular_cumsum (the default wrapped phases are close '
          'to it).')
    if self.harmonic.amp_resample_method not in ('window', 'linear'):
      raise NotImplementedError(
          'Streaming interpolates amplitudes with the window or linear '
          f'method, not {self.harmonic.amp_resample_method!r}.')
    self.sample_rate = int(self.harmonic.sample_rate)
    self.hop_size = (int(self.harmonic.n_samples) //
                     int(model.preprocessor.time_steps))
    self.frame_rate = self.sample_rate / self.hop_size
    # The decoder's own RNN cell, stepped with an explicit state.
    cell = self.decoder.rnn.rnn.cell
    self._rnn = tf.keras.layers.RNN(cell, return_sequences=True,
                                    return_state=True)
    self._state_sizes = [int(s) for s in tf.nest.flatten(cell.state_size)]
    # Filtered noise: impulse response size and lookahead of ddsp's delay
    # compensation (fft_convolve crops (ir_size - 1) // 2 - 1 samples).
    self._ir_size = self._noise_start = self._fft_size = 0
    lookahead = 1  # Harmonic: a frame interpolates towards the next.
    if self.noise is not None:
      self._ir_size = self._impulse_response_size()
      self._noise_start = (self._ir_size - 1) // 2 - 1
      self._fft_size = ddsp.core.get_fft_size(self.hop_size, self._ir_size,
                                              power_of_2=True)
      lookahead = max(lookahead, -(-self._noise_start // self.hop_size))
    self.latency_frames = lookahead
    self.latency_samples = lookahead * self.hop_size
    self.algorithmic_latency_ms = (1000.0 * (self.block_frames + lookahead)
                                   / self.frame_rate)
    self._vars = {k: tf.Variable(v, trainable=False,
                                 name=k.replace('/', '_'))
                  for k, v in self._initial_state().items()}
    # The state at the start of the last block, for undo() (written by the
    # block's own graph: no extra call per block).
    self._before = {k: tf.Variable(v, trainable=False,
                                   name='before_' + k.replace('/', '_'))
                    for k, v in self._initial_state().items()
                    if k not in _CONSTANTS}
    self._undo_fn = tf.function(self._restore_before)
    self._last_frames = None
    # A closure per instance (TF counts retracing per Python function).
    self._step_fn = tf.function(lambda *args: self._step(*args),
                                jit_compile=self.jit_compile)
    self.reset()

  # --- Public API ------------------------------------------------------------
  def reset(self, voices=None):
    """Forgets the stream: the next block starts a new one (silence before,
    zero phases, zero RNN state), exactly like a fresh offline rendering.

    Args:
      voices: None (every voice, and the block count) or indices of the
        voices to start anew; the others carry on.
    """
    initial = self._initial_state()
    if voices is None:
      for key, value in initial.items():
        self._vars[key].assign(value)
      self.frames_processed = 0
      self._flushed = False
      self._last_frames = None
      return
    rows = np.zeros([self.batch_size], bool)
    rows[np.asarray(voices, int)] = True
    for key, value in initial.items():
      if key in _PER_VOICE_EXEMPT:
        continue
      old = self._vars[key].numpy()
      keep = rows.reshape([-1] + [1] * (old.ndim - 1))
      self._vars[key].assign(np.where(keep, value.numpy(), old))

  def process(self, f0_hz, loudness_db, z, noise=None):
    """Audio of one block of frames.

    Args:
      f0_hz: [n_frames] fundamental frequency, Hz (n_frames is usually
        block_frames; another length works but traces the graph again);
        [batch, n_frames] with several voices.
      loudness_db: [n_frames] ddsp loudness, dB ([batch, n_frames]).
      z: [z_dims] (held over the block) or [n_frames, z_dims] (per frame,
        the decoder's rate; resample coarser z yourself). With several
        voices: [z_dims] (all of them), [batch, z_dims] or
        [batch, n_frames, z_dims].
      noise: Optional [n_frames * hop_size] uniform(-1, 1) noise for the
        filtered-noise synthesizer (default: drawn in the graph, as ddsp
        draws it).

    Returns:
      float32 numpy audio [n_frames * hop_size]: offline samples
      [start - latency_samples, end - latency_samples) of this block's
      frames (the stream's first latency_samples are silence).
    """
    if self._flushed:
      raise RuntimeError('flush() ended the stream; call reset() first.')
    b = self.batch_size
    single = b == 1
    f0_hz = np.asarray(f0_hz, np.float32).reshape(b, -1)
    n = f0_hz.shape[1]
    loudness_db = np.asarray(loudness_db, np.float32)
    if n < 1 or loudness_db.size != b * n:
      raise ValueError(f'f0_hz and loudness_db must be [n_frames] of one '
                       f'length (per voice); got {f0_hz.shape} and '
                       f'{loudness_db.shape}.')
    loudness_db = loudness_db.reshape(b, n)
    z = np.asarray(z, np.float32)
    if single and z.ndim < 3:
      z = z[np.newaxis]
    elif z.ndim == 1:  # One z for every voice.
      z = np.broadcast_to(z, (b, z.shape[0]))
    if z.ndim == 2:
      z = np.broadcast_to(z[:, np.newaxis], (b, n, z.shape[-1]))
    if z.ndim != 3 or z.shape[:2] != (b, n):
      raise ValueError(f'z must be [z_dims] or [{n}, z_dims] per voice; got '
                       f'{z.shape}.')
    if noise is not None:
      noise = np.asarray(noise, np.float32).reshape(b, -1)
      if noise.shape[1] != n * self.hop_size:
        raise ValueError(f'noise must have {n * self.hop_size} samples, '
                         f'got {noise.shape[1]}.')
      noise = tf.constant(noise)
    audio = self._step_fn(tf.constant(f0_hz), tf.constant(loudness_db),
                          tf.constant(z), noise)
    self.frames_processed += n
    self._last_frames = n
    audio = audio.numpy()
    return audio[0] if single else audio

  def undo(self):
    """Takes back the last `process` call: the state returns to what it
    was at that block's start (after any `reset` before it), so the next
    `process` renders the same frames again, e.g. with new controls from
    some frame on. Given the same inputs (and the same noise: drawn from
    the same block index) it returns the same audio. One level: a second
    undo, or one after `reset` or `flush`, raises RuntimeError.

    Example (a live note that arrives after 4 frames of a 16-frame block
    were sent; `a` and `b` are equal in their first 4 frames):
      >>> a = synth.process(f0, loudness, z)          # doctest: +SKIP
      >>> synth.undo()                                # doctest: +SKIP
      >>> b = synth.process(f0_with_note, loudness_with_note, z)  # doctest: +SKIP
    """
    if self._last_frames is None or self._flushed:
      raise RuntimeError('Nothing to undo: no block since the last reset, '
                         'flush or undo.')
    self._undo_fn()
    self.frames_processed -= self._last_frames
    self._last_frames = None

  def _restore_before(self):
    for key, var in self._before.items():
      self._vars[key].assign(var)

  def warm_up(self):
    """Traces (and with XLA compiles) the block graph on a silent block, and
    undo's, so that the first live block is not late; then resets."""
    n, b = self.block_frames, self.batch_size
    self.process(np.zeros([b, n]), np.full([b, n], -120.0),
                 np.zeros([b, n, self._z_dims()]))
    self.undo()  # Traces undo's graph too.
    self.reset()

  def flush(self):
    """The stream's last latency_samples (its last frame held, as offline
    synthesis ends); then reset() before streaming again.

    Returns:
      float32 numpy audio [latency_samples] (empty before any block;
      [batch_size, ...] for several voices).
    """
    if self.frames_processed == 0 or self._flushed:
      return np.zeros([0] if self.batch_size == 1 else [self.batch_size, 0],
                      np.float32)
    held = {k[len('last/'):]: tf.repeat(v, self.latency_frames, axis=1)
            for k, v in self._vars.items() if k.startswith('last/')}
    noise = tf.zeros([self.batch_size, self.latency_samples])
    state = {k: v.read_value() for k, v in self._vars.items()}
    audio, _ = self._synthesize(held, noise, state)
    self._flushed = True
    audio = audio.numpy()
    return audio[0] if self.batch_size == 1 else audio

  # --- Per-block graph -----------------------------------------------------
  def _initial_state(self):
    """{name: tensor} carried between blocks, at the start of a stream."""
    phase_dtype = tf.float32 if self.match_offline_phase else tf.float64
    n_h = self._output_size(self._harmonic_keys[1])
    b = self.batch_size
    state = {
        # Per voice: 1 once its stream has a frame (silence before).
        'started': tf.zeros([b]),
        'block': tf.constant(0, tf.int32),
        # Last frame's harmonic frequencies (f0 only when phases are wrapped).
        'freqs': tf.zeros([b, 1, n_h if self.match_offline_phase else 1]),
        'amps': tf.zeros([b, 1, n_h]),
        # Every harmonic's phase, or f0's (harmonic k's is k times it).
        'phase': tf.zeros([b, 1, n_h if self.match_offline_phase else 1],
                          phase_dtype),
        # The knob processor's held noise share: frames since the last
        # read modulo its hop, and the share held.
        'share_offset': tf.zeros([b], tf.int32),
        'share_held': tf.ones([b]),
        'harmonic_delay': tf.zeros(
            [b, (self.latency_frames - 1) * self.hop_size]),
        'ola': tf.zeros([b, self._ola_size()]),
        # Constants as state: graph optimizers would fold (f * 2 pi) / sr
        # into f * (2 pi / sr), which rounds differently from ddsp.
        'two_pi': tf.constant(2.0 * np.pi, tf.float32),
        'sample_rate': tf.constant(float(self.sample_rate), tf.float32),
    }
    for i, size in enumerate(self._state_sizes):
      state[f'rnn/{i}'] = tf.zeros([b, size])
    for key in self._harmonic_keys + self._noise_keys:  # For flush().
      size = 1 if key == 'f0_hz' else self._output_size(key)
      state[f'last/{key}'] = tf.zeros([b, 1, size])
    return state

  def _step(self, f0_hz, loudness_db, z, noise=None):
    """Decoder then synthesis for one block (traced by tf.function); reads
    and updates the state variables.

    Args:
      f0_hz: [batch, n] Hz.
      loudness_db: [batch, n] dB.
      z: [batch, n, z_dims].
      noise: [batch, n * hop_size] or None (drawn from (seed, block
        index)).

    Returns:
      audio [batch, n * hop_size].
    """
    n = int(f0_hz.shape[1])
    state = {k: v.read_value() for k, v in self._vars.items()}
    for key, var in self._before.items():
      var.assign(state[key])
    pre = self.model.preprocessor
    saved = pre.time_steps
    # The model's preprocessor resamples its inputs to time_steps frames:
    # n here (identity) while tracing; the traced graph keeps no reference.
    pre.time_steps = n
    try:
      features = dict(pre({'f0_hz': f0_hz, 'loudness_db': loudness_db},
                          training=False))
    finally:
      pre.time_steps = saved
    features['z'] = z
    rnn_state = [state[f'rnn/{i}'] for i in range(len(self._state_sizes))]
    outputs, rnn_state = self._decode(features, rnn_state)
    outputs['f0_hz'] = features['f0_hz']
    outputs['loudness_db'] = features['loudness_db']  # The level rule's.
    if self.knob_processor is not None:
      outputs.update(self._knob_controls(outputs, z, state))
    if noise is None:  # ddsp's uniform noise, reproducible per block.
      seed = tf.stack([tf.constant(self.seed, tf.int32), state['block']])
      noise = tf.random.stateless_uniform([self.batch_size, n * self.hop_size],
                                          seed,
                                          minval=-1.0, maxval=1.0, alg='philox')
    audio, state = self._synthesize(outputs, noise, state)
    for i, value in enumerate(rnn_state):
      state[f'rnn/{i}'] = value
    for key in self._harmonic_keys + self._noise_keys:
      state[f'last/{key}'] = outputs[key][:, -1:]
    state['block'] += 1
    for key, value in state.items():
      if key not in _CONSTANTS:
        self._vars[key].assign(value)
    return audio

  def _knob_controls(self, outputs, z, state):
    """The knob processor's controls of this block's frames, under the keys
    the synthesizers read ('<name>/controls/<control>'); updates `state`'s
    held noise share (share_offset, share_held)."""
    features = dict(outputs, knob_descriptors=self.model.knob_descriptors(z))
    controls, offset, share = self.knob_processor.stream_controls(
        *[features[k] for k in self._knob_keys],
        share_offset=state['share_offset'],
        share_previous=state['share_held'])
    state.update(share_offset=offset, share_held=share)
    prefix = f'{self.knob_processor.name}/controls/'
    return {prefix + name: value for name, value in controls.items()}

  def _decode(self, features, rnn_state):
    """RnnFcDecoder's forward pass on its own layers, with the RNN's state
    given and returned (ddsp's call keeps no state between calls)."""
    dec = self.decoder
    inputs = [stack(features[k]) for stack, k in
              zip(dec.input_stacks, dec.input_keys)]
    x = tf.concat(inputs, axis=-1)
    initial = rnn_state if len(rnn_state) > 1 else rnn_state[0]
    x, *new_state = self._rnn(x, initial_state=initial)
    x = tf.concat(inputs + [x], axis=-1)
    x = dec.dense_out(dec.out_stack(x))
    return ddsp.training.nn.split_to_dict(x, dec.output_splits), new_state

  def _synthesize(self, outputs, noise, state):
    """Harmonic + filtered noise audio of the frames in `outputs` (decoder
    outputs and f0_hz, [1, n, ...]), delayed by latency_frames."""
    harmonic, state = self._harmonic_block(
        *[outputs[k] for k in self._harmonic_keys], state=state)
    if self.latency_frames > 1:  # Delay the harmonic to the noise's lag.
      harmonic = tf.concat([state['harmonic_delay'], harmonic], axis=1)
      delay = int(state['harmonic_delay'].shape[1])
      n_out = int(harmonic.shape[1]) - delay
      state = dict(state, harmonic_delay=harmonic[:, n_out:])
      harmonic = harmonic[:, :n_out]
    done = tf.ones([self.batch_size])
    if self.noise is None:
      return harmonic, dict(state, started=done)
    noise_audio, state = self._noise_block(
        *[outputs[k] for k in self._noise_keys], noise=noise, state=state)
    # The stream's first latency_samples precede its first frame: offline
    # synthesis crops the filter's pre-ringing there.
    n_samples = int(noise_audio.shape[1])
    lead = min(self.latency_samples, n_samples)
    noise_audio *= self._started_mask(state['started'], lead, n_samples)
    return noise_audio + harmonic, dict(state, started=done)

  def _started_mask(self, started, lead, n_samples):
    """[batch, n_samples]: each voice's `started` over the first `lead`
    samples (0 before its stream's first frame), then ones."""
    return tf.concat([tf.tile(started[:, tf.newaxis], [1, lead]),
                      tf.ones([self.batch_size, n_samples - lead])], axis=1)

  def _harmonic_block(self, amps, harmonic_distribution, f0_hz, state):
    """ddsp.core.harmonic_synthesis of frames [prev, this block's n - 1]:
    n * hop samples, interpolating each frame towards the next."""
    hop = self.hop_size
    controls = self.harmonic.get_controls(amps, harmonic_distribution, f0_hz)
    f0_hz = controls['f0_hz']
    n = int(f0_hz.shape[1])
    n_h = int(controls['harmonic_distribution'].shape[-1])
    amplitudes = controls['amplitudes'] * controls['harmonic_distribution']
    amps_ext = tf.concat([state['amps'], amplitudes], axis=1)
    n_ext = (n + 1) * hop
    amp_env = ddsp.core.resample(
        amps_ext, n_ext, method=self.harmonic.amp_resample_method)
    amp_env = amp_env[:, :n * hop]
    # Before the stream's first frame: silence, no phase advance.
    mask = self._started_mask(state['started'], hop, n * hop)[..., tf.newaxis]
    amp_env *= mask
    if self.match_offline_phase:
      freqs = ddsp.core.get_harmonic_frequencies(f0_hz, n_h)
      freqs_ext = tf.concat([state['freqs'], freqs], axis=1)
      freq_env = ddsp.core.resample(freqs_ext, n_ext)[:, :n * hop]
      # ddsp.core.oscillator_bank, its float32 tf.cumsum continued.
      amp_env = ddsp.core.remove_above_nyquist(freq_env, amp_env,
                                               self.sample_rate)
      # As oscillator_bank: (f * 2 pi) / sample_rate, rounded twice. The
      # constants enter as tensors: grappler would fold them into one.
      omegas = freq_env * state['two_pi']
      omegas = omegas / state['sample_rate']
      omegas *= mask
      phases = tf.cumsum(tf.concat([state['phase'], omegas], axis=1),
                         axis=1)[:, 1:]
      last_phase = phases[:, -1:]
      audio = tf.reduce_sum(amp_env * tf.sin(phases), axis=-1)
    else:
      # The same oscillators with exact phases: harmonic k's frequency
      # envelope is k times f0's (linear interpolation commutes with the
      # scaling), so its phase is k times f0's phase, accumulated here in
      # float64 and wrapped to [0, 2 pi).
      freqs = f0_hz
      f0_env = ddsp.core.resample(tf.concat([state['freqs'], f0_hz], axis=1),
                                  n_ext)[:, :n * hop]
      ratios = tf.linspace(1.0, float(n_h), n_h)  # As ddsp's.
      amp_env = ddsp.core.remove_above_nyquist(f0_env * ratios, amp_env,
                                               self.sample_rate)
      omega = tf.cast(f0_env * mask, tf.float64) * (2.0 * np.pi /
                                                    self.sample_rate)
      phase = synths.wrap_phase(state['phase'] + tf.cumsum(omega, axis=1))
      last_phase = phase[:, -1:]
      audio = _harmonic_sum(amp_env, phase[..., 0])
    state = dict(state, freqs=freqs[:, -1:], amps=amplitudes[:, -1:],
                 phase=last_phase)
    return audio, state

  def _noise_block(self, magnitudes, noise, state):
    """ddsp FilteredNoise of this block's frames, overlap-added onto the
    previous blocks' ringing; returns the n * hop samples lagging offline
    by latency_samples."""
    hop = self.hop_size
    mags = self.noise.get_controls(magnitudes)['magnitudes']
    n = int(mags.shape[1])
    ir = ddsp.core.frequency_impulse_response(
        mags, window_size=self.noise.window_size)
    # Zero frames appended so fft_convolve's 'valid' crop keeps every
    # sample of the real frames' overlap-add (exact zeros otherwise).
    n_zero = max(0, -(-(self._fft_size - hop - self._ir_size + 1) // hop))
    b = self.batch_size
    audio = tf.concat([noise, tf.zeros([b, n_zero * hop])], axis=1)
    ir = tf.concat([ir, tf.zeros([b, n_zero, self._ir_size])], axis=1)
    conv = ddsp.core.fft_convolve(audio, ir, padding='valid',
                                  delay_compensation=0)
    # Overlap-add, in offline sample indices: ola starts at
    # (first frame - latency) * hop + start, conv at first frame * hop.
    ola = state['ola']
    lead = self.latency_samples - self._noise_start
    size = max(int(ola.shape[1]), lead + int(conv.shape[1]))
    total = (tf.pad(ola, [[0, 0], [0, size - int(ola.shape[1])]]) +
             tf.pad(conv, [[0, 0], [lead, size - lead - int(conv.shape[1])]]))
    out = total[:, :n * hop]
    state = dict(state, ola=total[:, n * hop:n * hop + int(ola.shape[1])])
    return out, state

  # --- Sizes -----------------------------------------------------------------
  def _output_size(self, key):
    """Channels of a decoder output (or of the knob processor's control
    made from one: same shape)."""
    if self.knob_processor is not None:
      prefix = f'{self.knob_processor.name}/controls/'
      if key.startswith(prefix):
        controls = ('amplitudes', 'harmonic_distribution', 'noise_magnitudes')
        key = self._knob_keys[controls.index(key[len(prefix):])]
    for name, size in self.decoder.output_splits:
      if name == key:
        return int(size)
    raise ValueError(f'The decoder has no output {key!r}.')

  def _z_dims(self):
    """Channels of z the decoder reads (its encoder's output size)."""
    encoder = getattr(self.model, 'encoder', None)
    if hasattr(encoder, 'z_dims'):
      return int(encoder.z_dims)
    if hasattr(encoder, 'dense_out'):  # ddsp's encoders.
      return int(encoder.dense_out.units)
    raise ValueError('Cannot tell z_dims of this model; call process().')

  def _impulse_response_size(self):
    n_bands = self._output_size(self._noise_keys[0])
    ir = ddsp.core.frequency_impulse_response(
        tf.ones([1, 1, n_bands]), window_size=self.noise.window_size)
    return int(ir.shape[-1])

  def _ola_size(self):
    """Overlap-add samples carried: completed ones the next block's output
    still reads (latency - delay compensation) plus the ringing tail."""
    if self.noise is None:
      return 0
    return (self.latency_samples - self._noise_start +
            self._fft_size - self.hop_size)


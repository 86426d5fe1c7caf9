# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""The live instrument's engine: messages in, blocks of audio out.

`Engine` holds what a player sets (the knobs, a mood's expression profile,
an instrument's prior, the timbre drawn from it) and up to `max_voices`
sounding notes, and renders them block by block with one batched
`streaming.StreamingSynth` (one voice per batch row, one graph call per
block). It knows nothing of sockets: the web server (`live_server`), OSC
and MIDI inputs (`live_inputs`) all turn what they receive into the same
message dicts and call `Engine.handle`.

Messages (JSON objects; `parse_message` checks them and says what is wrong
in one sentence):

  {"type": "note_on", "pitch": 60, "velocity": 100}   MIDI pitch 0-127,
                                                       velocity 1-127
  {"type": "note_off", "pitch": 60}
  {"type": "all_notes_off"}
  {"type": "knob", "name": "brightness", "value": 0.8} std units, |v| <= 3
  {"type": "mood", "name": "warm"}                     knobs + profile
  {"type": "expression", "name": "vibrato_depth_cents", "value": 40}
                                                       the profile's field
                                                       (EXPRESSION_CONTROLS)
                                                       for notes that start
                                                       after
  {"type": "expression_source", "name": "learned"}     each next note's
                                                       expression drawn from
                                                       the expression model
                                                       ("profile": the
                                                       panel's)
  {"type": "instrument", "name": "violin"}             '' = every instrument
  {"type": "new_timbre", "seed": 3}                    free dims redrawn,
                                                       knobs held
  {"type": "ping", "t": 12.5}                          answered with "pong"

Timing: a message takes effect at the start of the next rendered block
(`post` queues it; `handle` applies it at once), or, through `rewind(f)`,
from frame f of the last block (the server sends a block in slices and,
when a note arrives, renders the block again from the first slice not yet
sent); notes follow `controls.note_loudness_db` / `note_pitch` (the
profile's ADSR and vibrato) from that frame, so a knob move or a note is
heard within one block (plus the synth's one-frame lookahead).

Example:
  >>> engine = Engine(model, prior, block_frames=16)    # doctest: +SKIP
  >>> engine.handle({'type': 'note_on', 'pitch': 60, 'velocity': 100})  # doctest: +SKIP
  >>> audio = engine.render_block()  # doctest: +SKIP

(`audio`: [16 * hop_size] float32.)
"""

import collections
import dataclasses
import math
import numbers
import warnings

import numpy as np

from interpret_ddsp.analysis import knobs as knobs_lib
from interpret_ddsp import errors
from interpret_ddsp.generation import prior as prior_lib
from interpret_ddsp.score import controls as controls_lib
from interpret_ddsp.score import voices as voices_lib
from interpret_ddsp.support import signals

MESSAGE_TYPES = ('note_on', 'note_off', 'all_notes_off', 'knob', 'mood',
                 'expression', 'expression_source', 'instrument',
                 'new_timbre', 'ping')
# Where a note's expression comes from: the profile the panel sets (a
# mood's, or its sliders), or drawn per note from the model's expression
# model (`Engine.learned_profile`), when it has one.
PROFILE_SOURCE, LEARNED_SOURCE = 'profile', 'learned'
EXPRESSION_SOURCES = (PROFILE_SOURCE, LEARNED_SOURCE)
# The expression a player sets on the panel: fields of the notes' profile
# (`controls.Profile`), {name: (lowest, highest, unit)}. A mood sets them
# all (its profile); a slider then moves one.
EXPRESSION_CONTROLS = {
    'vibrato_depth_cents': (0.0, 100.0, 'cents'),
    'vibrato_rate_hz': (0.0, 12.0, 'Hz'),
    'vibrato_delay_secs': (0.0, 2.0, 's'),
    'attack_secs': (0.0, 1.0, 's'),
    'release_secs': (0.0, 2.0, 's'),
    'glide_secs': (0.0, 0.5, 's'),
}
# How long a released voice keeps rendering after its release ends (the
# synth's reverb-free tail is a frame or two).
TAIL_SECS = 0.05


class MessageError(errors.UserError, ValueError):
  """A message the engine cannot act on; str() is one sentence for the
  player."""


@dataclasses.dataclass
class _Voice:
  pitch: int = -1  # MIDI pitch of its note; -1 before any note.
  on_secs: float = -math.inf
  off_secs: float = math.inf  # Note-off time; inf while the key is held.
  start_db: float = controls_lib.SILENCE_DB
  peak_db: float = controls_lib.SILENCE_DB
  start_pitch: float = 60.0
  glide: bool = False
  profile: controls_lib.Profile = None

  def free_at(self, t):
    """True once its note's release (and tail) is over at time t."""
    if self.profile is None:
      return True
    return t >= self.off_secs + self.profile.release_secs + TAIL_SECS

  def loudness_db(self, t):
    if self.profile is None:
      return np.full(np.shape(t), controls_lib.SILENCE_DB)
    return controls_lib.note_loudness_db(
        t, self.on_secs, self.off_secs, self.start_db, self.peak_db,
        self.profile)

  def midi_pitch(self, t):
    if self.profile is None:
      return np.full(np.shape(t), float(max(self.pitch, 60)))
    return controls_lib.note_pitch(t, self.on_secs, self.off_secs,
                                   self.start_pitch, self.pitch, self.profile,
                                   self.glide)


def _number(message, key, lo, hi, integer=False):
  value = message.get(key)
  if isinstance(value, bool) or not isinstance(value, numbers.Real):
    raise MessageError(f'{message["type"]} needs a number "{key}", got '
                       f'{value!r}.')
  value = float(value)
  if not math.isfinite(value) or not lo <= value <= hi:
    raise MessageError(f'{message["type"]} "{key}" must be a finite number in '
                       f'[{lo:g}, {hi:g}], got {value!r}.')
  if integer:
    if value != int(value):
      raise MessageError(f'{message["type"]} "{key}" must be a whole number, '
                         f'got {value!r}.')
    return int(value)
  return value


def parse_message(message, knob_names, moods=(), instruments=(),
                  sources=(PROFILE_SOURCE,)):
  """Checks one message and returns it with its values typed.

  Args:
    message: A dict (a parsed JSON object).
    knob_names: The model's knob names.
    moods: Known mood names.
    instruments: Known instrument (prior group) names; '' is the global
      prior.
    sources: The expression sources this engine has (EXPRESSION_SOURCES
      less 'learned' without an expression model).

  Returns:
    A new dict: 'type' plus that type's fields (ints for pitch, velocity
    and seed; floats for values).

  Raises:
    MessageError: Not an object, an unknown type, knob, mood or
      instrument, a missing field, or a value out of range or not finite.
  """
  if not isinstance(message, dict):
    raise MessageError(f'A message must be a JSON object, got '
                       f'{type(message).__name__}.')
  kind = message.get('type')
  if kind not in MESSAGE_TYPES:
    raise MessageError(f'Unknown message type {kind!r}; one of '
                       f'{", ".join(MESSAGE_TYPES)}.')
  out = {'type': kind}
  if kind == 'note_on':
    out['pitch'] = _number(message, 'pitch', 0, 127, integer=True)
    out['velocity'] = _number(message, 'velocity', 1, 127, integer=True)
  elif kind == 'note_off':
    out['pitch'] = _number(message, 'pitch', 0, 127, integer=True)
  elif kind in ('knob', 'expression'):
    limit = prior_lib.KNOB_LIMIT_STD
    ranges, what = (({k: (-limit, limit) for k in knob_names},
                     'knob {!r}; this model has') if kind == 'knob' else
                    ({k: c[:2] for k, c in EXPRESSION_CONTROLS.items()},
                     'expression control {!r}; one of'))
    name = message.get('name')
    if name not in ranges:
      raise MessageError(f'Unknown {what.format(name)} '
                         f'{", ".join(ranges)}.')
    out['name'] = name
    out['value'] = _number(message, 'value', *ranges[name])
  elif kind in ('mood', 'instrument'):
    name = message.get('name')
    known = moods if kind == 'mood' else instruments
    if not isinstance(name, str) or name not in known:
      shown = ', '.join(repr(k) if not k else k for k in known)
      raise MessageError(f'Unknown {kind} {name!r}; one of {shown}.')
    out['name'] = name
  elif kind == 'expression_source':
    name = message.get('name')
    if name == LEARNED_SOURCE and name not in sources:
      raise MessageError('This model has no expression model '
                         '(expression_model.npz from fit-expression), so '
                         'learned expression is not available.')
    if name not in sources:
      raise MessageError(f'Unknown expression source {name!r}; one of '
                         f'{", ".join(sources)}.')
    out['name'] = name
  elif kind == 'new_timbre':
    if message.get('seed') is not None:
      out['seed'] = _number(message, 'seed', 0, 2**31 - 1, integer=True)
  elif kind == 'ping':
    out['t'] = _number(message, 't', -math.inf, math.inf) if 't' in message \
        else None
  return out


def knob_panel(prior):
  """What a knob slider shows, per knob of the prior.

  Returns:
    [{'name', 'descriptor', 'unit' (of the descriptor), 'trained_range':
      [lo, hi] in std units, 'limit': +-KNOB_LIMIT_STD}].
  """
  out = []
  for i, name in enumerate(prior.knob_names):
    descriptor = knobs_lib.knob_descriptor(name)
    out.append({'name': name, 'descriptor': descriptor,
                'unit': knobs_lib.unit(descriptor),
                'trained_range': [float(prior.data_min[i]),
                                  float(prior.data_max[i])],
                'limit': float(prior_lib.KNOB_LIMIT_STD)})
  return out


def check_priors(priors, model):
  """UserError unless every prior ({group: prior}) is over the model's
  knobs and z."""
  for p in priors.values():
    try:
      p.check_knobs(model.knob_names, model.z_dims)
    except ValueError as e:
      raise errors.UserError(str(e)) from e


class Engine:
  """One player's instrument: knobs, timbre, voices; renders blocks.

  Attributes:
    model: The timbre model (its knob names and z size are the prior's).
    priors: {group: GaussianMixturePrior}; '' (global) among them.
    synth: The batched StreamingSynth, one row per voice.
    knobs: {knob: value in std units}.
    z: The current z [D] (knob dims = `knobs`).
    profile: The expression profile notes start with.
    instrument: The current prior group.
    sample_rate, block_frames, block_samples, hop_size (samples per
      frame), frame_rate.
    time_secs: Stream time at the start of the next block.
  """

  def __init__(self, model, priors, block_frames=16,
               max_voices=voices_lib.MAX_VOICES, profile=None, seed=0,
               jit_compile=None, moods=None, gain=1.0,
               expression_model=None):
    """Constructor.

    Args:
      model: A built TimbreAutoencoder (model_io.load_model(...).model).
      priors: {group: GaussianMixturePrior} (prior.load_priors) or one
        prior.
      block_frames: Frames per block (16 = 64 ms at 250 frames/s).
      max_voices: Polyphony; a note past it steals the oldest voice.
      profile: Profile or profile name for notes (a mood replaces it).
      seed: Seed of the first timbre and of the synth's noise.
      jit_compile: Passed to StreamingSynth (None: its default, XLA).
      moods: {name: entry} (controls.load_moods()); None: the package's.
      gain: Output gain applied to the voices' sum.
      expression_model: An expression_model.ExpressionModel, or None: with
        one, a player can switch the notes' expression to 'learned'.
    """
    from interpret_ddsp.generation import streaming  # pylint: disable=g-import-not-at-top
    if isinstance(priors, prior_lib.GaussianMixturePrior):
      priors = {priors.group: priors}
    if not priors:
      raise errors.UserError('The live instrument needs a prior.')
    self.model = model
    self.priors = dict(priors)
    check_priors(self.priors, model)
    self.instrument = '' if '' in self.priors else next(iter(self.priors))
    self._default_instrument = self.instrument
    self.moods = controls_lib.load_moods() if moods is None else moods
    self.synth = streaming.StreamingSynth(
        model, block_frames, jit_compile=jit_compile, seed=seed,
        batch_size=int(max_voices))
    self.max_voices = int(max_voices)
    self.block_frames = int(block_frames)
    self.frame_rate = self.synth.frame_rate
    self.sample_rate = self.synth.sample_rate
    self.hop_size = self.synth.hop_size
    self.block_samples = self.block_frames * self.hop_size
    self.profile = self._default_profile = controls_lib.get_profile(profile)
    self.gain = float(gain)
    self.knob_names = tuple(model.knob_names)
    self.knobs = {k: 0.0 for k in self.knob_names}
    self._voices = [_Voice() for _ in range(self.max_voices)]
    self._fresh = set(range(self.max_voices))  # Rows to reset before use.
    self._rng = np.random.default_rng(seed)
    self.expression_model = expression_model
    self.expression_source = PROFILE_SOURCE
    self.last_expression = None  # The last note's drawn values.
    self._last_pitch = None  # The previous note's pitch and note-off time.
    self._last_off_secs = -math.inf
    self._inbox = collections.deque()
    self.replies = collections.deque()  # Replies to posted messages.
    self.time_secs = 0.0
    self.blocks = 0
    self._last_block = None  # The last block's inputs, for rewind().
    self.z = None
    self.new_timbre()

  # --- What a player sets -------------------------------------------------
  @property
  def prior(self):
    return self.priors[self.instrument]

  def new_timbre(self, seed=None):
    """Redraws the free dims from the current prior (marginal draw: they do
    not depend on the knobs), keeping the knobs; returns z."""
    rng = self._rng if seed is None else np.random.default_rng(seed)
    with warnings.catch_warnings():
      warnings.simplefilter('ignore', prior_lib.KnobRangeWarning)
      z = self.prior.sample(1, fixed=dict(self.knobs), seed=rng,
                            others='marginal')[0]
    self.z = z.astype(np.float32)
    self._apply_knobs()
    return self.z

  def set_knob(self, name, value):
    self.knobs[name] = float(value)
    self._apply_knobs()

  def _apply_knobs(self):
    for i, name in enumerate(self.knob_names):
      self.z[i] = self.knobs[name]

  def set_mood(self, name):
    """Sets the knobs a mood names (the others to 0, its average) and its
    expression profile for the notes that start after."""
    values, self.profile = controls_lib.mood_values(self.moods[name])
    self.knobs = dict({k: 0.0 for k in self.knob_names},
                      **knobs_lib.resolve_settings(self.knob_names, values))
    self._apply_knobs()

  def set_expression(self, name, value):
    """Sets one field of the profile notes start with (sounding notes
    keep theirs)."""
    self.profile = dataclasses.replace(self.profile, **{name: float(value)})

  def expression(self):
    """{control: its value in the current profile}."""
    return {k: float(getattr(self.profile, k)) for k in EXPRESSION_CONTROLS}

  @property
  def expression_sources(self):
    """The sources a player can choose (EXPRESSION_SOURCES)."""
    return ((PROFILE_SOURCE, LEARNED_SOURCE) if self.expression_model
            else (PROFILE_SOURCE,))

  def set_expression_source(self, name):
    """'profile' (the panel's) or 'learned' (drawn per note); notes that
    start after play it."""
    if name not in self.expression_sources:
      raise MessageError(f'Unknown expression source {name!r}; one of '
                         f'{", ".join(self.expression_sources)}.')
    self.expression_source = name

  def learned_profile(self, pitch, velocity, legato):
    """(Profile, peak dB) of a note about to start, drawn from the
    expression model given what a note-on knows: its pitch and velocity,
    the interval from the previous note and the gap since its note-off (0
    when a note is still held: legato), with the instrument's mixture; its
    duration and the next note are not conditioned on
    (`ExpressionModel.sample_context`).

    The drawn attack, release, vibrato rate and extent (peak deviation)
    and portamento replace the current profile's fields (held to the
    panel's ranges, EXPRESSION_CONTROLS); the drawn volume, the note's
    mean level, is its sustain level, so its peak is volume_db less the
    profile's sustain_db. The values are kept in `last_expression`.
    """
    from interpret_ddsp.generation import expression_model as em  # pylint: disable=g-import-not-at-top
    context = {'pitch': pitch, 'velocity': velocity,
               'interval_in': 0.0, 'gap_in': em.GAP_CAP_SECS}
    if self._last_pitch is not None:
      context['interval_in'] = float(pitch - self._last_pitch)
      context['gap_in'] = 0.0 if legato else float(np.clip(
          self.time_secs - self._last_off_secs, 0.0, em.GAP_CAP_SECS))
    values = self.expression_model.sample_context(
        context, instrument=self.instrument or None, seed=self._rng)
    self.last_expression = values
    fields = {'attack_secs': values['attack_secs'],
              'release_secs': values['release_secs'],
              'vibrato_rate_hz': values['vibrato_rate_hz'],
              'vibrato_depth_cents': values['vibrato_extent_cents'],
              'glide_secs': values['portamento_secs']}
    fields = {k: float(np.clip(v, *EXPRESSION_CONTROLS[k][:2]))
              for k, v in fields.items()}
    return (dataclasses.replace(self.profile, **fields),
            float(values['volume_db'] - self.profile.sustain_db))

  def set_instrument(self, name):
    self.instrument = name
    self.new_timbre()

  # --- Notes --------------------------------------------------------------
  def note_on(self, pitch, velocity):
    """Starts a note at the next block: a free voice (the one whose last
    pitch is nearest), else the oldest note's voice is stolen."""
    t = self.time_secs
    for v in self._voices:  # A repeated key retriggers its own voice.
      if v.pitch == pitch and not v.free_at(t) and v.off_secs == math.inf:
        index = self._voices.index(v)
        break
    else:
      free = [i for i, v in enumerate(self._voices) if v.free_at(t)]
      if free:
        index = min(free, key=lambda i: (abs(self._voices[i].pitch - pitch)
                                         if self._voices[i].pitch >= 0
                                         else 1000, i))
      else:
        index = min(range(self.max_voices),
                    key=lambda i: self._voices[i].on_secs)
    old = self._voices[index]
    sounding = not old.free_at(t)
    if not sounding:
      self._fresh.add(index)  # A new stream: zero RNN state and phase.
    profile = self.profile
    peak = float(controls_lib.peak_db(velocity, profile.peak_db_range))
    if self.expression_source == LEARNED_SOURCE:
      legato = any(v.off_secs == math.inf and not v.free_at(t)
                   for v in self._voices)
      profile, peak = self.learned_profile(pitch, velocity, legato)
    self._voices[index] = _Voice(
        pitch=int(pitch), on_secs=t, off_secs=math.inf,
        start_db=(float(old.loudness_db(t)) if sounding
                  else profile.floor_db),
        peak_db=peak,
        start_pitch=float(old.midi_pitch(t)) if sounding else float(pitch),
        glide=sounding, profile=profile)
    self._last_pitch = int(pitch)
    return index

  def note_off(self, pitch):
    for v in self._voices:
      if v.pitch == pitch:
        self._release(v)

  def all_notes_off(self):
    for v in self._voices:
      self._release(v)

  def _release(self, voice):
    """Note-off of a held voice now; kept as the last note-off (the gap a
    learned note's expression is drawn given)."""
    if voice.profile and voice.off_secs == math.inf:
      voice.off_secs = max(self.time_secs, voice.on_secs)
      self._last_off_secs = voice.off_secs

  @property
  def sounding(self):
    """Number of voices still sounding (held or releasing)."""
    return sum(not v.free_at(self.time_secs) for v in self._voices)

  # --- Messages -----------------------------------------------------------
  def parse(self, message):
    """parse_message with this engine's knobs, moods and instruments."""
    return parse_message(message, self.knob_names, tuple(self.moods),
                         tuple(self.priors), self.expression_sources)

  def post(self, message):
    """Checks a message now (MessageError if bad) and queues it for the
    next render_block, which applies it first (thread-safe: the server's
    event loop posts while its render thread renders). Replies go to
    `replies`."""
    self._inbox.append(self.parse(message))

  def handle(self, message):
    """Parses and applies one message (dict) now; returns a reply dict for
    the sender or None. Raises MessageError for a bad message."""
    return self._apply(self.parse(message))

  def _apply(self, m):
    kind = m['type']
    if kind == 'note_on':
      self.note_on(m['pitch'], m['velocity'])
    elif kind == 'note_off':
      self.note_off(m['pitch'])
    elif kind == 'all_notes_off':
      self.all_notes_off()
    elif kind == 'knob':
      self.set_knob(m['name'], m['value'])
    elif kind == 'mood':
      self.set_mood(m['name'])
      return {'type': 'knobs', 'knobs': dict(self.knobs),
              'expression': self.expression()}
    elif kind == 'expression':
      self.set_expression(m['name'], m['value'])
    elif kind == 'expression_source':
      self.set_expression_source(m['name'])
    elif kind == 'instrument':
      self.set_instrument(m['name'])
      return {'type': 'timbre', 'z': self.z.tolist()}
    elif kind == 'new_timbre':
      self.new_timbre(m.get('seed'))
      return {'type': 'timbre', 'z': self.z.tolist()}
    elif kind == 'ping':
      return {'type': 'pong', 't': m['t']}
    return None

  # --- Audio --------------------------------------------------------------
  def block_controls(self, start=None):
    """Per-voice f0 [V, n] Hz and loudness [V, n] dB of the block of n =
    block_frames frames from `start` seconds (default: the next block's)."""
    t = self._frame_times(self.time_secs if start is None else start)
    f0 = np.stack([signals.midi_to_hz(v.midi_pitch(t))
                   for v in self._voices])
    loudness = np.stack([v.loudness_db(t) for v in self._voices])
    return f0.astype(np.float32), loudness.astype(np.float32)

  def _frame_times(self, start):
    """Times of the block's frames from `start`, seconds [n]."""
    return start + np.arange(self.block_frames) / self.frame_rate

  def _block_inputs(self, start):
    """{f0, loudness, z [V, n, D], heard [V, n]} of the block from start."""
    f0, loudness = self.block_controls(start)
    t = self._frame_times(start)
    # A free voice still renders (one graph for all) but is not heard: the
    # decoder is not silent at the floor loudness (8 idle voices would sum
    # to a hum 38 dB under a note).
    heard = np.stack([~np.broadcast_to(v.free_at(t), t.shape)
                      for v in self._voices])
    z = np.broadcast_to(self.z, (self.max_voices, self.block_frames,
                                 self.z.shape[-1]))
    return {'f0': f0, 'loudness': loudness, 'z': z,
            'heard': heard.astype(np.float32)}

  def _apply_inbox(self):
    while self._inbox:
      reply = self._apply(self._inbox.popleft())
      if reply is not None:
        self.replies.append(reply)
    if self._fresh:
      self.synth.reset(voices=sorted(self._fresh))
      self._fresh.clear()

  def _mix(self, inputs):
    audio = self.synth.process(inputs['f0'], inputs['loudness'],
                               inputs['z']).reshape(self.max_voices, -1)
    heard = np.repeat(inputs['heard'], self.hop_size, axis=1)
    return (self.gain * (heard * audio).sum(axis=0)).astype(np.float32)

  def render_block(self):
    """The next block of the mix: float32 [block_samples]. The messages
    posted since the last block apply at its start."""
    start = self.time_secs
    self._apply_inbox()
    self._last_block = dict(self._block_inputs(start), start=start)
    audio = self._mix(self._last_block)
    self.time_secs = start + self.block_frames / self.frame_rate
    self.blocks += 1
    return audio

  def rewind(self, frames):
    """Renders the last block again with the messages posted since applied
    from its frame `frames` on: for a note that arrives while the block is
    being sent (its first `frames` frames already sent and played as they
    were), so that it starts within the block instead of at the next one.

    The block's first `frames` frames get the same controls, z and state
    as before (StreamingSynth.undo, the same noise), so the stream goes on
    from them as if the block had been rendered with the note in it from
    the start; the messages apply at the block's start plus `frames`
    frames. Costs one more block render.

    Args:
      frames: Frames of the last block already sent, 0 <= frames <
        block_frames.

    Returns:
      float32 [(block_frames - frames) * hop_size]: the block from that
      frame on, to send in place of what was not yet sent.

    Raises:
      RuntimeError: no block to rewind (none yet, or rewound past it).
    """
    frames = int(frames)
    if not 0 <= frames < self.block_frames:
      raise ValueError(f'frames must be in [0, {self.block_frames}), got '
                       f'{frames}.')
    last = self._last_block
    if last is None:
      raise RuntimeError('No block to rewind.')
    start = last['start']
    self.synth.undo()
    self.time_secs = start + frames / self.frame_rate  # The messages' time.
    self._apply_inbox()
    new = self._block_inputs(start)
    for key in ('f0', 'loudness', 'z', 'heard'):  # The sent frames as sent.
      new[key] = np.concatenate([last[key][:, :frames], new[key][:, frames:]],
                                axis=1)
    self._last_block = dict(new, start=start)
    audio = self._mix(self._last_block)
    self.time_secs = start + self.block_frames / self.frame_rate
    return audio[frames * self.hop_size:]

  def reset_player(self):
    """Back to a new player's state (silence, knobs at 0, the default
    profile and instrument, a new timbre), keeping the traced graph: for
    handing the engine to the next player."""
    self._inbox.clear()
    self.replies.clear()
    self._last_block = None
    self._voices = [_Voice() for _ in range(self.max_voices)]
    self._fresh = set(range(self.max_voices))
    self.knobs = {k: 0.0 for k in self.knob_names}
    self.profile = self._default_profile
    self.expression_source = PROFILE_SOURCE
    self.last_expression, self._last_pitch = None, None
    self._last_off_secs = -math.inf
    self.instrument = self._default_instrument
    self.new_timbre()

  def warm_up(self):
    """Traces the block graph so the first live block is on time."""
    self.synth.warm_up()
    self._fresh = set(range(self.max_voices))
    self._last_block = None

  def describe(self):
    """What a control panel needs (JSON-able)."""
    return {'knobs': knob_panel(self.prior),
            'values': dict(self.knobs),
            'moods': {k: v.get('description', '') for k, v in
                      self.moods.items()},
            'expression': {k: {'range': [lo, hi], 'unit': unit}
                           for k, (lo, hi, unit) in
                           EXPRESSION_CONTROLS.items()},
            'expression_values': self.expression(),
            'expression_sources': list(self.expression_sources),
            'expression_source': self.expression_source,
            'instruments': list(self.priors),
            'instrument': self.instrument,
            'max_voices': self.max_voices,
            'sample_rate': self.sample_rate,
            'block_frames': self.block_frames,
            'block_samples': self.block_samples,
            'algorithmic_latency_ms': self.synth.algorithmic_latency_ms,
            'message_types': list(MESSAGE_TYPES)}


def engine_factory(save_dir=None, prior_path=None, block_frames=16,
                   max_voices=voices_lib.MAX_VOICES, jit_compile=None,
                   seed=0, profile=None):
  """Loads a model and its priors once; returns make() -> a warmed-up
  Engine on them (one per player).

  Args:
    save_dir: Trained timbre model folder; None: the shipped model.
    prior_path: Its prior .npz (fit-prior, by instrument for the
      instrument picker); None: the shipped model's.
    block_frames, max_voices, jit_compile, profile: Engine's.
    The model folder's expression model (contracts.EXPRESSION_MODEL), when
    it has one, lets players choose learned expression.
    seed: The first player's seed (each next player's is one more).

  Raises:
    errors.UserError: No such model, a model of one's own without its
      prior, or a prior for other knobs.
  """
  from interpret_ddsp.training import model_io  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.training import shipped  # pylint: disable=g-import-not-at-top
  save_dir, prior_path, _ = shipped.resolve(save_dir, prior_path)
  if not prior_path:
    raise errors.UserError('A model of your own needs its prior: pass --prior '
                           '(the .npz from fit-prior).')
  loaded = model_io.load_model(save_dir)
  if not hasattr(loaded.model, 'knob_names'):
    raise errors.UserError(f'{loaded.checkpoint} has no named knobs.')
  priors = prior_lib.load_priors(prior_path)
  check_priors(priors, loaded.model)  # Before serving, not at a connect.
  from interpret_ddsp.generation import expression_model  # pylint: disable=g-import-not-at-top
  expression_path = expression_model.path_in(save_dir)
  expression = (expression_model.ExpressionModel.load(expression_path)
                if expression_path else None)
  seeds = iter(range(int(seed), int(seed) + 2**30))

  def make():
    engine = Engine(loaded.model, priors, block_frames=block_frames,
                    max_voices=max_voices, jit_compile=jit_compile,
                    seed=next(seeds), profile=profile,
                    expression_model=expression)
    engine.warm_up()
    return engine

  make.loaded = loaded
  return make

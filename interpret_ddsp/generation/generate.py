# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""New sounds without input audio: prior samples + pitch/loudness -> audio.

`sample_sounds` draws z from a fitted prior (some knobs fixed, by value or
by mood), renders pitch and loudness from notes, a MIDI file or a profile
(interpret_ddsp.score.controls), and synthesizes with the model's decoder and ddsp
processors. `interpolate` renders a path between two z's and measures it.
Every result is written as WAV, PNG (spectrogram with f0 and knob values)
and JSON.
"""

import json
import os
import warnings

import numpy as np

from interpret_ddsp.analysis import metrics
from interpret_ddsp import contracts
from interpret_ddsp import errors
from interpret_ddsp.score import controls as controls_lib
from interpret_ddsp.score import voices as voices_lib
from interpret_ddsp.support import files
from interpret_ddsp.training import shipped

DEFAULT_NOTES = 'C4:0.75,E4:0.75,G4:0.75,C5:1.5'


def parse_settings(pairs):
  """['brightness=0.8', ...] -> {'brightness': 0.8}; clear error otherwise."""
  out = {}
  for pair in pairs or ():
    name, sep, value = pair.partition('=')
    try:
      if not sep:
        raise ValueError
      out[name.strip()] = float(value)
    except ValueError:
      raise errors.UserError(f'--set takes knob=value (a number), not '
                             f'{pair!r}.') from None
  return out


def _score(notes=None, midi=None, velocity=100, midi_program=None):
  """The notes of a note list, a MIDI file or the default arpeggio."""
  if midi:
    return controls_lib.notes_from_midi(midi, program=midi_program)
  return controls_lib.parse_notes(notes or DEFAULT_NOTES, velocity=velocity)


def make_voices(notes=None, midi=None, profile=None, frame_rate=250,
                velocity=100, midi_program=None,
                max_voices=voices_lib.MAX_VOICES):
  """Per-voice controls of a score: a note list, a MIDI file (chords and
  parts split into voices, `voices.allocate`) or the default arpeggio.

  Returns:
    ([Controls] of one length, one per voice; [messages]).
  """
  score = _score(notes, midi, velocity, midi_program)
  alloc = voices_lib.allocate(score, max_voices)
  messages = []
  note = alloc.message(max_voices)
  if note:
    messages.append(f'{midi or "notes"}: {note}')
  if not alloc.voices:
    raise controls_lib.ControlsError('No notes to render.')
  return voices_lib.render(alloc.voices, profile, frame_rate), messages


def make_controls(notes=None, midi=None, profile=None, frame_rate=250,
                  velocity=100, midi_program=None):
  """Controls of one monophonic line (a note list, or a MIDI file's top
  voice); returns (Controls, [messages])."""
  voices, messages = make_voices(notes, midi, profile, frame_rate, velocity,
                                 midi_program, max_voices=1)
  return voices[0], messages


def render_voices(model, voice_controls, z, stream=False, block_frames=16):
  """Audio [n_sounds, n_samples] of every voice with each z, mixed; and the
  streaming stats (None unless stream)."""
  if not stream:
    return voices_lib.synthesize(model, voice_controls, z), None
  sounds, stats = [], None
  for z_i in z:
    mixed = 0.0
    offsets = voices_lib.knob_offsets(model.knob_names, voice_controls)
    for v, c in enumerate(voice_controls):
      z_v = z_i
      if offsets is not None:  # Per frame: [n_frames, z_dims].
        z_v = np.repeat(np.asarray(z_i, np.float32)[np.newaxis],
                        c.n_frames, axis=0)
        z_v[:, :offsets.shape[-1]] += offsets[v]
      audio, stats = stream_audio(model, c.f0_hz, c.loudness_db, z_v,
                                  block_frames)
      mixed = mixed + audio
    sounds.append(mixed)
  return np.stack(sounds).astype(np.float32), stats


def knob_settings(model_knobs, mood=None, settings=None):
  """Fixed knob values from a mood (its profile too) and --set overrides
  (resolved by `knobs.resolve_settings`).

  Returns:
    ({knob: value}, Profile or None).
  """
  from interpret_ddsp.analysis import knobs as knob_chain  # pylint: disable=g-import-not-at-top
  mood_knobs, profile = controls_lib.mood(mood) if mood else ({}, None)
  try:
    fixed = knob_chain.resolve_settings(model_knobs, mood_knobs, settings)
  except KeyError as e:
    raise errors.UserError(e.args[0]) from None
  return fixed, profile


def plot_sound(path, audio, sample_rate, f0_hz, frame_rate, title,
               loudness_db=None):
  """Spectrogram PNG with the f0 curve on top.

  f0_hz: [n_frames], or [n_voices, n_frames] with loudness_db of the same
  shape (each voice's curve is drawn where it sounds, above -60 dB)."""
  import matplotlib  # pylint: disable=g-import-not-at-top
  matplotlib.use('Agg')
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  import librosa  # pylint: disable=g-import-not-at-top
  import librosa.display  # pylint: disable=g-import-not-at-top
  fig, ax = plt.subplots(figsize=(9, 4))
  spec = librosa.amplitude_to_db(
      np.abs(librosa.stft(audio, n_fft=1024, hop_length=256)), ref=np.max)
  librosa.display.specshow(spec, sr=sample_rate, hop_length=256,
                           x_axis='time', y_axis='log', ax=ax, cmap='magma')
  f0_hz = np.atleast_2d(np.asarray(f0_hz, np.float32))
  if loudness_db is not None:
    f0_hz = np.where(np.atleast_2d(loudness_db) > -60.0, f0_hz, np.nan)
  t = np.arange(f0_hz.shape[-1]) / frame_rate
  for i, row in enumerate(f0_hz):
    ax.plot(t, row, color='cyan', lw=1.2,
            label='f0 (requested)' if i == 0 else None)
  ax.set_ylim(30, sample_rate / 2)
  ax.legend(loc='upper right')
  ax.set_title(title, fontsize=9)
  fig.tight_layout()
  files.save_figure(fig, path, dpi=100)
  plt.close(fig)


def write_wav(path, audio, sample_rate):
  """Writes float audio [n_samples] as a float32 WAV, scaled down (never
  clipped) when its peak exceeds 1; returns that original peak."""
  peak = float(np.max(np.abs(audio))) if len(audio) else 0.0
  if peak > 1.0:  # Never clip: scale down, and say so in the JSON.
    audio = audio / peak
  files.write_audio(path, audio.astype(np.float32), sample_rate)
  return peak


LEARNED = 'learned'  # The profile name of learned expression.


def _saved_knob_units(model_dir):
  """A model folder's knob_units() as train wrote them (contracts.KNOBS_FILE),
  or None without the file."""
  path = os.path.join(model_dir, contracts.KNOBS_FILE)
  if not os.path.exists(path):
    return None
  with open(path) as f:
    units = json.load(f).get('units', {})
  return {k: (u['descriptor'], u['unit'], u['mean'], u['std'])
          for k, u in units.items()}


def expression_player(profile=None, model_dir=None, expression_path=None,
                      instrument=None, seed=0, settings=None,
                      knob_units=None):
  """What plays a score: a hand-written profile or learned expression.

  An explicit profile (a name of controls.PROFILES, or a Profile) is used
  as given. 'learned', or None when an expression model is at hand (the
  one given, else the model folder's own contracts.EXPRESSION_MODEL, which
  the shipped model has), plays with an `expression_model.Performer` (the
  instrument's own mixture when it has one); None without one: 'plain'.

  `settings` ({expression value: number}, expression_model.parse_settings)
  are set on every note, the other values drawn given them. `knob_units`
  (the playing model's knob_units()) lets learned expression draw each
  note's brightness and attack noise too (in that model's std units); None
  reads them from model_dir's contracts.KNOBS_FILE when it has one.

  Returns:
    (profile or Performer, its name for samples.json).

  Raises:
    errors.UserError: 'learned' with no expression model to use, or
      settings with a hand-written profile.
  """
  if profile is not None and profile != LEARNED:
    if settings:
      raise errors.UserError(
          'Expression settings shape learned expression; the hand-written '
          f'profile {profile if isinstance(profile, str) else "given"} has '
          'its own fields.')
    return profile, profile if isinstance(profile, str) else 'custom'
  from interpret_ddsp.generation import expression_model  # pylint: disable=g-import-not-at-top
  if expression_path is None:
    expression_path = expression_model.path_in(model_dir)
  if expression_path is None:
    if profile == LEARNED or settings:
      raise errors.UserError(
          'Learned expression needs an expression model (the .npz that '
          'fit-expression writes), and this model folder has none.')
    return None, 'plain'
  model = expression_model.ExpressionModel.load(expression_path)
  if knob_units is None and model_dir:
    knob_units = _saved_knob_units(model_dir)
  return (expression_model.Performer(
      model, instrument, seed, settings=settings,
      scale=expression_model.timbre_scale(knob_units)),
          LEARNED + (f' ({instrument})' if instrument in model.instruments
                     else ''))


def _default_prior(save_dir, prior_path):
  """The pretrained model's prior when neither model nor prior is given."""
  return shipped.resolve(save_dir, prior_path)[1]


def _format_knobs(names, z):
  return ', '.join(f'{n}={v:+.2f}' for n, v in zip(names, z))


def stream_audio(model, f0_hz, loudness_db, z, block_frames=16):
  """Synthesizes one sound block by block (interpret_ddsp.generation.streaming); z is
  [z_dims] or [n_frames, z_dims] (per frame).

  Returns:
    (audio [n_frames * hop], stats dict: real-time factor, block latency).
  """
  import time  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.generation import streaming  # pylint: disable=g-import-not-at-top
  synth = streaming.StreamingSynth(model, block_frames=block_frames)
  synth.warm_up()
  n = len(f0_hz)
  pad = -n % block_frames  # Whole blocks (one compiled shape); trimmed.
  f0_hz = np.concatenate([f0_hz, np.repeat(f0_hz[-1:], pad)])
  loudness_db = np.concatenate([loudness_db, np.full(pad, -80.0)])
  z = np.asarray(z, np.float32)
  if z.ndim == 2:
    z = np.concatenate([z, np.repeat(z[-1:], pad, axis=0)])
  blocks, times = [], []
  for start in range(0, len(f0_hz), block_frames):
    tick = time.perf_counter()
    blocks.append(synth.process(
        f0_hz[start:start + block_frames],
        loudness_db[start:start + block_frames],
        z[start:start + block_frames] if z.ndim == 2 else z))
    times.append(time.perf_counter() - tick)
  blocks.append(synth.flush())
  audio = np.concatenate(blocks)[synth.latency_samples:]
  audio = audio[:model.n_samples_for(n)]
  secs = len(audio) / (synth.frame_rate * synth.hop_size)
  return audio, {'real_time_factor': secs / max(sum(times), 1e-9),
                 'block_ms_median': 1000 * float(np.median(times)),
                 'algorithmic_latency_ms': synth.algorithmic_latency_ms,
                 'block_frames': block_frames}


def sample_sounds(save_dir, prior_path, output_dir, n=4, notes=None,
                  midi=None, profile=None, mood=None, settings=None,
                  temperature=1.0, seed=0, group=None, midi_program=None,
                  stream=False, block_frames=16, others='marginal',
                  max_voices=voices_lib.MAX_VOICES, expression_path=None,
                  expression_settings=None, register=True):
  """Draws n timbres from the prior and renders the same score with each.

  Args:
    save_dir: Trained timbre model folder, a model_io.LoadedModel, or None
      for the shipped pretrained model.
    prior_path: .npz written by fit-prior (None: the pretrained model's,
      when save_dir is None).
    output_dir: Where sample_XX.wav/.png and samples.json go.
    n: Number of samples.
    notes: Note text ('C4:1.0,E4:0.5'); default an arpeggio.
    midi: MIDI file (its first melodic instrument, every voice).
    profile: Profile name or Profile (ADSR, vibrato, glide), or 'learned'
      (`expression_player`; None: learned when an expression model is at
      hand, else the mood's profile or 'plain').
    mood: Mood word (knob values + profile; see controls.load_moods).
    settings: {knob: value} fixed exactly (override the mood's).
    temperature: Spread of the free dims (1 = the prior's).
    seed: Random seed.
    group: Prior group (e.g. an instrument); default the global prior.
    midi_program: GM program to take from the MIDI file.
    stream: Synthesize block by block (streaming.StreamingSynth), as a live
      instrument would, and report its real-time factor and latency.
    block_frames: Frames per streamed block (250 frames/s).
    others: How the dims not fixed are drawn (prior.OTHERS): 'marginal'
      (the same draws whatever the fixed values: a set knob moves nothing
      else) or 'conditional' on the fixed knobs (the others follow what the
      data ties to them).
    max_voices: Most notes sounding at once (`voices.allocate`; 1: the
      top voice only).
    expression_path: An expression_model.npz (fit-expression) for learned
      expression; None: the model folder's own, if it has one.
    expression_settings: {expression value: number} set on every note of
      learned expression (`expression_player`).
    register: Draw the timbres for the register the score plays in (the
      prior given the score's `prior.register_pitch`), where the prior was
      fitted with pitches; False: over every register.

  Returns:
    dict written to samples.json.
  """
  from interpret_ddsp.generation import prior as prior_lib  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.training import model_io  # pylint: disable=g-import-not-at-top
  prior_path = _default_prior(save_dir, prior_path)
  if not prior_path:
    raise errors.UserError('A model of your own needs its prior: pass --prior '
                           '(the .npz from fit-prior).')
  loaded = model_io.as_loaded(save_dir)
  model = loaded.model
  if not hasattr(model, 'knob_names'):
    raise errors.UserError(f'{loaded.checkpoint} has no named knobs.')
  joint = prior_lib.GaussianMixturePrior.load(prior_path, group=group,
                                              joint=True)
  prior = joint.over_z()
  try:
    prior.check_knobs(model.knob_names, model.z_dims)
  except ValueError as e:
    raise errors.UserError(str(e)) from e
  fixed, mood_profile = knob_settings(model.knob_names, mood, settings)
  player, expression = expression_player(
      profile or mood_profile, os.path.dirname(loaded.checkpoint),
      expression_path, prior.group or None, seed, expression_settings,
      model.knob_units())
  voice_controls, messages = make_voices(
      notes, midi, player, frame_rate=250,
      midi_program=midi_program, max_voices=max_voices)
  f0_voices, ld_voices = voices_lib.stack(voice_controls)
  pitch = float(prior_lib.register_pitch(f0_voices.ravel(), ld_voices.ravel()))
  given = ({prior_lib.REGISTER: pitch} if register and
           prior_lib.REGISTER in joint.context_names and np.isfinite(pitch)
           else {})
  with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter('always')
    if given:
      prior = joint.over_z(given)
    z = prior.sample(n, fixed=fixed or None, temperature=temperature,
                     seed=seed, others=others)
  messages += [str(w.message) for w in caught]
  from interpret_ddsp.analysis import knobs as knob_chain  # pylint: disable=g-import-not-at-top
  voiced = f0_voices[ld_voices > knob_chain.LOUDNESS_GATE_DB]
  messages += knob_chain.reach_notes(
      fixed, model.knob_units(),
      highest_f0_hz=float(voiced.max()) if voiced.size else None,
      sample_rate=loaded.sample_rate)
  audio, stream_stats = render_voices(model, voice_controls, z, stream,
                                      block_frames)
  os.makedirs(output_dir, exist_ok=True)
  rows = []
  for i in range(n):
    stem = os.path.join(output_dir, f'sample_{i:02d}')
    peak = write_wav(stem + '.wav', audio[i], loaded.sample_rate)
    knobs = dict(zip(model.knob_names, z[i, :len(model.knob_names)].tolist()))
    plot_sound(stem + '.png', audio[i], loaded.sample_rate, f0_voices, 250,
               f'sample {i}: ' + _format_knobs(model.knob_names, z[i]),
               loudness_db=ld_voices)
    rows.append({'wav': stem + '.wav', 'png': stem + '.png', 'knobs': knobs,
                 'z': z[i].tolist(), 'peak_before_normalization': peak})
  result = {'model': loaded.checkpoint, 'prior': prior_path,
            'group': prior.group, 'fixed': fixed, 'others': others,
            'register_pitch': given.get(prior_lib.REGISTER),
            'mood': mood, 'expression': expression,
            'expression_settings': dict(expression_settings or {}),
            'temperature': temperature, 'seed': seed,
            'controls': {'secs': voice_controls[0].secs,
                         'n_notes': sum(len(c.notes) for c in voice_controls),
                         'n_voices': len(voice_controls),
                         'source': midi or notes or DEFAULT_NOTES},
            'messages': messages, 'samples': rows, 'streaming': stream_stats}
  files.write_json(os.path.join(output_dir, contracts.SAMPLES_JSON), result)
  return result


# --- Interpolation -----------------------------------------------------------

def encode_audio(model, path, sample_rate=16000, crepe_model='tiny'):
  """Pooled z [z_dims] of a recording (features as `prepare` computes them;
  the whole file, at most 30 s)."""
  from interpret_ddsp.analysis import features  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.support import audio_io  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.training import model_io  # pylint: disable=g-import-not-at-top
  try:
    audio, _ = audio_io.load_audio(path, sample_rate)
  except audio_io.AudioLoadError as e:
    raise errors.UserError(str(e)) from e
  audio_16k = audio if sample_rate == 16000 else audio_io.resample(
      audio, sample_rate, 16000)
  n_frames = int(min(len(audio_16k), 30 * 16000) // 64)
  if n_frames < 25:
    raise errors.UserError(f'{path} is shorter than 0.1 s.')
  audio_16k = audio_16k[:n_frames * 64]
  feats = features.compute_features(audio_16k, 250, crepe_model=crepe_model)
  feats = {k: np.asarray(v)[None, :n_frames] for k, v in feats.items()}
  feats['audio'] = audio[None, :model.n_samples_for(n_frames)]
  with model.length(n_frames):
    out = model.encode(feats, training=False)
  return model_io.pooled_z(out).numpy()[0]


def endpoint_z(model, spec, prior=None, seed=0, prior_path=None):
  """z [z_dims] for 'audio:PATH', 'prior[:SEED]', 'instrument:NAME',
  'mood:NAME' or 'knobs:k=v'.

  Moods and knob settings fix those knobs; the other dims are the prior's
  conditional mean (temperature 0) when a prior is given, else 0. An
  instrument is the mean z of its own prior (fit-prior --by_instrument).
  """
  from interpret_ddsp.generation import prior as prior_lib  # pylint: disable=g-import-not-at-top
  kind, _, arg = spec.partition(':')
  if kind == 'audio':
    return encode_audio(model, arg)
  if kind == 'instrument':
    if not prior_path:
      raise errors.UserError('instrument:... endpoints need --prior.')
    groups = prior_lib.load_priors(prior_path)
    if arg not in groups or not arg:
      names = ', '.join(sorted(g for g in groups if g)) or 'none'
      raise errors.UserError(f'No prior for instrument {arg!r} in '
                             f'{prior_path} (has: {names}).')
    return groups[arg].mean()
  if kind == 'prior' and prior is None:
    raise errors.UserError('prior:... endpoints need --prior.')
  if kind == 'prior':
    if arg and not arg.lstrip('-').isdigit():
      raise errors.UserError(f'Endpoint {spec!r}: prior:SEED takes a whole '
                             'number (or prior alone).')
    return prior.sample(1, seed=int(arg or seed))[0]
  if kind in ('mood', 'knobs'):
    if kind == 'mood':
      fixed, _ = knob_settings(model.knob_names, mood=arg)
    else:
      fixed, _ = knob_settings(model.knob_names,
                               settings=parse_settings(arg.split(',')))
    if prior is not None:
      return prior.sample(1, fixed=fixed, temperature=0.0, seed=seed)[0]
    return model.z_from_knobs(fixed)[0]
  raise errors.UserError(f'Endpoint {spec!r}: use audio:PATH, prior[:SEED], '
                         'instrument:NAME, mood:NAME or '
                         'knobs:brightness=1,hollowness=-1.')


def descriptor_path(model, audios, voice_controls):
  """[steps, n_knobs]: each knob's standardized descriptor of each sound,
  pooled over its voices by frame weight (`knobs.measure`: each voice is
  measured at its own f0).

  Args:
    model: The timbre model (its knob units).
    audios: [steps, n_voices, n_samples], the voices apart.
    voice_controls: The voices' `Controls`.
  """
  from interpret_ddsp.analysis import knobs  # pylint: disable=g-import-not-at-top
  pre = model.preprocessor
  n = len(audios)
  total, weight = 0.0, 0.0
  for v, c in enumerate(voice_controls):
    values, w = knobs.measure(
        audios[:, v], np.tile(c.f0_hz[None], (n, 1)),
        np.tile(c.loudness_db[None], (n, 1)), pre.descriptor_names,
        pre.knob_mean, pre.knob_std, sample_rate=pre.sample_rate)
    total += values[:, 0].numpy() * w[:, 0].numpy()
    weight += w[:, 0].numpy()
  return total / np.maximum(weight, 1e-6)


def plot_paths(path_png, model_path, fade_path, knob_names):
  import matplotlib  # pylint: disable=g-import-not-at-top
  matplotlib.use('Agg')
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  fig, axes = plt.subplots(1, len(knob_names),
                           figsize=(3.5 * len(knob_names), 3))
  t = np.linspace(0, 1, len(model_path))
  for i, (ax, name) in enumerate(zip(np.atleast_1d(axes), knob_names)):
    ax.plot(t, model_path[:, i], 'o-', label='z interpolation')
    ax.plot(t, fade_path[:, i], 's--', label='audio crossfade')
    ax.set_xlabel('position along the path')
    ax.set_title(f'{name} of the output')
  np.atleast_1d(axes)[0].legend(fontsize=8)
  fig.tight_layout()
  files.save_figure(fig, path_png, dpi=100)
  plt.close(fig)


def interpolate(save_dir, output_dir, start, end, steps=7, prior_path=None,
                notes=None, midi=None, profile=None, seed=0,
                max_voices=voices_lib.MAX_VOICES, expression_path=None,
                expression_settings=None):
  """Renders z from `start` to `end` in `steps` and measures the path.

  Returns:
    dict written to interpolation.json: both endpoints' z, per-step knob
    values, and smoothness / non-linearity of the output descriptors for
    the z path and for a plain crossfade of the two endpoint renders.
  """
  from interpret_ddsp.generation import prior as prior_lib  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.training import model_io  # pylint: disable=g-import-not-at-top
  if steps < 3:
    raise errors.UserError('--steps must be at least 3.')
  prior_path = _default_prior(save_dir, prior_path)
  loaded = model_io.as_loaded(save_dir)
  model = loaded.model
  prior = (prior_lib.GaussianMixturePrior.load(prior_path)
           if prior_path else None)
  if prior is not None:
    try:
      prior.check_knobs(model.knob_names, model.z_dims)
    except ValueError as e:
      raise errors.UserError(str(e)) from e
  with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter('always')
    z0 = endpoint_z(model, start, prior, seed, prior_path)
    z1 = endpoint_z(model, end, prior, seed + 1, prior_path)
  player, _ = expression_player(profile, os.path.dirname(loaded.checkpoint),
                                expression_path, seed=seed,
                                settings=expression_settings,
                                knob_units=model.knob_units())
  voice_controls, messages = make_voices(notes, midi, player,
                                         max_voices=max_voices)
  messages = [str(w.message) for w in caught] + messages
  t = np.linspace(0.0, 1.0, steps)[:, None]
  zs = ((1 - t) * z0 + t * z1).astype(np.float32)
  apart = voices_lib.synthesize(model, voice_controls, zs, mixed=False)
  t3 = t[:, :, None]
  fade_apart = ((1 - t3) * apart[:1] + t3 * apart[-1:]).astype(np.float32)
  audio, fade = voices_lib.mix(apart), voices_lib.mix(fade_apart)
  model_path = descriptor_path(model, apart, voice_controls)
  fade_path = descriptor_path(model, fade_apart, voice_controls)
  os.makedirs(output_dir, exist_ok=True)
  for i in range(steps):
    write_wav(os.path.join(output_dir, f'step_{i:02d}.wav'), audio[i],
              loaded.sample_rate)
  gap = np.zeros(int(0.2 * loaded.sample_rate), np.float32)
  write_wav(os.path.join(output_dir, 'path.wav'),
            np.concatenate([np.concatenate([a, gap]) for a in audio]),
            loaded.sample_rate)
  write_wav(os.path.join(output_dir, 'crossfade.wav'),
            np.concatenate([np.concatenate([a, gap]) for a in fade]),
            loaded.sample_rate)
  plot_paths(os.path.join(output_dir, 'interpolation.png'), model_path,
             fade_path, model.knob_names)
  result = {
      'model': loaded.checkpoint, 'start': start, 'end': end,
      'steps': steps, 'z_start': z0.tolist(), 'z_end': z1.tolist(),
      'knobs_along_path': zs[:, :len(model.knob_names)].tolist(),
      'descriptor_path': model_path.tolist(),
      'crossfade_descriptor_path': fade_path.tolist(),
      'z_interpolation': metrics.path_metrics(model_path),
      'crossfade': metrics.path_metrics(fade_path), 'messages': messages,
  }
  files.write_json(os.path.join(output_dir, 'interpolation.json'), result)
  return result

# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Reproduce and export the shipped pretrained model (the release layer).

Where the shipped model is and how commands default to it is
`interpret_ddsp.training.shipped` (a leaf); this module sits above everything else:
it runs the whole pipeline (render FluidR3_GM.sf2 -> prepare -> train ->
extract-z -> fit-prior -> sample -> evaluate) and exports the result, with
a model card written from the run's own numbers:

  sudo apt-get install fluid-soundfont-gm   # Debian's MIT-licensed FluidR3
  .venv/bin/python -m interpret_ddsp.apps.pretrained \\
      --soundfont /usr/share/sounds/sf2/FluidR3_GM.sf2 --run_dir runs/pretrained

`--model violin_48k` reproduces the other shipped model (its recipe and
folder are in `shipped.MODELS`).
"""

import argparse
import json
import os
import re
import shutil

from interpret_ddsp import contracts
from interpret_ddsp import errors
from interpret_ddsp.support import files
from interpret_ddsp.training import model_io
from interpret_ddsp.training import shipped

DEFAULT_DIR = shipped.DEFAULT_DIR


def export(run_dir, dest=DEFAULT_DIR):
  """Copies a pipeline run (interpret_ddsp.apps.pipeline) into `dest`.

  Keeps only the newest checkpoint, so the folder stays a few MB.

  Returns:
    dest.
  """
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.apps import pipeline  # pylint: disable=g-import-not-at-top
  p = pipeline.paths(run_dir)
  ckpt = tf.train.latest_checkpoint(p['model'])
  if not ckpt:
    raise errors.UserError(f'No checkpoint in {p["model"]}.')
  os.makedirs(dest, exist_ok=True)
  for name in os.listdir(dest):  # Older checkpoints of an earlier export.
    if (name.startswith(contracts.CHECKPOINT_PREFIX) or
        name == contracts.CHECKPOINT_INDEX):
      os.remove(os.path.join(dest, name))
  model_io.place_checkpoint(p['model'], ckpt.rsplit('-', 1)[1], dest)
  shutil.copy(p['prior'], os.path.join(dest, contracts.PRIOR_FILE))
  _copy_z(p['z'], os.path.join(dest, contracts.Z_FILE))
  shipped_files = [contracts.PRIOR_FILE, contracts.Z_FILE]
  if os.path.exists(p['expression']):
    shutil.copy(p['expression'], os.path.join(dest,
                                              contracts.EXPRESSION_MODEL))
    shipped_files.append(contracts.EXPRESSION_MODEL)
  # Copies of files written through a private (0600) temporary file.
  for name in shipped_files:
    os.chmod(os.path.join(dest, name), 0o644)
  for name in os.listdir(dest):  # Pictures of an earlier export's report.
    if name.endswith('.png'):
      os.remove(os.path.join(dest, name))
  for name in contracts.EVALUATION_FILES:
    src = os.path.join(p['evaluation'], name)
    if os.path.exists(src):
      shutil.copy(src, dest)
  return dest


def _expression_lines(dest):
  """The card's line on the learned expression model (none if absent)."""
  path = os.path.join(dest, contracts.EXPRESSION_MODEL)
  if not os.path.exists(path):
    return []
  from interpret_ddsp.generation import expression_model  # pylint: disable=g-import-not-at-top
  model = expression_model.ExpressionModel.load(path)
  groups = ', '.join(f'{g or "all"} {m.n_components}'
                     for g, m in sorted(model.mixtures.items()))
  return [
      '- Note expression (`expression_model.npz`, the default of `sample` '
      'and `interpolate` for note lists and MIDI): fitted by '
      '`fit-expression` on the train split\'s notes of the same data (the '
      'render\'s ground-truth notes, their expression measured on the '
      'audio: volume, fluctuation, peak position, attack, release, '
      'vibrato, portamento, and brightness and attack noise about the '
      'instrument\'s mean, which play as knob offsets), a '
      'full-covariance Gaussian mixture of the '
      'expression given the score per instrument (components: '
      f'{groups}). Each note is drawn on its own: no phrase-level '
      'memory; see benchmarks/README.md for how close it comes to the '
      'real notes.']


def _operative_config(model_dir):
  """The text of the run's newest operative config (the one `train`
  resumes from), or '' when it has none."""
  from ddsp.training import train_util  # pylint: disable=g-import-not-at-top
  try:
    with open(train_util.get_latest_operative_config(model_dir)) as f:
      return f.read()
  except FileNotFoundError:
    return ''


def _binding(config, name):
  """The value (text) bound to `name` in an operative config's text, e.g.
  _binding(config, 'Trainer.learning_rate') -> '0.001'; None if unbound.

  >>> _binding('Trainer.x = @Foo', 'Trainer.x'), _binding('', 'Trainer.x')
  ('@Foo', None)
  """
  m = re.search(r'^' + re.escape(name) + r' = (.+?)\s*$', config, re.M)
  return m.group(1) if m else None


def _noise_rule(model_dir):
  """How the run's knob processor set the noise, from its operative
  config."""
  if _binding(_operative_config(model_dir),
              'TimbreKnobs.noise_as_measured') == 'True':
    return ('the noise for noisiness, set so that the part the '
            'measurement counts (not what lies under the partials) has the '
            'requested ratio to the harmonic power (`noise_as_measured`)')
  return ('the noise level against the harmonic power for noisiness (its '
          'whole power)')


def _loss_text(model_dir):
  """The run's reconstruction loss, from its operative config."""
  band = _binding(_operative_config(model_dir),
                  'SharedBandSpectralLoss.band_rate')
  if band is None:
    return "ddsp's multi-scale spectral loss"
  band = int(band)
  return ("ddsp's multi-scale spectral loss over the whole band, plus the "
          f'same loss on the band below {band / 2000:g} kHz '
          'alone (`SharedBandSpectralLoss`: that band gets the weight a '
          f'{band / 1000:g} kHz model gives it; without it the '
          'model came out worse there, benchmarks/sample_rate.py)')


def _upsampling_text(model_dir):
  """How the harmonic synth upsamples its partial amplitudes, from the
  model's operative config ('' when it does not say)."""
  config = _operative_config(model_dir)
  method = (_binding(config, 'HARMONIC/FastHarmonic.amp_resample_method') or
            _binding(config, 'FastHarmonic.amp_resample_method'))
  if method == "'linear'":
    return ('- Synthesis: the partial amplitudes go from frames to samples '
            'linearly, not by ddsp\'s default raised-cosine blend, which '
            'ripples a fast release at the 250 Hz frame rate into noise the '
            'noisiness knob cannot turn down (benchmarks/README.md, "The '
            'harmonic synth\'s amplitude interpolation").')
  if method == "'window'":
    return ('- Synthesis: the partial amplitudes go from frames to samples '
            'by ddsp\'s default raised-cosine blend (`window`).')
  return ''


def _data_order(model_dir):
  """How the run read its training examples, from its newest operative
  config."""
  found = _binding(_operative_config(model_dir),
                   'train/TimbreTFRecordProvider.shuffle_megabytes')
  if found and int(found) > 0:
    return (f'examples shuffled in a {found} MB buffer '
            '(`data.TimbreTFRecordProvider`), not only the shard files')
  return ('each shard read in its written order, only the files shuffled '
          '(ddsp\'s reading)')


def _sittings(model_dir):
  """[(start step, operative config text)] of every sitting of the run:
  `train` writes operative_config-<step>.gin each time it starts."""
  found = []
  for name in os.listdir(model_dir):
    m = re.fullmatch(re.escape(contracts.OPERATIVE_CONFIG_PREFIX) +
                     r'(\d+)\.gin', name)
    if m:
      with open(os.path.join(model_dir, name)) as f:
        found.append((int(m.group(1)), f.read()))
  return sorted(found)


def _rate_at(config, step):
  """The learning rate a sitting's operative config gives at `step`:
  ddsp's ExponentialDecay (rate^(step / decay_steps), from step 0), or
  HeldDecayTrainer's (from its hold)."""
  def bound(name, default):
    value = _binding(config, name)
    return default if value is None else float(value)
  rate = bound('Trainer.learning_rate', 1e-3)
  steps = bound('Trainer.lr_decay_steps', 10000)
  decay = bound('Trainer.lr_decay_rate', 0.98)
  return rate * decay ** (max(step - _hold(config), 0.0) / steps)


def _hold(config):
  """HeldDecayTrainer's hold in a sitting's operative config (0: none)."""
  if (_binding(config, 'get_trainer_class.trainer_class') !=
      '@HeldDecayTrainer'):
    return 0
  return int(_binding(config, 'HeldDecayTrainer.lr_hold_steps') or 0)


def _schedule(config):
  """The bindings that shape a sitting's learning rate, to compare two."""
  return tuple(_binding(config, name) for name in (
      'Trainer.learning_rate', 'Trainer.lr_decay_steps',
      'Trainer.lr_decay_rate', 'get_trainer_class.trainer_class',
      'HeldDecayTrainer.lr_hold_steps'))


def _schedule_text(model_dir, last_step):
  """The learning rate over the run, sitting by sitting, from the
  operative configs (what each sitting trained with)."""
  sittings = _sittings(model_dir)
  if not sittings:
    return 'learning rate: no operative config'
  # A resumed sitting with the same schedule goes on along the same curve:
  # one stretch, not a 0.001-to-0.001 line per resume.
  stretches = []
  for start, config in sittings:
    if not stretches or _schedule(config) != _schedule(stretches[-1][1]):
      stretches.append((start, config))
  parts = []
  for i, (start, config) in enumerate(stretches):
    end = stretches[i + 1][0] if i + 1 < len(stretches) else last_step
    hold = _hold(config)
    held = f', held to step {hold}' if start < hold < end else ''
    parts.append(f'{_rate_at(config, start):.3g} to '
                 f'{_rate_at(config, end):.3g} over steps {start}-{end}'
                 f'{held}')
  text = 'learning rate ' + ', '.join(parts)
  if len(sittings) > 1:
    text += (f' (in {len(sittings)} sittings; a resumed run draws its data '
             'order and noise from the seed and the step)')
  return text


def _rate_text(sample_rate):
  """How the rendered audio (at soundfont.RENDER_RATE) reached the
  model's sample rate.

  >>> _rate_text(16000)
  'resampled to 16 kHz'
  >>> _rate_text(48000)
  'kept at 48 kHz (no resampling)'
  """
  from interpret_ddsp.score import soundfont  # pylint: disable=g-import-not-at-top
  if sample_rate == soundfont.RENDER_RATE:
    return f'kept at {sample_rate / 1000:g} kHz (no resampling)'
  return f'resampled to {sample_rate / 1000:g} kHz'


def _use_line(name):
  """Which commands run the model `name`."""
  if name == shipped.DEFAULT_MODEL:
    return ('It is the default of `interpret-ddsp demo`, `sample`, '
            '`interpolate`, `evaluate`, `play` and `listen`.')
  return (f'`--model {name}` selects it in `interpret-ddsp demo`, `sample`, '
          '`interpolate`, `evaluate`, `play` and `listen`.')


def write_card(run_dir, summary, dest=DEFAULT_DIR, name=None):
  """Writes MODEL_CARD.md from the run's manifests and `evaluate` metrics,
  so every number in it comes from this run.

  Args:
    run_dir: The pipeline run folder.
    summary: What pipeline.run returned (recipe, secs, steps, metrics).
    dest: The exported model folder.
    name: The shipped model's name (`shipped.MODELS`); None: the default.

  Returns:
    The card's path.
  """
  from interpret_ddsp.apps import pipeline  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.evaluation import evaluate  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.generation import prior as prior_lib  # pylint: disable=g-import-not-at-top
  p = pipeline.paths(run_dir)
  with open(os.path.join(p['audio'], contracts.RENDER_MANIFEST)) as f:
    render = json.load(f)
  with open(os.path.join(p['data'], contracts.DATASET_MANIFEST)) as f:
    data = json.load(f)
  with open(os.path.join(dest, contracts.KNOBS_FILE)) as f:
    knobs = json.load(f)
  # Joint with their context (e.g. the register) where fitted so; the card
  # reads what is the same either way, and the context itself.
  priors = prior_lib.load_priors(os.path.join(dest, contracts.PRIOR_FILE),
                                 joint=True)
  recipe, m = summary['recipe'], summary['metrics']
  c = data['counts']
  soundfont = os.path.basename(render['config']['soundfont'])
  units = ', '.join(f'{k} = {v["descriptor"]} ({v["unit"]}; mean '
                    f'{v["mean"]:.3g}, std {v["std"]:.3g})'
                    for k, v in knobs['units'].items())
  g = priors['']
  name = name or shipped.DEFAULT_MODEL
  rate = recipe.get('sample_rate', 16000)
  model_flag = ('' if name == shipped.DEFAULT_MODEL else
                f' --model {name}')
  lines = [
      '# Model card: interpret_ddsp pretrained '
      + ('default' if name == shipped.DEFAULT_MODEL else f'`{name}`'), '',
      'A tiny timbre autoencoder (Magenta ddsp harmonic + filtered-noise '
      f'synthesis at {rate / 1000:g} kHz) whose z holds named knobs next to '
      'free dims, and a '
      'Gaussian-mixture prior over its pooled z for generating new timbres '
      f'without input audio. {_use_line(name)}', '',
      '## Training data', '',
      f'- Soundfont: `{soundfont}` (Debian package fluid-soundfont-gm, '
      'FluidR3_GM by Frank Wen, MIT license), rendered offline with '
      'TinySoundFont at 48 kHz, reverb and chorus off, '
      f'{_rate_text(rate)}.'
      if soundfont.startswith('FluidR3') else
      f'- Soundfont: `{soundfont}`.',
      f'- GM instruments: {recipe["programs"].replace(",", ", ")}.',
      f'- Per instrument: single notes every '
      f'{_semitones(recipe["key_step"])} '
      f'over its range at velocities {", ".join(map(str, recipe["velocities"]))}'
      f' (3 s held + 1 s release), and {recipe["n_melodies"]} random 4 s '
      'melodies with pitch-bend vibrato.',
      f'- {render["counts"]["written"]} rendered files '
      f'({render["counts"]["skipped"]} silent keys skipped), '
      f'{data["audio_secs"]:.0f} s of audio; prepared by our Beam pipeline '
      f'(CREPE tiny f0, loudness, timbre descriptors) into '
      f'{c["examples_train"]} train and {c["examples_eval"]} eval examples of '
      f'{recipe["example_secs"]:g} s (split by source file: no leakage).', '',
      '## Model and training', '',
      f'- Config: `gin/{recipe["gin_file"]}` + `datasets/tfrecord.gin` + '
      f'`optimization/cpu.gin` (batch 8, Adam, '
      f'{_schedule_text(p["model"], summary["steps"])}); '
      f'{_data_order(dest)}; the full '
      'operative config is `operative_config-0.gin` here.',
      f'- Loss: {_loss_text(dest)}; the knobs\' own losses are '
      '`TimbreAutoencoder.timbre_losses` in the operative config.',
      f'- Knobs ({len(knobs["knob_names"])} named + {knobs["free_dims"]} free '
      f'dims): {units}. Knob values are in standard deviations of the '
      'training set (0 = its average).',
      '- Design: knob processors (`interpret_ddsp/training/knob_processors.py`, '
      '`TimbreKnobs` in the processor group) set each knob\'s descriptor '
      'on the synthesis parameters: a tilt and an odd-harmonic gain of the '
      'harmonic distribution for brightness and hollowness, '
      f'{_noise_rule(dest)}; the output level '
      'is solved from the loudness input, so the output\'s ddsp loudness '
      'is the one asked for. The decoder learns what the knobs leave free.',
      ] + [t for t in [_upsampling_text(dest)] if t] + [
      f'- Steps: {summary["steps"]}, on 2 CPU cores.',
      f'- Prior: {g.n_components}-component {g.covariance_type}-covariance '
      'Gaussian mixture chosen by BIC over the pooled z of the training '
      f'split{_context_text(g)}; per-instrument priors for '
      f'{", ".join(sorted(k for k in priors if k))}.',
      ] + _expression_lines(dest) + [
      '', '## Measured (`interpret-ddsp evaluate` on the eval split)', '',
      'The section below is the report `evaluate` wrote for this model '
      f'({m.get("n_examples", recipe["eval_examples"])} eval examples); '
      '`metrics.json` here holds every number.', '',
      evaluate.report_markdown(m).split('\n', 2)[2].replace(
          '## ', '### ').replace(
              'Examples: `reconstruction_*_input.wav` / `_output.wav`.',
              'SNR compares waveforms sample by sample, so it is low for any '
              'synthesizer whose phases differ from the recording\'s (the '
              'noise synth draws new noise); the spectral distances are '
              'the meaningful ones.'),
      '', '## Reproduce', '',
      '```',
      'sudo apt-get install fluid-soundfont-gm',
      f'.venv/bin/python -m interpret_ddsp.apps.pretrained{model_flag} \\',
      '    --soundfont /usr/share/sounds/sf2/FluidR3_GM.sf2 '
      f'--run_dir runs/{shipped.recipe_name(name)}',
      '```', '',
      '## Limits', '',
      '- Tiny model trained on a few GM instruments for a short CPU budget: '
      'it shows the method, it is not a production synthesizer.',
      ] + _narrow_lines(recipe) + [
      '- Trained on 1 s examples; `synthesize` renders any length, but long '
      'notes drift from the training distribution.',
      '- Knob values beyond the range seen in training are extrapolated up '
      'to +-3 std (with a note); past that they are set to +-3 std. How far '
      'the sound follows beyond the range is in the table above.',
      '- The knob processors need a voiced, harmonic sound: noisiness is '
      'set against the harmonic power, so a frame with no harmonics gets no '
      'noise. The measurement reads a tone\'s noise-to-harmonic ratio down '
      'to about -80 dB, steady, under a vibrato or under CREPE\'s '
      'frame-to-frame f0 jitter (its frames are pitch-synchronous), but '
      'where the model moves a note\'s partials within the 128 ms analysis '
      'window their spread reads as noise (a few alto sax and violin notes '
      'here: about -45 to -50 dB), so noisiness set far below the data\'s '
      'range measures higher than asked on such notes (the wall in the '
      'table above; `benchmarks/knob_walls.py` lists it per note).',
      '']
  path = os.path.join(dest, contracts.MODEL_CARD)
  files.write_text(path, '\n'.join(lines))
  return path


def _narrow_lines(recipe):
  """The card's limits of a one-instrument model at a high sample rate."""
  if ',' in recipe['programs']:
    return []
  rate = recipe.get('sample_rate', 16000)
  return [
      f'- One instrument ({recipe["programs"]}): other instruments, and '
      'notes outside its range, lie outside its training data (its knobs '
      'and prior know only this instrument\'s timbres).',
      f'- {rate / 1000:g} kHz: {rate / 16000:g}x the samples of the '
      'default model per second of audio to synthesize (what that costs '
      'live: `benchmarks/live.py`); `benchmarks/README.md` '
      '(`sample_rate.py`) compares it with a 16 kHz model trained on the '
      'same notes for the same steps.']


def _context_text(joint):
  """What the shipped prior (loaded joint) is fitted jointly with, for the
  card."""
  from interpret_ddsp.generation import prior as prior_lib  # pylint: disable=g-import-not-at-top
  if prior_lib.REGISTER not in joint.context_names:
    return ''
  return (', fitted jointly with each example\'s register (the power-'
          'weighted mean MIDI pitch of its voiced frames), so `sample` draws '
          'z given the pitch its score plays at (`--any_register`: over all '
          'registers)')


def _semitones(n):
  """'semitone' or 'N semitones'.

  >>> _semitones(1), _semitones(3)
  ('semitone', '3 semitones')
  """
  return 'semitone' if n == 1 else f'{n} semitones'


def _copy_z(src, dst):
  import numpy as np  # pylint: disable=g-import-not-at-top
  with np.load(src, allow_pickle=False) as data:
    arrays = {k: data[k] for k in contracts.Z_SHIPPED if k in data.files}
  files.save_npz(compressed=True, path=dst, **arrays)


def main(argv=None):
  parser = argparse.ArgumentParser(
      prog='python -m interpret_ddsp.apps.pretrained',
      description='Reproduce the shipped pretrained model end to end.')
  parser.add_argument('--soundfont',
                      default='/usr/share/sounds/sf2/FluidR3_GM.sf2',
                      help='FluidR3_GM.sf2 (Debian fluid-soundfont-gm, MIT)')
  parser.add_argument('--model', default=shipped.DEFAULT_MODEL,
                      choices=sorted(shipped.MODELS),
                      help='which shipped model to reproduce')
  parser.add_argument('--run_dir', default=None,
                      help='pipeline run folder (default runs/<recipe>)')
  parser.add_argument('--dest', default=None,
                      help="export folder (default: the model's package "
                      'folder)')
  parser.add_argument('--no_progress', action='store_true')
  args = parser.parse_args(argv)
  from interpret_ddsp.apps import pipeline  # pylint: disable=g-import-not-at-top
  if not os.path.isfile(args.soundfont):
    parser.error(f'{args.soundfont} not found: `apt-get install '
                 'fluid-soundfont-gm`, or pass --soundfont.')
  recipe = shipped.recipe_name(args.model)
  args.run_dir = args.run_dir or os.path.join('runs', recipe)
  args.dest = args.dest or shipped.named_dir(args.model)
  summary = pipeline.run(args.run_dir, recipe, soundfont=args.soundfont,
                         progress=not args.no_progress)
  files.write_json(os.path.join(args.run_dir, contracts.RUN_SUMMARY),
                   {k: v for k, v in summary.items() if k != 'metrics'})
  dest = export(args.run_dir, args.dest)
  write_card(args.run_dir, summary, dest, name=args.model)
  print(f'Exported step {summary["steps"]} with {contracts.MODEL_CARD} to '
        f'{dest}.')
  return 0


if __name__ == '__main__':
  raise SystemExit(main())

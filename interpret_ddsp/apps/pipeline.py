# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""The whole pipeline in one call: render -> prepare -> train -> extract-z ->
fit-prior -> fit-expression -> sample -> evaluate.

`interpret-ddsp demo --train` runs the `quick` recipe (a few minutes on 2
cores); the shipped pretrained models are the `pretrained` and `violin_48k`
recipes on Debian's FluidR3_GM.sf2 (`interpret_ddsp.apps.pretrained`
reproduces them; each model card says how). Each stage keeps
its output in `output_dir/<stage>` and is skipped when that output is
already there, and training resumes from its checkpoints, so an interrupted
run continues where it stopped when started again.

Layout of output_dir:
  audio/        rendered notes and melodies (WAV + ground-truth JSON)
  data/         TFRecords (prepare)
  model/        checkpoints, operative gin config, knobs.json (train)
  z.npz         pooled z of the training split (extract-z)
  prior.npz     Gaussian-mixture prior, global + per instrument (fit-prior)
  expression_model.npz  note expression given the score (fit-expression;
                skipped, with a line, when the data has no notes)
  samples/      sounds drawn from the prior playing a melody (sample)
  evaluation/   metrics.json, report.md, PNGs, WAVs (evaluate)
"""

import dataclasses
import json
import os
import time

from interpret_ddsp import contracts
from interpret_ddsp import errors


@dataclasses.dataclass(frozen=True)
class Recipe:
  """What to render and how long to train."""
  programs: str  # GM programs, names or numbers (soundfont_set.parse_programs).
  key_step: int  # Semitones between rendered single notes.
  velocities: tuple  # MIDI velocities of the single notes.
  n_melodies: int  # Vibrato melodies per program.
  num_steps: int  # Training steps.
  example_secs: float = 1.0  # Matches the *_tiny.gin models.
  hop_secs: float = 0.5
  eval_fraction: float = 0.15
  gin_file: str = 'models/timbre_ae_tiny.gin'
  learning_rate: float = 1e-3
  eval_examples: int = 64
  prior_draws: int = 8  # evaluate's draws per knob value through the prior.
  n_generated: int = 16  # evaluate's sounds generated from the prior.
  n_samples: int = 4
  seed: int = 0  # Training seed (train.train): a re-run trains the same.
  sample_rate: int = 16000  # Rendered, prepared and trained at this rate.
  gin_params: str = ''  # More gin bindings for train, separated by ';'.


RECIPES = {
    # demo --train: three instruments, an octave apart, a few hundred steps.
    'quick': Recipe(programs='violin,flute,trumpet', key_step=12,
                    velocities=(60, 110), n_melodies=1, num_steps=300,
                    learning_rate=3e-3, eval_examples=16, eval_fraction=0.25),
    # The shipped default model (interpret_ddsp/pretrained_model/): the
    # rate held at 1e-3 to 24000 steps, then decayed tenfold to 28000
    # (training.schedules; benchmarks/README.md, learning curve).
    'pretrained': Recipe(
        programs='violin,cello,trumpet,alto_sax,clarinet,flute,nylon_guitar',
        key_step=1, velocities=(50, 80, 110), n_melodies=4, num_steps=28000,
        gin_params=('get_trainer_class.trainer_class = @HeldDecayTrainer; '
                    'HeldDecayTrainer.lr_hold_steps = 24000; '
                    'Trainer.lr_decay_steps = 4000; '
                    'Trainer.lr_decay_rate = 0.1')),
    # The shipped 48 kHz violin (interpret_ddsp/pretrained_violin_48k/): the
    # default's recipe on one instrument, rendered, prepared and trained at
    # 48 kHz, with the 0-8 kHz band's own spectral loss added to the
    # full-band one (benchmarks/sample_rate.py measures it against 16 kHz).
    'violin_48k': Recipe(
        programs='violin', key_step=1, velocities=(50, 80, 110),
        n_melodies=4, num_steps=6000, sample_rate=48000,
        gin_file='models/timbre_ae_tiny_48k.gin'),
}

DEFAULT_RECIPE = 'quick'  # What `demo --train` runs.


def gin_bindings(text):
  """A recipe's `gin_params` text as a list of bindings for `train`.

  >>> gin_bindings(' Trainer.lr_decay_steps = 4000; ;a.b = 1 ')
  ['Trainer.lr_decay_steps = 4000', 'a.b = 1']
  """
  return [b.strip() for b in text.split(';') if b.strip()]


def with_settings(recipe, settings):
  """A recipe with some of its fields set from text, e.g. a smaller run.

  Args:
    recipe: A key of RECIPES, or a Recipe; None: DEFAULT_RECIPE.
    settings: {field name: text}; a field's text is read as its type in
      the recipe (whole numbers, decimals, words; velocities as whole
      numbers separated by commas).

  Returns:
    A Recipe (the given one when settings is empty).

  Raises:
    errors.UserError: An unknown recipe or field, or text that is not of
      the field's type.

  Example:
    >>> r = with_settings('quick', {'num_steps': '60', 'velocities': '90'})
    >>> r.num_steps, r.velocities, r.programs
    (60, (90,), 'violin,flute,trumpet')
  """
  if recipe is None:
    recipe = DEFAULT_RECIPE
  if isinstance(recipe, str):
    if recipe not in RECIPES:
      raise errors.UserError(f'Unknown recipe {recipe!r}; one of '
                             f'{", ".join(RECIPES)}.')
    recipe = RECIPES[recipe]
  names = [f.name for f in dataclasses.fields(Recipe)]
  changes = {}
  for name, text in settings.items():
    if name not in names:
      raise errors.UserError(f'Unknown recipe setting {name!r}; one of '
                             f'{", ".join(names)}.')
    current = getattr(recipe, name)
    try:
      if isinstance(current, tuple):
        value = tuple(int(v) for v in str(text).split(',') if v.strip())
        if not value:
          raise ValueError(text)
      else:
        value = type(current)(text)
    except ValueError:
      kind = {int: 'a whole number', float: 'a number',
              tuple: 'whole numbers separated by commas'}.get(
                  type(current), 'a value of its type')
      raise errors.UserError(f'Recipe setting {name} needs {kind}, not '
                             f'{text!r}.') from None
    if isinstance(value, (int, float)) and (
        value < 0 or (value == 0 and name != 'seed') or
        (name == 'eval_fraction' and value >= 1)):
      rule = ('between 0 and 1' if name == 'eval_fraction' else
              'at least 0' if name == 'seed' else 'above 0')
      raise errors.UserError(f'Recipe setting {name} must be {rule}, not '
                             f'{text!r}.')
    changes[name] = value
  return dataclasses.replace(recipe, **changes) if changes else recipe


STAGES = ('render', 'prepare', 'train', 'extract-z', 'fit-prior',
          'fit-expression', 'sample', 'evaluate')


def paths(output_dir):
  """{stage output name: path} of a pipeline folder."""
  j = lambda *p: os.path.join(output_dir, *p)
  return {'audio': j('audio'), 'data': j('data'), 'model': j('model'),
          'z': j(contracts.Z_FILE), 'prior': j(contracts.PRIOR_FILE),
          'expression': j(contracts.EXPRESSION_MODEL), 'samples': j('samples'),
          'evaluation': j('evaluation')}


def _done(path):
  return os.path.exists(path)


def run(output_dir, recipe=DEFAULT_RECIPE, soundfont=None, progress=True, log=print,
        stop_after=None):
  """Runs (or continues) every stage; returns a summary dict.

  Args:
    output_dir: Folder of the run (layout in the module docstring).
    recipe: A key of RECIPES, or a Recipe.
    soundfont: .sf2/.sf3 to render; default TimGM6mb.sf2 from pretty_midi.
    progress: Show tqdm bars.
    log: Called with one line per stage.
    stop_after: A name in STAGES: stop once that stage is done (e.g.
      'prepare' for the dataset only); None runs them all.

  Returns:
    {'recipe', 'paths', 'secs' per stage run now, 'steps', 'metrics'}
    (metrics as evaluate writes them; None before the evaluate stage).

  Raises:
    errors.UserError: An unknown recipe or stage name.
  """
  from interpret_ddsp.dataset import prepare  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.dataset import soundfont_set  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.dataset import sources  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.evaluation import evaluate  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.generation import expression_model  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.generation import extract  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.generation import generate  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.generation import prior  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.training import train  # pylint: disable=g-import-not-at-top
  recipe = with_settings(recipe, {})
  if stop_after is not None and stop_after not in STAGES:
    raise errors.UserError(f'Unknown stage {stop_after!r}; one of '
                           f'{", ".join(STAGES)}.')
  p = paths(output_dir)
  os.makedirs(output_dir, exist_ok=True)
  programs = soundfont_set.parse_programs(recipe.programs)
  render_manifest = os.path.join(p['audio'], contracts.RENDER_MANIFEST)
  train_pattern = contracts.split_pattern(p['data'], contracts.TRAIN_SPLIT)
  eval_pattern = contracts.split_pattern(p['data'], contracts.EVAL_SPLIT)
  metrics_json = os.path.join(p['evaluation'], contracts.METRICS_JSON)

  def do_prepare():
    with open(render_manifest) as f:
      manifest = json.load(f)
    prepare.run(sources.rendered_items(p['audio'], manifest), p['data'],
                sample_rate=recipe.sample_rate,
                example_secs=recipe.example_secs, hop_secs=recipe.hop_secs,
                eval_fraction=recipe.eval_fraction, overwrite=True,
                progress=progress,
                source_config={'source': 'soundfont',
                               'programs': recipe.programs,
                               'soundfont': os.path.basename(
                                   soundfont or 'TimGM6mb.sf2')})

  def do_fit_expression():
    try:
      expression_model.fit_file(p['data'], p['expression'])
    except errors.BadInput as e:  # No notes (recordings without a score).
      log(f'[fit-expression] skipped: {e}')

  # (stage, is its output there already?, make it), in STAGES order.
  stages = [
      ('render', lambda: _done(render_manifest),
       lambda: soundfont_set.render_set(
           p['audio'], programs, soundfont_path=soundfont,
           sample_rate=recipe.sample_rate, key_step=recipe.key_step, velocities=recipe.velocities,
           n_melodies=recipe.n_melodies, overwrite=True, progress=progress)),
      ('prepare', lambda: _done(os.path.join(p['data'], contracts.DATASET_MANIFEST)),
       do_prepare),
      ('train',
       lambda: (train.latest_step(p['model']) or 0) >= recipe.num_steps,
       lambda: train.train(
           [recipe.gin_file, 'datasets/tfrecord.gin', 'optimization/cpu.gin'],
           p['model'], dataset_dir=p['data'], num_steps=recipe.num_steps,
           progress=progress, seed=recipe.seed,
           gin_params=[f'Trainer.learning_rate = {recipe.learning_rate}'] +
           gin_bindings(recipe.gin_params))),
      ('extract-z', lambda: _done(p['z']), lambda: extract.extract_z(
          p['model'], train_pattern, p['z'], progress=progress)),
      ('fit-prior', lambda: _done(p['prior']), lambda: prior.fit_z_file(
          p['z'], p['prior'], by_instrument=True, progress=progress)),
      ('fit-expression', lambda: _done(p['expression']), do_fit_expression),
      ('sample', lambda: _done(os.path.join(p['samples'], contracts.SAMPLES_JSON)),
       lambda: generate.sample_sounds(
           p['model'], p['prior'], p['samples'], n=recipe.n_samples,
           expression_path=(p['expression'] if _done(p['expression'])
                            else None))),
      ('evaluate', lambda: _done(metrics_json), lambda: evaluate.evaluate(
          p['model'], eval_pattern, p['evaluation'], prior_path=p['prior'],
          z_path=p['z'], max_examples=recipe.eval_examples,
          knob_examples=min(32, recipe.eval_examples),
          prior_draws=recipe.prior_draws, n_generated=recipe.n_generated,
          progress=progress)),
  ]
  assert tuple(name for name, _, _ in stages) == STAGES
  secs = {}
  for name, done, make in stages:
    if done():
      log(f'[{name}] already done, kept.')
    else:
      log(f'[{name}] ...')
      start = time.perf_counter()
      make()
      secs[name] = round(time.perf_counter() - start, 1)
      log(f'[{name}] done in {secs[name]:.0f} s.')
    if name == stop_after:
      break

  metrics = None
  if _done(metrics_json):
    with open(metrics_json) as f:
      metrics = json.load(f)
  return {'recipe': dataclasses.asdict(recipe), 'paths': p, 'secs': secs,
          'steps': train.latest_step(p['model']), 'metrics': metrics}

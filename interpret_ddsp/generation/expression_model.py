# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""A learned model of note expression: how a note is played, given its score.

Fitted on a dataset's `note_expression.npz` (prepare: every note's measured
expression, `interpret_ddsp.score.expression`), it is the conditional Gaussian
mixture the timbre prior uses (`prior.GaussianMixturePrior`: npz, no
pickles, exact conditioning), over

  context     pitch (MIDI), velocity, log duration (s), interval from the
              previous note and to the next (semitones, 0 where none), and
              the gaps to them (s, held to [0, GAP_CAP_SECS]; GAP_CAP_SECS
              where none)
  expression  volume (dB), log volume fluctuation, volume peak position,
              vibrato rate and log extent, log attack, log release and
              log portamento (s); and the note's timbre, brightness
              (octaves re f0) and attack noise (dB), each less its
              instrument's mean over the fitted notes (higher notes of
              most instruments are darker in harmonic terms), which play
              as offsets of the brightness and noisiness knobs in the
              playing model's std units (`timbre_scale`)

one mixture for all instruments ('') and one per instrument with enough
notes. Sampling conditions each note's mixture on its context and draws
its expression; `performance.render` turns the values into f0 and loudness
curves. Values a note lacks in the data (no vibrato measured on a note
shorter than expression.MIN_VIBRATO_SECS, no release before the next
note-on) are filled before fitting: no vibrato, and the median release.

Example:
  >>> rows = note_table_from_notes(
  ...     [controls.Note(60, 0.0, 0.5), controls.Note(62, 0.5, 1.0)])
  >>> [round(float(v), 3) for v in rows['interval_in']]
  [0.0, 2.0]
"""

import os

import numpy as np

from interpret_ddsp import contracts
from interpret_ddsp import errors
from interpret_ddsp.generation import prior as prior_lib
from interpret_ddsp.score import controls
from interpret_ddsp.score import expression
from interpret_ddsp.score import performance

CONTEXT = ('pitch', 'velocity', 'log_duration', 'interval_in', 'gap_in',
           'interval_out', 'gap_out')
GAP_CAP_SECS = 1.0
_FLOOR = {'volume_fluctuation_db': 0.05, 'vibrato_extent_cents': 0.5,
          'attack_secs': 0.004, 'release_secs': 0.004,
          'portamento_secs': 0.004}
# (modelled dim, expression value, transform): log where values span decades.
EXPRESSION = (
    ('volume_db', 'volume_db', None),
    ('log_volume_fluctuation', 'volume_fluctuation_db', 'log'),
    ('volume_peak_position', 'volume_peak_position', None),
    ('vibrato_rate_hz', 'vibrato_rate_hz', None),
    ('log_vibrato_extent', 'vibrato_extent_cents', 'log'),
    ('log_attack', 'attack_secs', 'log'),
    ('log_release', 'release_secs', 'log'),
    ('log_portamento', 'portamento_secs', 'log'),
    # A note's timbre: its brightness (octaves re f0) and attack noise (dB)
    # less its instrument's mean over the fitted notes (`training_matrix`).
    ('brightness_octaves', 'brightness', 'deviation'),
    ('attack_noise_db', 'attack_noise', 'deviation'),
)
DIM_NAMES = CONTEXT + tuple(d for d, _, _ in EXPRESSION)
# What the f0 and loudness curves carry (and `expression.note_expression`
# reads back from them); the timbre dims play as knob offsets.
CURVE_EXPRESSION = tuple(e for e in EXPRESSION if e[2] != 'deviation')
TIMBRE = tuple(name for _, name, t in EXPRESSION if t == 'deviation')
# The unit each timbre value is learned in: that of the knob it offsets
# (performance.KNOB_OF), so a model's knob std converts it (`timbre_scale`).
TIMBRE_UNITS = {'brightness': 'octaves re f0', 'attack_noise': 'dB'}
MIN_NOTES = 20  # Fewest notes of an instrument for its own mixture.


def _context(pitch, velocity, onset, duration, source):
  """CONTEXT columns [n, 7] of notes sorted by (source, onset)."""
  n = len(pitch)
  out = np.zeros((n, len(CONTEXT)))
  out[:, 0], out[:, 1] = pitch, velocity
  out[:, 2] = np.log(np.maximum(duration, 1e-3))
  out[:, 4] = out[:, 6] = GAP_CAP_SECS
  for i in range(n):
    if i > 0 and source[i - 1] == source[i]:
      out[i, 3] = pitch[i] - pitch[i - 1]
      out[i, 4] = onset[i] - (onset[i - 1] + duration[i - 1])
    if i + 1 < n and source[i + 1] == source[i]:
      out[i, 5] = pitch[i + 1] - pitch[i]
      out[i, 6] = onset[i + 1] - (onset[i] + duration[i])
  out[:, 4] = np.clip(out[:, 4], 0.0, GAP_CAP_SECS)
  out[:, 6] = np.clip(out[:, 6], 0.0, GAP_CAP_SECS)
  return out


def note_table_from_notes(notes):
  """{CONTEXT name: [n]} of a monophonic line of `controls.Note`s, in time
  order (the context a score gives its notes)."""
  notes = sorted(notes, key=lambda n: n.start_secs)
  ctx = _context(np.array([n.pitch for n in notes], np.float64),
                 np.array([n.velocity for n in notes], np.float64),
                 np.array([n.start_secs for n in notes], np.float64),
                 np.array([n.duration_secs for n in notes], np.float64),
                 np.zeros(len(notes)))
  return {name: ctx[:, i] for i, name in enumerate(CONTEXT)}


def to_dims(values, dims=EXPRESSION):
  """Expression values {name: [n]} -> the modelled columns [n, len(dims)]
  (dims: EXPRESSION or a subset, e.g. CURVE_EXPRESSION)."""
  cols = []
  for _, name, transform in dims:
    x = np.asarray(values[name], np.float64)
    if transform == 'log':
      x = np.log(np.maximum(x, _FLOOR[name]))
    cols.append(x)
  return np.stack(cols, axis=-1)


def _from_dims(x):
  """The modelled columns [n, 10] -> expression values {name: [n]}, the
  curve values held to performance.BOUNDS, the timbre ones in
  TIMBRE_UNITS (deviations from the instrument's mean)."""
  out = {}
  for i, (_, name, transform) in enumerate(EXPRESSION):
    v = np.exp(x[:, i]) if transform == 'log' else x[:, i]
    if transform != 'deviation':
      v = np.clip(v, *performance.BOUNDS[name])
    out[name] = v
  return out


def timbre_scale(knob_units):
  """{timbre value: knob std in TIMBRE_UNITS} from a model's knob_units()
  ({knob: (descriptor, unit, mean, std)}); a value whose knob the model
  lacks, or measures in another unit, is left out (it plays no offset)."""
  out = {}
  for name in TIMBRE:
    units = (knob_units or {}).get(performance.KNOB_OF[name])
    if units is not None and units[1] == TIMBRE_UNITS[name]:
      out[name] = float(units[3])
  return out


def training_matrix(table):
  """DIM_NAMES columns [n, 17] of a note table, with labels [n].

  Args:
    table: {name: [n]} as in NOTE_EXPRESSION (expression.NAMES plus
      contracts.NOTE_LABELS), sorted by source and onset.

  Returns:
    (x [n, 17], instruments [n] str): missing values filled (module doc).
  """
  order = np.lexsort((np.asarray(table['onset_secs'], np.float64),
                      np.asarray(table['source_file']).astype(str)))
  t = {k: np.asarray(v)[order] for k, v in table.items()}
  ctx = _context(t['pitch'].astype(np.float64),
                 t['velocity'].astype(np.float64),
                 t['onset_secs'].astype(np.float64),
                 t['duration_secs'].astype(np.float64),
                 t['source_file'].astype(str))
  values = {name: t[name].astype(np.float64).copy()
            for _, name, _ in EXPRESSION}
  instruments = t['instrument'].astype(str)
  for name in TIMBRE:  # Each instrument's notes about its own mean.
    v = values[name]
    for inst in np.unique(instruments):
      mine = (instruments == inst) & np.isfinite(v)
      if mine.any():
        v[instruments == inst] -= v[mine].mean()
  no_vibrato = ~np.isfinite(values['vibrato_extent_cents'])
  values['vibrato_extent_cents'][no_vibrato] = 0.0
  for name in ('vibrato_rate_hz', 'release_secs'):  # The data's median.
    v = values[name]
    if np.isfinite(v).any():
      v[~np.isfinite(v)] = np.nanmedian(v)
  for name, v in values.items():
    v[~np.isfinite(v)] = performance.DEFAULTS[name]  # Timbre: 0, the mean.
  x = np.concatenate([ctx, to_dims(values)], axis=1)
  return x, instruments


def check_settings(settings):
  """{name: float} of expression settings, checked (one sentence if not):
  names of performance.RENDERED, finite numbers."""
  out = {}
  for name, value in (settings or {}).items():
    if name not in performance.RENDERED:
      raise performance.PerformanceError(
          f'Unknown expression setting {name!r}; known: '
          f'{", ".join(performance.RENDERED)}.')
    try:
      value = float(value)
    except (TypeError, ValueError):
      value = float('nan')
    if not np.isfinite(value):
      raise performance.PerformanceError(
          f'Expression setting {name}={settings[name]!r} is not a finite '
          'number.')
    out[name] = value
  return out


def parse_settings(text):
  """'vibrato_extent_cents=30,attack_secs=0.1' -> checked settings.

  >>> parse_settings('vibrato_extent_cents=30, attack_secs=0.1')
  {'vibrato_extent_cents': 30.0, 'attack_secs': 0.1}
  """
  pairs = {}
  for item in (t.strip() for t in (text or '').split(',') if t.strip()):
    name, sep, value = item.partition('=')
    if not sep:
      raise performance.PerformanceError(
          f'Expression settings are name=value, not {item!r} (e.g. '
          'vibrato_extent_cents=30,attack_secs=0.1).')
    pairs[name.strip()] = value.strip()
  return check_settings(pairs)


def path_in(model_dir):
  """The model folder's own expression model (contracts.EXPRESSION_MODEL,
  which `fit-expression` and the pipeline write beside a model), or None
  when it has none."""
  if not model_dir:
    return None
  path = os.path.join(model_dir, contracts.EXPRESSION_MODEL)
  return path if os.path.exists(path) else None


def _draw(mixture, fixed, rng, temperature):
  """One draw [len(EXPRESSION)] of the mixture given `fixed` {dim: value}:
  the CONTEXT dims held to the data's range (a context never seen is
  extrapolated by nothing: the nearest seen value), the others given."""
  import warnings  # pylint: disable=g-import-not-at-top
  fixed = dict(fixed)
  for j, name in enumerate(CONTEXT):
    if name in fixed:
      fixed[name] = float(np.clip(fixed[name], mixture.data_min[j],
                                  mixture.data_max[j]))
  with warnings.catch_warnings():
    # A setting beyond the data's range conditions the others at the
    # range's edge; the setting itself is kept (`sample`).
    warnings.simplefilter('ignore')
    return mixture.sample(1, fixed=fixed, temperature=temperature, seed=rng,
                          others='conditional')[0][len(CONTEXT):]


def _rows(draws, scale):
  """[n, len(EXPRESSION)] draws -> one dict of values per row; the timbre
  values in the playing model's std units where `scale` has them, else
  left out."""
  values = _from_dims(draws)
  for name in TIMBRE:
    if name in scale:  # Its unit -> the playing model's std units.
      values[name] = np.clip(values[name] / scale[name],
                             *performance.BOUNDS[name])
    else:
      del values[name]
  return [{name: float(values[name][i]) for name in values}
          for i in range(len(draws))]


class ExpressionModel:
  """Conditional mixtures of note expression given the score context.

  Attributes:
    mixtures: {instrument: prior.GaussianMixturePrior over DIM_NAMES};
      '' for all instruments.
  """

  def __init__(self, mixtures):
    if '' not in mixtures:
      raise errors.BadInput("An expression model needs the all-instrument "
                            "mixture ''; this one has only "
                            f"{', '.join(sorted(mixtures)) or 'none'}.")
    for group, m in mixtures.items():
      if tuple(m.dim_names) != DIM_NAMES:
        raise errors.BadInput(f'The expression mixture {group!r} has dims '
                              f'{m.dim_names}, not {DIM_NAMES}.')
    self.mixtures = dict(mixtures)

  @property
  def instruments(self):
    return sorted(g for g in self.mixtures if g)

  def mixture(self, instrument=None):
    """The instrument's mixture, or the all-instrument one ('' or None, or
    an instrument it has none for)."""
    return self.mixtures.get(instrument or '', self.mixtures[''])

  def sample(self, notes, instrument=None, seed=0, temperature=1.0,
             settings=None, scale=None):
    """Expression values for each note of a monophonic line.

    Args:
      notes: `controls.Note`s.
      instrument: Whose playing (a name in `instruments`); None: all.
      seed: Seed or np.random.Generator.
      temperature: Scales the spread around each component (0: its mean).
      settings: {name of performance.RENDERED: value} set on every note
        (`parse_settings`); the other values are drawn given them and the
        score (exact conditioning: what the data ties to a setting moves
        with it). brightness and attack_noise are in std units, as
        performance.render takes them; without their scale they are set
        but not conditioned on. A note's own `Note.expression` adds to
        (and overrides) these for that note.
      scale: {timbre value: knob std in TIMBRE_UNITS} (`timbre_scale` of
        the model that plays): the drawn brightness and attack noise come
        out in that model's std units. None or a value missing: that value
        is not drawn (no offset: the sound's own knob).

    Returns:
      One dict per note, in the notes' time order, of
      performance.RENDERED names (the timbre ones as `scale` allows).

    Raises:
      performance.PerformanceError: an unknown setting or not a number.
    """
    settings = check_settings(settings)
    scale = dict(scale or {})
    mixture = self.mixture(instrument)
    rng = np.random.default_rng(seed)
    ordered = sorted(notes, key=lambda note: note.start_secs)
    ctx = note_table_from_notes(ordered)
    n = len(ctx['pitch'])
    # Each note's settings: the global ones, then its own (Note.expression).
    per_note = [dict(settings, **check_settings(note.expression))
                for note in ordered]

    def set_dims(note_settings):
      in_units = {name: note_settings.get(name, 1.0) * scale.get(name, 1.0)
                  for _, name, _ in EXPRESSION}
      dims = to_dims({k: np.array([v]) for k, v in in_units.items()})[0]
      return {d: float(dims[i]) for i, (d, name, _) in enumerate(EXPRESSION)
              if name in note_settings and (name not in TIMBRE or
                                            name in scale)}

    out = np.array([_draw(mixture, dict(
        set_dims(per_note[i]), **{name: ctx[name][i] for name in CONTEXT}),
                          rng, temperature) for i in range(n)])
    rows = _rows(out, scale)
    for row, note_settings in zip(rows, per_note):
      row.update(note_settings)
    return rows

  def sample_context(self, context, instrument=None, seed=0,
                     temperature=1.0, scale=None):
    """Expression values of one note from what is known of its context.

    A live note-on knows its pitch and velocity and what came before it
    (interval_in, gap_in), not its duration or the next note: the context
    dims left out are not conditioned on (the mixture's marginal over
    them, exactly), where `sample` conditions on all of CONTEXT.

    Args:
      context: {name in CONTEXT: value}, any subset (pitch in MIDI,
        velocity 1-127, log_duration in log seconds, intervals in
        semitones, gaps in seconds capped at GAP_CAP_SECS).
      instrument, seed, temperature, scale: As `sample`.

    Returns:
      {performance.RENDERED name: value} (the timbre ones as `scale`
      allows).

    Raises:
      errors.BadInput: a name not in CONTEXT.

    Example (the shipped model's expression):
      >>> from interpret_ddsp.training import shipped
      >>> model = ExpressionModel.load(os.path.join(
      ...     shipped.DEFAULT_DIR, contracts.EXPRESSION_MODEL))
      >>> values = model.sample_context({'pitch': 67, 'velocity': 90,
      ...                                'interval_in': 2, 'gap_in': 0.0})
      >>> sorted(values)[:3]
      ['attack_secs', 'portamento_secs', 'release_secs']
    """
    unknown = sorted(set(context) - set(CONTEXT))
    if unknown:
      raise errors.BadInput(f'Unknown context {unknown}; one of '
                            f'{", ".join(CONTEXT)}.')
    row = _draw(self.mixture(instrument),
                {k: float(v) for k, v in context.items()},
                np.random.default_rng(seed), temperature)
    return _rows(row[np.newaxis], dict(scale or {}))[0]

  def render(self, notes, instrument=None, seed=0, temperature=1.0,
             frame_rate=controls.DEFAULT_FRAME_RATE, tail_secs=0.5,
             until_secs=None, settings=None, scale=None):
    """`controls.Controls` of the notes played with sampled expression
    (timbre as knob offsets where `scale` allows, see `sample`)."""
    notes = sorted(notes, key=lambda n: n.start_secs)
    values = self.sample(notes, instrument, seed, temperature, settings,
                         scale)
    return performance.render(notes, values, frame_rate, tail_secs,
                              until_secs)

  def save(self, path):
    """Writes the mixtures to an npz of plain arrays (atomically)."""
    prior_lib.save_priors(path, self.mixtures)

  @classmethod
  def load(cls, path):
    """Reads a file written by `save` (errors.BadInput if it is not one)."""
    return cls(prior_lib.load_priors(path))


class Performer:
  """Plays scores with an ExpressionModel's sampled expression: what
  `voices.render` takes in place of a hand-written profile. Each call draws
  new values from one seeded generator, so the voices of a chord differ and
  a run repeats.

  Example:
    >>> p = Performer(model, instrument='violin', seed=0)  # doctest: +SKIP
    >>> c = p.render_controls(notes)   # doctest: +SKIP
  """

  def __init__(self, model, instrument=None, seed=0, temperature=1.0,
               settings=None, scale=None):
    self.model = model
    self.instrument = instrument
    self.temperature = float(temperature)
    self.settings = check_settings(settings)
    self.scale = dict(scale or {})
    self._rng = np.random.default_rng(seed)

  def render_controls(self, notes, frame_rate=controls.DEFAULT_FRAME_RATE,
                      tail_secs=0.5, until_secs=None):
    return self.model.render(notes, self.instrument, self._rng,
                             self.temperature, frame_rate, tail_secs,
                             until_secs, self.settings, self.scale)


def fit(table, max_components=4, seed=0, min_notes=MIN_NOTES,
        split=contracts.TRAIN_SPLIT, covariance_types=('full',)):
  """Fits an ExpressionModel to a note table (NOTE_EXPRESSION's arrays).

  Args:
    table: {name: [n]}: expression.NAMES and contracts.NOTE_LABELS.
    max_components: Largest mixture tried per group (lowest BIC kept).
    seed: The fits' random_state.
    min_notes: Fewest notes of an instrument for its own mixture.
    split: Only notes of this split ('train'); None: all.
    covariance_types: sklearn covariance types tried (lowest BIC kept).
      Full by default: within a component a diagonal covariance ties no
      expression value to the context, so conditioning on the score could
      only reweigh components.

  Returns:
    (ExpressionModel, {'n_notes', 'selected': {group: 'K type'}, 'skipped'}).

  Raises:
    errors.BadInput: fewer than 2 notes to fit.
  """
  import warnings  # pylint: disable=g-import-not-at-top
  if split is not None and 'split' in table:
    keep = np.asarray(table['split']).astype(str) == split
    table = {k: np.asarray(v)[keep] for k, v in table.items()}
  x, labels = training_matrix(table)
  if len(x) < 2:
    raise errors.BadInput(f'{len(x)} notes to fit an expression model on; '
                          'it needs notes with ground truth (a rendered '
                          'set, or a MIDI file per recording).')
  with warnings.catch_warnings():
    warnings.simplefilter('ignore', UserWarning)
    mixtures, tables = prior_lib.fit_priors_by_group(
        x, labels, DIM_NAMES, (), min_examples=min_notes,
        max_components=max_components, seed=seed, reg_covar=1e-3,
        covariance_types=tuple(covariance_types))
  selected = {g: f'{t["selected"]["n_components"]} '
                 f'{t["selected"]["covariance_type"]}'
              for g, t in tables.items() if g != 'skipped'}
  return ExpressionModel(mixtures), {
      'n_notes': int(len(x)), 'selected': selected,
      'skipped': tables['skipped']}


def fit_file(data, output, max_components=4, seed=0):
  """Fits on a prepare output's notes and writes the model (atomically).

  Args:
    data: A prepare folder (its contracts.NOTE_EXPRESSION) or that file.
    output: The .npz to write.
    max_components, seed: As `fit`.

  Returns:
    `fit`'s info, with 'output'.
  """
  import os  # pylint: disable=g-import-not-at-top
  path = (os.path.join(data, contracts.NOTE_EXPRESSION)
          if os.path.isdir(data) else data)
  model, info = fit(load_note_table(path), max_components=max_components,
                    seed=seed)
  model.save(output)
  return dict(info, output=output)


def load_note_table(path):
  """NOTE_EXPRESSION's arrays (errors.BadInput if the file is not one)."""
  return contracts.read_npz(
      path, required=expression.NAMES + contracts.NOTE_LABELS,
      what=f'a prepare output {contracts.NOTE_EXPRESSION}')


def measured(table):
  """The expression values {name: [n]} of a note table, missing ones
  filled as for fitting (the real notes a benchmark compares against)."""
  x, _ = training_matrix(table)
  return _from_dims(x[:, len(CONTEXT):])


# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""The on-disk contracts: every file name, TFRecord key and npz key that one
stage writes and another reads, in one place, and the checked reader of
the npz files (a leaf: it imports only `errors`).

Folders, as the stages write them:

  <audio>/render_manifest.json         render (soundfont_set)
  <data>/train.tfrecord-*, eval.tfrecord-*, manifest.json,
        dataset_statistics.json, dataset_statistics_quantiles.npz   prepare
  <model>/ckpt-*, operative_config-0.gin, knobs.json,
        knob_statistics.json, losses.jsonl                           train
  z.npz                                                              extract-z
  prior.npz (+ prior_bic.json / .png)                                fit-prior
  expression_model.npz                                          fit-expression
  <samples>/samples.json, *.wav, *.png                               sample
  <evaluation>/metrics.json, report.md, knob_calibration.png,
        knob_calibration_prior.png, cross_talk.png                   evaluate
  pretrained_model/ = <model> files + prior.npz + z.npz +
        expression_model.npz +
        <evaluation> files + MODEL_CARD.md                           export

Example:
  >>> import os
  >>> os.path.join('runs/x/data', DATASET_MANIFEST)
  'runs/x/data/manifest.json'
"""

import os
import zipfile

import numpy as np

from interpret_ddsp import errors

# --- Render and prepare -------------------------------------------------------
RENDER_MANIFEST = 'render_manifest.json'
DATASET_MANIFEST = 'manifest.json'
DDSP_STATISTICS = 'dataset_statistics.json'  # ddsp's, for its trainers.
DDSP_QUANTILES = 'dataset_statistics_quantiles.npz'
# Per-note expression of the notes a dataset's sources know (prepare;
# interpret_ddsp.score.expression.NAMES plus NOTE_LABELS, one entry per note).
NOTE_EXPRESSION = 'note_expression.npz'
NOTE_LABELS = ('instrument', 'source_file', 'split')
TRAIN_SPLIT, EVAL_SPLIT = 'train', 'eval'
TFRECORD_INFIX = '.tfrecord'
# validate-data's report on the pitch and loudness estimators.
ESTIMATOR_REPORT = 'validation.json'
ESTIMATOR_PLOT = 'validation.png'


def split_pattern(data_dir, split):
  """Glob of one split's shards in a prepare folder ('train' or 'eval')."""
  return os.path.join(data_dir, f'{split}{TFRECORD_INFIX}*')


def dataset_dir(file_pattern):
  """The prepare folder of a shard glob (where its manifest lies)."""
  return os.path.dirname(file_pattern)


# TFRecord keys. ddsp's own (its TFRecordProvider reads these), then ours:
# one [n_frames] float per descriptor (descriptors.DESCRIPTOR_NAMES), and
# per-example metadata: {key: (kind, default)} with kind 'string', 'int'
# or 'float'.
DDSP_KEYS = ('audio', 'f0_hz', 'f0_confidence', 'loudness_db')
METADATA = {
    'source_file': ('string', ''),
    'instrument': ('string', ''),
    'midi_pitch': ('int', -1),
    'velocity': ('int', -1),
    'start_secs': ('float', 0.0),
    # 0: the audio as it came; k > 0: its k-th randomly equalized copy
    # (prepare's augment, train split only).
    'augmentation': ('int', 0),
}
METADATA_KEYS = tuple(METADATA)

# --- Train -------------------------------------------------------------------
OPERATIVE_CONFIG = 'operative_config-0.gin'
OPERATIVE_CONFIG_PREFIX = 'operative_config-'
KNOBS_FILE = 'knobs.json'
KNOB_STATISTICS = 'knob_statistics.json'
LOSS_LOG = 'losses.jsonl'  # One JSON line of losses per step.
# TF's index of a model folder's checkpoints, and the prefix of their names
# (ddsp's trainers save ckpt-<step>.index and ckpt-<step>.data-*).
CHECKPOINT_INDEX = 'checkpoint'
CHECKPOINT_PREFIX = 'ckpt-'
# What a model folder needs besides the checkpoint files.
MODEL_FILES = (OPERATIVE_CONFIG, KNOBS_FILE, KNOB_STATISTICS)

# --- extract-z: z.npz ------------------------------------------------
Z_FILE = 'z.npz'
# Arrays of z.npz: 'z' [n, z_dims], 'dim_names', 'knob_names', the METADATA
# keys [n], 'knob_targets' / 'target_weights' [n, n_knobs], 'f0_hz' /
# 'loudness_db' [n, n_frames], 'register_pitch' [n] (what the prior's
# register is fitted on), 'model_dir', 'model_step'.
# The ones shipped with the pretrained model (the demo's scatter and
# evaluate's novelty read them; the per-frame controls and source paths
# would make the package 40x bigger).
Z_SHIPPED = ('z', 'dim_names', 'knob_names', 'instrument', 'midi_pitch',
             'velocity', 'register_pitch', 'model_step')

# --- fit-prior, sample, evaluate ---------------------------------------------
PRIOR_FILE = 'prior.npz'
# fit-expression: interpret_ddsp.generation.expression_model's mixtures (npz of plain
# arrays, as prior.npz).
EXPRESSION_MODEL = 'expression_model.npz'
SAMPLES_JSON = 'samples.json'
METRICS_JSON = 'metrics.json'
REPORT_MD = 'report.md'
KNOB_CALIBRATION_PNG = 'knob_calibration.png'
KNOB_CALIBRATION_PRIOR_PNG = 'knob_calibration_prior.png'
CROSS_TALK_PNG = 'cross_talk.png'
EVALUATION_FILES = (METRICS_JSON, KNOB_CALIBRATION_PNG, CROSS_TALK_PNG,
                    KNOB_CALIBRATION_PRIOR_PNG)

# --- listen: the listening test --------------------------------------------
LISTENING_TEST = 'listening_test.json'  # Trials, stimuli and conditions.
ANSWERS_DB = 'answers.sqlite'  # Listeners' answers (answer_store).
PILOT_DB = 'pilot_answers.sqlite'  # Synthetic answers of a pilot run.
LISTENING_REPORT_DIR = 'report'

# --- The shipped model -------------------------------------------------------
MODEL_CARD = 'MODEL_CARD.md'
RUN_SUMMARY = 'summary.json'


def read_npz(path, required=(), what='a .npz of plain arrays'):
  """All arrays of an npz file (no pickles), checked.

  Args:
    path: The file.
    required: Array names it must hold.
    what: What it should be, for the message (e.g. 'an extract-z output').

  Returns:
    {name: np.ndarray}.

  Raises:
    errors.BadInput: The file is missing, not an npz of plain arrays
      (empty, truncated, pickled objects) or lacks a required array.
  """
  if not os.path.isfile(path):
    raise errors.BadInput(f'{path}: no such file (expected {what}).')
  if not zipfile.is_zipfile(path):
    raise errors.BadInput(f'{path} is not {what}: not an npz archive '
                          '(empty, truncated or another format).')
  try:
    with np.load(path, allow_pickle=False) as data:
      arrays = {k: data[k] for k in data.files}
  except ValueError as e:  # Object arrays: never unpickled here.
    raise errors.BadInput(f'{path} is not {what}: it holds Python objects, '
                          'which are never loaded (no pickles).') from e
  except (OSError, EOFError, zipfile.BadZipFile) as e:
    raise errors.BadInput(f'{path} is not {what}: corrupt archive '
                          f'({type(e).__name__}).') from e
  missing = [k for k in required if k not in arrays]
  if missing:
    raise errors.BadInput(f'{path} has no {", ".join(map(repr, missing))} '
                          f'array: is it {what}?')
  return arrays

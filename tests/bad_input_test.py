# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Every verb answers a bad input with one sentence on stderr and exit code
2: no traceback, and nothing written where the output would go."""

import glob
import os

from conftest import run_cli
import numpy as np
import pytest

from interpret_ddsp import cli
from interpret_ddsp import contracts
from interpret_ddsp.generation import prior as prior_lib
from interpret_ddsp.training import shipped


@pytest.fixture(scope='module')
def bad(tmp_path_factory):
  """Bad files: garbage, empty, a pickled npz, an npz without the arrays,
  a prior for other knobs, a broken gin file, an empty model folder."""
  d = tmp_path_factory.mktemp('bad')
  (d / 'garbage.npz').write_bytes(b'not a zip at all')
  (d / 'empty.npz').write_bytes(b'')
  np.savez(d / 'pickled.npz', a=np.array([{'x': 1}], dtype=object))
  np.savez(d / 'no_z.npz', something=np.zeros(3))
  rng = np.random.default_rng(0)
  names = (['brightness', 'sharpness', 'noisiness'] +
           [f'free_{i}' for i in range(13)])
  other, _ = prior_lib.fit_prior(rng.normal(size=(40, 16)), names,
                                 names[:3], max_components=1)
  prior_lib.save_priors(str(d / 'other_knobs.npz'), {'': other})
  (d / 'broken.gin').write_text('foo = = 1\n')
  (d / 'empty_model').mkdir()
  (d / 'notes.txt').write_text('not midi')
  (d / 'broken_listen').mkdir()
  (d / 'broken_listen' / contracts.LISTENING_TEST).write_text('{not json')
  (d / 'unanswered').mkdir()
  (d / 'unanswered' / contracts.LISTENING_TEST).write_text(
      '{"trials": []}')
  return d


def _truncated_shard(d, data):
  """A real shard cut in the middle of its first record (a TFRecord record
  is a uint64 length, a 4-byte CRC, the data, a 4-byte CRC). Cutting at
  half the file's bytes landed on a record boundary when the shard held
  two records of equal size: a valid, shorter file, not a truncated one."""
  shard = sorted(glob.glob(os.path.join(data, 'eval.tfrecord*')))[0]
  with open(shard, 'rb') as f:
    head = f.read()
  length = int.from_bytes(head[:8], 'little')
  path = d / 'cut' / 'eval.tfrecord-00000'
  path.parent.mkdir(exist_ok=True)
  path.write_bytes(head[:12 + length // 2])
  return str(path)


def _cases(d, data):
  """(argv, a phrase the one-line message must hold)."""
  out = str(d / 'out')
  eval_pattern = os.path.join(data, 'eval.tfrecord*')
  cut = _truncated_shard(d, data)
  model = shipped.model_dir()
  return [
      (['extract-z', '--save_dir', model, '--tfrecords', cut, '--output',
        str(d / 'out' / 'z.npz'), '--no_progress'], 'truncated or corrupt'),
      (['evaluate', '--tfrecords', cut, '--output_dir', out,
        '--no_progress'], 'truncated or corrupt'),
      (['sample', '--prior', str(d / 'missing.npz'), '--output_dir', out],
       'no such file'),
      (['sample', '--prior', str(d / 'garbage.npz'), '--output_dir', out],
       'not an npz archive'),
      (['sample', '--prior', str(d / 'empty.npz'), '--output_dir', out],
       'not an npz archive'),
      (['sample', '--prior', str(d / 'pickled.npz'), '--output_dir', out],
       'Python objects'),
      (['sample', '--prior', str(d / 'no_z.npz'), '--output_dir', out],
       "no 'format_version'"),
      (['sample', '--instrument', 'banjo', '--output_dir', out],
       "no prior for group 'banjo'"),
      (['sample', '--set', 'warmth=1', '--output_dir', out],
       "Unknown knob 'warmth'"),
      (['sample', '--set', 'brightness=loud', '--output_dir', out],
       'knob=value'),
      (['sample', '--notes', 'Q9:1', '--output_dir', out],
       'not a note name'),
      (['sample', '--max_voices', '0', '--output_dir', out],
       'max_voices must be at least 1'),
      (['sample', '--midi', str(d / 'notes.txt'), '--output_dir', out],
       'not a readable MIDI'),
      (['sample', '--prior', str(d / 'other_knobs.npz'), '--output_dir',
        out], 'fitted for knobs'),
      (['interpolate', '--start', 'prior:abc', '--end', 'prior:1',
        '--output_dir', out], 'whole number'),
      (['sample', '--expression_model', str(d / 'garbage.npz'),
        '--output_dir', out], 'not an npz archive'),
      (['sample', '--profile', 'wobbly', '--output_dir', out],
       "Unknown profile 'wobbly'"),
      (['sample', '--expression', 'wobble=1', '--output_dir', out],
       "Unknown expression setting 'wobble'"),
      (['sample', '--expression', 'attack_secs', '--output_dir', out],
       'name=value'),
      (['sample', '--expression', 'attack_secs=0.1', '--profile', 'plain',
        '--output_dir', out], 'shape learned expression'),
      (['fit-expression', '--data', str(d / 'nowhere'), '--output',
        str(d / 'out' / 'e.npz')], 'no such file'),
      (['fit-expression', '--data', str(d / 'no_z.npz'), '--output',
        str(d / 'out' / 'e.npz')], "no 'volume_db'"),
      (['fit-prior', '--z', str(d / 'missing.npz'), '--output',
        str(d / 'out' / 'p.npz')], 'no such file'),
      (['fit-prior', '--z', str(d / 'no_z.npz'), '--output',
        str(d / 'out' / 'p.npz')], "no 'z', 'dim_names', 'knob_names'"),
      (['train', '--gin_param', 'Foo.bar=1', '--save_dir', out,
        '--dataset', data], "No configurable matching 'Foo'"),
      (['train', '--gin_file', str(d / 'broken.gin'), '--save_dir', out,
        '--dataset', data], 'Unable to parse'),
      (['train', '--gin_file', 'models/timbre_ae_tiny.gin', '--save_dir',
        out], 'No dataset'),
      (['train', '--save_dir', out, '--dataset', str(d)], 'no manifest.json'),
      (['train', '--cluster_config', '{worker: [h1]}', '--save_dir', out,
        '--dataset', data], 'not JSON'),
      (['train', '--cluster_config', '{"cluster": {"worker": ["h:1"]}}',
        '--save_dir', out, '--dataset', data], 'needs "cluster"'),
      (['train', '--cluster_config', '{"cluster": {"worker": ["h:1"]}, '
        '"task": {"type": "worker", "index": 1}}', '--save_dir', out,
        '--dataset', data], 'not one of its jobs (worker: 1)'),
      (['train', '--cluster_config', '{"cluster": {"worker": ["h:1", '
        '"h:2"]}, "task": {"type": "worker", "index": 0}}', '--max_minutes',
        '1', '--save_dir', out, '--dataset', data], 'time budget'),
      (['prepare', '--source', 'nsynth', '--velocities', '5x',
        '--output_dir', out], "not '5x'"),
      (['prepare', '--source', 'nsynth', '--pitch_range', '48-84',
        '--output_dir', out], 'LOW:HIGH'),
      (['prepare', '--source', 'soundfont', '--pitch_range', '40:50',
        '--output_dir', out], 'only filters NSynth'),
      (['prepare', '--source', 'recordings', '--input', str(d / 'nowhere'),
        '--output_dir', out], 'No files found'),
      (['extract-z', '--save_dir', str(d / 'empty_model'), '--tfrecords',
        eval_pattern, '--output', str(d / 'out' / 'z.npz')],
       'No checkpoint'),
      (['extract-z', '--save_dir', str(d / 'empty_model'), '--tfrecords',
        str(d / 'none*'), '--output', str(d / 'out' / 'z.npz')],
       'No TFRecords match'),
      (['evaluate', '--save_dir', str(d / 'empty_model'), '--tfrecords',
        eval_pattern, '--output_dir', out], 'No checkpoint'),
      (['evaluate', '--prior', str(d / 'other_knobs.npz'), '--tfrecords',
        eval_pattern, '--output_dir', out], 'fitted for knobs'),
      (['evaluate', '--tfrecords', eval_pattern, '--output_dir', out,
        '--prior_draws', '0'], 'at least 1 of prior draws'),
      (['evaluate', '--tfrecords', eval_pattern, '--output_dir', out,
        '--n_generated', '-2'], 'at least 1 of generated sounds'),
      (['evaluate', '--tfrecords', eval_pattern, '--output_dir', out,
        '--knob_examples', '0'], 'at least 1 of eval examples'),
      (['sample', '--notes', 'C4:1@vibrato', '--output_dir', out],
       'name=number'),
      (['sample', '--notes', 'C4:1@wobble=1', '--output_dir', out],
       "Unknown expression setting 'wobble'"),
      (['sample', '--notes', 'C4:1@brightness=1', '--profile', 'plain',
        '--output_dir', out], 'hand-written profile'),
      (['demo', '--recipe_param', 'num_steps=5', '--output_dir', out],
       'add --train'),
      (['demo', '--train', '--recipe_param', 'num_steps=abc',
        '--output_dir', out], 'needs a whole number'),
      (['demo', '--train', '--recipe_param', 'num_steps', '--output_dir',
        out], 'NAME=VALUE'),
      (['demo', '--train', '--recipe', 'huge', '--output_dir', out],
       "Unknown recipe 'huge'"),
      (['listen', '--test_dir', str(d / 'broken_listen'), '--report'],
       'holds no listening test'),
      (['listen', '--test_dir', str(d / 'unanswered'), '--report'],
       'No answers yet'),
      (['listen', '--test_dir', str(d / 'unanswered'), '--pilot', '0'],
       '--pilot needs at least 1'),
      (['listen', '--test_dir', str(d / 'unanswered'), '--port', '70000'],
       'not a TCP port'),
  ]


def test_every_bad_input_gets_one_sentence_and_exit_2(bad, tiny_dataset,
                                                      capsys):
  failures = []
  for argv, phrase in _cases(bad, tiny_dataset):
    try:
      code = cli.main(argv)
    except BaseException as e:  # pylint: disable=broad-except
      failures.append(f'{argv}: raised {type(e).__name__}: {e}')
      continue
    finally:
      err = capsys.readouterr().err.strip().splitlines()
    if code != 2 or len(err) != 1 or phrase not in err[0]:
      failures.append(f'{argv}: exit {code}, stderr {err!r}')
    for out in (bad / 'out', bad / 'unanswered', bad / 'broken_listen'):
      left = sorted(set(os.listdir(out)) - {contracts.LISTENING_TEST}
                    ) if out.exists() else []
      if left:
        failures.append(f'{argv}: wrote {left} in {out.name}')
  assert not failures, '\n'.join(failures)


@pytest.mark.slow
def test_a_fresh_command_prints_only_the_sentence(bad, clean_env):
  """In a new interpreter, TensorFlow's C++ start-up lines (oneDNN, the
  CUDA probe) and pydub's ffmpeg warning are filtered from stderr; with
  --verbose they are kept."""
  argv = ['sample', '--set', 'warmth=1', '--output_dir', str(bad / 'out')]
  quiet = run_cli(*argv, env=clean_env)
  assert quiet.returncode == 2
  assert quiet.stderr.strip().splitlines() == [
      "interpret-ddsp sample: Unknown knob 'warmth'; this model has "
      'brightness, hollowness, noisiness.']
  loud = run_cli('--verbose', *argv, env=clean_env)
  assert loud.returncode == 2
  assert len(loud.stderr.strip().splitlines()) > 1
  assert 'Unknown knob' in loud.stderr

# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""The second shipped model, `violin_48k` (interpret_ddsp/pretrained_violin_48k):
complete, at 48 kHz, selectable with --model, and making the air above
8 kHz that a 16 kHz model cannot."""

import json
import os

import numpy as np
import pytest
import soundfile

from interpret_ddsp import cli
from interpret_ddsp import contracts
from interpret_ddsp.generation import prior as prior_lib
from interpret_ddsp.training import shipped

NAME = 'violin_48k'


def share_above_db(audio, sample_rate, above_hz=8000.0):
  """10 log10 of a clip's energy above above_hz over its whole energy."""
  power = np.abs(np.fft.rfft(audio)) ** 2
  freqs = np.fft.rfftfreq(len(audio), 1.0 / sample_rate)
  return 10 * np.log10(power[freqs > above_hz].sum() / power.sum())


def yin_hz(audio, sample_rate):
  """librosa's YIN f0, median over the clip's loud middle, Hz."""
  import librosa  # pylint: disable=g-import-not-at-top
  n = len(audio)
  f0 = librosa.yin(audio[n // 4: 3 * n // 4], fmin=100, fmax=2000,
                   sr=sample_rate, frame_length=4096)
  return float(np.median(f0))


def test_the_48k_violin_ships_complete_small_and_measured():
  path = shipped.named_dir(NAME)
  names = os.listdir(path)
  for name in contracts.MODEL_FILES + (contracts.PRIOR_FILE, contracts.Z_FILE,
                                       contracts.METRICS_JSON,
                                       contracts.MODEL_CARD, 'checkpoint'):
    assert name in names, name
  assert sum(os.path.getsize(os.path.join(path, n)) for n in names) < 8e6
  from interpret_ddsp.training import model_io  # pylint: disable=g-import-not-at-top
  loaded = model_io.load_model(path)
  assert loaded.sample_rate == 48000 and loaded.n_samples == 48000
  priors = prior_lib.load_priors(shipped.prior_path(path))
  assert sorted(g for g in priors if g) == ['violin']
  with open(os.path.join(path, contracts.MODEL_CARD)) as f:
    card = f.read()
  m = shipped.metrics(path)
  assert 'FluidR3_GM.sf2' in card and 'MIT' in card and '48 kHz' in card
  assert f'{m["reconstruction"]["spectral_distance"]:.3f}' in card
  assert '--model violin_48k' in card


def test_sample_with_the_48k_violin_plays_the_note_with_its_air(tmp_path):
  """A4 from the 48 kHz violin: 48 kHz audio at 440 Hz (YIN, 25 cents),
  and a share of its energy above 8 kHz inside the range FluidR3's real
  violin notes hold (-44 to -21 dB over the 112 eval examples of
  benchmarks/results/sample_rate_violin_6000.json; a margin of 3 dB), where
  the default 16 kHz model has nothing above its 8 kHz Nyquist."""
  out = str(tmp_path / 'violin')
  assert cli.main(['sample', '--model', NAME, '--n', '1', '--notes',
                   'A4:1.5', '--profile', 'plain', '--output_dir',
                   out]) == 0
  with open(os.path.join(out, 'samples.json')) as f:
    result = json.load(f)
  assert result['model'].startswith(shipped.named_dir(NAME))
  audio, sr = soundfile.read(os.path.join(out, result['samples'][0]['wav']),
                             dtype='float32')
  assert sr == 48000
  cents = 1200 * np.log2(yin_hz(audio, sr) / 440.0)
  assert abs(cents) < 25, cents
  assert -47 < share_above_db(audio, sr) < -18


def test_model_names_a_shipped_model_and_nothing_else(capsys):
  assert cli.main(['sample', '--model', NAME, '--save_dir',
                   shipped.model_dir(), '--output_dir', '/tmp/unused']) == 2
  err = capsys.readouterr().err.strip()
  assert 'give one of them' in err and '\n' not in err
  assert cli.main(['demo', '--model', NAME, '--train', '--output_dir',
                   '/tmp/unused']) == 2
  assert '--train trains a new one' in capsys.readouterr().err
  with pytest.raises(SystemExit) as e:  # argparse: not one of the names.
    cli.main(['sample', '--model', 'banjo', '--output_dir', '/tmp/unused'])
  assert e.value.code == 2


def test_play_runs_the_48k_violin_live_at_its_own_rate():
  """`play --model violin_48k`'s engine: 48 kHz blocks of 16 frames (3072
  samples: 64 ms, as at 16 kHz), and a held A4 plays 440 Hz (YIN, 10
  cents) with its air above 8 kHz."""
  from interpret_ddsp.apps import live  # pylint: disable=g-import-not-at-top
  save_dir, prior, _ = shipped.resolve(model=NAME)
  engine = live.engine_factory(save_dir, prior, jit_compile=False, seed=5)()
  assert engine.sample_rate == 48000 and engine.block_samples == 3072
  engine.handle({'type': 'note_on', 'pitch': 69, 'velocity': 100})
  audio = np.concatenate([engine.render_block() for _ in range(20)])
  audio = audio[int(0.2 * 48000):]
  cents = 1200 * np.log2(yin_hz(audio, 48000) / 440.0)
  assert abs(cents) < 10, cents
  assert -47 < share_above_db(audio, 48000) < -18

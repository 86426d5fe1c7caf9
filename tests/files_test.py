# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""interpret_ddsp.support.files: an output is there whole or not at all."""

import json
import os
import stat

import numpy as np
import pytest
import soundfile

from interpret_ddsp.support import files


class _Boom(Exception):
  pass


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
  path = tmp_path / 'metrics.json'
  files.write_json(str(path), {'v': 1})
  with pytest.raises(_Boom):
    with files.atomic(str(path)) as f:
      f.write('{"v": 2, "half')  # Killed mid-write.
      raise _Boom()
  assert json.loads(path.read_text()) == {'v': 1}
  assert sorted(os.listdir(tmp_path)) == ['metrics.json']


def test_a_failed_first_write_leaves_nothing(tmp_path):
  with pytest.raises(_Boom):
    with files.atomic(str(tmp_path / 'z.npz'), 'wb') as f:
      f.write(b'PK')
      raise _Boom()
  assert os.listdir(tmp_path) == []


def test_outputs_read_back_and_are_normal_files(tmp_path):
  files.save_npz(str(tmp_path / 'a.npz'), z=np.arange(3.0))
  files.save_npz(str(tmp_path / 'b.npz'), compressed=True, z=np.ones(2))
  with np.load(tmp_path / 'a.npz', allow_pickle=False) as d:
    np.testing.assert_array_equal(d['z'], [0.0, 1.0, 2.0])
  with np.load(tmp_path / 'b.npz', allow_pickle=False) as d:
    np.testing.assert_array_equal(d['z'], [1.0, 1.0])
  tone = 0.5 * np.sin(2 * np.pi * 440 * np.arange(1600) / 16000)
  files.write_audio(str(tmp_path / 'x.wav'), tone.astype(np.float32), 16000)
  back, sr = soundfile.read(tmp_path / 'x.wav')
  assert sr == 16000 and np.abs(back - tone).max() < 1e-4  # PCM_16.
  umask = os.umask(0)
  os.umask(umask)
  mode = stat.S_IMODE(os.stat(tmp_path / 'x.wav').st_mode)
  assert mode == 0o666 & ~umask  # Not mkstemp's private 0600.

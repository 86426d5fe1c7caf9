# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Outputs written whole or not at all: each goes to a temporary name in the
same folder and is renamed over its target when complete, so a crash, a
killed process or a full disk never leaves a half-written JSON, npz, WAV or
PNG where a later stage (or a person) would read it (a leaf module).

Example:
  >>> import tempfile
  >>> path = os.path.join(tempfile.mkdtemp(), 'out.json')
  >>> write_json(path, {'a': 1})
  >>> open(path).read()
  '{\\n "a": 1\\n}'
"""

import contextlib
import json
import os
import tempfile


def _read_umask():
  mask = os.umask(0)
  os.umask(mask)
  return mask


# Read once, at import: os.umask can only be read by setting it, which
# would briefly change it for every thread of the process.
_UMASK = _read_umask()


@contextlib.contextmanager
def atomic(path, mode='w', **open_kwargs):
  """Opens a temporary file beside `path`; renames it to `path` when the
  block ends without an error, removes it when it raises.

  Args:
    path: The final file.
    mode: 'w' (text) or 'wb' (bytes).
    **open_kwargs: For open() (e.g. encoding).

  Yields:
    The open temporary file.
  """
  directory = os.path.dirname(os.path.abspath(path))
  fd, tmp = tempfile.mkstemp(prefix=f'.{os.path.basename(path)}.',
                             suffix='.tmp', dir=directory)
  os.close(fd)
  try:
    with open(tmp, mode, **open_kwargs) as f:
      yield f
    os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp's 0600 -> a normal file's.
    os.replace(tmp, path)
  except BaseException:
    with contextlib.suppress(OSError):
      os.remove(tmp)
    raise


def write_json(path, obj, indent=1):
  """json.dump(obj) to path, atomically."""
  with atomic(path) as f:
    json.dump(obj, f, indent=indent)


def write_text(path, text):
  """Text to path, atomically."""
  with atomic(path) as f:
    f.write(text)


def save_npz(path, compressed=False, **arrays):
  """np.savez (or savez_compressed) of plain arrays to path, atomically."""
  import numpy as np  # pylint: disable=g-import-not-at-top
  save = np.savez_compressed if compressed else np.savez
  with atomic(path, 'wb') as f:
    save(f, **arrays)


def write_audio(path, audio, sample_rate, **kwargs):
  """soundfile.write to path (format from its extension), atomically."""
  import soundfile  # pylint: disable=g-import-not-at-top
  fmt = os.path.splitext(path)[1].lstrip('.').upper() or 'WAV'
  with atomic(path, 'wb') as f:
    soundfile.write(f, audio, sample_rate, format=fmt, **kwargs)


def save_figure(fig, path, **kwargs):
  """fig.savefig to path (format from its extension), atomically."""
  kwargs.setdefault('format', os.path.splitext(path)[1].lstrip('.') or 'png')
  with atomic(path, 'wb') as f:
    fig.savefig(f, **kwargs)

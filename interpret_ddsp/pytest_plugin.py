# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""pytest plugin (setup.cfg: `-p interpret_ddsp.pytest_plugin`).

Loaded before any test module, so the compat shims are in place before
TensorFlow or ddsp are imported by a test, ours or Magenta ddsp's own
(`make test` collects ddsp's installed `*_test.py` files too). Those are
marked `upstream`.
"""

import os

import interpret_ddsp
from interpret_ddsp import compat

_DDSP_DIR = None


def pytest_configure(config):
  del config
  global _DDSP_DIR
  compat.mark_absl_flags_parsed()
  import ddsp  # pylint: disable=g-import-not-at-top
  _DDSP_DIR = os.path.dirname(os.path.realpath(ddsp.__file__)) + os.sep
  assert interpret_ddsp.compat is compat


def pytest_collection_modifyitems(config, items):
  del config
  import pytest  # pylint: disable=g-import-not-at-top
  for item in items:
    if os.path.realpath(str(item.fspath)).startswith(_DDSP_DIR):
      item.add_marker(pytest.mark.upstream)

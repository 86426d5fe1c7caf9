# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""interpret_ddsp: Magenta DDSP with named timbre knobs and a generative prior.

Importing this package first applies the shims Magenta ddsp 3.7.0 needs on
TensorFlow 2.21 (see `interpret_ddsp.compat`), so `import interpret_ddsp`
must come before `import ddsp` or `import tensorflow`.
"""

import os as _os
import sys as _sys

# TensorFlow's C++ info/warning lines drown our output; TF_CPP_MIN_LOG_LEVEL=0
# brings them back. What TF 2.21 logs before absl starts ignores that
# variable: the CLI filters it from stderr (`--verbose` keeps it).
_os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
from interpret_ddsp.support import stderr_filter as _stderr_filter  # pylint: disable=g-import-not-at-top,wrong-import-position
if _stderr_filter.wanted(_sys.argv, _os.environ):
  _stderr_filter.start()

from interpret_ddsp import compat  # pylint: disable=g-import-not-at-top,wrong-import-position  # Must stay first: sets up TF and ddsp.

__version__ = '0.1.0'

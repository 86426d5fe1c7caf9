# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""What every stage leans on, and that knows nothing of DDSP.

Outputs written whole (`files`), audio files in and out (`audio_io`),
test signals with known pitch (`signals`), the offline CREPE install
(`crepe_install`), the filter for TensorFlow's start-up
lines (`stderr_filter`) and the pytest plugin.
"""

# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Stage 1, `interpret-ddsp prepare`: audio -> TFRecords.

Where the audio comes from (`sources`, `soundfont_set`), the Apache Beam
pipeline (`prepare`) and the check of its pitch estimates against rendered
ground truth (`estimator_accuracy`). The providers that read the TFRecords back
stay in `interpret_ddsp.data`: saved models' configs import that path.
"""

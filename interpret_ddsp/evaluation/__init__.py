# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Stage 5, `interpret-ddsp evaluate`: one report on a trained model.

Knob sweeps and measurements on a model (`knob_metrics`) and the report
itself (`evaluate`), over the measures in `interpret_ddsp.analysis`.
"""

# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Stage 2, `interpret-ddsp train`: the model's parts and training.

Ddsp subclasses, gin-registered: the timbre encoder (`encoders`), knob
processors (`knob_processors`), timbre losses (`losses`), the harmonic
synth (`synths`), the knob-target preprocessor (`knob_targets`); ddsp's
trainers and strategies (`train`); loading a trained model (`model_io`)
and where the shipped one is (`shipped`). The model class itself stays in
`interpret_ddsp.models`: saved models' configs import that path.
"""

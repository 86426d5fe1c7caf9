# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Measuring sound: what a knob means, and how close two sounds are.

Per-frame timbre descriptors (`descriptors`), the knob chain from knob to
standardized, loudness-weighted value (`knobs`), f0 / loudness / descriptor
features of audio (`features`), the evaluation measures (`metrics`) and
knob calibration fits (`calibration`). Used by every stage above.
"""

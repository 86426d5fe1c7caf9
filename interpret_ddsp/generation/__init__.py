# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Stages 3-4, `extract-z`, `fit-prior`, `sample`: new sounds without input.

Z of a dataset (`extract`), the Gaussian-mixture prior over z (`prior`),
the learned note expression (`expression_model`), synthesis from prior
samples and scores (`generate`) and block-by-block streaming
(`streaming`).
"""

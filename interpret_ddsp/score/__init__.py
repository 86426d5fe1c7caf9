# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Scores and how they are played: notes in, control curves out.

Rendering General MIDI soundfonts (`soundfont`), notes and pitch /
loudness curves (`controls`), polyphony split into voices (`voices`),
note-level expression features (`expression`) and curves from them
(`performance`), and notes found in a recording's f0 and loudness
(`note_detection`).
"""

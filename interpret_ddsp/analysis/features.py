# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Per-chunk features and example windows for the data pipeline (NumPy in,
NumPy out; no Beam here, so every step is a small testable function).

Frames follow ddsp's feature rate (`frame_rate`, 250 Hz by default) and are
centred: frame i describes the audio around t = i / frame_rate, and a chunk
of n seconds has exactly n * frame_rate frames (the frame at t = n belongs to
the next chunk), which is the length ddsp's `TFRecordProvider` expects.

CREPE runs at `f0_frame_rate` (100 Hz, CREPE's own default 10 ms step,
unless set) and its f0 is interpolated in cents (confidence linearly) onto
the feature frames: 2.5 times fewer network evaluations than at 250 Hz, at
no audible cost (pitch moves far slower than 10 ms).

CREPE is not run where the audio is silent: on runs of at least
`MIN_SILENCE_SECS` of frames whose 1024-sample CREPE window peaks below
`SILENCE_DB` (-80 dBFS). Those frames get confidence 0 and the pitch of the
nearest sounding frame; each sounding stretch is decoded on its own. On
sounding frames the network sees exactly the same input as without the skip;
what changes is that Viterbi no longer crosses silence, where CREPE's
constant output on digital silence used to drag the decoded pitch off the
note for up to ~20 frames (0.2 s) at onsets and releases.
"""

import warnings

import numpy as np

from interpret_ddsp.analysis import descriptors
from interpret_ddsp import compat
from interpret_ddsp import contracts

CREPE_SAMPLE_RATE = 16000
CREPE_FRAME_SIZE = 1024  # Samples CREPE sees per frame (64 ms at 16 kHz).
SILENCE_DB = -80.0  # dBFS peak of a CREPE window under which it is skipped.
MIN_SILENCE_SECS = 0.1  # Shorter silent runs are analysed anyway.
DDSP_KEYS = contracts.DDSP_KEYS
DESCRIPTOR_KEYS = descriptors.DESCRIPTOR_NAMES


def n_frames(seconds, frame_rate):
  """Frames in `seconds` of audio at `frame_rate` (must be whole)."""
  n = seconds * frame_rate
  if abs(n - round(n)) > 1e-6:
    raise ValueError(f'{seconds} s at {frame_rate} frames/s is not a whole '
                     'number of frames.')
  return int(round(n))


def hold_pitch(values, unset):
  """`values` with the `unset` frames set to the nearest set frame's value.

  Unset frames take the previous set frame's value (leading ones the first
  set frame's); all unset: all 0.
  """
  values = np.asarray(values)
  unset = np.asarray(unset, bool)
  if unset.all():
    return np.zeros_like(values)
  idx = np.where(unset, -1, np.arange(len(values)))
  idx = np.maximum.accumulate(idx)
  idx[idx < 0] = np.argmin(unset)
  return values[idx]


def resample_frames(values, n_out, log=False):
  """Linear interpolation of a per-frame track onto `n_out` frames.

  Both tracks are centred frames over the same duration: input frame i is at
  i / n_in of it, output frame j at j / n_out.

  Args:
    values: float [n_in].
    n_out: Number of output frames.
    log: Interpolate log2(values) (for f0 in Hz: linear in cents); values
      <= 0 stay 0 where both neighbours are 0.

  Returns:
    float32 [n_out].
  """
  values = np.asarray(values, np.float64)
  x_in = np.arange(len(values)) / len(values)
  x_out = np.arange(n_out) / n_out
  if not log:
    return np.interp(x_out, x_in, values).astype(np.float32)
  positive = values > 0
  if not positive.any():
    return np.zeros(n_out, np.float32)
  logs = np.log2(np.where(positive, values, 1.0))
  # Unvoiced (0 Hz) frames take their nearest voiced neighbour's log pitch.
  out = 2.0 ** np.interp(x_out, x_in, hold_pitch(logs, ~positive))
  return out.astype(np.float32)


def crepe_window_peaks(audio_16k, f0_frame_rate, n):
  """Peak |sample| of the centred 1024-sample window of each of `n` CREPE
  frames (the audio ddsp's compute_f0 gives CREPE, padding='center')."""
  hop = CREPE_SAMPLE_RATE // f0_frame_rate
  half = CREPE_FRAME_SIZE // 2
  magnitude = np.pad(np.abs(np.asarray(audio_16k, np.float32)),
                     (half, half + hop))
  windows = np.lib.stride_tricks.sliding_window_view(
      magnitude, CREPE_FRAME_SIZE)[::hop][:n]
  return windows.max(axis=1)


def sounding_segments(audio_16k, f0_frame_rate, n, silence_db=SILENCE_DB,
                      min_silence_secs=MIN_SILENCE_SECS):
  """[start, stop) ranges of the `n` CREPE frames to run the network on.

  Frames whose window peaks below `silence_db` dBFS are left out where they
  form runs of at least `min_silence_secs` (each extra range costs one more
  network call, ~40 ms, so short gaps are cheaper to analyse).
  """
  peaks = crepe_window_peaks(audio_16k, f0_frame_rate, n)
  silent = peaks < 10.0 ** (silence_db / 20.0)
  min_run = max(1, int(np.ceil(min_silence_secs * f0_frame_rate - 1e-9)))
  # Runs of silence as [start, stop) pairs.
  edges = np.flatnonzero(np.diff(np.concatenate([[0], silent, [0]])))
  skip = np.zeros(n, bool)
  for a, b in zip(edges[::2], edges[1::2]):
    if b - a >= min_run:
      skip[a:b] = True
  edges = np.flatnonzero(np.diff(np.concatenate([[0], ~skip, [0]])))
  return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2])]


def compute_f0(audio_16k, frame_rate, f0_frame_rate=100, viterbi=True,
               crepe_model='tiny', silence_db=SILENCE_DB):
  """CREPE (through ddsp's compute_f0) on 16 kHz audio, at feature frames.

  Args:
    audio_16k: float32 [n_samples] at 16 kHz.
    frame_rate: Output frame rate, Hz.
    f0_frame_rate: Rate CREPE runs at, Hz (None: frame_rate).
    viterbi: Viterbi decoding (smoother, fewer octave errors).
    crepe_model: CREPE capacity.
    silence_db: Skip CREPE on silent stretches, where its window peaks below
      this many dBFS (see module doc); None runs it on every frame.

  Returns:
    f0_hz: float32 [n_samples * frame_rate // 16000], Hz.
    f0_confidence: float32 [same], in [0, 1].
  """
  from ddsp import spectral_ops  # pylint: disable=g-import-not-at-top
  seconds = len(audio_16k) / CREPE_SAMPLE_RATE
  n_out = n_frames(seconds, frame_rate)
  f0_frame_rate = f0_frame_rate or frame_rate
  n_in = int(seconds * f0_frame_rate)
  segments = [(0, n_in)]
  if silence_db is not None and n_in:
    segments = sounding_segments(audio_16k, f0_frame_rate, n_in, silence_db)
  with compat.crepe_capacity(crepe_model):
    if segments == [(0, n_in)]:
      f0, confidence = spectral_ops.compute_f0(
          audio_16k, f0_frame_rate, viterbi=viterbi, padding='center')
      f0, confidence = f0[:n_in], confidence[:n_in]
    else:
      f0, confidence = _compute_f0_segments(
          audio_16k, f0_frame_rate, n_in, segments, viterbi)
  if n_in == n_out:
    return f0.astype(np.float32), confidence.astype(np.float32)
  return (resample_frames(f0, n_out, log=True),
          np.clip(resample_frames(confidence, n_out), 0, 1))


# CREPE's 360 output bins: 20 cents apart, in cents above 10 Hz (crepe's
# own cents mapping).
CREPE_BIN_CENTS = 1997.3794084376191 + 20.0 * np.arange(360)
CREPE_LOCAL_BINS = 4  # crepe's local average: the peak bin +- 4 bins.


def compute_f0_near(audio_16k, frame_rate, reference_hz, max_cents=300.0,
                    f0_frame_rate=100, crepe_model='full'):
  """CREPE's f0 sought only within max_cents of a reference pitch per frame.

  Where the pitch to expect is known (a note's score pitch, when measuring
  the expression a synthesizer was asked for), a tracker should not answer
  with another note: CREPE full, unconstrained, read a bright violin G6
  (1568 Hz, near the top of its 1976 Hz range) 500 cents low on a quarter
  of its frames, which a note's vibrato measurement took as a 120-cent
  vibrato (benchmarks/expression.py). Here each frame's pitch is crepe's
  local average (the peak bin +- 4, weighted by activation) around the
  peak of its activation among the bins within max_cents of the reference;
  the reference itself is not read otherwise, so a vibrato or a detuning
  inside the window is measured as it sounds. No Viterbi decoding.

  Args:
    audio_16k: float32 [n_samples] at 16 kHz.
    frame_rate: Output frame rate, Hz.
    reference_hz: Expected f0 per output frame, Hz, [n_frames(seconds,
      frame_rate)]; frames <= 0 Hz are not sought (f0 0, confidence 0).
    max_cents: Half-width of the search window, cents.
    f0_frame_rate: Rate CREPE runs at, Hz.
    crepe_model: CREPE capacity.

  Returns:
    f0_hz: float32 [n_frames], Hz (0 where not sought).
    f0_confidence: float32 [n_frames], the peak activation in the window.

  Example (a 440 Hz tone sought near A4):
    >>> t = np.arange(16000) / 16000
    >>> f0, _ = compute_f0_near(np.sin(2 * np.pi * 440 * t), 250,
    ...                         np.full(250, 440.0), crepe_model='tiny')
    >>> bool(abs(1200 * np.log2(np.median(f0[25:-25]) / 440)) < 10)
    True
  """
  import crepe  # pylint: disable=g-import-not-at-top
  from ddsp import spectral_ops  # pylint: disable=g-import-not-at-top
  seconds = len(audio_16k) / CREPE_SAMPLE_RATE
  n_out = n_frames(seconds, frame_rate)
  reference_hz = np.asarray(reference_hz, np.float64)
  if len(reference_hz) != n_out:
    raise ValueError(f'reference_hz has {len(reference_hz)} frames; the '
                     f'audio has {n_out} at {frame_rate} Hz.')
  n_in = int(seconds * f0_frame_rate)
  audio = spectral_ops.pad(np.asarray(audio_16k, np.float32),
                           CREPE_FRAME_SIZE, CREPE_SAMPLE_RATE // f0_frame_rate,
                           'center')
  with compat.crepe_capacity(crepe_model):
    _, _, _, activation = crepe.predict(
        np.asarray(audio), sr=CREPE_SAMPLE_RATE, viterbi=False,
        step_size=1000 / f0_frame_rate, center=False, verbose=0)
  activation = np.asarray(activation, np.float64)[:n_in]
  reference = resample_frames(reference_hz, len(activation), log=True)
  sought = reference > 0
  ref_cents = 1200.0 * np.log2(np.where(sought, reference, 10.0) / 10.0)
  inside = np.abs(CREPE_BIN_CENTS[None] - ref_cents[:, None]) <= max_cents
  windowed = np.where(inside, activation, 0.0)
  peak = np.argmax(windowed, axis=1)
  bins = np.arange(360)[None]
  local = inside & (np.abs(bins - peak[:, None]) <= CREPE_LOCAL_BINS)
  weight = np.where(local, activation, 0.0)
  cents = (weight @ CREPE_BIN_CENTS) / np.maximum(weight.sum(axis=1), 1e-12)
  f0 = np.where(sought, 10.0 * 2.0 ** (cents / 1200.0), 0.0)
  confidence = np.where(sought, windowed.max(axis=1), 0.0)
  out = reference_hz > 0
  return (np.where(out, resample_frames(f0, n_out, log=True), 0.0).astype(
      np.float32), np.where(out, np.clip(resample_frames(
          confidence, n_out), 0, 1), 0.0).astype(np.float32))


def _compute_f0_segments(audio_16k, f0_frame_rate, n_in, segments, viterbi):
  """ddsp's compute_f0 on each sounding range of CREPE frames only.

  Each range gets exactly the samples its frames see in a whole-signal call
  (padding='center'), passed with padding='valid'; frames outside every
  range: confidence 0, the nearest analysed frame's f0.
  """
  from ddsp import spectral_ops  # pylint: disable=g-import-not-at-top
  hop = CREPE_SAMPLE_RATE // f0_frame_rate
  half = CREPE_FRAME_SIZE // 2
  padded = np.pad(np.asarray(audio_16k, np.float32), half)
  f0 = np.zeros(n_in, np.float32)
  confidence = np.zeros(n_in, np.float32)
  analysed = np.zeros(n_in, bool)
  for a, b in segments:
    # A range reaching the end keeps the extra final frame (centred on the
    # last sample) that the whole-signal call decodes too.
    stop = len(padded) if b == n_in else (b - 1) * hop + CREPE_FRAME_SIZE
    f, c = spectral_ops.compute_f0(padded[a * hop:stop], f0_frame_rate,
                                   viterbi=viterbi, padding='valid')
    f0[a:b], confidence[a:b] = f[:b - a], c[:b - a]
    analysed[a:b] = True
  return hold_pitch(f0, ~analysed), confidence


def compute_loudness(audio_16k, frame_rate, n_fft=512):
  """ddsp's A-weighted loudness in dB, centred frames. float32 [n_frames]."""
  from ddsp import spectral_ops  # pylint: disable=g-import-not-at-top
  n = n_frames(len(audio_16k) / CREPE_SAMPLE_RATE, frame_rate)
  with warnings.catch_warnings():  # librosa's A-weighting at 0 Hz: log(0).
    warnings.simplefilter('ignore', RuntimeWarning)
    loudness = spectral_ops.compute_loudness(
        audio_16k, CREPE_SAMPLE_RATE, frame_rate, n_fft=n_fft,
        padding='center')
  return np.asarray(loudness, np.float32)[:n]


def compute_descriptors(audio_16k, f0_hz, frame_rate, names=DESCRIPTOR_KEYS):
  """Timbre descriptors (see interpret_ddsp.analysis.descriptors) at feature frames."""
  n = len(f0_hz)
  values = descriptors.compute_descriptors_np(
      audio_16k, np.pad(f0_hz, (0, 1), mode='edge'),
      sample_rate=CREPE_SAMPLE_RATE, frame_rate=frame_rate, names=names)
  return {k: np.asarray(v, np.float32)[:n] for k, v in values.items()}


def compute_features(audio_16k, frame_rate=250, f0_frame_rate=100,
                     crepe_model='tiny', viterbi=True,
                     descriptor_names=DESCRIPTOR_KEYS,
                     silence_db=SILENCE_DB):
  """All per-frame features of a 16 kHz chunk.

  Returns:
    {'f0_hz', 'f0_confidence', 'loudness_db', *descriptor_names}: float32
    [len(audio_16k) * frame_rate // 16000] each.
  """
  f0_hz, confidence = compute_f0(audio_16k, frame_rate, f0_frame_rate,
                                 viterbi, crepe_model, silence_db)
  return features_given_f0(audio_16k, f0_hz, confidence, frame_rate,
                           descriptor_names)


def features_given_f0(audio_16k, f0_hz, f0_confidence, frame_rate=250,
                      descriptor_names=DESCRIPTOR_KEYS):
  """compute_features with the pitch already known (e.g. a filtered copy
  of audio whose f0 was measured: a linear filter does not move pitch);
  loudness and descriptors are measured on audio_16k."""
  out = {'f0_hz': f0_hz, 'f0_confidence': f0_confidence,
         'loudness_db': compute_loudness(audio_16k, frame_rate)}
  if descriptor_names:
    out.update(compute_descriptors(audio_16k, f0_hz, frame_rate,
                                   descriptor_names))
  return out


def _fit(audio, n):
  """audio trimmed or zero-padded to n samples (resamplers differ by one)."""
  return np.pad(audio[:n], (0, max(0, n - len(audio))))


def chunk_audio(audio, audio_16k, sample_rate, frame_rate, chunk_secs,
                min_secs):
  """Cuts one sound into chunks of whole frames, at both sample rates.

  Args:
    audio: float32 [n] at `sample_rate`.
    audio_16k: The same sound at 16 kHz.
    sample_rate: Rate of `audio`, Hz.
    frame_rate: Feature rate, Hz; chunks hold whole frames.
    chunk_secs: Chunk length, s (the last chunk may be shorter).
    min_secs: Chunks shorter than this are dropped.

  Yields:
    (offset_secs, audio chunk, audio_16k chunk), lengths
    round(secs * rate) with secs = whole frames of the chunk.
  """
  total = len(audio_16k) / CREPE_SAMPLE_RATE
  offset = 0.0
  while offset < total:
    secs = min(chunk_secs, total - offset)
    secs = np.floor(secs * frame_rate + 1e-6) / frame_rate
    if secs >= min_secs:
      a0 = int(round(offset * sample_rate))
      b0 = int(round(offset * CREPE_SAMPLE_RATE))
      yield (offset,
             _fit(audio[a0:], int(round(secs * sample_rate))),
             _fit(audio_16k[b0:], int(round(secs * CREPE_SAMPLE_RATE))))
    offset += chunk_secs


def window_starts(chunk_secs, frame_rate, example_secs, hop_secs):
  """Start times (s) of the windows `split_examples` cuts from a chunk.

  Example:
    >>> window_starts(4.0, 250, 1.0, 0.5)
    [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0]
  """
  total = int(round(chunk_secs * frame_rate))
  n_feat = n_frames(example_secs, frame_rate)
  hop_frames = n_frames(hop_secs, frame_rate)
  return [start / frame_rate
          for start in range(0, total - n_feat + 1, hop_frames)]


def split_examples(audio, frames, sample_rate, frame_rate, example_secs,
                   hop_secs):
  """Windows of `example_secs` every `hop_secs` over a featurized chunk.

  Args:
    audio: float32 [n_samples] at `sample_rate`.
    frames: {key: [n_frames]} per-frame features at `frame_rate`.
    sample_rate: Audio rate, Hz.
    frame_rate: Feature rate, Hz.
    example_secs: Window length, s (whole samples and frames).
    hop_secs: Window hop, s (whole frames).

  Yields:
    (start_secs, audio window [example_secs * sample_rate],
     {key: [example_secs * frame_rate]}). A trailing partial window is
    dropped.
  """
  n_audio = n_frames(example_secs, sample_rate)
  n_feat = n_frames(example_secs, frame_rate)
  total = min(len(v) for v in frames.values())
  for start_secs in window_starts(total / frame_rate, frame_rate,
                                  example_secs, hop_secs):
    start = int(round(start_secs * frame_rate))
    a0 = int(round(start_secs * sample_rate))
    window = audio[a0:a0 + n_audio]
    if len(window) < n_audio:
      break
    yield start_secs, window, {k: v[start:start + n_feat]
                               for k, v in frames.items()}

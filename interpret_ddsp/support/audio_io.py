# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Audio files in and out, with no system packages (libsndfile ships in the
`soundfile` wheel; it reads wav, flac, ogg, aiff and mp3)."""

import numpy as np
import soundfile
import soxr

from interpret_ddsp import errors


class AudioLoadError(errors.UserError):
  """A file is not readable audio; the message names the file and why."""


def resample(audio, from_rate, to_rate):
  """Band-limited resampling (soxr 'HQ') of mono float audio.

  Args:
    audio: float [n_samples] at `from_rate` Hz.
    from_rate: Input sample rate in Hz.
    to_rate: Output sample rate in Hz.

  Returns:
    float32 [round(n_samples * to_rate / from_rate)].
  """
  audio = np.asarray(audio, np.float32)
  if int(from_rate) == int(to_rate):
    return audio
  return soxr.resample(audio, int(from_rate), int(to_rate),
                       quality='HQ').astype(np.float32)


def load_audio(path, sample_rate=None):
  """Reads an audio file as mono float32 in [-1, 1].

  Stereo and multichannel files are averaged to mono. Reads through
  `tf.io.gfile` so cloud paths (gs://...) work too.

  Args:
    path: File path or URL that tf.io.gfile can open.
    sample_rate: Rate to resample to, in Hz; None keeps the file's rate.

  Returns:
    audio: float32 [n_samples].
    rate: Sample rate of `audio` in Hz.

  Raises:
    AudioLoadError: the file is missing, truncated or not audio.
  """
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  try:
    with tf.io.gfile.GFile(path, 'rb') as f:
      data, rate = soundfile.read(f, dtype='float32', always_2d=True)
  except (soundfile.LibsndfileError, RuntimeError, OSError,
          tf.errors.OpError) as e:
    why = getattr(e, 'error_string', None) or str(e)  # libsndfile's words.
    raise AudioLoadError(f'{path} is not readable audio ({why}).') from e
  audio = data.mean(axis=1)
  if sample_rate is not None and int(sample_rate) != int(rate):
    audio, rate = resample(audio, rate, sample_rate), int(sample_rate)
  return audio.astype(np.float32), int(rate)

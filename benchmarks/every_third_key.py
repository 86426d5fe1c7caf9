# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""The eval set every shipped model is compared on since 2026-12-04.

The recipe shipped until 2026-12-06 rendered single notes every third key
(`key_step` 3); today's renders every key. Its eval split, rebuilt from
today's complete every-key eval split, is what the README's "64 of every
model since 2026-12-04" row reads (`evaluate` takes the first 64 of a
stable subset of it): the eval examples whose source is a melody, or a
single note on every third key from the instrument's lowest
(`soundfont_set.instrument`), the keys the old recipe rendered. The split is by
source file: none of these 32 sources is in the train split of either
recipe's data (runs/pretrained_refresh2/data, runs/pretrained/data;
checked on 2026-12-07).

  .venv/bin/python benchmarks/every_third_key.py \\
      --data runs/pretrained_refresh2/data --out runs/eval_third
  .venv/bin/interpret-ddsp evaluate --tfrecords 'runs/eval_third/eval*' ...
"""

import argparse
import glob
import os

import interpret_ddsp  # pylint: disable=unused-import  # Shims first.
from interpret_ddsp import contracts
from interpret_ddsp.dataset import soundfont_set

SOURCE = 'source_file'
assert SOURCE in contracts.METADATA_KEYS


def keep(source_file, key_step=3):
  """Whether an example of `source_file` is in the every-`key_step` set.

  >>> keep('violin_040/note_k058_v080.wav'), keep('violin_040/note_k056_v080.wav')
  (True, False)
  >>> keep('flute_073/melody_02.wav')
  True
  """
  note = soundfont_set.parse_note_stem(source_file)
  if note is None:
    return True  # Melodies: both recipes render the same four.
  program, key, _ = note
  _, low, _ = soundfont_set.instrument(program)
  return (key - low) % key_step == 0


def main():
  parser = argparse.ArgumentParser()
  parser.add_argument('--data', default=os.path.join(
      'runs', 'pretrained_refresh2', 'data'))
  parser.add_argument('--out', default=os.path.join('runs', 'eval_third'))
  args = parser.parse_args()
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  files = sorted(glob.glob(contracts.split_pattern(args.data,
                                                 contracts.EVAL_SPLIT)))
  os.makedirs(args.out, exist_ok=True)
  path = os.path.join(args.out, f'{contracts.EVAL_SPLIT}'
                      f'{contracts.TFRECORD_INFIX}-00000')
  kept = total = 0
  with tf.io.TFRecordWriter(path + '.tmp') as writer:
    for record in tf.data.TFRecordDataset(files):
      example = tf.train.Example.FromString(record.numpy())
      source = example.features.feature[SOURCE].bytes_list.value[0]
      total += 1
      if keep(source.decode()):
        writer.write(record.numpy())
        kept += 1
  os.replace(path + '.tmp', path)
  print(f'{kept} of {total} eval examples -> {path}')


if __name__ == '__main__':
  main()

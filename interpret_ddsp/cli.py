# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""The `interpret-ddsp` command: one verb per stage, each a thin layer over a
library function. Problems the user can fix print one sentence (exit 2)."""

import argparse
import sys

CREPE_CAPACITIES = ('tiny', 'small', 'medium', 'large', 'full')


def _doctor(args):
  from interpret_ddsp import compat  # pylint: disable=g-import-not-at-top
  from interpret_ddsp import environment  # pylint: disable=g-import-not-at-top
  if args.crepe_model:
    compat.require_crepe_capacity(args.crepe_model)
  lines, problems = environment.diagnose(run_crepe=not args.quick)
  print('\n'.join(lines))
  if args.require_gpu:
    gpus = environment.require_gpu()
    print(f'GPU requested: found {", ".join(gpus)}')
  if problems:
    print('\nProblems:\n' + '\n'.join(f'- {p}' for p in problems))
    return 1
  print('\nThe stack works.')
  return 0


def _demo(args):
  from interpret_ddsp import demo  # pylint: disable=g-import-not-at-top
  from interpret_ddsp import environment  # pylint: disable=g-import-not-at-top
  lines, problems = environment.diagnose(run_crepe=False)
  print('\n'.join(lines))
  if problems:
    print('\nProblems:\n' + '\n'.join(f'- {p}' for p in problems))
    return 1
  summary = demo.run(args.output_dir)
  print(f'\nf0 of a 220 Hz tone with vibrato (ddsp compute_f0), written to '
        f'{args.output_dir}/:')
  for capacity, result in summary.items():
    print(f'  CREPE {capacity:5s}: median error '
          f'{result["median_abs_error_cents"]:.1f} cents, '
          f'{100 * result["frames_within_20_cents"]:.0f}% of frames within '
          '20 cents')
  return 0


def build_parser():
  parser = argparse.ArgumentParser(
      prog='interpret-ddsp',
      description='DDSP with named timbre knobs and a generative prior.')
  verbs = parser.add_subparsers(dest='verb', required=True, metavar='VERB')

  doctor = verbs.add_parser(
      'doctor', help='report the installed stack and check that it works')
  doctor.add_argument('--quick', action='store_true',
                      help='skip running CREPE on a test tone')
  doctor.add_argument('--crepe_model', choices=CREPE_CAPACITIES,
                      help='fail unless this CREPE capacity is installed')
  doctor.add_argument('--require-gpu', action='store_true',
                      help='fail unless TensorFlow sees a GPU')
  doctor.set_defaults(func=_doctor)

  demo = verbs.add_parser('demo', help='run the demo')
  demo.add_argument('--output_dir', default='demo_output')
  demo.set_defaults(func=_demo)
  return parser


def main(argv=None):
  args = build_parser().parse_args(argv)
  from interpret_ddsp import errors  # pylint: disable=g-import-not-at-top
  try:
    return args.func(args)
  except errors.UserError as e:
    print(f'interpret-ddsp {args.verb}: {e}', file=sys.stderr)
    return 2


if __name__ == '__main__':
  sys.exit(main())

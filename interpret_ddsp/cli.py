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


def _render_soundfont(args):
  from interpret_ddsp import soundfont_set  # pylint: disable=g-import-not-at-top
  manifest = soundfont_set.render_set(
      args.output_dir, soundfont_set.parse_programs(args.programs),
      soundfont_path=args.soundfont, sample_rate=args.sample_rate,
      key_step=args.key_step,
      velocities=[int(v) for v in args.velocities.split(',')],
      n_melodies=args.melodies, melody_secs=args.melody_secs, seed=args.seed,
      overwrite=args.overwrite)
  counts = manifest['counts']
  print(f'Wrote {counts["written"]} WAVs with ground-truth f0 JSON to '
        f'{args.output_dir}; skipped {counts["skipped"]}.')
  for item in manifest['skipped']:
    print(f'  skipped {item["file"]}: {item["reason"]}')
  return 0


def _validate_data(args):
  from interpret_ddsp import validation  # pylint: disable=g-import-not-at-top
  report = validation.validate_set(args.data_dir, args.output_dir,
                                   crepe_model=args.crepe_model)
  out = args.output_dir or args.data_dir
  print(f'Pitch/loudness estimation vs ground truth (CREPE '
        f'{args.crepe_model}); wrote {out}/validation.json and .png')
  for name, s in sorted(report['instruments'].items()):
    line = (f'  {name:14s} median {s["median_abs_error_cents"]:5.1f} cents, '
            f'{100 * s["share_within_50_cents"]:5.1f}% frames within 50 '
            f'cents, voicing recall {100 * s["voicing_recall"]:5.1f}%')
    if 'notes_within_30_cents' in s:
      line += (f', notes within 30 cents '
               f'{100 * s["notes_within_30_cents"]:5.1f}%')
    if 'loudness_velocity_spearman' in s:
      line += f', loudness~velocity rho {s["loudness_velocity_spearman"]:.2f}'
    print(line)
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

  render = verbs.add_parser(
      'render-soundfont',
      help='render GM instruments (notes + melodies) with ground-truth f0')
  render.add_argument('--soundfont', default=None,
                      help='.sf2/.sf3 file (default: TimGM6mb.sf2 from '
                      'pretty_midi)')
  render.add_argument('--programs', default='violin,flute,trumpet',
                      help='GM programs, 0-based numbers or names, e.g. '
                      '40,73 or violin,flute')
  render.add_argument('--output_dir', required=True)
  render.add_argument('--sample_rate', type=int, default=16000)
  render.add_argument('--key_step', type=int, default=3,
                      help='semitones between rendered single notes')
  render.add_argument('--velocities', default='50,80,110')
  render.add_argument('--melodies', type=int, default=4,
                      help='melodies (vibrato, swells) per program')
  render.add_argument('--melody_secs', type=float, default=4.0)
  render.add_argument('--seed', type=int, default=0)
  render.add_argument('--overwrite', action='store_true')
  render.set_defaults(func=_render_soundfont)

  validate = verbs.add_parser(
      'validate-data',
      help='check f0/loudness estimation against a rendered set\'s truth')
  validate.add_argument('--data_dir', required=True,
                        help='folder made by render-soundfont')
  validate.add_argument('--output_dir', default=None)
  validate.add_argument('--crepe_model', choices=CREPE_CAPACITIES,
                        default='full')
  validate.set_defaults(func=_validate_data)

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

# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""The `interpret-ddsp` command: one verb per stage, each a thin layer over a
library function. Problems the user can fix print one sentence (exit 2)."""

import argparse
import os
import sys

from interpret_ddsp.compat import CREPE_CAPACITIES
from interpret_ddsp import contracts
from interpret_ddsp import errors
from interpret_ddsp.training import shipped


def _print_diagnosis(lines, problems):
  """Prints environment.diagnose's report; True if the stack works."""
  print('\n'.join(lines))
  if problems:
    print('\nProblems:\n' + '\n'.join(f'- {p}' for p in problems))
  return not problems


def _doctor(args):
  from interpret_ddsp.apps import environment  # pylint: disable=g-import-not-at-top
  from interpret_ddsp import compat  # pylint: disable=g-import-not-at-top
  if args.crepe_model:
    compat.require_crepe_capacity(args.crepe_model)
  works = _print_diagnosis(*environment.diagnose(run_crepe=not args.quick))
  if args.require_gpu:
    gpus = environment.require_gpu()
    print(f'GPU requested: found {", ".join(gpus)}')
  if not works:
    return 1
  print('\nThe stack works.')
  return 0


def _demo(args):
  from interpret_ddsp.apps import demo  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.apps import environment  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.apps import pipeline  # pylint: disable=g-import-not-at-top
  if (args.recipe_param or args.recipe is not None) and not args.train:
    raise errors.UserError('--recipe and --recipe_param choose what '
                           '--train trains; add --train.')
  recipe = pipeline.with_settings(
      args.recipe, dict(_name_value(t, '--recipe_param')
                        for t in args.recipe_param))
  if not _print_diagnosis(*environment.diagnose(run_crepe=False)):
    return 1
  s = demo.run(args.output_dir, save_dir=args.save_dir, prior_path=args.prior,
               z_path=args.z, train=args.train, recipe=recipe,
               progress=not args.no_progress)
  o = args.output_dir
  print(f'\nWrote to {o}/ (model: step {s["model"]["step"]}, knobs '
        f'{", ".join(s["model"]["knobs"])}):')
  print(f'  samples/              {len(s["samples"])} new timbres from the '
        'prior playing one melody (WAV + spectrogram PNG)')
  if s.get('expression'):
    print('  expression/           one timbre, the melody with learned '
          'expression (learned.wav) and the plain profile (plain.wav)')
  sw = s['brightness_sweep']
  print(f'  brightness_sweep/     the melody with brightness '
        f'{sw["values"][0]:+.2f}..{sw["values"][-1]:+.2f}: measured '
        f'{", ".join(f"{m:+.2f}" for m in sw["measured"])} (Spearman '
        f'{sw["spearman"]:.2f})')
  if 'interpolation' in s:
    it = s['interpolation']
    print(f'  interpolation/        {it["from"]} -> {it["to"]} through z '
          '(path.wav) vs an audio crossfade (crossfade.wav)')
  print(f'  mood_{s["mood"]["name"]}/            the {s["mood"]["name"]!r} '
        'mood preset')
  if os.path.exists(os.path.join(o, 'z_scatter.png')):
    print('  z_scatter.png         training z, prior components, samples')
  if 'pipeline' in s:
    print(f'  {os.path.relpath(s["pipeline"]["evaluation"], o)}/'
          f'  evaluate report of the model trained here')
  return 0


def _render_soundfont(args):
  from interpret_ddsp.dataset import soundfont_set  # pylint: disable=g-import-not-at-top
  manifest = soundfont_set.render_set(
      args.output_dir, soundfont_set.parse_programs(args.programs),
      soundfont_path=args.soundfont, sample_rate=args.sample_rate,
      key_step=args.key_step,
      velocities=_int_list(args.velocities, '--velocities'),
      n_melodies=args.melodies, melody_secs=args.melody_secs, seed=args.seed,
      overwrite=args.overwrite)
  counts = manifest['counts']
  print(f'Wrote {counts["written"]} WAVs with ground-truth f0 JSON to '
        f'{args.output_dir}; skipped {counts["skipped"]}.')
  for item in manifest['skipped']:
    print(f'  skipped {item["file"]}: {item["reason"]}')
  return 0


def _validate_data(args):
  from interpret_ddsp.dataset import estimator_accuracy  # pylint: disable=g-import-not-at-top
  report = estimator_accuracy.validate_set(args.data_dir, args.output_dir,
                                           crepe_model=args.crepe_model)
  out = args.output_dir or args.data_dir
  print(f'Pitch/loudness estimation vs ground truth (CREPE '
        f'{args.crepe_model}); wrote {out}/{contracts.ESTIMATOR_REPORT} and '
        f'{contracts.ESTIMATOR_PLOT}')
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


def _int_list(text, flag):
  """'50,80,110' -> [50, 80, 110]; UserError naming the flag otherwise."""
  try:
    return [int(v) for v in _csv(text)]
  except ValueError:
    raise errors.UserError(f'{flag} takes whole numbers separated by commas '
                           f'(e.g. 50,80,110), not {text!r}.') from None


def _name_value(text, flag):
  """'num_steps=60' -> ('num_steps', '60'); UserError naming the flag
  otherwise."""
  name, sep, value = text.partition('=')
  if not sep or not name.strip() or not value.strip():
    raise errors.UserError(f'{flag} takes NAME=VALUE (e.g. num_steps=60), '
                           f'not {text!r}.')
  return name.strip(), value.strip()


def _int_range(text, flag):
  """'48:84' -> [48, 84]; UserError naming the flag otherwise."""
  parts = text.split(':')
  try:
    lo, hi = (int(p) for p in parts)
  except ValueError:
    raise errors.UserError(f'{flag} takes LOW:HIGH in whole numbers (e.g. '
                           f'48:84), not {text!r}.') from None
  if lo > hi:
    raise errors.UserError(f'{flag} {text}: LOW is above HIGH.')
  return [lo, hi]


def _prepare(args, beam_options):
  from interpret_ddsp.dataset import prepare  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.dataset import sources  # pylint: disable=g-import-not-at-top
  source_config = {'source': args.source, 'input': args.input}
  nsynth_only = [f'--{k}' for k in ('families', 'sources', 'pitch_range')
                 if getattr(args, k)]
  if args.source != 'nsynth' and nsynth_only:
    raise errors.UserError(
        f'{", ".join(nsynth_only)} only '
        f'{"filter" if len(nsynth_only) > 1 else "filters"} NSynth notes; '
        f'not --source {args.source}.')
  if args.source == 'recordings' and args.velocities:
    raise errors.UserError('--velocities picks NSynth notes or the rendered '
                           'velocities of --source soundfont; recordings '
                           'keep theirs.')
  velocities = _int_list(args.velocities, '--velocities')
  if args.source == 'recordings':
    items = sources.recording_items(args.input)
  elif args.source == 'soundfont':
    from interpret_ddsp.dataset import soundfont_set  # pylint: disable=g-import-not-at-top
    render_dir = args.render_dir or os.path.join(args.output_dir, 'audio')
    manifest = soundfont_set.render_set(
        render_dir, soundfont_set.parse_programs(args.programs),
        soundfont_path=args.input, sample_rate=args.sample_rate,
        key_step=args.key_step, n_melodies=args.melodies, seed=args.seed,
        overwrite=args.overwrite,
        **({'velocities': velocities} if velocities else {}))
    items = sources.rendered_items(render_dir, manifest)
    source_config.update(render_dir=render_dir, programs=args.programs,
                         velocities=manifest['config']['velocities'])
  else:
    pitch_range = (_int_range(args.pitch_range, '--pitch_range')
                   if args.pitch_range else None)
    items = sources.nsynth_items(
        args.input or 'nsynth/gansynth_subset.f0_and_loudness',
        split=args.split, data_dir=args.data_dir,
        families=_csv(args.families), sources=_csv(args.sources),
        pitch_range=pitch_range, velocities=velocities)
    source_config.update(split=args.split, families=args.families,
                         sources=args.sources, pitch_range=args.pitch_range,
                         velocities=args.velocities)
  manifest = prepare.run(
      items, args.output_dir, sample_rate=args.sample_rate,
      frame_rate=args.frame_rate, example_secs=args.example_secs,
      hop_secs=args.hop_secs, crepe_model=args.crepe_model,
      f0_frame_rate=args.f0_frame_rate or None, viterbi=not args.no_viterbi,
      eval_fraction=args.eval_fraction, pipeline_options=beam_options,
      f0_silence_db=(None if args.f0_silence_db is None
                     or args.f0_silence_db >= 0 else args.f0_silence_db),
      overwrite=args.overwrite, source_config=source_config,
      detect_notes=args.detect_notes, augment=args.augment)
  counts = manifest['counts']
  notes = (f', {counts["notes"]} notes with their expression'
           if counts.get('notes') else '')
  if counts.get('examples_augmented'):
    notes += (f'; {counts["examples_augmented"]} of the train examples are '
              'equalized copies')
  print(f'Prepared {counts["examples_train"]} train and '
        f'{counts["examples_eval"]} eval examples from '
        f'{counts["sources_used"]} sources ({manifest["audio_secs"]:.0f} s of '
        f'audio, {manifest["audio_secs_per_wall_sec"]:.1f}x real time{notes}) '
        f'in {args.output_dir}; skipped {counts["skipped"]}:')
  for item in manifest['skipped'][:20]:
    print(f'  {item["file"]}: {item["reason"]}')
  if counts['skipped'] > 20:
    print(f'  ... and {counts["skipped"] - 20} more (see manifest.json)')
  if counts.get('windows_retried') or counts.get('windows_written_twice'):
    print(f'note: the Beam runner lost {counts["windows_retried"]} of '
          f'{counts["windows_expected"]} windows without an error; they were '
          f'made again, and {counts["windows_missing"]} are still missing '
          '(manifest.json: missing_windows); '
          f'{counts["windows_written_twice"]} were written twice.')
  return 0


def _train(args):
  from interpret_ddsp.training import train  # pylint: disable=g-import-not-at-top
  gin_files = args.gin_file or ['models/timbre_ae_tiny.gin',
                                'datasets/tfrecord.gin',
                                'optimization/cpu.gin']
  resumed = train.latest_step(args.save_dir)
  if resumed:
    print(f'Resuming {args.save_dir} from step {resumed}.')
  trainer = train.train(
      gin_files, args.save_dir, gin_params=args.gin_param,
      dataset_dir=args.dataset, tpu=args.tpu,
      cluster_config=args.cluster_config, num_steps=args.num_steps,
      progress=not args.no_progress,
      max_secs=args.max_minutes * 60 if args.max_minutes else None,
      seed=args.seed)
  print(f'Trained to step {int(trainer.step.numpy())}; checkpoints, '
        f'TensorBoard summaries and the operative gin config are in '
        f'{args.save_dir}.')
  if hasattr(trainer.model, 'knob_names'):
    print(f'Knobs: {", ".join(trainer.model.knob_names)} '
          f'({args.save_dir}/{contracts.KNOBS_FILE}).')
  return 0


def _extract_z(args, beam_options=None):
  from interpret_ddsp.generation import extract  # pylint: disable=g-import-not-at-top
  result = extract.extract_z(args.save_dir, args.tfrecords, args.output,
                             batch_size=args.batch_size,
                             max_examples=args.max_examples,
                             progress=not args.no_progress,
                             pipeline_options=beam_options or None)
  print(f'Wrote z of {len(result["z"])} examples '
        f'({result["z"].shape[1]} dims: '
        f'{", ".join(result["knob_names"])} + '
        f'{result["z"].shape[1] - len(result["knob_names"])} free) to '
        f'{args.output}.')
  return 0


def _fit_prior(args):
  from interpret_ddsp.generation import prior  # pylint: disable=g-import-not-at-top
  priors, tables, notes = prior.fit_z_file(
      args.z, args.output, by_instrument=args.by_instrument,
      max_components=args.max_components, seed=args.seed,
      progress=not args.no_progress, register=not args.no_register)
  for note in notes:
    print(f'note: {note}')
  stem = os.path.splitext(args.output)[0]
  sel = tables['']['selected']
  print(f'Fitted a {sel["n_components"]}-component '
        f'{sel["covariance_type"]}-covariance Gaussian mixture to '
        f'{tables[""]["n_examples"]} z\'s (lowest BIC); wrote {args.output}, '
        f'{stem}_bic.png.')
  extra = sorted(g for g in priors if g)
  if extra:
    print(f'Per-instrument priors: {", ".join(extra)}.')
  return 0


def _expression_settings(text):
  from interpret_ddsp.generation import expression_model  # pylint: disable=g-import-not-at-top
  return expression_model.parse_settings(text)


def _fit_expression(args):
  from interpret_ddsp.generation import expression_model  # pylint: disable=g-import-not-at-top
  info = expression_model.fit_file(args.data, args.output,
                                   max_components=args.max_components,
                                   seed=args.seed)
  groups = ', '.join(f'{g or "all"}: {k}' for g, k in
                     info['selected'].items())
  print(f'Fitted note expression to {info["n_notes"]} notes (mixtures, '
        f'lowest BIC: {groups}); wrote {args.output}.')
  return 0


def _sample(args):
  from interpret_ddsp.generation import generate  # pylint: disable=g-import-not-at-top
  result = generate.sample_sounds(
      args.save_dir, args.prior, args.output_dir, n=args.n, notes=args.notes,
      midi=args.midi, profile=args.profile, mood=args.mood,
      settings=generate.parse_settings(args.set),
      temperature=args.temperature, seed=args.seed, group=args.instrument,
      midi_program=args.midi_program, stream=args.stream,
      block_frames=args.block_frames, others=args.others,
      max_voices=args.max_voices, expression_path=args.expression_model,
      expression_settings=_expression_settings(args.expression),
      register=not args.any_register)
  for message in result['messages']:
    print(f'note: {message}')
  print(f'Wrote {len(result["samples"])} samples '
        f'({result["controls"]["secs"]:.1f} s each) to {args.output_dir}/:')
  for row in result['samples']:
    knobs = ', '.join(f'{k}={v:+.2f}' for k, v in row['knobs'].items())
    print(f'  {os.path.basename(row["wav"])}  {knobs}')
  if result['streaming']:
    st = result['streaming']
    print(f'Streamed in blocks of {st["block_frames"]} frames: '
          f'{st["real_time_factor"]:.0f}x real time, '
          f'{st["block_ms_median"]:.2f} ms per block, '
          f'{st["algorithmic_latency_ms"]:.0f} ms algorithmic latency.')
  return 0


def _interpolate(args):
  from interpret_ddsp.generation import generate  # pylint: disable=g-import-not-at-top
  result = generate.interpolate(
      args.save_dir, args.output_dir, args.start, args.end, steps=args.steps,
      prior_path=args.prior, notes=args.notes, midi=args.midi,
      profile=args.profile, seed=args.seed, max_voices=args.max_voices,
      expression_path=args.expression_model,
      expression_settings=_expression_settings(args.expression))
  for message in result['messages']:
    print(f'note: {message}')
  zi, cf = result['z_interpolation'], result['crossfade']
  print(f'Wrote {args.steps} steps from {args.start} to {args.end} to '
        f'{args.output_dir}/ (path.wav, crossfade.wav, interpolation.png).')
  print(f'  z interpolation: smoothness {zi["smoothness"]:.3f}, '
        f'non-linearity {zi["nonlinearity"]:.3f}')
  print(f'  audio crossfade: smoothness {cf["smoothness"]:.3f}, '
        f'non-linearity {cf["nonlinearity"]:.3f}')
  return 0


def _evaluate(args):
  from interpret_ddsp.evaluation import evaluate  # pylint: disable=g-import-not-at-top
  save_dir, prior, z = args.save_dir, args.prior, args.z
  save_dir, prior, z = shipped.resolve(save_dir, prior, z)
  m = evaluate.evaluate(save_dir, args.tfrecords, args.output_dir,
                        prior_path=prior, z_path=z,
                        max_examples=args.max_examples,
                        knob_examples=args.knob_examples,
                        prior_draws=args.prior_draws,
                        n_generated=args.n_generated,
                        progress=not args.no_progress)
  r = m['reconstruction']
  print(f'Wrote {args.output_dir}/metrics.json and report.md.')
  print(f'  reconstruction: spectral distance {r["spectral_distance"]:.2f}, '
        f'SNR {r["snr_db"]:.1f} dB, f0 L1 {r["f0_l1_cents"]:.1f} cents, '
        f'loudness L1 {r["loudness_l1_db"]:.2f} dB')
  for knob in m.get('knob_control', {}).get('cross_talk', {}).get('knobs',
                                                                  []):
    k = m['knob_control'][knob]
    cal = k['calibration']
    missed = [t for t, ok in k['meets_targets'].items() if not ok]
    print(f'  {knob} knob: r {cal["pearson_r"]:.3f}, slope '
          f'{cal["slope"]:.2f}, MAE {cal["mae"]:.2f} std, max cross-talk '
          f'{k["max_cross_talk"]:.2f} ('
          + ('targets met' if not missed else 'missed: ' + ', '.join(missed))
          + ')')
  if 'generation' in m:
    g = m['generation']
    print(f'  generation: Frechet {g["frechet_distance"]:.2f} (real vs real '
          f'{g["frechet_distance_real_halves"]:.2f}), pitch L1 '
          f'{g["pitch_l1_cents"]:.1f} cents')
  return 0


def _play(args):
  """The live instrument: a page on host:port, OSC / MIDI when asked."""
  import asyncio  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.apps import live  # pylint: disable=g-import-not-at-top
  from interpret_ddsp import errors  # pylint: disable=g-import-not-at-top
  try:
    from interpret_ddsp.apps import live_server  # pylint: disable=g-import-not-at-top
  except ImportError as e:
    raise errors.UserError(
        f'interpret-ddsp play needs the live extra ({e.name} is missing): '
        "pip install 'interpret_ddsp[live]'.") from e
  from interpret_ddsp.apps import live_inputs  # pylint: disable=g-import-not-at-top
  for name in ('block_frames', 'max_voices'):
    if getattr(args, name) < 1:
      raise errors.UserError(f'--{name} must be >= 1.')
  if not 0 <= args.port <= 65535:
    raise errors.UserError(f'--port {args.port} is not a TCP port.')
  cc_map = live_inputs.load_cc_map(args.cc_map)
  print('Loading the model and tracing its block graph...')
  factory = live.engine_factory(args.save_dir, args.prior,
                                block_frames=args.block_frames,
                                max_voices=args.max_voices,
                                jit_compile=False if args.no_xla else None)
  app = live_server.make_app(factory, max_clients=args.max_clients)
  try:
    asyncio.run(live_server.serve(
        app, host=args.host, port=args.port, osc_port=args.osc_port,
        midi_port=args.midi, cc_map=cc_map))
  except KeyboardInterrupt:
    print('Stopped.')
  return 0


def _listen(args):
  """The listening test: make it, serve it, pilot it, report it."""
  import asyncio  # pylint: disable=g-import-not-at-top
  import os  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.apps import answer_store  # pylint: disable=g-import-not-at-top
  from interpret_ddsp.apps import listening  # pylint: disable=g-import-not-at-top
  from interpret_ddsp import contracts  # pylint: disable=g-import-not-at-top
  from interpret_ddsp import errors  # pylint: disable=g-import-not-at-top
  if not 0 <= args.port <= 65535:
    raise errors.UserError(f'--port {args.port} is not a TCP port.')
  if args.pilot is not None and args.pilot < 1:
    raise errors.UserError('--pilot needs at least 1 listener.')
  path = os.path.join(args.test_dir, contracts.LISTENING_TEST)
  if not os.path.exists(path):
    print(f'Rendering the listening test into {args.test_dir} ...')
    listening.make_test(args.test_dir, args.save_dir, args.prior,
                        progress=not args.no_progress)
  test = listening.load_test(args.test_dir)
  if args.pilot is not None or args.report:
    name = contracts.PILOT_DB if args.pilot is not None else (
        contracts.ANSWERS_DB)
    db = os.path.join(args.test_dir, name)
    if args.pilot is None and not os.path.exists(db):
      raise listening.ListeningError(
          f'No answers yet: {db} does not exist (nobody has taken this '
          'listening test).')
    store = answer_store.AnswerStore(db, test)
    if args.pilot is not None:
      n = listening.pilot_answers(test, store, args.pilot)
      print(f'Added {n} synthetic answers of {args.pilot} pilot listeners '
            f'to {store.path}.')
    out = os.path.join(args.test_dir, contracts.LISTENING_REPORT_DIR +
                       ('_pilot' if args.pilot is not None else ''))
    summary = listening.report(test, store.answers(), out)
    print(f'Report of {summary["n_listeners"]} listeners '
          f'({len(summary["screened_out"])} left out by post-screening) in '
          f'{out}/.')
    return 0
  from interpret_ddsp.apps import listen_server  # pylint: disable=g-import-not-at-top
  app = listen_server.make_app(args.test_dir)
  try:
    asyncio.run(listen_server.serve(app, host=args.host, port=args.port))
  except KeyboardInterrupt:
    print('Stopped.')
  return 0


def _add_model_arg(p):
  """--model: a shipped model by name (resolved in `main`, before the verb
  runs, into --save_dir, --prior and --z)."""
  p.add_argument('--model', default=None, choices=sorted(shipped.MODELS),
                 help='a shipped model instead of --save_dir (default: '
                 f'{shipped.DEFAULT_MODEL}; violin_48k: one violin at 48 '
                 'kHz)')


def _resolve_model(args):
  """Turns --model NAME into the shipped model's folder, prior and z (one
  clear error with --save_dir or --train beside it)."""
  if getattr(args, 'model', None) is None:
    return
  if getattr(args, 'train', False):
    raise errors.UserError('--model plays a shipped model and --train '
                           'trains a new one: give one of them.')
  if args.save_dir is not None:
    raise errors.UserError(
        f'--model {args.model} and --save_dir {args.save_dir} both name a '
        'model: give one of them.')
  save_dir, prior, z = shipped.resolve(None, args.prior, getattr(args, 'z',
                                                                 None),
                                       model=args.model)
  args.save_dir, args.prior = save_dir, prior
  if hasattr(args, 'z'):
    args.z = z


def _add_controls_args(p):
  group = p.add_argument_group('pitch and loudness')
  group.add_argument('--notes', default=None,
                     help='e.g. "C4:1.0,E4:0.5,r:0.25,G4:1:90" (name:secs'
                     '[:velocity][@name=value;... learned expression on '
                     'that note]); default an arpeggio')
  group.add_argument('--midi', default=None,
                     help='MIDI file (its first melodic part, chords and '
                     'all)')
  group.add_argument('--max_voices', type=int, default=8,
                     help='most notes sounding at once (1: the top voice '
                     'only)')
  group.add_argument('--midi_program', type=int, default=None,
                     help='take this GM program from the MIDI file')
  group.add_argument('--profile', default=None,
                     help='expression: learned (from data; the default when '
                     'the model has an expression model), or the hand-'
                     'written plain, legato, vibrato, staccato, swell')
  group.add_argument('--expression', default=None,
                     metavar='NAME=VALUE,...',
                     help='set learned expression on every note, the rest '
                     'drawn given it, e.g. vibrato_extent_cents=30,'
                     'attack_secs=0.1 (names: volume_db, '
                     'volume_fluctuation_db, volume_peak_position, '
                     'attack_secs, release_secs, vibrato_rate_hz, '
                     'vibrato_extent_cents, portamento_secs; and brightness, '
                     'attack_noise: each note\'s offset from the sound\'s '
                     'brightness and noisiness knobs, in std units)')
  group.add_argument('--expression_model', default=None,
                     help='.npz from fit-expression (default: the model '
                     'folder\'s own, which the shipped model has)')


def _csv(text):
  return [t.strip() for t in (text or '').split(',') if t.strip()]


def build_parser():
  parser = argparse.ArgumentParser(
      prog='interpret-ddsp',
      description='DDSP with named timbre knobs and a generative prior.')
  parser.add_argument('--verbose', action='store_true',
                      help='keep TensorFlow\'s start-up log lines (hidden by '
                      'default; may go anywhere on the line)')
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

  prep = verbs.add_parser(
      'prepare', help='audio -> TFRecords with f0, loudness and timbre '
      'descriptors (Apache Beam; unknown --options go to Beam)')
  prep.add_argument('--source', choices=('recordings', 'nsynth', 'soundfont'),
                    required=True)
  prep.add_argument('--input', default=None,
                    help='recordings: folder or glob; soundfont: .sf2/.sf3 '
                    '(default TimGM6mb); nsynth: tfds name (default '
                    'nsynth/gansynth_subset.f0_and_loudness)')
  prep.add_argument('--output_dir', default=os.path.join('tfrecords',
                                                         'dataset'))
  prep.add_argument('--crepe_model', choices=CREPE_CAPACITIES,
                    default='tiny')
  prep.add_argument('--sample_rate', type=int, default=16000)
  prep.add_argument('--frame_rate', type=int, default=250)
  prep.add_argument('--f0_frame_rate', type=int, default=100,
                    help='rate CREPE runs at, interpolated to frame_rate '
                    '(0: frame_rate)')
  prep.add_argument('--no_viterbi', action='store_true')
  prep.add_argument('--f0_silence_db', type=float, default=-80.0,
                    help='skip CREPE on stretches >= 0.1 s peaking below '
                    'this dBFS (f0 held, confidence 0); 0 to run it '
                    'everywhere')
  prep.add_argument('--example_secs', type=float, default=4.0)
  prep.add_argument('--hop_secs', type=float, default=1.0)
  prep.add_argument('--eval_fraction', type=float, default=0.1)
  prep.add_argument('--runner', default=None,
                    help='Beam runner (default: local, one worker per core)')
  prep.add_argument('--overwrite', action='store_true')
  prep.add_argument('--detect_notes', action='store_true',
                    help='find the notes of recordings that come without '
                    'ground truth and store their expression '
                    '(note_expression.npz, for fit-expression); CREPE runs '
                    'once more over each file')
  prep.add_argument('--augment', type=int, default=0, metavar='K',
                    help='add K randomly equalized copies of every train '
                    'example (timbre augmentation; f0 kept, loudness and '
                    'descriptors measured on the copy; eval untouched)')
  group = prep.add_argument_group('nsynth')
  group.add_argument('--data_dir', default=None, help='tfds data_dir')
  group.add_argument('--split', default='train')
  group.add_argument('--families', default='',
                     help='e.g. string,brass,flute')
  group.add_argument('--sources', default='', help='acoustic,electronic,'
                     'synthetic')
  group.add_argument('--pitch_range', default='', help='e.g. 48:84')
  group.add_argument('--velocities', default='',
                     help='NSynth: keep these velocities (e.g. 75,100); '
                     'soundfont: render at these (default 50,80,110)')
  group = prep.add_argument_group('soundfont')
  group.add_argument('--programs', default='violin,flute,trumpet')
  group.add_argument('--render_dir', default=None,
                     help='where rendered WAVs go (default OUTPUT_DIR/audio)')
  group.add_argument('--key_step', type=int, default=3)
  group.add_argument('--melodies', type=int, default=4)
  group.add_argument('--seed', type=int, default=0)
  prep.set_defaults(func=_prepare)

  tr = verbs.add_parser(
      'train', help='train (or resume) a gin-configured model with ddsp\'s '
      'trainer and distribution strategies')
  tr.add_argument('--gin_file', action='append', default=[],
                  help='gin file (repeatable): a path, or a name under gin/ '
                  'or ddsp\'s gin/ (default: models/timbre_ae_tiny.gin '
                  'datasets/tfrecord.gin optimization/cpu.gin)')
  tr.add_argument('--gin_param', action='append', default=[],
                  help='gin binding (repeatable), e.g. train.batch_size=16')
  tr.add_argument('--save_dir', required=True,
                  help='checkpoints and summaries; re-running resumes')
  tr.add_argument('--dataset', default=None,
                  help='a `prepare` output folder (sets file patterns and '
                  'example length)')
  tr.add_argument('--num_steps', type=int, default=None,
                  help='total steps to reach (default: the gin config\'s)')
  tr.add_argument('--seed', type=int, default=None,
                  help='seed weights, data shuffle and synth noise, to '
                  'repeat a run (default: unseeded)')
  tr.add_argument('--tpu', default='',
                  help='TPU address (grpc://... or a Cloud TPU name): '
                  'TPUStrategy')
  tr.add_argument('--cluster_config', default='',
                  help='multi-worker TF_CONFIG JSON: '
                  'MultiWorkerMirroredStrategy (default: MirroredStrategy '
                  'over the local GPUs, or the CPU)')
  tr.add_argument('--max_minutes', type=float, default=None,
                  help='stop after this much training time (checkpoint '
                  'saved; re-run to continue)')
  tr.add_argument('--no_progress', action='store_true')
  tr.set_defaults(func=_train)

  ez = verbs.add_parser(
      'extract-z', help='run a trained encoder over TFRecords -> z.npz '
      '(pooled z per example, knob names, metadata)')
  ez.add_argument('--save_dir', required=True, help='trained model folder')
  ez.add_argument('--tfrecords', required=True,
                  help='file pattern, e.g. tfrecords/x/train.tfrecord*')
  ez.add_argument('--output', required=True, help='.npz to write')
  ez.add_argument('--batch_size', type=int, default=32)
  ez.add_argument('--max_examples', type=int, default=None)
  ez.add_argument('--runner', default=None,
                  help='encode shards with this Beam runner (e.g. '
                  'DirectRunner, DataflowRunner); other --options go to Beam. '
                  'Default: in this process')
  ez.add_argument('--no_progress', action='store_true')
  ez.set_defaults(func=_extract_z)

  fp = verbs.add_parser(
      'fit-prior', help='fit a Gaussian-mixture prior over z (BIC-selected) '
      '-> prior.npz')
  fp.add_argument('--z', required=True, help='.npz from extract-z')
  fp.add_argument('--output', required=True, help='prior .npz to write')
  fp.add_argument('--max_components', type=int, default=8)
  fp.add_argument('--by_instrument', action='store_true',
                  help='also fit one mixture per instrument')
  fp.add_argument('--seed', type=int, default=0)
  fp.add_argument('--no_register', action='store_true',
                  help='fit z alone, not jointly with each example\'s pitch '
                  '(without it, sample draws timbres for the register a '
                  'score plays in)')
  fp.add_argument('--no_progress', action='store_true')
  fp.set_defaults(func=_fit_prior)

  fe = verbs.add_parser(
      'fit-expression', help='fit note expression (how notes are played, '
      'given the score) to a prepared dataset\'s notes -> .npz')
  fe.add_argument('--data', required=True,
                  help='prepare output folder (or its note_expression.npz)')
  fe.add_argument('--output', required=True, help='.npz to write')
  fe.add_argument('--max_components', type=int, default=4)
  fe.add_argument('--seed', type=int, default=0)
  fe.set_defaults(func=_fit_expression)

  sm = verbs.add_parser(
      'sample', help='new timbres from the prior, rendered from notes, a '
      'MIDI file or a profile')
  sm.add_argument('--save_dir', default=None,
                  help='trained model folder (default: the shipped '
                  'pretrained model)')
  sm.add_argument('--prior', default=None,
                  help='.npz from fit-prior (default: the pretrained '
                  'model\'s)')
  sm.add_argument('--output_dir', required=True)
  sm.add_argument('--n', type=int, default=4, help='number of timbres')
  sm.add_argument('--set', action='append', default=[],
                  metavar='KNOB=VALUE',
                  help='fix a knob (std units; 0 = training average), '
                  'e.g. --set brightness=0.8; repeatable')
  sm.add_argument('--mood', default=None,
                  help='warm, bright, dark, aggressive, calm, airy, ... '
                  '(interpret_ddsp/score/moods.json)')
  sm.add_argument('--temperature', type=float, default=1.0)
  sm.add_argument('--others', choices=('marginal', 'conditional'),
                  default='marginal',
                  help='how the dims --set leaves free are drawn: '
                  'unconditionally (default: the same draws whatever the set '
                  'values, so a set knob moves nothing else), or from the '
                  'prior conditioned on the set knobs (they follow what the '
                  'data ties to them: a set knob then moves the others, by '
                  'the cross-talk the model card measures)')
  sm.add_argument('--instrument', default=None,
                  help='use that instrument\'s prior (fit-prior '
                  '--by_instrument)')
  sm.add_argument('--any_register', action='store_true',
                  help='draw timbres over every register, not for the one '
                  'the notes play in (a prior fitted with --no_register '
                  'has no register to draw for)')
  sm.add_argument('--seed', type=int, default=0)
  sm.add_argument('--stream', action='store_true',
                  help='synthesize block by block, as a live instrument')
  sm.add_argument('--block_frames', type=int, default=16,
                  help='frames per streamed block (16 = 64 ms)')
  _add_controls_args(sm)
  _add_model_arg(sm)
  sm.set_defaults(func=_sample)

  ip = verbs.add_parser(
      'interpolate', help='render a path between two z\'s with smoothness '
      'and non-linearity vs an audio crossfade')
  ip.add_argument('--save_dir', default=None,
                  help='trained model folder (default: the shipped '
                  'pretrained model and its prior)')
  ip.add_argument('--start', required=True,
                  help='audio:PATH, prior[:SEED], instrument:NAME, mood:NAME '
                  'or knobs:brightness=1,hollowness=-1')
  ip.add_argument('--end', required=True)
  ip.add_argument('--steps', type=int, default=7)
  ip.add_argument('--prior', default=None, help='.npz from fit-prior')
  ip.add_argument('--output_dir', required=True)
  ip.add_argument('--seed', type=int, default=0)
  _add_controls_args(ip)
  _add_model_arg(ip)
  ip.set_defaults(func=_interpolate)

  ev = verbs.add_parser(
      'evaluate', help='reconstruction, knob control, disentanglement and '
      'generation metrics -> metrics.json, report.md, PNGs, WAVs')
  ev.add_argument('--save_dir', default=None,
                  help='trained model folder (default: the shipped '
                  'pretrained model, with its prior and training z)')
  ev.add_argument('--tfrecords', required=True,
                  help='eval file pattern, e.g. tfrecords/x/eval.tfrecord*')
  ev.add_argument('--prior', default=None, help='.npz from fit-prior')
  ev.add_argument('--z', default=None,
                  help='training z (.npz from extract-z) for the novelty of '
                  'generated sounds')
  ev.add_argument('--output_dir', required=True)
  ev.add_argument('--max_examples', type=int, default=64)
  ev.add_argument('--knob_examples', type=int, default=32,
                  help='eval examples each knob is swept on')
  ev.add_argument('--prior_draws', type=int, default=8,
                  help='prior draws per knob value in the calibration '
                  'through the prior (with --prior)')
  ev.add_argument('--n_generated', type=int, default=16,
                  help='sounds generated from the prior for the generation '
                  'figures (with --prior)')
  ev.add_argument('--no_progress', action='store_true')
  _add_model_arg(ev)
  ev.set_defaults(func=_evaluate)

  pl = verbs.add_parser(
      'play', help='play a model live in the browser (keyboard, Web MIDI, '
      'knobs, moods), with OSC and MIDI controllers')
  pl.add_argument('--save_dir', default=None,
                  help='trained model folder (default: the shipped one)')
  pl.add_argument('--prior', default=None,
                  help='its prior .npz (by instrument for the picker)')
  pl.add_argument('--host', default='127.0.0.1',
                  help='address to serve on (default loopback only)')
  pl.add_argument('--port', type=int, default=8000)
  pl.add_argument('--block_frames', type=int, default=16,
                  help='frames per block (16 = 64 ms at 250 frames/s)')
  pl.add_argument('--max_voices', type=int, default=8)
  pl.add_argument('--max_clients', type=int, default=8)
  pl.add_argument('--osc_port', type=int, default=None,
                  help='also listen for OSC on this UDP port')
  pl.add_argument('--midi', default=None, nargs='?', const='',
                  help='also read this MIDI input (no name: the first)')
  pl.add_argument('--cc_map', default=None,
                  help='JSON {"cc": {"74": "brightness"}, "range": [-3, 3]}')
  pl.add_argument('--no_xla', action='store_true',
                  help='do not compile the block graph with XLA (faster '
                  'start, slower blocks)')
  _add_model_arg(pl)
  pl.set_defaults(func=_play)

  li = verbs.add_parser(
      'listen', help='the listening test: a page asking whether each knob '
      'varies smoothly (1-5) and how close sounds are (MUSHRA 0-100); '
      'answers in one SQLite file; --report, --pilot')
  li.add_argument('--test_dir', default='listening_test',
                  help='the test folder (rendered there on first use)')
  li.add_argument('--save_dir', default=None,
                  help='trained model folder (default: the shipped one)')
  li.add_argument('--prior', default=None, help='its prior .npz')
  li.add_argument('--host', default='127.0.0.1',
                  help='address to serve on (default loopback only)')
  li.add_argument('--port', type=int, default=8001)
  li.add_argument('--report', action='store_true',
                  help='write the report of the answers so far and exit')
  li.add_argument('--pilot', type=int, default=None, metavar='N',
                  help='add N synthetic listeners to a separate pilot file '
                  'and write their report (report_pilot/)')
  li.add_argument('--no_progress', action='store_true')
  _add_model_arg(li)
  li.set_defaults(func=_listen)

  demo = verbs.add_parser(
      'demo', help='sounds from the shipped pretrained model and prior (or, '
      'with --train, from the whole pipeline run here)')
  demo.add_argument('--output_dir', default='demo_output')
  demo.add_argument('--train', action='store_true',
                    help='first render a small dataset, prepare, train, '
                    'extract-z, fit-prior and evaluate (about 3 minutes; '
                    're-run continues it)')
  demo.add_argument('--recipe', default=None,
                    help='with --train: the pipeline recipe (default quick; '
                    'pretrained: the shipped model\'s, hours on a CPU)')
  demo.add_argument('--recipe_param', action='append', default=[],
                    metavar='NAME=VALUE',
                    help='with --train: set one field of the recipe, e.g. '
                    'num_steps=60 or velocities=60,110 (repeatable)')
  demo.add_argument('--save_dir', default=None,
                    help='another trained model (default: the pretrained '
                    'one)')
  demo.add_argument('--prior', default=None, help='its prior .npz')
  demo.add_argument('--z', default=None,
                    help='its training z .npz (for the z scatter)')
  demo.add_argument('--no_progress', action='store_true')
  _add_model_arg(demo)
  demo.set_defaults(func=_demo)
  return parser


def main(argv=None):
  parser = build_parser()
  # --verbose acts at import (interpret_ddsp.support.stderr_filter); any position.
  argv = [a for a in (sys.argv[1:] if argv is None else argv)
          if a != '--verbose']
  args, extra = parser.parse_known_args(argv)
  if extra and args.verb not in ('prepare', 'extract-z'):
    parser.error(f'unrecognized arguments: {" ".join(extra)}')
  from interpret_ddsp import errors  # pylint: disable=g-import-not-at-top
  try:
    if args.verb in ('prepare', 'extract-z'):  # Unknown --options: Beam's.
      beam_options = ([f'--runner={args.runner}'] if args.runner else []) + extra
      return args.func(args, beam_options)
    _resolve_model(args)
    return args.func(args)
  except errors.UserError as e:
    print(f'interpret-ddsp {args.verb}: {_one_line(e)}', file=sys.stderr)
    return 2
  except (FileNotFoundError, IsADirectoryError, NotADirectoryError,
          PermissionError) as e:  # A path the user gave.
    print(f'interpret-ddsp {args.verb}: {e.filename}: '
          f'{e.strerror or type(e).__name__}.', file=sys.stderr)
    return 2
  except Exception as e:  # pylint: disable=broad-except
    tf = sys.modules.get('tensorflow')
    if tf is None or not isinstance(e, tf.errors.DataLossError):
      raise  # A bug: keep its traceback.
    where = str(e).split("'")[1] if "'" in str(e) else ''
    print(f'interpret-ddsp {args.verb}: a TFRecord is truncated or corrupt '
          f'({where or "data loss"}): prepare it again.', file=sys.stderr)
    return 2


def _one_line(error):
  """An error's message as one line (gin and TF messages span several)."""
  lines = [l.strip() for l in str(error).splitlines() if l.strip()]
  return ' '.join(lines) if len(lines) <= 3 else lines[0]


if __name__ == '__main__':
  sys.exit(main())

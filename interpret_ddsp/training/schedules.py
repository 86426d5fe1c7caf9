# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""A learning rate that holds, then decays: ddsp's Trainer with a start step.

ddsp's `trainers.Trainer` decays its rate exponentially from step 0
(`ExponentialDecay(learning_rate, lr_decay_steps, lr_decay_rate)`). With
ddsp's defaults the rate is still 0.953e-3 at step 24000: nearly constant.
Decaying it from the start would cost the tiny model while it is still
learning at the full rate (the shipped recipe kept falling at a constant
rate to 26000 steps), and a decay while it still falls bought nothing
(6.12 against 6.13 at 8000 steps); once the fall flattens, a tenfold
decay over the last 4000 steps of 28000 read 5.76 against 5.81 at the
constant rate (benchmarks/README.md, learning curve). `HeldDecayTrainer`
keeps the rate at `learning_rate` for `lr_hold_steps`, then decays it as
ddsp does, counted from there. Every other binding is ddsp's `Trainer.*`
(gin), so a config selects it with one line and keeps the rest (the
shipped recipe, `pipeline.RECIPES['pretrained']`):

  get_trainer_class.trainer_class = @HeldDecayTrainer
  HeldDecayTrainer.lr_hold_steps = 24000
  Trainer.lr_decay_steps = 4000
  Trainer.lr_decay_rate = 0.1      # 1e-3 until 24000, 1e-4 at 28000

Checkpoints are ddsp's (the same optimizer variables), so a run trained
with ddsp's Trainer resumes under this one and the other way round.
"""

from ddsp.training import trainers
import gin
import tensorflow as tf

from interpret_ddsp import compat
from interpret_ddsp import errors


class HeldSchedule(tf.keras.optimizers.schedules.LearningRateSchedule):
  """`schedule(max(step - hold_steps, 0))`: a schedule started late.

  Example:
    >>> decay = tf.keras.optimizers.schedules.ExponentialDecay(1e-3, 2000, 0.1)
    >>> held = HeldSchedule(decay, 6000)
    >>> [round(float(held(s)), 6) for s in (0, 6000, 8000)]
    [0.001, 0.001, 0.0001]
  """

  def __init__(self, schedule, hold_steps):
    super().__init__()
    self.schedule = schedule
    self.hold_steps = int(hold_steps)

  def __call__(self, step):
    step = tf.cast(step, tf.float32)
    return self.schedule(tf.maximum(step - float(self.hold_steps), 0.0))

  def get_config(self):
    return {'schedule': tf.keras.optimizers.schedules.serialize(
        self.schedule), 'hold_steps': self.hold_steps}

  @classmethod
  def from_config(cls, config):
    return cls(tf.keras.optimizers.schedules.deserialize(config['schedule']),
               config['hold_steps'])


@gin.register
class HeldDecayTrainer(trainers.Trainer):
  """ddsp's Trainer whose rate holds for `lr_hold_steps`, then decays.

  Args (besides ddsp's, which come from its `Trainer.*` bindings):
    lr_hold_steps: Steps at the full `Trainer.learning_rate` before ddsp's
      exponential decay (`Trainer.lr_decay_steps`, `Trainer.lr_decay_rate`)
      starts; 0 is ddsp's Trainer.
  """

  def __init__(self, model, strategy, lr_hold_steps=0, **kwargs):
    super().__init__(model, strategy, **kwargs)
    if lr_hold_steps < 0:
      raise errors.BadInput(
          f'HeldDecayTrainer.lr_hold_steps must be >= 0, not {lr_hold_steps}.')
    self.lr_hold_steps = int(lr_hold_steps)
    if self.lr_hold_steps:
      decay = compat.optimizer_schedule(self.optimizer)
      with self.strategy.scope():
        self.optimizer = tf.keras.optimizers.Adam(
            HeldSchedule(decay, self.lr_hold_steps))

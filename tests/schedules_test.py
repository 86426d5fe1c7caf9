# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""HeldDecayTrainer: ddsp's rate held, then ddsp's exponential decay (closed
form), selected through ddsp's own `get_trainer_class`, and checkpoints that
pass between it and ddsp's Trainer."""

import interpret_ddsp  # pylint: disable=unused-import  # Shims first.
from ddsp.training import trainers
import gin
import numpy as np
import pytest
import tensorflow as tf

from interpret_ddsp import errors
from interpret_ddsp.training import schedules


def _rate(trainer, step):
  """The rate the optimizer applies at `step` (one zero-gradient update)."""
  w = trainer.model.w
  trainer.optimizer.iterations.assign(step)
  trainer.optimizer.apply_gradients([(tf.zeros_like(w), w)])
  return float(trainer.optimizer.learning_rate.numpy())


class _Model(tf.keras.Model):

  def __init__(self):
    super().__init__()
    self.w = tf.Variable([1.0, 2.0])


@pytest.fixture
def bindings():
  gin.clear_config()
  yield
  gin.clear_config()


def test_held_schedule_closed_form():
  decay = tf.keras.optimizers.schedules.ExponentialDecay(2e-3, 100, 0.5)
  held = schedules.HeldSchedule(decay, 300)
  steps = np.array([0, 150, 300, 350, 400, 600])
  expected = 2e-3 * 0.5 ** (np.maximum(steps - 300, 0) / 100)
  np.testing.assert_allclose([float(held(s)) for s in steps], expected,
                             rtol=1e-6)
  again = schedules.HeldSchedule.from_config(held.get_config())
  assert float(again(500)) == pytest.approx(5e-4, rel=1e-6)


def test_trainer_from_ddsp_bindings_holds_then_decays(bindings):
  gin.parse_config([
      'get_trainer_class.trainer_class = @HeldDecayTrainer',
      'HeldDecayTrainer.lr_hold_steps = 300',
      'Trainer.learning_rate = 2e-3',
      'Trainer.lr_decay_steps = 100',
      'Trainer.lr_decay_rate = 0.5',
  ])
  strategy = tf.distribute.get_strategy()
  trainer_class = trainers.get_trainer_class()
  assert trainer_class.__name__ == 'HeldDecayTrainer'
  trainer = trainer_class(_Model(), strategy)
  for step, rate in [(0, 2e-3), (299, 2e-3), (300, 2e-3), (400, 1e-3),
                     (500, 5e-4)]:
    assert _rate(trainer, step) == pytest.approx(rate, rel=1e-5), step
  # Without a hold it is ddsp's Trainer: decaying from step 0.
  plain = schedules.HeldDecayTrainer(_Model(), strategy, lr_hold_steps=0)
  assert _rate(plain, 100) == pytest.approx(1e-3, rel=1e-5)


def test_checkpoint_of_ddsp_trainer_resumes_under_held_trainer(tmp_path,
                                                                bindings):
  strategy = tf.distribute.get_strategy()
  ddsp_trainer = trainers.Trainer(_Model(), strategy, learning_rate=1e-3)
  model = ddsp_trainer.model
  for _ in range(3):
    with tf.GradientTape() as tape:
      loss = tf.reduce_sum(model.w ** 2)
    grads = tape.gradient(loss, [model.w])
    ddsp_trainer.optimizer.apply_gradients(zip(grads, [model.w]))
  ddsp_trainer.optimizer.iterations.assign(7000)
  ddsp_trainer.save(str(tmp_path))
  w_saved = model.w.numpy().copy()

  held = schedules.HeldDecayTrainer(
      _Model(), strategy, lr_hold_steps=6000, learning_rate=1e-3,
      lr_decay_steps=2000, lr_decay_rate=0.1)
  held.restore(str(tmp_path))
  np.testing.assert_array_equal(held.model.w.numpy(), w_saved)
  assert int(held.optimizer.iterations.numpy()) == 7000
  # Restored at step 7000: half a decay period past the hold.
  w = held.model.w
  held.optimizer.apply_gradients([(tf.zeros_like(w), w)])
  assert float(held.optimizer.learning_rate.numpy()) == pytest.approx(
      1e-3 * 0.1 ** 0.5, rel=1e-5)


def test_negative_hold_is_refused():
  with pytest.raises(errors.BadInput, match='lr_hold_steps'):
    schedules.HeldDecayTrainer(_Model(), tf.distribute.get_strategy(),
                               lr_hold_steps=-1)

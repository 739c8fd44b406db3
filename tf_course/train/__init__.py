"""Training infrastructure: strategy-aware tf.function loop, checkpoints and resume, seeds."""

from tf_course.train.loop import History, Trainer
from tf_course.train.seeds import set_seed

__all__ = ["History", "Trainer", "set_seed"]

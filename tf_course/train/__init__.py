"""Training infrastructure: strategy-aware tf.function loop, checkpoints and resume, seeds, the one
:class:`History`, resumable ``model.fit`` (:func:`fit_resumable`),
epoch timing and progress (:class:`EpochTimer`, :class:`ProgressLogger`,
:class:`Progress`) and the optimisation of a variable (:func:`optimize_variable`)."""

from tf_course.train.callbacks import EpochTimer, ProgressLogger, steady_rate
from tf_course.train.checkpoints import EpochCheckpoint, EpochLog, fit_resumable
from tf_course.train.history import History
from tf_course.train.loop import Trainer
from tf_course.train.optimize import optimize_variable
from tf_course.train.progress import Progress
from tf_course.train.seeds import set_seed

__all__ = ["EpochCheckpoint", "EpochLog", "EpochTimer", "History", "Progress", "ProgressLogger", "Trainer",
           "fit_resumable", "optimize_variable", "set_seed", "steady_rate"]

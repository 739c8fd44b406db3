"""tf_course: the Deep Learning Specialization's programming assignments in TensorFlow 2 / Keras 3.

NumPy "from scratch" versions live in :mod:`tf_course.scratch`; Keras twins, pipelines and
exports live in the topic packages (``basics``, ``vision``, ...). See the README for the table.
"""

__version__ = "0.1.0"

"""C2W1 regularization: Keras 3 twins of :mod:`tf_course.scratch.regularization` (baseline, L2, dropout)."""

"""C2W1 gradient checking: TF twin of :mod:`tf_course.scratch.gradient_checking`."""

"""C1W2 logistic regression: Keras 3 twin of :mod:`tf_course.scratch.logistic_regression`."""

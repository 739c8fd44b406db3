"""Course 1-2 basics: logistic regression, shallow and deep nets, and their Keras twins."""

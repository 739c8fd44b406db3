"""Course 5 week 2 text models: word vectors and debiasing, Emojify (one subpackage each)."""

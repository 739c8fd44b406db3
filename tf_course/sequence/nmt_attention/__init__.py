"""C5W3 (5.3.2) neural machine translation with attention: human-readable dates -> ISO ``YYYY-MM-DD``.

- :mod:`.model`: ``one_step_attention``, the course's model (``modelf``, 52,960 parameters), its Adam.
- :mod:`.decoding`: greedy and beam search (length normalisation, valid-date restriction).
- :mod:`.bleu`: BLEU as the course defines it, sentence and corpus level.
- :mod:`.pipeline`: generate dates -> train -> evaluate -> export a strings-in translator.
The data (vocabularies, ``preprocess_data``) is :mod:`tf_course.data.dates`.
"""

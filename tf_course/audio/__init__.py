"""C5 W3 trigger word detection: the course's audio synthesis (pydub), spectrograms in NumPy and in
the graph, the course's Conv1D + GRU model and a compact one, wake-word metrics, streaming export."""

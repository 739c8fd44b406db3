"""Data layer: course-file discovery and loaders (HDF5, .mat, Keras 2 HDF5 weights), image I/O and scaling,
generated datasets, synthetic stand-ins. Imports no topic package."""

"""Data layer: course-file discovery and loaders, generated datasets, synthetic stand-ins."""

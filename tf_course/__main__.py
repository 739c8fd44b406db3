"""``python -m tf_course`` is ``tf-course``."""

import sys

from tf_course.cli import main

sys.exit(main())

"""Run the `tinygrad-edu` command as `python -m tinygrad_edu`."""

import sys

from tinygrad_edu.cli import main

sys.exit(main())

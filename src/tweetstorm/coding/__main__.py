"""``python -m tweetstorm.coding``: see :mod:`tweetstorm.coding.cli`."""

import sys

from tweetstorm.coding.cli import main

sys.exit(main())

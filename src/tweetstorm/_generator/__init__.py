"""Private parts of :mod:`tweetstorm.generate` (event timeline, API v2 writer, raters, PLN)."""

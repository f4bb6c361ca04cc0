"""Research compendium of the Sie et al. (2013) Tweetstorm study on personal learning networks.

The package holds all the logic; the notebooks in ``notebooks/`` call into it.
"""

__version__ = "0.1.0"

"""``make report``: the results as a publication, ``build/report.html`` and ``build/report.pdf``.

``python -m tweetstorm.report --out build/report.html --pdf build/report.pdf``

The report reads like the results section of a paper: the title comes from the study file, the
study it reproduces is cited in full (from ``CITATION.cff``), a banner says when the data are
generated and illustrative (and every figure caption says so too), the method is described for a
reader, and the results follow as numbered tables and figures with captions. It is built from
what ``make all`` wrote, never from notebook outputs: the tables from ``results/*.csv`` (chosen
columns, readable headers, one number format per column; the CSV has every column), the figures
from ``figures/*.png`` (300 dpi, shown at a third of that, so at least 3 pixels per CSS pixel)
with their captions from ``figures/*.txt``. The page is self-contained (images as data URIs, no
script, no network) and carries no timestamp of the build; a colophon names the git commit and
its date, the package versions and how to rebuild. The PDF is the same page laid out by
WeasyPrint.
"""

from __future__ import annotations

from tweetstorm.report.build import BANNER, ILLUSTRATIVE_NOTE, build_pdf, build_report, main, render, study_reference
from tweetstorm.report.colophon import KEY_PACKAGES, colophon_html, commit_date, git_state, package_versions

__all__ = ["BANNER", "ILLUSTRATIVE_NOTE", "KEY_PACKAGES", "build_pdf", "build_report",
           "colophon_html", "commit_date", "git_state", "main", "package_versions", "render",
           "study_reference"]

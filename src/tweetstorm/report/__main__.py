from tweetstorm.cli import run
from tweetstorm.report.build import main

raise SystemExit(run(main, "python -m tweetstorm.report"))

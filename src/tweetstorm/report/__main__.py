from tweetstorm.report.build import main

raise SystemExit(main())

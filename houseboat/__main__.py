from houseboat.cli import main

raise SystemExit(main())

from hypotez.cli import main

raise SystemExit(main())

from embeddings.cli import main

raise SystemExit(main())

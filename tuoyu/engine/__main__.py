"""``python -m tuoyu.engine <command> ...``: the engine on CSV and JSON files."""

from tuoyu.engine.cli import main

raise SystemExit(main())

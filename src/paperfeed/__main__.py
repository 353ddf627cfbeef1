"""``paperfeed`` and ``python -m paperfeed``: the command line, which a Ctrl-C while it loads also ends
cleanly (its own handler, in ``cli.main``, exists only once the commands are imported)."""

import sys


def run() -> None:
    try:
        from paperfeed.cli import main
    except KeyboardInterrupt:
        print("interrupted before the command started: nothing was done", file=sys.stderr)
        sys.exit(130)
    main()


if __name__ == "__main__":
    run()

"""``python -m sparksig``: the same command line as the ``sparksig`` script."""

from sparksig.cli.app import main

if __name__ == "__main__":
    main()

"""`python -m proxstate` runs the command line."""

from proxstate.cli.main import main

if __name__ == "__main__":
    main()

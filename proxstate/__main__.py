"""`python -m proxstate` runs the command line."""

from proxstate.cli.main import run

if __name__ == "__main__":
    run()

"""Exit codes of every proxstate command (documented in docs/cli.md)."""

OK = 0
ERROR = 1  # nothing useful was done; one line on stderr says why
DRIFT = 2  # `drift`: the live cluster differs from the recorded state
SECRETS_FOUND = 2  # `scan`: the history of the record holds secrets
VIOLATIONS = 2  # `check`: the record breaks a rule of the policy (not waived; new with --since)
PARTIAL = 3  # some resources could not be read; they kept their last state (drift unknown for them)
USAGE = 64  # the command line is wrong (sysexits EX_USAGE)
INTERNAL = 70  # a bug: an exception proxstate did not expect (sysexits EX_SOFTWARE)
INTERRUPTED = 130  # Ctrl-C (SIGINT): 128 + the signal number, as shells report it

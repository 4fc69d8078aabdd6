"""Who may do what, bounded: password checks and sign-in throttling, and the upload ledger that
decides which sessions may make the server hold uploaded bytes."""
